import type { Config, Level, Metric, TableConfig } from '../config/schema.js';
import {
  buildDayFilter,
  buildDayQuery,
  dateHistogram,
  levelFields,
  partName,
  readMetric,
  TIME_AGG,
  type QueryClause,
} from './query.js';
import { bucketStarts, type DayRange } from '../time/day.js';
import type { RawRow, RawValue } from '../transform/flatten.js';

/**
 * The query planner: which requests answer the configured tables of a day with the least work for
 * Elasticsearch, the rows staying exactly those of one request per table (same rows, same bytes).
 * Pure: the edge (planned-fetch.ts) sends what is planned here and hands the answers back.
 *
 * Two plans besides "one walk per table":
 *
 * - **Series groups.** Time series (no levels) over one day whose filters are the same and whose
 *   index patterns differ (`total` over network-*, one table per protocol) are one request over all
 *   their patterns, split by concrete index inside (a terms aggregation on `_index`, the 15-minute
 *   histogram under it). A table's rows are the sum over the indices its own pattern resolves to
 *   (asked of Elasticsearch with `_search_shards`, which resolves wildcards, aliases and data streams
 *   as a search does). The sums are exact only for integers: an answer with a fractional sum, an
 *   index no pattern was resolved to, or an index split that lost documents falls back to one
 *   request per table.
 * - **Level splits.** A level whose fields are fallbacks (websites: a name from url.domain or
 *   tls.client.server_name, url.full only when there is none; the flow tables: destination.domain,
 *   else destination.ip) puts every field into one composite key today, so a name is split again by
 *   every URL that carries it (48,473 buckets for 2,016 rows on a day of 1M documents), and every
 *   key carries a source that is not read. Split, it is one composite per field over the documents
 *   that have that field and none of the earlier ones; each document counts in the same row as
 *   before. The plan falls back when a document could count differently: an earlier field present
 *   but empty (""), a later field with several values (the one-key walk counts such a document once
 *   per value), or a sum that is not over integers (added in another order).
 */

const INDEX_AGG = 'index';
/** A sibling aggregation of a split's first page checking that a later field is single-valued. */
const VALUES_AGG = 'values';
const DOCS_AGG = 'docs';
/** At most this many concrete indices under one series request (each brings up to 100 buckets). */
const MAX_GROUP_INDICES = 500;

// --- the plan -----------------------------------------------------------------------------------

export interface SeriesGroup {
  readonly key: string;
  readonly tables: readonly TableConfig[];
  /** The tables' index patterns, each once, in table order: the request's target. */
  readonly indexPatterns: readonly string[];
}

export interface LevelSplit {
  /** The level whose fields are fallbacks. */
  readonly level: number;
  /** Its fields, in order: split k holds the documents whose first field with a value is k. */
  readonly fields: readonly string[];
}

export interface RequestPlan {
  readonly groups: readonly SeriesGroup[];
  /** Table name → its series group. */
  readonly groupOf: ReadonlyMap<string, SeriesGroup>;
  /** Table name → the split of its fallback level, when one is planned. */
  readonly splits: ReadonlyMap<string, LevelSplit>;
}

/**
 * An index pattern the series split can map back: comma-separated names or wildcards, with no
 * exclusion (`-name` depends on its place in the list), no remote cluster (`remote:name`, whose
 * shards _search_shards does not list) and no date math (`<name-{now/d}>`, which moves with the clock).
 */
export function isPlainPattern(index: string): boolean {
  return index
    .split(',')
    .every((p) => p !== '' && !p.startsWith('-') && !p.includes(':') && !p.includes('<') && p !== '_all');
}

