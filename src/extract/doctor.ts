import { bucketMinutesOf, metricFields, type Config, type TableConfig } from '../config/schema.js';
import { DataError } from '../errors.js';
import { TIME_AGG, buildDayFilter } from './query.js';
import type { DayRange } from '../time/day.js';

/**
 * Pure checks of a table against what `_field_caps` says of its indices: every field exists with a
 * type netlog can use. One problem a line, each naming the fix.
 */

export interface FieldCaps {
  /** field → type → { aggregatable } */
  readonly fields: Record<string, Record<string, { aggregatable?: boolean }>>;
  readonly indices: readonly string[];
}

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);
const DATE = new Set(['date', 'date_nanos']);

/** The fields a table reads, with the kind of type each needs. */
export function fieldsNeeded(
  table: TableConfig,
): { field: string; need: 'date' | 'ip' | 'numeric' | 'aggregatable'; why: string }[] {
  const needs: ReturnType<typeof fieldsNeeded> = [
    { field: table.time_field, need: 'date', why: 'time_field' },
  ];
  for (const f of table.filters) {
    if ('internal' in f) needs.push({ field: f.internal, need: 'ip', why: 'internal filter (CIDR match)' });
    if ('external' in f) needs.push({ field: f.external, need: 'ip', why: 'external filter (CIDR match)' });
    // A filter on a field that does not exist matches nothing: as silent as a wrong index.
    if ('term' in f) needs.push({ field: f.term.field, need: 'aggregatable', why: 'term filter' });
    if ('terms' in f) needs.push({ field: f.terms.field, need: 'aggregatable', why: 'terms filter' });
    if ('exists' in f) needs.push({ field: f.exists, need: 'aggregatable', why: 'exists filter' });
  }
  for (const m of table.metrics)
    for (const field of metricFields(m)) needs.push({ field, need: 'numeric', why: `metric ${m.name}` });
  for (const l of table.levels)
    for (const field of l.fields) needs.push({ field, need: 'aggregatable', why: `level ${l.column}` });
  return needs;
}

/** Every problem of `table` given its field capabilities; an empty list means ready. */
export function diagnoseTable(table: TableConfig, caps: FieldCaps): string[] {
  const problems: string[] = [];
  for (const { field, need, why } of fieldsNeeded(table)) {
    const types = Object.entries(caps.fields[field] ?? {}).filter(([type]) => type !== 'unmapped');
    if (types.length === 0) {
      problems.push(
        `${table.name}: field ${field} (${why}) does not exist in ${table.index}: fix the field name or the mapping`,
      );
      continue;
    }
    if (types.length > 1) {
      problems.push(
        `${table.name}: field ${field} has conflicting types ${types.map(([t]) => t).join('/')} across ${table.index}: align the mappings`,
      );
      continue;
    }
    const [type, cap] = types[0]!;
    if (need === 'date' && !DATE.has(type))
      problems.push(`${table.name}: ${field} is ${type}, not a date: set time_field to a date field`);
    if (need === 'ip' && type !== 'ip')
      problems.push(`${table.name}: ${field} is ${type}, not ip: CIDR filters need an ip field`);
    if (need === 'numeric' && !NUMERIC.has(type))
      problems.push(`${table.name}: ${field} is ${type}, not numeric: ${why} needs a number field`);
    if (need === 'aggregatable' && cap.aggregatable === false) {
      problems.push(
        `${table.name}: ${field} is ${type} and not aggregatable: map it as keyword (or use its .keyword sub-field)`,
      );
    }
  }
  return problems;
}

/** How well a source preset's tables fit what the cluster holds. */
export interface PresetFit {
  /** fits: every table finds indices and usable fields; partly: some do; absent: no index matches. */
  readonly status: 'fits' | 'partly' | 'absent';
  /** Index patterns of the preset that match no index. */
  readonly missingIndices: string[];
  /** Fields the preset reads that no matching index has. */
  readonly missingFields: string[];
  /** Other problems (wrong types, conflicts), as diagnoseTable words them. */
  readonly otherProblems: string[];
}

