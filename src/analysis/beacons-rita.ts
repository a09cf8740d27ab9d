/**
 * RITA v5's beacon sub-scores (activecm/rita `analysis/beacons.go`, defaults from its
 * `default_config.hjson`), written from the formulas: the same statistics, thresholds and rounding, so
 * a pair scores here what it would score in RITA on the same connections. Pure: numbers in, numbers out.
 *
 * Timestamps are whole seconds (RITA's `uint32`); intervals and the "spread below 10" rule of the
 * Bowley skewness are therefore in seconds.
 */

export interface RitaOptions {
  /** A pair with fewer connections is not analysed. */
  readonly minConnections: number;
  /** Histogram mode sensitivity: bars within this share of the tallest are one mode. */
  readonly histModeSensitivity: number;
  /** Bars the bimodal fit may throw away as outliers. */
  readonly bimodalOutlierRemoval: number;
  /** Bars with traffic needed before the bimodal fit counts. */
  readonly bimodalMinHours: number;
  /** Bars with traffic needed before the duration score counts. */
  readonly durationMinHours: number;
  /** The run of consecutive hours that makes consistency 1. */
  readonly durationIdealHours: number;
}

export const RITA_DEFAULTS: RitaOptions = {
  minConnections: 4,
  histModeSensitivity: 0.05,
  bimodalOutlierRemoval: 1,
  bimodalMinHours: 11,
  durationMinHours: 6,
  durationIdealHours: 12,
};

/** RITA rounds every sub-score to three decimals (half away from zero; all values here are ≥ 0). */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const ceil3 = (x: number): number => Math.ceil(x * 1000) / 1000;

/** Median of an ascending array (mean of the two middle values for an even length); 0 when empty. */
function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Quartiles as montanaflynn/stats computes them for RITA (Tukey's hinges): Q1 and Q3 are the medians
 * of the lower and upper halves, the middle value left out of both halves for an odd length.
 */
export function quartiles(sorted: readonly number[]): { q1: number; q2: number; q3: number } {
  const n = sorted.length;
  const lowerEnd = n % 2 === 0 ? n / 2 : (n - 1) / 2;
  const upperStart = n % 2 === 0 ? n / 2 : lowerEnd + 1;
  return {
    q1: median(sorted.slice(0, lowerEnd)),
    q2: median(sorted),
    q3: median(sorted.slice(upperStart)),
  };
}

/**
 * 1 − |Bowley skewness|; the skewness counts as 0 when the interquartile spread is below 10 or the
 * median equals a quartile (a spread that small is jitter, not skew).
 */
export function bowleyScore(sorted: readonly number[]): number {
  const { q1, q2, q3 } = quartiles(sorted);
  const spread = q3 - q1;
  const skew = spread >= 10 && q2 !== q1 && q2 !== q3 ? (q1 + q3 - 2 * q2) / spread : 0;
  return 1 - Math.abs(skew);
}

/** (median − MAD) / median, clipped at 0; `fallback` when the median is below 1. */
export function madmScore(sorted: readonly number[], fallback: number): number {
  const m = median(sorted);
  const deviations = sorted.map((v) => Math.abs(v - m)).sort((a, b) => a - b);
  const mad = median(deviations);
  const score = m >= 1 ? (m - mad) / m : fallback;
  return score < 0 || Number.isNaN(score) ? 0 : score;
}

/** The mean of the Bowley and MADM scores, rounded as RITA does. */
export function statisticalScore(values: readonly number[], madFallback: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round3((bowleyScore(sorted) + madmScore(sorted, madFallback)) / 2);
}

/**
 * The timestamp score over the non-zero intervals between connections (several connections in the
 * same second count as one), and the median interval. Undefined below 4 timestamps or 3 non-zero
 * intervals: RITA does not score such a pair.
 */
export function timestampScore(
  timestampsSec: readonly number[],
): { score: number; medianInterval: number } | undefined {
  if (timestampsSec.length < 4) return undefined;
  const sorted = [...timestampsSec].sort((a, b) => a - b);
  const intervals: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i]! - sorted[i - 1]!;
    if (d > 0) intervals.push(d);
  }
  if (intervals.length < 3) return undefined;
  intervals.sort((a, b) => a - b);
  return { score: statisticalScore(intervals, 1), medianInterval: median(intervals) };
}

