import { median } from './robust.js';
import { wavedec, waverec } from './wavelet.js';

/**
 * Wavelet denoising (Donoho–Johnstone VisuShrink): the noise level σ is estimated from the finest
 * detail coefficients, which for a smooth signal hold almost only noise, as MAD / 0.6745 (a median is
 * not moved by the few large coefficients that carry real structure; detail coefficients are centred
 * on zero, so the deviation is taken from zero as Donoho does); every detail coefficient is
 * then shrunk towards zero by the universal threshold λ = σ·√(2 ln n), above which pure Gaussian noise
 * of n samples is unlikely to reach. Pure.
 */

/** Soft thresholding: every value shrunk towards zero by t, and those within t set to zero. */
export function softThreshold(values: readonly number[], t: number): number[] {
  return values.map((v) => Math.sign(v) * Math.max(0, Math.abs(v) - t));
}

/** σ = median(|finest details|) / 0.6745 and λ = σ·√(2 ln n) for a series of n values. */
export function universalThreshold(
  finestDetails: readonly number[],
  n: number,
): { sigma: number; threshold: number } {
  const sigma = median(finestDetails.map(Math.abs)) / 0.6745;
  return { sigma, threshold: sigma * Math.sqrt(2 * Math.log(Math.max(2, n))) };
}

/** The series with every detail band soft-thresholded at the universal threshold, reconstructed. */
export function denoise(
  series: readonly number[],
  wavelet: string,
  level: number,
): { denoised: number[]; sigma: number; threshold: number } {
  const dec = wavedec(series, wavelet, level);
  const { sigma, threshold } = universalThreshold(dec.coefficients.at(-1)!, series.length);
  const coefficients = dec.coefficients.map((c, i) => (i === 0 ? c : softThreshold(c, threshold)));
  return { denoised: waverec({ ...dec, coefficients }), sigma, threshold };
}