/** The plan for the tables of a run (the same for every day). */
export function planRequests(tables: readonly TableConfig[]): RequestPlan {
  const byKey = new Map<string, TableConfig[]>();
  for (const t of tables) {
    if (t.levels.length > 0 || !isPlainPattern(t.index)) continue;
    const key = JSON.stringify({ time: t.time_field, filters: t.filters });
    byKey.set(key, [...(byKey.get(key) ?? []), t]);
  }
  const groups: SeriesGroup[] = [];
  const groupOf = new Map<string, SeriesGroup>();
  for (const [key, members] of byKey) {
    if (members.length < 2) continue;
    const indexPatterns = [...new Set(members.flatMap((t) => t.index.split(',')))];
    const group = { key, tables: members, indexPatterns };
    groups.push(group);
    for (const t of members) groupOf.set(t.name, group);
  }
  const splits = new Map<string, LevelSplit>();
  for (const t of tables) {
    const split = levelSplit(t);
    if (split) splits.set(t.name, split);
  }
  return { groups, groupOf, splits };
}

/**
 * The split of a table's fallback level: a composite walk with exactly one level of several distinct
 * fields (websites' name; the flow tables' destination, a domain or else the address). With two
 * fallback levels the splits would multiply, so such a table keeps one walk. The split pays even
 * when it makes no fewer buckets: each walk's key has one source less, and a composite's cost is per
 * document and per source (the flow tables at 1M documents a day: 0.75× and 0.8× Elasticsearch's
 * time, bench/notes.md).
 */
function levelSplit(table: TableConfig): LevelSplit | undefined {
  if (table.aggregation !== 'composite') return undefined;
  const fallbacks = table.levels.flatMap((l, i) => (l.fields.length > 1 ? [i] : []));
  if (fallbacks.length !== 1) return undefined;
  const level = fallbacks[0]!;
  const fields = table.levels[level]!.fields;
  if (new Set(fields).size !== fields.length) return undefined;
  return { level, fields };
}

/** The fields whose sums a split adds up in another order: they must hold integers (field caps). */
export function summedFields(metrics: readonly Metric[]): string[] {
  return metrics.flatMap((m) => (m.type !== 'sum' ? [] : 'fields' in m ? m.fields : [m.field]));
}

const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte']);

/**
 * From a `_field_caps` answer: whether every field is an integer type in every index that maps it
 * (a field mapped nowhere sums to 0, which is exact too). Unsigned longs and floats are not: their
 * sums in another order may differ in the last digit.
 */
export function fieldsAreIntegers(answer: unknown, fields: readonly string[]): boolean {
  const caps = (answer as { fields?: Record<string, Record<string, unknown>> } | undefined)?.fields;
  if (typeof caps !== 'object' || caps === null) return false;
  return fields.every((f) => {
    const types = caps[f];
    if (types === undefined) return true;
    return Object.keys(types).every((t) => INTEGER_TYPES.has(t) || t === 'unmapped');
  });
}

// --- series groups --------------------------------------------------------------------------------

/** The metric aggregations of every table of a group, each once, and how each table reads them. */
interface GroupMetrics {
  readonly aggs: Record<string, QueryClause>;
  /** Per table, per metric: the aggregation names holding its value (none for count). */
  readonly names: ReadonlyMap<string, readonly (readonly string[])[]>;
}

function groupMetrics(group: SeriesGroup): GroupMetrics {
  const byDefinition = new Map<string, string>();
  const aggs: Record<string, QueryClause> = {};
  const nameOf = (definition: QueryClause): string => {
    const key = JSON.stringify(definition);
    let name = byDefinition.get(key);
    if (name === undefined) {
      name = `m${byDefinition.size}`;
      byDefinition.set(key, name);
      aggs[name] = definition;
    }
    return name;
  };
  const names = new Map<string, string[][]>();
  for (const t of group.tables) {
    names.set(
      t.name,
      t.metrics.map((m) =>
        m.type === 'count'
          ? []
          : 'fields' in m
            ? m.fields.map((field) => nameOf({ sum: { field } }))
            : [nameOf({ [m.type]: { field: m.field } })],
      ),
    );
  }
  return { aggs, names };
}