/** The data-size score over the bytes of each connection; undefined below 3 connections. */
export function dataSizeScore(bytes: readonly number[]): number | undefined {
  return bytes.length < 3 ? undefined : statisticalScore(bytes, 0);
}

export interface HistogramScore {
  readonly score: number;
  /** Bars (hours) with at least one connection. */
  readonly totalBars: number;
  /** The longest run of consecutive bars with traffic, wrapping from the last bar to the first. */
  readonly longestRun: number;
}

/**
 * The histogram score of the connections per bar (RITA: 24 bars over the data set's day): the larger
 * of 1 − coefficient of variation (0 above 1) and the bimodal fit (the share of bars in the two most
 * common bar heights, heights grouped by a step of the sensitivity times the tallest bar).
 */
export function histogramScore(
  bars: readonly number[],
  options: RitaOptions = RITA_DEFAULTS,
): HistogramScore {
  const n = bars.length;
  const total = bars.reduce((s, b) => s + b, 0);
  if (n === 0 || total <= 0) return { score: 0, totalBars: 0, longestRun: 0 };
  const tallest = Math.max(...bars);
  const step = Math.ceil(tallest * options.histModeSensitivity);
  const heights = new Map<number, number>();
  let totalBars = 0;
  for (const b of bars) {
    if (b <= 0) continue;
    totalBars++;
    const h = Math.floor(b / step) * step;
    heights.set(h, (heights.get(h) ?? 0) + 1);
  }
  // Longest run of non-empty bars, the end wrapping around to the start.
  let longestRun = 0;
  let run = 0;
  for (let i = 0; i < 2 * n; i++) {
    if (bars[i % n]! > 0) run++;
    else {
      longestRun = Math.max(longestRun, run);
      run = 0;
    }
  }
  longestRun = Math.min(n, Math.max(longestRun, run));

  const mean = total / n;
  const sd = Math.sqrt(bars.reduce((s, b) => s + (b - mean) ** 2, 0) / n);
  const cv = sd / Math.abs(mean);
  const cvScore = cv > 1 ? 0 : Math.min(1, round3(1 - cv));

  let bimodal = 0;
  if (totalBars >= (options.bimodalMinHours < 6 ? 11 : options.bimodalMinHours)) {
    let first = 0;
    let second = 0;
    for (const count of heights.values()) {
      if (count > first) {
        second = first;
        first = count;
      } else if (count > second) second = count;
    }
    bimodal = Math.min(1, round3((first + second) / Math.max(totalBars - options.bimodalOutlierRemoval, 1)));
  }
  return { score: Math.max(cvScore, bimodal), totalBars, longestRun };
}

/**
 * The duration score: the larger of coverage (last − first connection over the data set's span) and
 * consistency (the longest run of hours over the ideal run), both rounded up to three decimals and
 * capped at 1; 0 when fewer bars than `durationMinHours` have traffic.
 */
export function durationScore(
  input: { spanSec: number; firstSec: number; lastSec: number; totalBars: number; longestRun: number },
  options: RitaOptions = RITA_DEFAULTS,
): number {
  if (input.totalBars < options.durationMinHours || input.spanSec <= 0) return 0;
  const coverage = Math.min(1, ceil3((input.lastSec - input.firstSec) / input.spanSec));
  const consistency = Math.min(1, ceil3(input.longestRun / options.durationIdealHours));
  return Math.max(coverage, consistency);
}

export interface SubScores {
  readonly timestamp: number;
  readonly dataSize: number;
  readonly histogram: number;
  readonly duration: number;
}

/** The beacon score: the four sub-scores weighted 0.25 each, rounded to three decimals. */
export function beaconScore(s: SubScores): number {
  return round3(s.timestamp * 0.25 + s.dataSize * 0.25 + s.duration * 0.25 + s.histogram * 0.25);
}
