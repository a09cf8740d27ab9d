import { detectAnomalies, type Anomaly } from './anomalies.js';
import { isoUtc } from '../time/day.js';
import type { SeriesPoint } from './load-series.js';

/**
 * Anomaly detection over a series with gaps: each stretch of at least two complete days is analysed
 * on its own (a gap is never filled in), and the anomalies are mapped back to timestamps.
 */
export interface TimedAnomaly extends Anomaly {
  readonly t: number;
  readonly timestamp: string;
}

export function detectInSeries(
  points: readonly SeriesPoint[],
  options: { wavelet: string; level?: number; threshold: number },
): { anomalies: TimedAnomaly[]; denoised: SeriesPoint[]; skippedPoints: number } {
  const anomalies: TimedAnomaly[] = [];
  const denoised: SeriesPoint[] = points.map((p) => ({ t: p.t, value: null }));
  let skippedPoints = 0;
  let start = 0;
  while (start < points.length) {
    while (start < points.length && points[start]!.value === null) start++;
    let end = start;
    while (end < points.length && points[end]!.value !== null) end++;
    if (end - start >= 192) {
      const values = points.slice(start, end).map((p) => p.value!);
      const result = detectAnomalies(values, options);
      result.denoised.forEach(
        (v, i) => (denoised[start + i] = { t: points[start + i]!.t, value: Math.round(v * 100) / 100 }),
      );
      for (const a of result.anomalies) {
        const t = points[start + a.index]!.t;
        anomalies.push({ ...a, index: start + a.index, t, timestamp: isoUtc(t) });
      }
    } else {
      skippedPoints += end - start;
    }
    start = end;
  }
  return { anomalies, denoised, skippedPoints };
}
