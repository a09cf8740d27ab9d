import { stepWords, type Step } from './resample.js';
import type { SeriesPoint } from './series.js';
import type { StoredDayCheck } from '../store/check-day.js';
import { dayRange } from '../time/day.js';

/**
 * Vega-Lite specifications of netlog's charts. Pure: data in, JSON spec out. Every time chart has a
 * UTC time axis (an analyst in another zone sees the same hours as in the CSV files), units on the
 * value axis, a legend, and its gaps shown twice: the line breaks (nulls are never drawn as zeros)
 * and a grey band marks each day without complete data, named in the subtitle.
 */

export type Spec = Record<string, unknown>;

/** A stretch of time without complete data, drawn as a grey band. */
export interface GapBand {
  readonly start: number;
  readonly end: number;
  /** e.g. "2026-11-20: missing (dns, tls)". */
  readonly label: string;
}

const WIDTH = 900;
const HEIGHT = 260;
const GAP_COLOUR = '#9e9e9e';
const ANOMALY_COLOUR = '#d62728';
const MAX_GAP_LINES = 4;

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** The time axis: UTC, labels with hours for short ranges and days for long ones. */
function timeAxis(times: readonly number[]): Record<string, unknown> {
  const span = times.length ? Math.max(...times) - Math.min(...times) : 0;
  const long = span > 4 * 86_400_000;
  return {
    field: 'time',
    type: 'temporal',
    scale: { type: 'utc' },
    axis: {
      title: 'time (UTC)',
      format: long ? '%a %b %d' : '%b %d %H:%M',
      labelAngle: -30,
      labelOverlap: true,
      ...(long && { tickCount: { interval: 'day', step: span > 31 * 86_400_000 ? 7 : 1 } }),
    },
  };
}

/** The value axis of a metric: its title with the step ("documents per hour") and a number format. */
export function metricAxis(metric: string, step: Step): { title: string; format: string } {
  const what = metric === 'count' ? 'documents' : metric;
  return {
    title: `${what} per ${stepWords(step)}`,
    // Byte sums run into the billions: SI prefixes (1.2G) stay readable where 1,200,000,000 does not.
    format: metric === 'count' ? ',~f' : '.3~s',
  };
}

/** "from – to" of the days, for titles. */
export function spanText(days: readonly string[]): string {
  return days.length === 1 ? days[0]! : `${days[0]} – ${days.at(-1)}`;
}

/**
 * The grey bands of the days that are not complete in at least one of the tables, one label per day
 * naming the status and the tables ("2026-11-20: missing (dns, tls)").
 */
export function gapBands(
  tables: readonly { name: string; days: readonly Pick<StoredDayCheck, 'day' | 'status' | 'detail'>[] }[],
  timeZone: string,
): GapBand[] {
  const byDay = new Map<string, Map<string, string[]>>();
  for (const t of tables) {
    for (const d of t.days) {
      if (d.status === 'ok') continue;
      const statuses = byDay.get(d.day) ?? byDay.set(d.day, new Map()).get(d.day)!;
      (statuses.get(d.status) ?? statuses.set(d.status, []).get(d.status)!).push(t.name);
    }
  }
  return [...byDay.keys()].sort().map((day) => {
    const range = dayRange(day, timeZone);
    const what = [...byDay.get(day)!]
      .map(([status, names]) =>
        names.length === tables.length && tables.length > 1 ? status : `${status} (${names.join(', ')})`,
      )
      .join('; ');
    return { start: range.start.getTime(), end: range.end.getTime(), label: `${day}: ${what}` };
  });
}

/** The subtitle lines that name the gaps (the first few, then how many more). */
function gapSubtitle(gaps: readonly GapBand[]): string[] {
  if (gaps.length === 0) return [];
  const shown = gaps.slice(0, MAX_GAP_LINES).map((g) => g.label);
  const more = gaps.length - shown.length;
  return [`grey: no complete data for ${shown.join(' · ')}${more > 0 ? ` · and ${more} more day(s)` : ''}`];
}

/** What every chart shares: schema, title, size, a white background (PNG has no transparency surprises). */
function frame(
  title: string,
  subtitle: readonly string[],
  size: { width: number; height: number | { step: number } } = { width: WIDTH, height: HEIGHT },
): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, anchor: 'start', ...(subtitle.length > 0 && { subtitle: [...subtitle] }) },
    ...size,
    background: 'white',
    padding: 10,
    config: { font: 'DejaVu Sans, Arial, sans-serif', legend: { orient: 'right' } },
  };
}