/**
 * Assesses a preset from the field capabilities of each of its index patterns (`caps` by pattern; a
 * pattern that matched nothing has no indices). Pure.
 */
export function assessPreset(
  tables: readonly TableConfig[],
  caps: ReadonlyMap<string, FieldCaps>,
): PresetFit {
  const missingIndices = new Set<string>();
  const missingFields = new Set<string>();
  const otherProblems = new Set<string>();
  let found = 0;
  for (const table of tables) {
    const c = caps.get(table.index);
    if (c === undefined || c.indices.length === 0) {
      missingIndices.add(table.index);
      continue;
    }
    found++;
    for (const { field } of fieldsNeeded(table)) {
      const types = Object.keys(c.fields[field] ?? {}).filter((t) => t !== 'unmapped');
      if (types.length === 0) missingFields.add(field);
    }
    for (const p of diagnoseTable(table, c)) if (!/ does not exist in /.test(p)) otherProblems.add(p);
  }
  const clean = missingIndices.size === 0 && missingFields.size === 0 && otherProblems.size === 0;
  return {
    status: found === 0 ? 'absent' : clean ? 'fits' : 'partly',
    missingIndices: [...missingIndices],
    missingFields: [...missingFields].sort(),
    otherProblems: [...otherProblems],
  };
}

/** The fields to ask `_field_caps` for, per index pattern, over a set of tables. */
export function fieldsByIndex(tables: readonly TableConfig[]): Map<string, string[]> {
  const byIndex = new Map<string, Set<string>>();
  for (const table of tables) {
    const set = byIndex.get(table.index) ?? byIndex.set(table.index, new Set()).get(table.index)!;
    for (const { field } of fieldsNeeded(table)) set.add(field);
  }
  return new Map([...byIndex].map(([index, fields]) => [index, [...fields].sort()]));
}

/** One index of `GET _cluster/health/<pattern>?level=indices`. */
export interface IndexHealth {
  readonly status?: string;
  readonly number_of_shards?: number;
  readonly number_of_replicas?: number;
  readonly active_primary_shards?: number;
  readonly unassigned_shards?: number;
  readonly unassigned_primary_shards?: number;
  readonly initializing_shards?: number;
  readonly relocating_shards?: number;
}

/**
 * The health of the indices a table reads: a red index (a primary shard unassigned) is a problem,
 * since every search of the table fails until it is back; a yellow one (replicas unassigned) is a
 * warning, since searches still see all the data but one more lost node may take it away.
 */
export function diagnoseHealth(
  table: Pick<TableConfig, 'name'>,
  indices: Record<string, IndexHealth>,
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [name, h] of Object.entries(indices).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const shards = h.number_of_shards ?? 0;
    const unassigned = h.unassigned_shards ?? 0;
    if (h.status === 'red') {
      const primaries = h.unassigned_primary_shards ?? Math.max(0, shards - (h.active_primary_shards ?? 0));
      problems.push(
        `${table.name}: index "${name}" is red: ${primaries} of ${shards} primary shards unassigned: every load of this table fails until they are back (GET _cluster/allocation/explain says why)`,
      );
    } else if (h.status === 'yellow') {
      warnings.push(
        `${table.name}: index "${name}" is yellow: ${unassigned} replica shard(s) unassigned: searches still see all the data, but one more lost node may not`,
      );
    } else if (h.status !== 'green') {
      problems.push(
        `${table.name}: index "${name}" has an unknown health status ${JSON.stringify(h.status)}`,
      );
    }
  }
  return { problems, warnings };
}

