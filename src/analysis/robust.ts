/**
 * Robust statistics: location and spread that a few wild points cannot drag along, so that the
 * anomalies being looked for do not hide themselves by inflating the yardstick. Pure.
 */

/** MAD × 1.4826 estimates the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/** The median of a list (0 for an empty one). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * Robust z-scores, (x − median) / (1.4826 · MAD): how many "standard deviations" each value lies from
 * the bulk. A list whose MAD is zero (mostly identical values) gives zeros rather than infinities.
 */
export function robustScores(values: readonly number[]): number[] {
  const m = median(values);
  const spread = MAD_TO_SIGMA * mad(values);
  return values.map((v) => (spread > 0 ? (v - m) / spread : 0));
}
