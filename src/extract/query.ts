import {
  bucketMinutesOf,
  type Config,
  type Filter,
  type Level,
  type Metric,
  type TableConfig,
} from '../config/schema.js';
import type { DayRange } from '../time/day.js';
import { AUTO_MAX_PAGE, type PageSizeSetting } from './page-size.js';

/**
 * Pure builders from (table, day, config) to Elasticsearch request bodies. No client, no clock.
 *
 * A time-series table (no levels) is one `date_histogram` with `min_doc_count: 0` and bounds over the
 * day, so every bucket of the day comes back even when empty. A table with levels is either a
 * composite aggregation (15-minute bucket first, then one terms source per level field, paged with
 * `after_key`) or nested terms aggregations whose `sum_other_doc_count` is checked by the flattener.
 */

export const TIME_AGG = 'time';
export const ROWS_AGG = 'rows';

/** The name of the composite source / terms aggregation for field `f` of level `l`. */
export function sourceName(levelIndex: number, fieldIndex: number): string {
  return `l${levelIndex}f${fieldIndex}`;
}

/** Every (level, field) pair in the order the flattener returns their values. */
export function levelFields(
  levels: readonly Level[],
): { level: number; field: number; name: string; path: string }[] {
  return levels.flatMap((l, li) =>
    l.fields.map((path, fi) => ({ level: li, field: fi, name: sourceName(li, fi), path })),
  );
}

export type QueryClause = Record<string, unknown>;

/** The query clause of one configured filter. */
export function buildFilterClause(filter: Filter, internalNetworks: readonly string[]): QueryClause {
  if ('term' in filter) return { term: { [filter.term.field]: filter.term.value } };
  if ('terms' in filter) return { terms: { [filter.terms.field]: filter.terms.values } };
  if ('exists' in filter) return { exists: { field: filter.exists } };
  if ('missing' in filter) return { bool: { must_not: [{ exists: { field: filter.missing } }] } };
  // An ip field matches a CIDR block in a terms query.
  if ('internal' in filter) return { terms: { [filter.internal]: [...internalNetworks] } };
  if ('external' in filter) {
    return {
      bool: {
        filter: [{ exists: { field: filter.external } }],
        must_not: [{ terms: { [filter.external]: [...internalNetworks] } }],
      },
    };
  }
  return filter.raw;
}

/** The query: the day's time range plus the table's filters. */
export function buildDayFilter(
  table: TableConfig,
  range: DayRange,
  config: Pick<Config, 'internal_networks'>,
): QueryClause {
  return {
    bool: {
      filter: [
        {
          range: {
            [table.time_field]: {
              gte: range.start.toISOString(),
              lt: range.end.toISOString(),
              format: 'strict_date_optional_time',
            },
          },
        },
        ...table.filters.map((f) => buildFilterClause(f, config.internal_networks)),
      ],
    },
  };
}

/** The aggregation name of field `i` of a metric summing several fields. */
export function partName(metric: string, i: number): string {
  return `${metric}__${i}`;
}

/**
 * Sub-aggregations computing the table's metrics (doc_count needs none). A sum over several fields is
 * one sum per field, added up by the flattener: a script would do it in one, but some clusters forbid
 * scripts, and two integer sums added exactly are the same number.
 */
function buildMetricAggs(metrics: readonly Metric[]): Record<string, QueryClause> {
  const aggs: Record<string, QueryClause> = {};
  for (const m of metrics) {
    if (m.type === 'count') continue;
    if ('fields' in m) m.fields.forEach((field, i) => (aggs[partName(m.name, i)] = { sum: { field } }));
    else aggs[m.name] = { [m.type]: { field: m.field } };
  }
  return aggs;
}

/**
 * A metric's value in one bucket (or a totals answer): `undefined` when the answer lacks it. An empty
 * bucket sums to 0 but has no max or min (null).
 */
