/**
 * The discrete wavelet transform, periodised, for orthonormal Daubechies wavelets (haar = db1, db2,
 * db4). Periodisation makes each level an orthogonal matrix, so the inverse is its transpose and
 * decomposition followed by reconstruction returns the input up to rounding. Pure.
 *
 * Filter coefficients are the standard Daubechies decomposition low-pass filters (as in PyWavelets),
 * refined to machine precision.
 */

const SQRT1_2 = Math.SQRT1_2;
// The published coefficients are orthonormal only to ~1e-12; refined once (below) to machine precision.
const PUBLISHED: Record<string, readonly number[]> = {
  haar: [SQRT1_2, SQRT1_2],
  db1: [SQRT1_2, SQRT1_2],
  db2: [-0.12940952255092145, 0.22414386804185735, 0.836516303737469, 0.48296291314469025],
  db3: [
    0.035226291882100656, -0.08544127388224149, -0.13501102001039084, 0.4598775021193313, 0.8068915093133388,
    0.3326705529509569,
  ],
  db4: [
    -0.010597401784997278, 0.032883011666982945, 0.030841381835986965, -0.18703481171888114,
    -0.02798376941698385, 0.6308807679295904, 0.7148465705525415, 0.23037781330885523,
  ],
};

/**
 * Newton's method on the equations that define a Daubechies filter of length L: orthonormality to its
 * even shifts (Σ h[k]h[k+2m] = δ(m), m < L/2) and L/2 vanishing moments of the high-pass
 * (Σ (−1)^k k^p h[k] = 0, p < L/2). Started from the published values it converges in a few steps.
 */
function refineFilter(start: readonly number[]): number[] {
  const L = start.length;
  const h = [...start];
  for (let iter = 0; iter < 8; iter++) {
    const f: number[] = [];
    const J: number[][] = [];
    for (let m = 0; m < L / 2; m++) {
      f.push(h.reduce((acc, v, k) => acc + v * (h[k + 2 * m] ?? 0), 0) - (m === 0 ? 1 : 0));
      J.push(h.map((_, j) => (h[j + 2 * m] ?? 0) + (j - 2 * m >= 0 ? h[j - 2 * m]! : 0)));
    }
    for (let p = 0; p < L / 2; p++) {
      const row = h.map((_, k) => (k % 2 === 0 ? 1 : -1) * k ** p);
      f.push(row.reduce((acc, c, k) => acc + c * h[k]!, 0));
      J.push(row);
    }
    const step = solve(J, f);
    h.forEach((_, k) => (h[k]! -= step[k]!));
  }
  return h;
}

/** Gaussian elimination with partial pivoting: J x = f. */
function solve(J: number[][], f: number[]): number[] {
  const n = f.length;
  const a = J.map((row, i) => [...row, f[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = c + 1; r < n; r++) {
      const factor = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= factor * a[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = a[r]![n]!;
    for (let k = r + 1; k < n; k++) sum -= a[r]![k]! * x[k]!;
    x[r] = sum / a[r]![r]!;
  }
  return x;
}

export const WAVELETS: Record<string, readonly number[]> = Object.fromEntries(
  Object.entries(PUBLISHED).map(([name, h]) => [name, h.length > 2 ? refineFilter(h) : h]),
);

export interface Decomposition {
  readonly wavelet: string;
  /** Coarsest approximation first, then details from coarsest to finest: [cA_L, cD_L, …, cD_1]. */
  readonly coefficients: number[][];
  /** Length of the input before padding. */
  readonly length: number;
}

function filters(wavelet: string): { lo: readonly number[]; hi: number[] } {
  const lo = WAVELETS[wavelet];
  if (!lo) throw new Error(`unknown wavelet "${wavelet}": use one of ${Object.keys(WAVELETS).join(', ')}`);
  const L = lo.length;
  // Quadrature mirror: g[k] = (-1)^(k+1) h[L-1-k].
  const hi = lo.map((_, k) => (k % 2 === 0 ? -1 : 1) * lo[L - 1 - k]!);
  return { lo, hi };
}

/** The deepest level a series of length n supports with this wavelet (at least 1). */
export function maxLevel(n: number, wavelet: string): number {
  const L = filters(wavelet).lo.length;
  return Math.max(1, Math.floor(Math.log2(n / (L - 1))));
}

function analyse(x: readonly number[], lo: readonly number[], hi: readonly number[]): [number[], number[]] {
  const n = x.length;
  const half = n / 2;
  const a = new Array<number>(half).fill(0);
  const d = new Array<number>(half).fill(0);
  for (let i = 0; i < half; i++) {
    let sa = 0;
    let sd = 0;
    for (let k = 0; k < lo.length; k++) {
      const v = x[(2 * i + k) % n]!;
      sa += lo[k]! * v;
      sd += hi[k]! * v;
    }
    a[i] = sa;
    d[i] = sd;
  }
  return [a, d];
}

function synthesise(
  a: readonly number[],
  d: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
): number[] {
  const n = a.length * 2;
  const x = new Array<number>(n).fill(0);
  for (let i = 0; i < a.length; i++) {
    for (let k = 0; k < lo.length; k++) x[(2 * i + k) % n]! += lo[k]! * a[i]! + hi[k]! * d[i]!;
  }
  return x;
}

/**
 * Multi-level decomposition. The series is padded by mirroring its end to a multiple of 2^level
 * (reconstruction trims it back).
 */
export function wavedec(series: readonly number[], wavelet: string, level: number): Decomposition {
  const { lo, hi } = filters(wavelet);
  const block = 2 ** level;
  const padded = [...series];
  for (let i = 0; padded.length % block !== 0; i++)
    padded.push(series[series.length - 1 - (i % series.length)]!);
  const details: number[][] = [];
  let approx = padded;
  for (let l = 0; l < level; l++) {
    const [a, d] = analyse(approx, lo, hi);
    details.unshift(d);
    approx = a;
  }
  return { wavelet, coefficients: [approx, ...details], length: series.length };
}

/** Reconstruction from (possibly modified) coefficients. */
export function waverec(decomposition: Decomposition): number[] {
  const { lo, hi } = filters(decomposition.wavelet);
  const [approx, ...details] = decomposition.coefficients;
  let x = approx!;
  for (const d of details) x = synthesise(x, d, lo, hi);
  return x.slice(0, decomposition.length);
}

/** Soft thresholding: shrink towards zero by t. */
export function softThreshold(values: readonly number[], t: number): number[] {
  return values.map((v) => Math.sign(v) * Math.max(0, Math.abs(v) - t));
}

/** The median of a list (0 for an empty one). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * Wavelet denoising with the universal threshold (Donoho–Johnstone): σ from the MAD of the finest
 * details, λ = σ·√(2 ln n), every detail coefficient soft-thresholded.
 */
export function denoise(
  series: readonly number[],
  wavelet: string,
  level: number,
): { denoised: number[]; threshold: number } {
  const dec = wavedec(series, wavelet, level);
  const finest = dec.coefficients.at(-1)!;
  const sigma = mad(finest) / 0.6745;
  const threshold = sigma * Math.sqrt(2 * Math.log(Math.max(2, series.length)));
  const coefficients = dec.coefficients.map((c, i) => (i === 0 ? c : softThreshold(c, threshold)));
  return { denoised: waverec({ ...dec, coefficients }), threshold };
}
