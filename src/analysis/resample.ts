import { combine, type Aggregate } from '../config/metric-rules.js';
import type { SeriesPoint } from './series.js';
import { dayOf, dayRange, zoneOffsetMs } from '../time/day.js';

/**
 * Resampling a 15-minute series to hours or days. Steps follow the local clock of the configured zone
 * (a day is a local calendar day, 23 or 25 hours long on daylight-saving changes; an hour starts at a
 * local full hour). For sums a step with any gap is a gap: a partial sum would look like a drop. Pure.
 */

export type Step = '15m' | '1h' | '1d';

export const STEPS: readonly Step[] = ['15m', '1h', '1d'];

/** A step in words, for axis titles: "15 min", "hour", "day". */
export function stepWords(step: Step): string {
  return step === '15m' ? '15 min' : step === '1h' ? 'hour' : 'day';
}

/** The start of the step that contains instant `t`. */
export function stepStart(t: number, step: Step, timeZone: string): number {
  if (step === '1d') return dayRange(dayOf(new Date(t), timeZone), timeZone).start.getTime();
  const size = step === '1h' ? 3_600_000 : 900_000;
  const local = t + zoneOffsetMs(timeZone, new Date(t));
  return t - (((local % size) + size) % size);
}

/** The series combined per step (sums for counts and sums, max/min for maxima/minima). */
export function resample(
  points: readonly SeriesPoint[],
  step: Step,
  timeZone = 'UTC',
  aggregate: Aggregate = 'sum',
): SeriesPoint[] {
  if (step === '15m') return [...points];
  const out = new Map<number, { value: number | null; gap: boolean }>();
  for (const p of points) {
    const k = stepStart(p.t, step, timeZone);
    const cell = out.get(k) ?? out.set(k, { value: null, gap: false }).get(k)!;
    // For sums a null is a missing day; for maxima and minima it may also be a bucket without traffic.
    if (p.value === null) cell.gap ||= aggregate === 'sum';
    else cell.value = combine(aggregate, cell.value, p.value);
  }
  return [...out].map(([t, c]) => ({ t, value: c.gap ? null : c.value }));
}
