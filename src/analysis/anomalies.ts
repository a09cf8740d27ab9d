import { denoise, mad, maxLevel, median, wavedec, waverec } from './wavelet.js';

/**
 * Anomalies of a 15-minute series: points far from what the wavelet approximation expects. The
 * expected value is the series rebuilt from its coarse approximation only (every detail zeroed: the
 * daily shape without the bursts), fitted robustly — points judged anomalous are replaced by the
 * expectation and the fit repeated, so that a spike does not drag its neighbours along. The score is
 * the robust z-score of the residual (median and MAD), which ignores the anomalies themselves. Pure.
 */

export interface Anomaly {
  readonly index: number;
  readonly value: number;
  readonly expected: number;
  readonly score: number;
}

export interface AnomalyResult {
  readonly expected: number[];
  readonly denoised: number[];
  readonly anomalies: Anomaly[];
  readonly level: number;
  readonly threshold: number;
}

export interface AnomalyOptions {
  readonly wavelet?: string;
  /** Decomposition level of the expectation; default 4 (2^4 × 15 min = 4-hour features are kept). */
  readonly level?: number;
  /** Robust z-score above which a point is an anomaly; default 5. */
  readonly threshold?: number;
  readonly iterations?: number;
}

function approximation(series: readonly number[], wavelet: string, level: number): number[] {
  const dec = wavedec(series, wavelet, level);
  return waverec({ ...dec, coefficients: dec.coefficients.map((c, i) => (i === 0 ? c : c.map(() => 0))) });
}

/** Detects anomalies in a gap-free series (fill or split gaps before). */
export function detectAnomalies(series: readonly number[], options: AnomalyOptions = {}): AnomalyResult {
  const wavelet = options.wavelet ?? 'db4';
  const level = Math.min(options.level ?? 4, maxLevel(series.length, wavelet));
  const threshold = options.threshold ?? 5;
  let work = [...series];
  let expected = approximation(work, wavelet, level);
  // Each pass replaces the points judged anomalous by the current expectation and refits; the
  // replacement values shrink pass after pass, so the passes run to the end even when the set of
  // flagged points is already stable.
  for (let it = 0; it < (options.iterations ?? 6); it++) {
    const scores = robustScores(series.map((v, i) => v - expected[i]!));
    work = series.map((v, i) => (Math.abs(scores[i]!) > threshold ? expected[i]! : v));
    expected = approximation(work, wavelet, level);
  }
  const residual = series.map((v, i) => v - expected[i]!);
  const scores = robustScores(residual);
  const anomalies = scores.flatMap((z, i) =>
    Math.abs(z) > threshold
      ? [{ index: i, value: series[i]!, expected: expected[i]!, score: Math.abs(z) }]
      : [],
  );
  return { expected, denoised: denoise(series, wavelet, level).denoised, anomalies, level, threshold };
}

/** Robust z-scores: (x − median) / (1.4826 · MAD); a flat residual gives zeros. */
export function robustScores(values: readonly number[]): number[] {
  const m = median(values);
  const spread = 1.4826 * mad(values);
  return values.map((v) => (spread > 0 ? (v - m) / spread : 0));
}
