import { DataError } from '../errors.js';
import { ROWS_AGG, TIME_AGG, levelFields, readMetric, sourceName } from '../extract/query.js';
import type { Metric, TableConfig } from '../config/schema.js';

/**
 * The generic flattener: one nested aggregation response → flat rows, driven by the table's level
 * structure rather than by a hand-written function per query. It reads the three shapes the query
 * builder produces: a bounded date_histogram (time series), a composite page, and date_histogram →
 * nested terms. Pure.
 */

export type RawValue = string | number | null;

/** One bucket path down to a leaf: its time, one raw value per (level, field), one value per metric. */
export interface RawRow {
  readonly time: number;
  readonly values: readonly RawValue[];
  readonly metrics: readonly (number | null)[];
}

export interface FlattenResult {
  readonly rows: RawRow[];
  /** For composite pages: the key to ask for the next page, absent on the last one. */
  readonly afterKey?: Record<string, unknown>;
}

interface Bucket {
  key: unknown;
  doc_count: number;
  [sub: string]: unknown;
}

interface BucketsAgg {
  buckets?: unknown;
  sum_other_doc_count?: number;
  after_key?: Record<string, unknown>;
}

function bucketsOf(agg: unknown, name: string): Bucket[] {
  const buckets = (agg as BucketsAgg | undefined)?.buckets;
  if (!Array.isArray(buckets))
    throw new DataError(
      `the response has no buckets for aggregation "${name}": the query and the response do not match`,
    );
  return buckets as Bucket[];
}

function metricValues(bucket: Bucket, metrics: readonly Metric[]): (number | null)[] {
  const values: (number | null)[] = [];
  for (const m of metrics) {
    if (m.type === 'count') {
      values.push(bucket.doc_count);
      continue;
    }
    // An empty bucket sums to 0 but has no max or min; a sum of several fields adds their sums.
    const v = readMetric(bucket, m);
    if (v === undefined) throw new DataError(`the response has no value for metric "${m.name}"`);
    values.push(v);
  }
  return values;
}

function rawValue(key: unknown): RawValue {
  if (key === null || key === undefined) return null;
  if (typeof key === 'string' || typeof key === 'number') return key;
  if (typeof key === 'boolean') return String(key);
  throw new DataError(`unexpected bucket key ${JSON.stringify(key)}`);
}

/** Flattens one search response's aggregations for `table`. */
export function flattenAggregations(
  aggregations: Record<string, unknown>,
  table: Pick<TableConfig, 'levels' | 'metrics' | 'aggregation'>,
): FlattenResult {
  if (table.levels.length === 0) {
    const rows = bucketsOf(aggregations[TIME_AGG], TIME_AGG).map((b) => ({
      time: Number(b.key),
      values: [],
      metrics: metricValues(b, table.metrics),
    }));
    return { rows };
  }
  if (table.aggregation === 'composite') {
    const agg = aggregations[ROWS_AGG] as BucketsAgg | undefined;
    const fields = levelFields(table.levels);
    const names = fields.map((f) => f.name);
    const rows = bucketsOf(agg, ROWS_AGG).map((b) => {
      const key = b.key as Record<string, unknown>;
      const values: RawValue[] = [];
      for (const name of names) values.push(rawValue(key[name]));
      return { time: Number(key[TIME_AGG]), values, metrics: metricValues(b, table.metrics) };
    });
    // Elasticsearch sends after_key with the last non-empty page too; an empty page ends the walk.
    return rows.length > 0 && agg?.after_key ? { rows, afterKey: agg.after_key } : { rows };
  }
  const rows: RawRow[] = [];
  const walk = (agg: unknown, level: number, time: number, values: RawValue[]): void => {
    const name = sourceName(level, 0);
    const terms = agg as BucketsAgg;
    if ((terms.sum_other_doc_count ?? 0) > 0) {
      throw new DataError(
        `level "${table.levels[level]!.column}" would drop ${terms.sum_other_doc_count} documents (more than terms_size buckets): raise terms_size or use aggregation "composite"`,
      );
    }
    for (const b of bucketsOf(agg, name)) {
      const next = [...values, rawValue(b.key)];
      if (level + 1 === table.levels.length)
        rows.push({ time, values: next, metrics: metricValues(b, table.metrics) });
      else walk(b[sourceName(level + 1, 0)], level + 1, time, next);
    }
  };
  for (const t of bucketsOf(aggregations[TIME_AGG], TIME_AGG))
    walk(t[sourceName(0, 0)], 0, Number(t.key), []);
  return { rows };
}
