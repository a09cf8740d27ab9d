import type { SeriesPoint } from './load-series.js';

/**
 * Vega-Lite specifications of netlog's charts. Pure: data in, JSON spec out. Times are UTC on the
 * axis, nulls break lines (a missing day is a gap, not a drop to zero).
 */

export type Spec = Record<string, unknown>;

const WIDTH = 900;
const HEIGHT = 260;
const UTC_AXIS = { title: 'time (UTC)', format: '%b %d %H:%M', labelAngle: -30, labelOverlap: true };

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** What every chart shares: schema, title, size, a white background (PNG has no transparency surprises). */
function frame(
  title: string,
  size: { width: number; height: number | { step: number } } = { width: WIDTH, height: HEIGHT },
): Spec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, ...size, background: 'white' };
}

/** One line per named series. */
export function lineChartSpec(options: {
  title: string;
  yTitle: string;
  series: { name: string; points: readonly SeriesPoint[] }[];
}): Spec {
  return {
    ...frame(options.title),
    data: {
      values: options.series.flatMap((s) =>
        s.points.map((p) => ({ time: iso(p.t), value: p.value, series: s.name })),
      ),
    },
    mark: { type: 'line', strokeWidth: 1.4, invalid: 'break-paths-show-domains' },
    encoding: {
      x: { field: 'time', type: 'temporal', scale: { type: 'utc' }, axis: UTC_AXIS },
      y: { field: 'value', type: 'quantitative', title: options.yTitle },
      color: { field: 'series', type: 'nominal', title: 'table' },
    },
  };
}

/** The series, its denoised line and the anomalies marked. */
export function waveletChartSpec(options: {
  title: string;
  yTitle: string;
  points: readonly SeriesPoint[];
  denoised: readonly SeriesPoint[];
  anomalies: readonly { t: number; value: number; score: number }[];
}): Spec {
  const lines = [
    ...options.points.map((p) => ({ time: iso(p.t), value: p.value, line: 'series' })),
    ...options.denoised.map((p) => ({ time: iso(p.t), value: p.value, line: 'denoised (wavelet)' })),
  ];
  return {
    ...frame(options.title),
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 1.2, invalid: 'break-paths-show-domains' },
        encoding: {
          x: { field: 'time', type: 'temporal', scale: { type: 'utc' }, axis: UTC_AXIS },
          y: { field: 'value', type: 'quantitative', title: options.yTitle },
          color: { field: 'line', type: 'nominal', title: null, scale: { range: ['#4c78a8', '#f58518'] } },
        },
      },
      {
        data: {
          values: options.anomalies.map((a) => ({
            time: iso(a.t),
            value: a.value,
            score: Math.round(a.score * 10) / 10,
          })),
        },
        mark: { type: 'point', shape: 'circle', size: 90, color: '#d62728', filled: false, strokeWidth: 2 },
        encoding: {
          x: { field: 'time', type: 'temporal' },
          y: { field: 'value', type: 'quantitative' },
          tooltip: [
            { field: 'time', type: 'temporal', format: '%Y-%m-%d %H:%M', formatType: 'utc' },
            { field: 'score' },
          ],
        },
      },
    ],
  };
}

/** Horizontal bars of the top keys (e.g. destinations by bytes). */
export function topNChartSpec(options: {
  title: string;
  xTitle: string;
  rows: readonly { key: string; value: number }[];
}): Spec {
  return {
    ...frame(options.title, { width: WIDTH - 200, height: { step: 18 } }),
    data: { values: options.rows },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      y: { field: 'key', type: 'nominal', sort: '-x', title: null },
      x: { field: 'value', type: 'quantitative', title: options.xTitle },
    },
  };
}

/** The y-axis title of a metric at a step: "documents per 15 min", "bytes per 1 h". */
export function metricUnit(metric: string, step: string): string {
  const what = metric === 'count' ? 'documents' : metric;
  return `${what} per ${step === '15m' ? '15 min' : step === '1h' ? 'hour' : 'day'}`;
}
