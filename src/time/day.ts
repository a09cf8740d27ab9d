/**
 * Calendar days and their 15-minute buckets. Pure: the caller passes `now`.
 *
 * A day is named by its local date (`YYYY-MM-DD`) in the configured time zone (UTC by default).
 * Its bounds are instants: in a zone with daylight saving a day lasts 23 or 25 hours, so it has
 * 92 or 100 fifteen-minute buckets instead of 96.
 */

export const BUCKET_MINUTES = 15;
const BUCKET_MS = BUCKET_MINUTES * 60_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A local day with its [start, end) instants. */
export interface DayRange {
  readonly day: string;
  readonly start: Date;
  readonly end: Date;
  readonly timeZone: string;
}

/** Parses `YYYY-MM-DD`; returns an error message when the text is not a real calendar date. */
export function parseDay(text: string): { day: string } | { error: string } {
  const m = DAY_RE.exec(text);
  if (!m) return { error: `"${text}" is not a date: use YYYY-MM-DD, e.g. 2026-11-24` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) {
    return { error: `"${text}" is not a calendar date (no such day in that month)` };
  }
  if (y < 1970) return { error: `"${text}" is before 1970` };
  return { day: text };
}

/** True when `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The offset of `timeZone` from UTC at instant `at`, in milliseconds (local − UTC). */
export function zoneOffsetMs(timeZone: string, at: Date): number {
  if (timeZone === 'UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of local midnight starting `day` in `timeZone`. */
function localMidnight(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, m - 1, d);
  // Two passes settle the offset even when midnight is next to a transition.
  let guess = naive - zoneOffsetMs(timeZone, new Date(naive));
  guess = naive - zoneOffsetMs(timeZone, new Date(guess));
  return new Date(guess);
}

/** The [start, end) instants of a local day. */
export function dayRange(day: string, timeZone = 'UTC'): DayRange {
  return {
    day,
    start: localMidnight(day, timeZone),
    end: localMidnight(addDays(day, 1), timeZone),
    timeZone,
  };
}

/** How many 15-minute buckets the day has (96, or 92/100 on daylight-saving change days). */
export function bucketCount(range: DayRange): number {
  return Math.round((range.end.getTime() - range.start.getTime()) / BUCKET_MS);
}

/** The start instant of every bucket of the day, in order. */
export function bucketStarts(range: DayRange): Date[] {
  const n = bucketCount(range);
  return Array.from({ length: n }, (_, i) => new Date(range.start.getTime() + i * BUCKET_MS));
}

/** `day` shifted by `delta` calendar days. */
export function addDays(day: string, delta: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + delta)).toISOString().slice(0, 10);
}

/** The local calendar day that contains instant `at`. */
export function dayOf(at: Date, timeZone = 'UTC'): string {
  return new Date(at.getTime() + zoneOffsetMs(timeZone, at)).toISOString().slice(0, 10);
}

/** Yesterday, in `timeZone`, relative to `now`: the default day of the morning run. */
export function yesterday(now: Date, timeZone = 'UTC'): string {
  return addDays(dayOf(now, timeZone), -1);
}

/** Every day from `from` to `to`, both included, in order. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** True once the whole day lies in the past at `now`. */
export function isDayOver(range: DayRange, now: Date): boolean {
  return now.getTime() >= range.end.getTime();
}

/** ISO-8601 UTC with second precision and a `Z`: `2026-11-24T00:15:00Z`. */
export function isoUtc(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
