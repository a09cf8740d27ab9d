import { bucketSeries, metricAggregate, rankingColumn, topKeys, type SeriesPoint } from './series.js';
import { resample, stepWords, type Step } from './resample.js';
import { lineChartSpec, spanText, topNChartSpec, type GapBand, type Spec } from './chart.js';
import { formatCsv } from '../store/csv.js';
import { isoUtc } from '../time/day.js';
import type { StoredTable } from './read-series.js';

/**
 * `netlog plot`'s charts: tables' metric over time (one line each, resampled), or the top keys of
 * one flow table; each with the plotted numbers as CSV for `--csv`. Pure.
 */

interface Plot {
  readonly spec: Spec;
  /** The plotted numbers as CSV. */
  readonly csv: () => string;
}

const AGGREGATE_WORDS = { sum: 'total', max: 'largest', min: 'smallest' } as const;

/** One line per table: the metric per step over the days, gaps as breaks. */
export function linePlot(
  loaded: readonly StoredTable[],
  metric: string,
  step: Step,
  days: readonly string[],
  gaps: readonly GapBand[],
  timeZone: string,
): Plot {
  const series = loaded.map((l) => ({
    name: l.table.name,
    points: resample(bucketSeries(l, metric, timeZone), step, timeZone, metricAggregate(l.table, metric)),
  }));
  return {
    spec: lineChartSpec({
      title: `${loaded.map((l) => l.table.name).join(', ')}: ${metric} per ${stepWords(step)}, ${spanText(days)}`,
      metric,
      step,
      series,
      gaps,
    }),
    csv: () => seriesCsv(series),
  };
}

/** The `top` keys of a flow table by the metric over the complete days. */
export function topPlot(
  loaded: StoredTable,
  metric: string,
  top: number,
  days: readonly string[],
  gaps: readonly GapBand[],
): Plot {
  const table = loaded.table;
  const column = rankingColumn(table)!;
  const rows = topKeys(loaded, column, metric, top);
  return {
    spec: topNChartSpec({
      title: `${table.name}: top ${top} ${column}s by ${metric}, ${spanText(days)}`,
      metric,
      xTitle: `${metric}, ${AGGREGATE_WORDS[metricAggregate(table, metric)!]} over the complete days${gaps.length ? ` (${gaps.length} day(s) without data)` : ''}`,
      rows,
    }),
    csv: () =>
      formatCsv(
        [column, metric],
        rows.map((r) => [r.key, r.value]),
      ),
  };
}

/** The plotted series as CSV: timestamp (ISO UTC), one column per series, empty cells in gaps. */
function seriesCsv(series: readonly { name: string; points: readonly SeriesPoint[] }[]): string {
  const first = series[0]?.points ?? [];
  return formatCsv(
    ['timestamp', ...series.map((s) => s.name)],
    first.map((p, i) => [isoUtc(p.t), ...series.map((s) => s.points[i]?.value ?? '')]),
  );
}