/** The one request of a series group: the day's documents by concrete index, then by 15 minutes. */
export function buildSeriesGroupQuery(
  group: SeriesGroup,
  range: DayRange,
  config: Pick<Config, 'internal_networks'>,
): QueryClause {
  const first = group.tables[0]!;
  const histogram = dateHistogram(first, range, false);
  // Only the buckets that hold documents: the day's empty buckets are zeros added here, as the
  // table's own bounded histogram would send them.
  (histogram.date_histogram as Record<string, unknown>).min_doc_count = 1;
  const { aggs } = groupMetrics(group);
  return {
    size: 0,
    track_total_hits: true,
    query: buildDayFilter(first, range, config),
    aggs: {
      [INDEX_AGG]: {
        terms: { field: '_index', size: MAX_GROUP_INDICES },
        aggs: {
          [TIME_AGG]: Object.keys(aggs).length > 0 ? { ...histogram, aggs } : histogram,
        },
      },
    },
  };
}

export interface SeriesTableAnswer {
  readonly rows: RawRow[];
  /** The documents of the table's own indices (its totalHits, had it asked alone). */
  readonly totalHits: number;
}

export type SeriesSplit = { tables: Map<string, SeriesTableAnswer> } | { fallback: string };

interface Bucket {
  key?: unknown;
  doc_count?: unknown;
  [name: string]: unknown;
}

const bucketsOf = (agg: unknown): Bucket[] | undefined => {
  const buckets = (agg as { buckets?: unknown } | undefined)?.buckets;
  return Array.isArray(buckets) ? (buckets as Bucket[]) : undefined;
};
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Splits the answer of a series group back into each table's rows, in the shape flatten gives for a
 * table's own bounded histogram: every bucket of the day in order, empty ones as zeros (sums 0, max
 * and min null). `indicesOf`: the concrete indices each table's pattern resolves to. Any doubt about
 * exactness is a fallback (one request per table), never a guess.
 */
export function splitSeriesAnswer(
  group: SeriesGroup,
  aggregations: Record<string, unknown>,
  totalHits: number,
  indicesOf: ReadonlyMap<string, ReadonlySet<string>>,
  range: DayRange,
): SeriesSplit {
  const outer = aggregations[INDEX_AGG] as { sum_other_doc_count?: unknown } | undefined;
  const indexBuckets = bucketsOf(outer);
  if (indexBuckets === undefined) return { fallback: 'the answer has no index split' };
  if (outer?.sum_other_doc_count !== undefined && outer.sum_other_doc_count !== 0)
    return { fallback: `more than ${MAX_GROUP_INDICES} indices hold the day` };
  const known = new Set<string>();
  for (const t of group.tables) for (const i of indicesOf.get(t.name) ?? []) known.add(i);
  const { names } = groupMetrics(group);
  // Per concrete index: bucket time → the bucket.
  const perIndex = new Map<string, { docs: number; byTime: Map<number, Bucket> }>();
  let docs = 0;
  for (const b of indexBuckets) {
    if (typeof b.key !== 'string' || !isCount(b.doc_count))
      return { fallback: 'an index bucket is malformed' };
    if (!known.has(b.key)) return { fallback: 'an index no table pattern was resolved to holds the day' };
    const times = bucketsOf(b[TIME_AGG]);
    if (times === undefined) return { fallback: 'an index bucket has no histogram' };
    const byTime = new Map<number, Bucket>();
    let inside = 0;
    for (const t of times) {
      const time = Number(t.key);
      if (!isCount(t.doc_count) || byTime.has(time)) return { fallback: 'a histogram bucket is malformed' };
      byTime.set(time, t);
      inside += t.doc_count;
    }
    // Every document of the index is in one of its buckets (the histogram drops none).
    if (inside !== b.doc_count) return { fallback: "an index's buckets do not add up to its documents" };
    perIndex.set(b.key, { docs: b.doc_count, byTime });
    docs += b.doc_count;
  }
  if (docs !== totalHits) return { fallback: 'the index split does not add up to the documents matched' };
  const times = new Set(bucketStarts(range).map((d) => d.getTime()));
  for (const { byTime } of perIndex.values()) for (const t of byTime.keys()) times.add(t);
  const order = [...times].sort((a, b) => a - b);
  const tables = new Map<string, SeriesTableAnswer>();
  for (const table of group.tables) {
    const own = [...(indicesOf.get(table.name) ?? [])].flatMap((i) => perIndex.get(i) ?? []);
    const mine = own.map((o) => o.byTime);
    const metricNames = names.get(table.name)!;
    const rows: RawRow[] = [];
    for (const time of order) {
      const metrics: (number | null)[] = table.metrics.map((m) =>
        m.type === 'sum' || m.type === 'count' ? 0 : null,
      );
      for (const byTime of mine) {
        const bucket = byTime.get(time);
        if (bucket === undefined) continue;
        for (let i = 0; i < table.metrics.length; i++) {
          const value = metricValue(bucket, table.metrics[i]!, metricNames[i]!);
          if (value === undefined) return { fallback: 'a metric is missing or not exact' };
          metrics[i] = combine(table.metrics[i]!, metrics[i]!, value);
          if (metrics[i] !== null && !Number.isSafeInteger(metrics[i]) && table.metrics[i]!.type === 'sum')
            return { fallback: 'a sum is not an exact integer' };
        }
      }
      rows.push({ time, values: [], metrics });
    }
    tables.set(table.name, { rows, totalHits: own.reduce((s, o) => s + o.docs, 0) });
  }
  return { tables };
}