/**
 * The size estimate of `netlog doctor --estimate`: how many rows a day of a table has and what it
 * costs the data repository, without a script (many clusters, and Elasticsearch's minimal
 * distribution, have no scripting). A flow table's rows are its distinct keys per bucket. The cluster
 * gives, per bucket, the document count and a `cardinality` (HyperLogLog: approximate) of each level's
 * first field; three buckets' rows are then counted exactly (a composite walk over each, through the
 * table's transforms: 3/96 of a load), and every other bucket is interpolated from them by its
 * cardinality of the widest field (the one with the most distinct values), never above its document
 * count. Pure.
 */

/** `git gc` packs the day files to this share of their size (measured over generated days, issue 18). */
export const PACKING_RATIO = 0.185;
/** A day file larger than this is warned about (git hosts refuse files over 100 MB; diffs get slow). */
export const WARN_DAY_FILE_BYTES = 50_000_000;

const cardinalityName = (level: number) => `card${level}`;

/** The request body of a table's buckets over one day: documents and each level's distinct values. */
export function buildBucketStatsQuery(
  table: TableConfig,
  range: DayRange,
  config: Pick<Config, 'internal_networks'>,
): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: true,
    query: buildDayFilter(table, range, config),
    aggs: {
      [TIME_AGG]: {
        date_histogram: {
          field: table.time_field,
          fixed_interval: `${bucketMinutesOf(table)}m`,
          ...(range.timeZone !== 'UTC' && { time_zone: range.timeZone }),
        },
        aggs: Object.fromEntries(
          table.levels.map((l, i) => [
            cardinalityName(i),
            { cardinality: { field: l.fields[0], precision_threshold: 10_000 } },
          ]),
        ),
      },
    },
  };
}

/** One bucket of the answer of buildBucketStatsQuery. */
export interface BucketStats {
  readonly time: number;
  readonly docs: number;
  /** Distinct values of each level's first field. */
  readonly distinct: readonly number[];
}

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The buckets of the answer of buildBucketStatsQuery (checked: whole, non-negative numbers). */
export function readBucketStats(aggregations: Record<string, unknown>, levels: number): BucketStats[] {
  const buckets = (aggregations[TIME_AGG] as { buckets?: unknown } | undefined)?.buckets;
  if (!Array.isArray(buckets)) throw new DataError('the bucket statistics answer has no time buckets');
  return buckets.map((raw: unknown) => {
    const b = raw as Record<string, unknown>;
    const distinct = Array.from(
      { length: levels },
      (_, i) => (b[cardinalityName(i)] as { value?: unknown } | undefined)?.value,
    );
    if (!isWhole(b.key) || !isWhole(b.doc_count) || !distinct.every(isWhole))
      throw new DataError('the bucket statistics answer has a bucket without whole counts');
    return { time: b.key, docs: b.doc_count, distinct: distinct as number[] };
  });
}

/** The index of the level whose first field has the most distinct values over the day. */
function widestLevel(stats: readonly BucketStats[]): number {
  const levels = stats[0]?.distinct.length ?? 0;
  const width = (i: number) => stats.reduce((s, b) => s + (b.distinct[i] ?? 0), 0);
  let widest = 0;
  for (let i = 1; i < levels; i++) if (width(i) > width(widest)) widest = i;
  return widest;
}

/**
 * The buckets whose keys are counted exactly: those with the fewest, the median and the most distinct
 * values of the widest field (one to three buckets; empty buckets left out).
 */
export function sampleBuckets(stats: readonly BucketStats[]): BucketStats[] {
  const w = widestLevel(stats);
  const busy = stats
    .filter((b) => b.docs > 0)
    .sort((a, b) => a.distinct[w]! - b.distinct[w]! || a.time - b.time);
  if (busy.length === 0) return [];
  return [...new Set([busy[0]!, busy[Math.floor(busy.length / 2)]!, busy.at(-1)!])];
}

/**
 * Keys per bucket: the sampled buckets' exact counts; every other bucket's interpolated (piecewise
 * linear, through zero) by the widest field's distinct values between the samples, at most one key
 * per document.
 */
