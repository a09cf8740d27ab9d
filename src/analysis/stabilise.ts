/**
 * Variance stabilisation of counts. The noise of a count grows with its level (Poisson: the variance
 * equals the mean), so one global yardstick would find the busy afternoon "noisy" and the quiet night
 * "calm", and flag ordinary afternoon wiggles as anomalies. The Anscombe transform 2·√(x + 3/8) turns
 * Poisson-like counts into values whose noise is about 1 at every level; the wavelet fit and the
 * robust scores then work on a scale where one threshold means the same thing day and night. Pure.
 */

/** `anscombe` for counts and other non-negative additive metrics; `none` leaves the values as they are. */
export type Stabiliser = 'anscombe' | 'none';

export const STABILISERS: readonly Stabiliser[] = ['anscombe', 'none'];

/** The Anscombe transform, 2·√(x + 3/8). Defined for x ≥ −3/8. */
export function anscombe(values: readonly number[]): number[] {
  return values.map((x) => 2 * Math.sqrt(x + 0.375));
}

/**
 * The algebraic inverse of the Anscombe transform, (y/2)² − 3/8, floored at 0. It is slightly biased
 * for very small counts, which does not matter for drawing an expectation next to the data.
 */
export function inverseAnscombe(values: readonly number[]): number[] {
  return values.map((y) => Math.max(0, (Math.max(0, y) / 2) ** 2 - 0.375));
}

/** The stabiliser that fits the data: Anscombe needs values ≥ −3/8, anything else stays untransformed. */
export function chooseStabiliser(values: readonly number[], wanted: Stabiliser): Stabiliser {
  return wanted === 'anscombe' && values.every((v) => v >= 0) ? 'anscombe' : 'none';
}

/** Forward and inverse transform of a stabiliser. */
export function stabiliserFunctions(s: Stabiliser): {
  forward: (v: readonly number[]) => number[];
  inverse: (v: readonly number[]) => number[];
} {
  return s === 'anscombe'
    ? { forward: anscombe, inverse: inverseAnscombe }
    : { forward: (v) => [...v], inverse: (v) => [...v] };
}