/**
 * A metric of one index's bucket, or undefined when it is missing or cannot be added exactly (a sum
 * that is not a safe integer: added across indices in another order, it could differ in the last digit).
 */
function metricValue(bucket: Bucket, metric: Metric, names: readonly string[]): number | null | undefined {
  if (metric.type === 'count') return bucket.doc_count as number;
  // Read as flatten reads a table's own answer, under the group's aggregation names.
  const renamed: Record<string, unknown> = {};
  if ('fields' in metric) names.forEach((n, i) => (renamed[partName(metric.name, i)] = bucket[n]));
  else renamed[metric.name] = bucket[names[0]!];
  const v = readMetric(renamed, metric);
  if (v === undefined) return undefined;
  if (v !== null && typeof v !== 'number') return undefined;
  if (metric.type === 'sum' && (v === null || !Number.isSafeInteger(v))) return undefined;
  if ('fields' in metric) {
    // Each part must be an integer too: their total is added here as the table's own answer would be.
    for (const n of names) {
      const part = (bucket[n] as { value?: unknown } | undefined)?.value;
      if (part !== null && !(typeof part === 'number' && Number.isSafeInteger(part))) return undefined;
    }
  }
  return v;
}

function combine(metric: Metric, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  switch (metric.type) {
    case 'count':
    case 'sum':
      return a + b;
    case 'max':
      return Math.max(a, b);
    case 'min':
      return Math.min(a, b);
  }
}

// --- level splits ---------------------------------------------------------------------------------

/** The table as split `k` asks for it: the split level holds field `k` alone. */
export function splitTable(table: TableConfig, split: LevelSplit, k: number): TableConfig {
  const levels: Level[] = table.levels.map((l, li) =>
    li === split.level ? { ...l, fields: [split.fields[k]!] } : l,
  );
  return { ...table, levels };
}

const exists = (field: string): QueryClause => ({ exists: { field } });

/**
 * The request of one page of split `k`: the table's day filter, plus "has field k" (but for the last
 * split, which also takes the documents with none of the fields) and "has none of the earlier ones".
 * The first page (`after` undefined) also asks, for every later field, how many values and how many
 * documents carry it: more values than documents is a multi-valued field, which the one-key walk
 * counts once per value.
 */
