import { bucketMinutesOf } from '../config/schema.js';
import { bucketSeries, metricAggregate, type SeriesPoint } from './series.js';
import { detectInSeries, type SeriesAnomalies } from './detect-series.js';
import { DEFAULT_ANOMALY_OPTIONS } from './anomalies.js';
import { gapBands, spanText, waveletChartSpec, type GapBand, type Spec } from './chart.js';
import { formatCsv } from '../store/csv.js';
import type { Stabiliser } from './stabilise.js';
import type { StoredTable } from './read-series.js';

/**
 * `netlog wavelet`'s analysis of one table's metric: the 15-minute series, its anomalies per stretch
 * between gaps, and what is written of them (CSV or JSON: timestamp, value, expected, score) and
 * charted. Pure.
 */

export interface WaveletRequest {
  readonly metric: string;
  readonly wavelet: string;
  readonly threshold: number;
  readonly level?: number;
  /** Default: Anscombe for counts and sums, none for a maximum or minimum. */
  readonly stabilise?: Stabiliser;
}

interface WaveletAnomalyRow {
  readonly timestamp: string;
  readonly value: number;
  readonly expected: number;
  readonly score: number;
}

interface WaveletAnalysis {
  readonly stabilise: Stabiliser;
  readonly points: SeriesPoint[];
  readonly result: SeriesAnomalies;
  readonly gaps: GapBand[];
  /** The anomalies as written: expected value and score rounded to two decimals. */
  readonly rows: WaveletAnomalyRow[];
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

export function analyseWavelet(
  table: StoredTable,
  request: WaveletRequest,
  timeZone: string,
): WaveletAnalysis {
  // Counts and sums are variance-stabilised; a maximum or minimum is not a count and is left alone.
  const stabilise: Stabiliser =
    request.stabilise ?? (metricAggregate(table.table, request.metric) === 'sum' ? 'anscombe' : 'none');
  const points = bucketSeries(table, request.metric, timeZone);
  const result = detectInSeries(points, {
    // Two of the shortest days, in the table's own buckets (46 hours for a table with interval 1h).
    ...(bucketMinutesOf(table.table) > 15 && { minPoints: 2 * 23 }),
    wavelet: request.wavelet,
    threshold: request.threshold,
    stabilise,
    ...(request.level !== undefined && { level: request.level }),
  });
  const gaps = gapBands([{ name: table.table.name, days: table.days }], timeZone);
  const rows = result.anomalies.map((a) => ({
    timestamp: a.timestamp,
    value: a.value,
    expected: round2(a.expected),
    score: round2(a.score),
  }));
  return { stabilise, points, result, gaps, rows };
}

/** The anomalies file: JSON (with the settings, stretches and gaps) or CSV (the rows alone). */
export function formatWaveletAnomalies(
  format: 'json' | 'csv',
  analysis: WaveletAnalysis,
  table: string,
  request: WaveletRequest,
  days: readonly string[],
): string {
  const { rows, result, gaps } = analysis;
  if (format === 'csv')
    return formatCsv(
      ['timestamp', 'value', 'expected', 'score'],
      rows.map((r) => [r.timestamp, r.value, r.expected, r.score]),
    );
  return `${JSON.stringify(
    {
      table,
      metric: request.metric,
      from: days[0],
      to: days.at(-1),
      wavelet: request.wavelet,
      level: request.level ?? DEFAULT_ANOMALY_OPTIONS.level,
      threshold: request.threshold,
      stabilise: analysis.stabilise,
      analysed: result.analysed,
      notAnalysed: result.skipped,
      gaps: gaps.map((g) => g.label),
      anomalies: rows,
    },
    null,
    2,
  )}\n`;
}

/** The chart: the series, its denoised line, the anomalies and the gaps. */
export function waveletAnalysisChart(
  analysis: WaveletAnalysis,
  table: string,
  request: WaveletRequest,
  days: readonly string[],
): Spec {
  const n = analysis.rows.length;
  return waveletChartSpec({
    title: `${table}: ${request.metric} per 15 min, ${spanText(days)}: ${n} anomal${n === 1 ? 'y' : 'ies'}`,
    metric: request.metric,
    wavelet: request.wavelet,
    threshold: request.threshold,
    points: analysis.points,
    denoised: analysis.result.denoised,
    anomalies: analysis.result.anomalies,
    gaps: analysis.gaps,
  });
}
