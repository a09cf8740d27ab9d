import * as aq from 'arquero';
import { bucketStarts, dayRange } from '../time/day.js';
import { aggregateOf, combine, type Aggregate } from '../config/metric-rules.js';
import { bucketMinutesOf, type TableConfig } from '../config/schema.js';
import type { StoredTable } from './read-series.js';

/**
 * From loaded day files to what is plotted and analysed: one value per 15-minute bucket, several tables
 * side by side, the top keys of a flow table. Pure. A bucket of a day that is not complete is `null`
 * (a gap, drawn as a break in the line), never 0.
 */

export interface SeriesPoint {
  /** Bucket start, epoch milliseconds. */
  readonly t: number;
  readonly value: number | null;
}

/** The aggregate of a table's metric; undefined when the table has no such metric. */
export function metricAggregate(table: Pick<TableConfig, 'metrics'>, metric: string): Aggregate | undefined {
  const m = table.metrics.find((x) => x.name === metric);
  return m === undefined ? undefined : aggregateOf(m);
}

/**
 * The table's metric per 15-minute bucket over its loaded days: combined over the keys for flow tables;
 * for a bucket without rows in a complete day 0 for counts and sums (no traffic) and null for maxima
 * and minima (no value); null for every bucket of a day that is not complete.
 */
export function bucketSeries(loaded: StoredTable, metric: string, timeZone: string): SeriesPoint[] {
  const aggregate = metricAggregate(loaded.table, metric);
  if (aggregate === undefined) throw new Error(`${loaded.table.name} has no metric "${metric}"`);
  const byBucket = new Map<number, number | null>();
  const times = loaded.frame.array('time') as Date[];
  const values = loaded.frame.array(metric) as (number | null)[];
  times.forEach((t, i) => {
    const k = t.getTime();
    byBucket.set(k, combine(aggregate, byBucket.get(k) ?? null, values[i] ?? null));
  });
  const empty = aggregate === 'sum' ? 0 : null;
  return loaded.days.flatMap((d) =>
    bucketStarts(dayRange(d.day, timeZone), bucketMinutesOf(loaded.table)).map((start) => ({
      t: start.getTime(),
      value: d.status === 'ok' ? (byBucket.get(start.getTime()) ?? empty) : null,
    })),
  );
}

/**
 * Named series on the same time steps side by side: a `time` column (Date, the step's start as a UTC
 * instant) and one column per series (null in gaps).
 */
function pointsFrame(
  series: readonly { name: string; points: readonly SeriesPoint[] }[],
): aq.ColumnTable {
  const times = series[0]?.points.map((p) => new Date(p.t)) ?? [];
  for (const s of series) {
    if (s.points.length !== times.length || s.points.some((p, i) => p.t !== times[i]!.getTime()))
      throw new Error(`series ${s.name} is not on the same time steps as ${series[0]!.name}`);
  }
  return aq.table({
    time: times,
    ...Object.fromEntries(series.map((s) => [s.name, s.points.map((p) => p.value)])),
  });
}

/**
 * Several tables loaded over the same days, side by side: one row per 15-minute bucket, a `time`
 * column and one column per table holding its metric (null in gaps). The analyst's dataframe for
 * comparing tables, e.g. `seriesFrame(loaded, 'count', 'UTC').derive({ share: (d) => d.dns / d.total })`.
 */
export function seriesFrame(
  loaded: readonly StoredTable[],
  metric: string,
  timeZone: string,
): aq.ColumnTable {
  return pointsFrame(loaded.map((l) => ({ name: l.table.name, points: bucketSeries(l, metric, timeZone) })));
}

/** The metric per key (e.g. destination) over the whole range, largest first, for top-N charts. */
export function topKeys(
  loaded: StoredTable,
  key: string,
  metric: string,
  n: number,
): { key: string; value: number }[] {
  if (loaded.frame.numRows() === 0) return [];
  const aggregate = metricAggregate(loaded.table, metric) ?? 'sum';
  const op =
    aggregate === 'sum' ? aq.op.sum(metric) : aggregate === 'max' ? aq.op.max(metric) : aq.op.min(metric);
  return loaded.frame
    .groupby(key)
    .rollup({ value: op })
    .orderby(aq.desc('value'), key)
    .slice(0, n)
    .objects()
    .map((r) => {
      const row = r as Record<string, unknown>;
      return { key: String(row[key]), value: Number(row.value) };
    });
}

/** The column a top-N chart ranks: the first name-like level (destination, domain), else the last level. */
export function rankingColumn(table: Pick<TableConfig, 'levels'>): string | undefined {
  return (
    table.levels.find(
      (l) => l.transform === 'host' || l.transform === 'domain' || l.transform === 'server',
    ) ?? table.levels.at(-1)
  )?.column;
}
