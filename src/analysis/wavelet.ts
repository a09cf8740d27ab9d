/**
 * The discrete wavelet transform (DWT) and its inverse, periodised, for the orthonormal Daubechies
 * wavelets haar (= db1), db2, db3 and db4. Periodisation makes each level an orthogonal matrix, so the
 * inverse is its transpose and decomposition followed by reconstruction returns the input up to
 * rounding (tested to 1e-9). Written here rather than taken from npm: the packages found either do
 * not periodise (so reconstruction needs their own padding rules) or are unmaintained. Pure.
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
  /** The length of the signal entering each level, finest first (the input's length at index 0). */
  readonly lengths: readonly number[];
}

/** The names of the wavelets this module knows, for usage messages. */
export function waveletNames(): string[] {
  return Object.keys(WAVELETS);
}

function filters(wavelet: string): { lo: readonly number[]; hi: number[] } {
  const lo = WAVELETS[wavelet];
  if (!lo) throw new Error(`unknown wavelet "${wavelet}": use one of ${waveletNames().join(', ')}`);
  const L = lo.length;
  // Quadrature mirror, as PyWavelets' dec_hi: g[k] = (-1)^(k+1) h[L-1-k].
  const hi = lo.map((_, k) => (k % 2 === 0 ? -1 : 1) * lo[L - 1 - k]!);
  return { lo, hi };
}

/** The deepest useful level for a series of length n (PyWavelets' dwt_max_level), at least 1. */
export function maxLevel(n: number, wavelet: string): number {
  const L = filters(wavelet).lo.length;
  return Math.max(1, Math.floor(Math.log2(n / (L - 1))));
}

// One level, in PyWavelets' "periodization" convention: c[i] = Σ_j f[j] · x[(2i + L/2 − j) mod n].
// Using the same alignment as PyWavelets means an analyst can check any coefficient against Python.
function analyse(x: readonly number[], lo: readonly number[], hi: readonly number[]): [number[], number[]] {
  const n = x.length;
  const half = n / 2;
  const shift = lo.length / 2;
  const a = new Array<number>(half);
  const d = new Array<number>(half);
  for (let i = 0; i < half; i++) {
    let sa = 0;
    let sd = 0;
    for (let j = 0; j < lo.length; j++) {
      const v = x[(((2 * i + shift - j) % n) + n) % n]!;
      sa += lo[j]! * v;
      sd += hi[j]! * v;
    }
    a[i] = sa;
    d[i] = sd;
  }
  return [a, d];
}

// The transpose of `analyse` (which is orthogonal), hence its inverse.
function synthesise(
  a: readonly number[],
  d: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
): number[] {
  const n = a.length * 2;
  const shift = lo.length / 2;
  const x = new Array<number>(n).fill(0);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < lo.length; j++)
      x[(((2 * i + shift - j) % n) + n) % n]! += lo[j]! * a[i]! + hi[j]! * d[i]!;
  }
  return x;
}

/**
 * Multi-level decomposition, coefficient for coefficient what PyWavelets'
 * `wavedec(x, wavelet, mode='periodization', level)` returns: a level whose input has an odd length
 * first repeats its last value (reconstruction trims it off again).
 */
export function wavedec(series: readonly number[], wavelet: string, level: number): Decomposition {
  if (!Number.isInteger(level) || level < 1)
    throw new Error(`wavelet level ${level}: give a whole number ≥ 1`);
  if (series.length < 2)
    throw new Error(`a wavelet decomposition needs at least 2 values, not ${series.length}`);
  const { lo, hi } = filters(wavelet);
  const details: number[][] = [];
  const lengths: number[] = [];
  let approx = [...series];
  for (let l = 0; l < level; l++) {
    lengths.push(approx.length);
    if (approx.length % 2 === 1) approx.push(approx[approx.length - 1]!);
    const [a, d] = analyse(approx, lo, hi);
    details.unshift(d);
    approx = a;
  }
  return { wavelet, coefficients: [approx, ...details], lengths };
}

/** Reconstruction from (possibly modified) coefficients: the inverse of `wavedec`. */
export function waverec(decomposition: Decomposition): number[] {
  const { lo, hi } = filters(decomposition.wavelet);
  const [approx, ...details] = decomposition.coefficients;
  let x = approx!;
  details.forEach((d, i) => {
    const length = decomposition.lengths[details.length - 1 - i]!;
    x = synthesise(x, d, lo, hi).slice(0, length);
  });
  return x;
}

/** The energy (sum of squares) of each band: the approximation first, then details coarsest to finest. */
export function bandEnergies(decomposition: Decomposition): number[] {
  return decomposition.coefficients.map((band) => band.reduce((sum, c) => sum + c * c, 0));
}

/** The largest absolute difference between a series and its decomposition-then-reconstruction. */
export function reconstructionError(series: readonly number[], wavelet: string, level: number): number {
  const back = waverec(wavedec(series, wavelet, level));
  return series.reduce((worst, v, i) => Math.max(worst, Math.abs(v - back[i]!)), 0);
}
