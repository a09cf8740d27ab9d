import { denoise } from './denoise.js';
import { MAD_TO_SIGMA, mad, robustScores } from './robust.js';
import { chooseStabiliser, stabiliserFunctions, type Stabiliser } from './stabilise.js';
import { maxLevel, wavedec, waverec } from './wavelet.js';

/**
 * Anomalies of a 15-minute series: points far from what the wavelet approximation expects.
 *
 * 1. Counts are variance-stabilised first (Anscombe, see stabilise.ts), so that one threshold means
 *    the same at night and at the afternoon peak.
 * 2. The expectation is the series rebuilt from its level-L approximation alone (every detail band
 *    zeroed): the daily shape, without anything shorter than 2^L buckets (L = 4: four hours).
 * 3. That fit is made robust: points judged anomalous are replaced by the current expectation and the
 *    fit repeated, so that a spike does not drag its neighbours up and hide itself.
 * 4. The score of a point is the robust z-score of its residual (median and MAD of all residuals), which
 *    the anomalies themselves cannot inflate; above the threshold (default 5) a point is an anomaly.
 *
 * Pure: numbers in, numbers out.
 */

export interface Anomaly {
  /** Position in the series. */
  readonly index: number;
  readonly value: number;
  /** What the fit expected there, in the series' own units. */
  readonly expected: number;
  /** |robust z-score| of the residual: how many noise standard deviations the point lies off. */
  readonly score: number;
}

export interface AnomalyResult {
  /** The robust fit, in the series' units. */
  readonly expected: number[];
  /** The wavelet-denoised series (universal soft threshold), in the series' units. */
  readonly denoised: number[];
  /** Signed robust z-score of every point (negative: below expectation). */
  readonly scores: number[];
  readonly anomalies: Anomaly[];
  readonly wavelet: string;
  /** The approximation level actually used (the requested one, capped by the series' length). */
  readonly level: number;
  readonly threshold: number;
  /** The stabiliser actually used (`none` when the data has negative values). */
  readonly stabiliser: Stabiliser;
  /** The residuals' robust standard deviation, in the stabilised units (≈1 for Poisson counts). */
  readonly noise: number;
}

export interface AnomalyOptions {
  /** haar, db2, db3 or db4 (default). */
  readonly wavelet?: string;
  /** Approximation level of the expectation; default 4 (features of 2^4 × 15 min = 4 hours are kept). */
  readonly level?: number;
  /** Robust z-score above which a point is an anomaly; default 5. */
  readonly threshold?: number;
  /** Variance stabilisation; default `anscombe` (right for counts and other non-negative sums). */
  readonly stabilise?: Stabiliser;
  /** Passes of the robust fit; default 6. */
  readonly iterations?: number;
}

export const DEFAULT_ANOMALY_OPTIONS = {
  wavelet: 'db4',
  level: 4,
  threshold: 5,
  stabilise: 'anscombe',
  iterations: 6,
} as const satisfies Required<AnomalyOptions>;

/** The series rebuilt from its level-`level` approximation alone. */
function approximation(series: readonly number[], wavelet: string, level: number): number[] {
  const dec = wavedec(series, wavelet, level);
  return waverec({ ...dec, coefficients: dec.coefficients.map((c, i) => (i === 0 ? c : c.map(() => 0))) });
}

/** Detects anomalies in a gap-free series (split it at gaps first: see detect-series.ts). */
export function detectAnomalies(series: readonly number[], options: AnomalyOptions = {}): AnomalyResult {
  const o = { ...DEFAULT_ANOMALY_OPTIONS, ...options };
  const level = Math.min(o.level, maxLevel(series.length, o.wavelet));
  const stabiliser = chooseStabiliser(series, o.stabilise);
  const { forward, inverse } = stabiliserFunctions(stabiliser);
  const y = forward(series);
  let fit = approximation(y, o.wavelet, level);
  // Each pass replaces the points judged anomalous by the current expectation and refits; the
  // replacement values shrink pass after pass, so the passes run to the end even when the set of
  // flagged points is already stable.
  for (let pass = 0; pass < o.iterations; pass++) {
    const scores = robustScores(y.map((v, i) => v - fit[i]!));
    const cleaned = y.map((v, i) => (Math.abs(scores[i]!) > o.threshold ? fit[i]! : v));
    fit = approximation(cleaned, o.wavelet, level);
  }
  const residual = y.map((v, i) => v - fit[i]!);
  const scores = robustScores(residual);
  const expected = inverse(fit);
  const anomalies = scores.flatMap((z, i) =>
    Math.abs(z) > o.threshold
      ? [{ index: i, value: series[i]!, expected: expected[i]!, score: Math.abs(z) }]
      : [],
  );
  return {
    expected,
    denoised: inverse(denoise(y, o.wavelet, level).denoised),
    scores,
    anomalies,
    wavelet: o.wavelet,
    level,
    threshold: o.threshold,
    stabiliser,
    noise: MAD_TO_SIGMA * mad(residual),
  };
}