export function readMetric(bucket: Record<string, unknown>, metric: Metric): number | null | undefined {
  const value = (name: string) => (bucket[name] as { value?: number | null } | undefined)?.value;
  if (metric.type === 'count') return undefined;
  if ('fields' in metric) {
    let total = 0;
    for (let i = 0; i < metric.fields.length; i++) {
      const v = value(partName(metric.name, i));
      if (v === undefined) return undefined;
      total += v ?? 0;
    }
    return total;
  }
  const v = value(metric.name);
  return v === null && metric.type === 'sum' ? 0 : v;
}

function withAggs(agg: QueryClause, subAggs: Record<string, QueryClause>): QueryClause {
  return Object.keys(subAggs).length > 0 ? { ...agg, aggs: subAggs } : agg;
}

/** The date_histogram of a table's day (15 minutes, or 1 hour); `bounded`: every bucket, empty ones too. */
export function dateHistogram(
  table: Pick<TableConfig, 'time_field' | 'interval'>,
  range: DayRange,
  bounded: boolean,
): QueryClause {
  const histogram: Record<string, unknown> = {
    field: table.time_field,
    // 15 minutes, or an hour for a flow table with `interval: 1h` (local hours, like the day's start).
    fixed_interval: `${bucketMinutesOf(table)}m`,
    ...(range.timeZone !== 'UTC' && { time_zone: range.timeZone }),
  };
  if (bounded) {
    histogram.min_doc_count = 0;
    // extended_bounds makes empty buckets appear; the range query alone bounds the data. (hard_bounds
    // would be redundant, and with max = end − 1 ms Elasticsearch drops the last bucket's documents.)
    histogram.extended_bounds = { min: range.start.getTime(), max: range.end.getTime() - 1 };
  }
  return { date_histogram: histogram };
}

/**
 * The request body of a time series, or of the first composite page (`after` for the next ones).
 * `pageSize`: the composite page's buckets (the walk's PageSizer); without it, es.page_size, or the
 * first automatic page when that is `auto`.
 */
export function buildDayQuery(
  table: TableConfig,
  range: DayRange,
  config: Pick<Config, 'internal_networks' | 'es'>,
  after?: Record<string, unknown>,
  pageSize?: number,
): QueryClause {
  const base = { size: 0, track_total_hits: true, query: buildDayFilter(table, range, config) };
  const metrics = buildMetricAggs(table.metrics);
  if (table.levels.length === 0) {
    return { ...base, aggs: { [TIME_AGG]: withAggs(dateHistogram(table, range, true), metrics) } };
  }
  if (table.aggregation === 'composite') {
    const sources = [
      { [TIME_AGG]: dateHistogram(table, range, false) },
      ...levelFields(table.levels).map((f) => ({
        [f.name]: { terms: { field: f.path, missing_bucket: true } },
      })),
    ];
    const size = pageSize ?? fixedPageSize(config.es.page_size);
    const composite = { size, sources, ...(after !== undefined && { after }) };
    return { ...base, aggs: { [ROWS_AGG]: withAggs({ composite }, metrics) } };
  }
  // Nested terms, innermost first. Every level asks for terms_size buckets; the flattener fails
  // when a level reports sum_other_doc_count > 0 (buckets that did not fit).
  let inner: Record<string, QueryClause> = metrics;
  for (let li = table.levels.length - 1; li >= 0; li--) {
    const name = sourceName(li, 0);
    inner = {
      [name]: withAggs({ terms: { field: table.levels[li]!.fields[0], size: table.terms_size } }, inner),
    };
  }
  return { ...base, aggs: { [TIME_AGG]: withAggs(dateHistogram(table, range, false), inner) } };
}

/** The request body counting a day's documents and summed metrics, for `verify --against-es`. */
export function buildDayTotalsQuery(
  table: TableConfig,
  range: DayRange,
  config: Pick<Config, 'internal_networks'>,
): QueryClause {
  return {
    size: 0,
    track_total_hits: true,
    query: buildDayFilter(table, range, config),
    aggs: buildMetricAggs(table.metrics),
  };
}

/** es.page_size as a number: the fixed size, or the first page of an automatic walk. */
export function fixedPageSize(setting: PageSizeSetting): number {
  return setting === 'auto' ? AUTO_MAX_PAGE : setting;
}
