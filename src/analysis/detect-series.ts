import { detectAnomalies, type Anomaly, type AnomalyOptions } from './anomalies.js';
import { reconstructionError } from './wavelet.js';
import { isoUtc } from '../time/day.js';
import type { Stabiliser } from './stabilise.js';
import type { SeriesPoint } from './series.js';

/**
 * Anomaly detection over a series with gaps. A gap (a day that is missing or incomplete) is never
 * filled in: each unbroken stretch of at least two days is analysed on its own, shorter stretches
 * are reported as not analysed, and the anomalies are mapped back to their timestamps. Pure.
 */

interface TimedAnomaly extends Anomaly {
  /** Bucket start, epoch milliseconds. */
  readonly t: number;
  /** Bucket start, ISO-8601 UTC (`2026-11-24T14:00:00Z`). */
  readonly timestamp: string;
}

/** What was analysed: one unbroken stretch of the series. */
interface Stretch {
  readonly from: string;
  readonly to: string;
  readonly points: number;
}

interface AnalysedStretch extends Stretch {
  readonly level: number;
  readonly stabiliser: Stabiliser;
  /** Robust standard deviation of the residuals, in stabilised units. */
  readonly noise: number;
  /** max |x − waverec(wavedec(x))| of this stretch: the transform's own check, ~1e-13. */
  readonly reconstructionError: number;
}

export interface SeriesAnomalies {
  readonly anomalies: TimedAnomaly[];
  /** The denoised series, null where the input has a gap or was too short to analyse. */
  readonly denoised: SeriesPoint[];
  /** The robust expectation, null likewise. */
  readonly expected: SeriesPoint[];
  readonly analysed: AnalysedStretch[];
  /** Stretches shorter than `minPoints`, left out. */
  readonly skipped: Stretch[];
}

/** Two of the shortest days (a 23-hour daylight-saving day has 92 buckets). */
const MIN_STRETCH_POINTS = 2 * 92;

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Finds anomalies in each unbroken stretch of `points` (null values are gaps). */
export function detectInSeries(
  points: readonly SeriesPoint[],
  options: AnomalyOptions & { minPoints?: number } = {},
): SeriesAnomalies {
  const minPoints = options.minPoints ?? MIN_STRETCH_POINTS;
  const anomalies: TimedAnomaly[] = [];
  const denoised: SeriesPoint[] = points.map((p) => ({ t: p.t, value: null }));
  const expected: SeriesPoint[] = points.map((p) => ({ t: p.t, value: null }));
  const analysed: AnalysedStretch[] = [];
  const skipped: Stretch[] = [];
  let start = 0;
  while (start < points.length) {
    while (start < points.length && points[start]!.value === null) start++;
    let end = start;
    while (end < points.length && points[end]!.value !== null) end++;
    if (end === start) break;
    const stretch = {
      from: isoUtc(points[start]!.t),
      to: isoUtc(points[end - 1]!.t),
      points: end - start,
    };
    if (end - start < minPoints) {
      skipped.push(stretch);
    } else {
      const values = points.slice(start, end).map((p) => p.value!);
      const result = detectAnomalies(values, options);
      result.denoised.forEach(
        (v, i) => (denoised[start + i] = { t: points[start + i]!.t, value: round2(v) }),
      );
      result.expected.forEach(
        (v, i) => (expected[start + i] = { t: points[start + i]!.t, value: round2(v) }),
      );
      for (const a of result.anomalies) {
        const t = points[start + a.index]!.t;
        anomalies.push({ ...a, index: start + a.index, t, timestamp: isoUtc(t) });
      }
      analysed.push({
        ...stretch,
        level: result.level,
        stabiliser: result.stabiliser,
        noise: result.noise,
        reconstructionError: reconstructionError(values, result.wavelet, result.level),
      });
    }
    start = end;
  }
  return { anomalies, denoised, expected, analysed, skipped };
}