export function keysPerBucket(stats: readonly BucketStats[], sampled: ReadonlyMap<number, number>): number[] {
  const w = widestLevel(stats);
  const points = [
    { x: 0, y: 0 },
    ...stats
      .filter((b) => sampled.has(b.time))
      .map((b) => ({ x: b.distinct[w]!, y: sampled.get(b.time)! }))
      .sort((a, b) => a.x - b.x),
  ];
  const at = (x: number): number => {
    for (let i = 1; i < points.length; i++) {
      const [p, q] = [points[i - 1]!, points[i]!];
      if (x <= q.x) return q.x === p.x ? q.y : p.y + ((q.y - p.y) * (x - p.x)) / (q.x - p.x);
    }
    const last = points.at(-1)!;
    return last.x > 0 ? (last.y * x) / last.x : 0;
  };
  return stats.map((b) => sampled.get(b.time) ?? Math.min(b.docs, Math.round(at(b.distinct[w]!))));
}

/**
 * Bytes of an average row, from the columns' usual widths: the timestamp (20), a pseudonym (its
 * length), a domain or server name (~11), a kept number (~4), free text (~24), a count (~2) and a sum
 * (~6), commas and the line end. On the generated 5,000-host day it was 1 % (websites: 86.7 kB for 91.4 kB) to 15 % (internal_to_internal) off the real files.
 */
export function averageRowBytes(
  table: Pick<TableConfig, 'levels' | 'metrics'>,
  pseudonymLength: number,
): number {
  const level = { ip: pseudonymLength, host: 11, domain: 11, server: 11, keep: 4, text: 24 };
  const cells = [
    20,
    ...table.levels.map((l) => level[l.transform]),
    ...table.metrics.map((m) => (m.type === 'count' ? 2 : 6)),
  ];
  return cells.reduce((s, w) => s + w, 0) + cells.length;
}

export interface SizeEstimate {
  /** Rows of the day as configured (with the row bound, if any). */
  readonly rows: number;
  /** Rows without a row bound (the same as rows when there is none). */
  readonly unboundedRows: number;
  readonly dayFileBytes: number;
  /** The packed repository's growth over a year of such days. */
  readonly yearlyPackedBytes: number;
  /** Set when the day file would pass WARN_DAY_FILE_BYTES. */
  readonly warning?: string;
}

/**
 * A table's day from its keys per bucket (a time series: one row per bucket). The row bound keeps at
 * most top + 1 rows of a bucket.
 */
export function estimateDaySize(
  table: Pick<TableConfig, 'name' | 'levels' | 'metrics' | 'row_bound' | 'interval'>,
  keysPerBucket: readonly number[],
  pseudonymLength: number,
): SizeEstimate {
  const unboundedRows = keysPerBucket.reduce((s, k) => s + k, 0);
  const top = table.row_bound?.top;
  const rows =
    top === undefined ? unboundedRows : keysPerBucket.reduce((s, k) => s + (k > top ? top + 1 : k), 0);
  const dayFileBytes = Math.round(rows * averageRowBytes(table, pseudonymLength));
  const yearlyPackedBytes = Math.round(dayFileBytes * 365 * PACKING_RATIO);
  if (dayFileBytes <= WARN_DAY_FILE_BYTES) return { rows, unboundedRows, dayFileBytes, yearlyPackedBytes };
  const fixes = [
    top === undefined ? 'a row bound (row_bound: { top: 1000 })' : `a smaller row_bound.top than ${top}`,
    ...(table.interval === '1h' ? [] : ['hourly buckets (interval: 1h)']),
  ];
  return {
    rows,
    unboundedRows,
    dayFileBytes,
    yearlyPackedBytes,
    warning: `${table.name}: a day file of ~${megabytes(dayFileBytes)} would pass ${megabytes(WARN_DAY_FILE_BYTES)} (git hosts refuse files over 100 MB): set ${fixes.join(' or ')} for this table`,
  };
}

/** Bytes for people: `12.9 MB`, `1.83 GB`. */
export function megabytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}