export function buildSplitQuery(
  table: TableConfig,
  split: LevelSplit,
  k: number,
  range: DayRange,
  config: Pick<Config, 'internal_networks' | 'es'>,
  pageSize: number,
  after?: Record<string, unknown>,
): QueryClause {
  const body = buildDayQuery(splitTable(table, split, k), range, config, after, pageSize);
  const query = body.query as { bool: { filter: QueryClause[] } };
  const last = k === split.fields.length - 1;
  const extra: QueryClause[] = [
    ...(last ? [] : [exists(split.fields[k]!)]),
    ...split.fields.slice(0, k).map((f) => ({ bool: { must_not: [exists(f)] } })),
  ];
  const aggs = { ...(body.aggs as Record<string, QueryClause>) };
  if (after === undefined) {
    split.fields.slice(k + 1).forEach((f, i) => {
      aggs[`${VALUES_AGG}${i}`] = { value_count: { field: f } };
      aggs[`${DOCS_AGG}${i}`] = { filter: exists(f) };
    });
  }
  return { ...body, query: { bool: { filter: [...query.bool.filter, ...extra] } }, aggs };
}

/**
 * Why a split page cannot give the one-key walk's rows, or undefined when it can: a document of an
 * earlier split whose field has no usable value (null, or "" — the one-key walk would take a later
 * field), a later field with several values in a document (first page only).
 */
export function splitPageProblem(
  split: LevelSplit,
  k: number,
  rows: readonly RawRow[],
  valueIndex: number,
  aggregations: Record<string, unknown>,
  firstPage: boolean,
): string | undefined {
  const last = k === split.fields.length - 1;
  if (!last && rows.some((r) => r.values[valueIndex] === null || r.values[valueIndex] === ''))
    return `a document has an empty ${split.fields[k]}`;
  if (firstPage) {
    for (let i = 0; i < split.fields.length - k - 1; i++) {
      const values = (aggregations[`${VALUES_AGG}${i}`] as { value?: unknown } | undefined)?.value;
      const docs = (aggregations[`${DOCS_AGG}${i}`] as { doc_count?: unknown } | undefined)?.doc_count;
      if (!isCount(values) || !isCount(docs) || values !== docs)
        return `${split.fields[k + 1 + i]} has several values in a document`;
    }
  }
  return undefined;
}

/** Where field `k` of the split level sits among the values of the split table's rows. */
export function splitValueIndex(table: TableConfig, split: LevelSplit): number {
  return levelFields(splitTable(table, split, 0).levels).findIndex((f) => f.level === split.level);
}

/**
 * Rows of split `k` in the one-key walk's layout: the split level's other fields are null (they were
 * not read: the row's value is field k's, which is the value the one-key walk takes). Where each
 * value comes from is worked out once, for all the rows of the walk.
 */
export function tableRowOf(table: TableConfig, split: LevelSplit, k: number): (row: RawRow) => RawRow {
  // source[j]: the index in the split row of the table row's value j, or -1 for a null.
  const source: number[] = [];
  let i = 0;
  table.levels.forEach((l, li) => {
    if (li === split.level) {
      l.fields.forEach((_, fi) => source.push(fi === k ? i : -1));
      i++;
    } else {
      for (let f = 0; f < l.fields.length; f++) source.push(i++);
    }
  });
  return (row) => {
    const values: RawValue[] = [];
    for (const from of source) values.push(from === -1 ? null : row.values[from]!);
    return { time: row.time, values, metrics: row.metrics };
  };
}

/** Whether every sum of a row is an exact integer (a split adds them up in another order). */
export function rowSumsExact(metrics: readonly Metric[], row: RawRow): boolean {
  return metrics.every(
    (m, i) => m.type !== 'sum' || row.metrics[i] === null || Number.isSafeInteger(row.metrics[i]),
  );
}