function gapLayer(gaps: readonly GapBand[]): Spec[] {
  if (gaps.length === 0) return [];
  return [
    {
      data: { values: gaps.map((g) => ({ time: iso(g.start), end: iso(g.end), label: g.label })) },
      mark: { type: 'rect', color: GAP_COLOUR, opacity: 0.18 },
      encoding: {
        x: { field: 'time', type: 'temporal' },
        x2: { field: 'end' },
      },
    },
  ];
}

/** Time-series lines, one per named series (e.g. per table), with the gaps marked. */
export function lineChartSpec(options: {
  title: string;
  metric: string;
  step: Step;
  series: readonly { name: string; points: readonly SeriesPoint[] }[];
  gaps?: readonly GapBand[];
  legendTitle?: string;
}): Spec {
  const gaps = options.gaps ?? [];
  const axis = metricAxis(options.metric, options.step);
  const values = options.series.flatMap((s) =>
    s.points.map((p) => ({ time: iso(p.t), value: p.value, series: s.name })),
  );
  return {
    ...frame(options.title, gapSubtitle(gaps)),
    layer: [
      ...gapLayer(gaps),
      {
        data: { values },
        // Nulls break the line: a missing day is a gap, not a drop to zero.
        mark: { type: 'line', strokeWidth: 1.4, invalid: 'break-paths-show-domains' },
        encoding: {
          x: timeAxis(options.series.flatMap((s) => s.points.map((p) => p.t))),
          y: { field: 'value', type: 'quantitative', title: axis.title, axis: { format: axis.format } },
          color: {
            field: 'series',
            type: 'nominal',
            title: options.legendTitle ?? 'table',
            sort: options.series.map((s) => s.name),
          },
        },
      },
    ],
  };
}

/** The series, its wavelet-denoised line and the anomalies circled, with the gaps marked. */
export function waveletChartSpec(options: {
  title: string;
  metric: string;
  wavelet: string;
  threshold: number;
  points: readonly SeriesPoint[];
  denoised: readonly SeriesPoint[];
  anomalies: readonly { t: number; value: number; score: number }[];
  gaps?: readonly GapBand[];
}): Spec {
  const gaps = options.gaps ?? [];
  const axis = metricAxis(options.metric, '15m');
  const names = {
    series: 'series (15 min)',
    denoised: `denoised (${options.wavelet})`,
    anomaly: `anomaly (score > ${options.threshold})`,
  };
  const colour = {
    field: 'line',
    type: 'nominal',
    title: null,
    scale: { domain: [names.series, names.denoised], range: ['#6baed6', '#d95f02'] },
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2 },
  };
  const x = timeAxis(options.points.map((p) => p.t));
  const y = { field: 'value', type: 'quantitative', title: axis.title, axis: { format: axis.format } };
  const line = (points: readonly SeriesPoint[], name: string, strokeWidth: number): Spec => ({
    data: { values: points.map((p) => ({ time: iso(p.t), value: p.value, line: name })) },
    mark: { type: 'line', strokeWidth, invalid: 'break-paths-show-domains' },
    encoding: { x, y, color: colour },
  });
  return {
    ...frame(options.title, gapSubtitle(gaps)),
    layer: [
      ...gapLayer(gaps),
      // The series under the denoised line, so that the smooth shape stays visible on a busy series.
      line(options.points, names.series, 1),
      line(options.denoised, names.denoised, 1.6),
      {
        data: {
          values: options.anomalies.map((a) => ({ time: iso(a.t), value: a.value, what: names.anomaly })),
        },
        mark: { type: 'point', filled: false, strokeWidth: 2, size: 110, opacity: 1, color: ANOMALY_COLOUR },
        encoding: {
          x,
          y,
          // A legend of its own (a circle, not a line) through a one-value shape scale.
          shape: {
            field: 'what',
            type: 'nominal',
            title: null,
            scale: { domain: [names.anomaly], range: ['circle'] },
            legend: { symbolStrokeColor: ANOMALY_COLOUR, symbolStrokeWidth: 2, symbolFillColor: 'white' },
          },
        },
      },
    ],
  };
}

/** Horizontal bars of the top keys (e.g. destinations by bytes), largest first. */
export function topNChartSpec(options: {
  title: string;
  metric: string;
  xTitle: string;
  rows: readonly { key: string; value: number }[];
}): Spec {
  return {
    ...frame(options.title, [], { width: WIDTH - 200, height: { step: 20 } }),
    data: { values: options.rows },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      y: { field: 'key', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 260 } },
      x: {
        field: 'value',
        type: 'quantitative',
        title: options.xTitle,
        axis: { format: metricAxis(options.metric, '1d').format },
      },
    },
  };
}
