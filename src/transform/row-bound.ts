import { InternalError } from '../errors.js';
import { compareKeys } from './merge.js';
import { aggregateOf, combine, isAdditive } from '../config/metric-rules.js';
import type { Metric, TableConfig } from '../config/schema.js';
import type { KeyedRow } from './rows.js';

/**
 * The row bound of a table (`row_bound: { top, by }`): in every bucket the `top` rows with the largest
 * `by` metric are kept and the others are folded into one row whose key columns all hold OTHER_KEY, so a
 * flow table's day file stays small at any network size while every bucket keeps its exact totals:
 * counts and sums of the folded rows are added, their max is the largest and their min the smallest (so
 * the bucket's max and min over all its rows are the unbounded table's too; the `other` row's own max or
 * min is not that of any one key). It ranks the final rows: after pseudonymisation and after rows whose
 * keys collapsed were merged. Ties are broken by the keys (the file's own order), so the same day always
 * gives the same rows. Pure.
 */

/**
 * The key of the folded row, in every key column. It can never be a real key: a keyed cell of any
 * transform but `text` holds only letters, digits, `_`, `.`, `-`, a plain number or nothing
 * (safe-value.ts), never parentheses, and a bounded table has at least one such column (the schema
 * refuses a bound on a table whose levels are all `text`). It starts with no formula character.
 */
export const OTHER_KEY = '(other)';

export interface RowBound {
  readonly top: number;
  /** A count or sum metric of the table. */
  readonly by: string;
}

/** True for the folded row of a bounded table. */
export function isOtherRow(keys: readonly string[]): boolean {
  return keys.length > 0 && keys.every((k) => k === OTHER_KEY);
}

/**
 * Bounds complete buckets: rows in time order (any order of keys inside a bucket), each bucket whole.
 * Returns them bucket by bucket, the kept rows in key order and then the `other` row, if any.
 */
export function boundRows(
  rows: readonly KeyedRow[],
  metrics: readonly Metric[],
  bound: RowBound,
  levels: number,
): KeyedRow[] {
  const by = metrics.findIndex((m) => m.name === bound.by);
  if (by < 0 || !isAdditive(metrics[by]!))
    throw new InternalError(`row_bound.by "${bound.by}" is not a count or sum metric of the table`);
  const out: KeyedRow[] = [];
  let start = 0;
  while (start < rows.length) {
    const time = rows[start]!.time;
    let end = start;
    while (end < rows.length && rows[end]!.time === time) end++;
    if (end < rows.length && rows[end]!.time < time)
      throw new InternalError('row bound: rows are not in time order');
    out.push(...boundBucket(rows.slice(start, end), metrics, bound.top, by, levels));
    start = end;
  }
  return out;
}

function boundBucket(
  bucket: KeyedRow[],
  metrics: readonly Metric[],
  top: number,
  by: number,
  levels: number,
): KeyedRow[] {
  const byKeys = [...bucket].sort((a, b) => compareKeys(a.keys, b.keys));
  if (bucket.length <= top) return byKeys;
  const ranked = [...bucket].sort(
    (a, b) => (b.metrics[by] ?? 0) - (a.metrics[by] ?? 0) || compareKeys(a.keys, b.keys),
  );
  const kept = new Set(ranked.slice(0, top));
  let other: (number | null)[] | undefined;
  for (const row of ranked.slice(top)) {
    if (isOtherRow(row.keys)) throw new InternalError('row bound: a real row has the key of the other row');
    other =
      other === undefined
        ? [...row.metrics]
        : metrics.map((m, i) => combine(aggregateOf(m), other![i] ?? null, row.metrics[i] ?? null));
  }
  return [
    ...byKeys.filter((r) => kept.has(r)),
    { time: bucket[0]!.time, keys: Array.from({ length: levels }, () => OTHER_KEY), metrics: other! },
  ];
}

/**
 * What the pipeline applies to each chunk of complete buckets: the table's bound, or the rows as they
 * are when it has none (its files keep their bytes).
 */
export function rowBounder(
  table: Pick<TableConfig, 'row_bound' | 'metrics' | 'levels'>,
): (rows: KeyedRow[]) => KeyedRow[] {
  const bound = table.row_bound;
  if (bound === undefined) return (rows) => rows;
  return (rows) => boundRows(rows, table.metrics, bound, table.levels.length);
}
