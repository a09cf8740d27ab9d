import type { SeriesPoint } from './load-series.js';

/** Resampling a 15-minute series to 1 hour or 1 day: sums per step; a step with any gap is a gap. Pure. */

export const STEPS: Record<string, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '1d': 86_400_000 };

export function parseStep(text: string): number | undefined {
  return STEPS[text];
}

export function resample(points: readonly SeriesPoint[], stepMs: number): SeriesPoint[] {
  if (points.length === 0 || stepMs === STEPS['15m']) return [...points];
  const origin = points[0]!.t;
  const out = new Map<number, number | null>();
  for (const p of points) {
    const k = origin + Math.floor((p.t - origin) / stepMs) * stepMs;
    const prev = out.get(k);
    out.set(k, prev === null || p.value === null ? null : (prev ?? 0) + p.value);
  }
  return [...out].map(([t, value]) => ({ t, value }));
}
