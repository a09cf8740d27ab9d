/**
 * Calendar days and their 15-minute buckets. Pure: the caller passes `now`.
 *
 * A day is named by its local date (`YYYY-MM-DD`) in the configured time zone (UTC by default).
 * Its bounds are instants: in a zone with daylight saving a day lasts 23 or 25 hours, so it has
 * 92 or 100 fifteen-minute buckets instead of 96. Zone rules come from luxon (over the runtime's
 * IANA database), not from arithmetic on offsets here.
 */

import { DateTime, IANAZone } from 'luxon';

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
  return IANAZone.isValidZone(timeZone);
}

/**
 * True when every local hour of `timeZone` starts a whole number of hours after the day's start, from
 * 1970 to 2100: its offset from UTC keeps the same minutes (UTC, Europe/Berlin, Asia/Kolkata at +5:30;
 * not Australia/Lord_Howe, whose clocks move by 30 minutes, nor Asia/Kathmandu, +5:30 then +5:45). Hourly
 * buckets are local hours (as Elasticsearch makes them), so only then are they the day's start plus whole
 * hours. Sampled every 5 days (offset periods are months long); memoised per zone.
 */
export function hourAligned(timeZone: string): boolean {
  const known = hourAlignedZones.get(timeZone);
  if (known !== undefined) return known;
  let aligned = isValidTimeZone(timeZone);
  if (aligned && timeZone !== 'UTC') {
    const zone = IANAZone.create(timeZone);
    const minutes = (t: number) => ((zone.offset(t) % 60) + 60) % 60;
    const first = minutes(0);
    for (let t = 0; t < Date.UTC(2100, 0, 1) && aligned; t += 5 * DAY_MS) aligned = minutes(t) === first;
  }
  hourAlignedZones.set(timeZone, aligned);
  return aligned;
}
const hourAlignedZones = new Map<string, boolean>();

/** The offset of `timeZone` from UTC at instant `at`, in milliseconds (local − UTC). */
export function zoneOffsetMs(timeZone: string, at: Date): number {
  return IANAZone.create(timeZone).offset(at.getTime()) * 60_000;
}

/**
 * The first instant of `day` in `timeZone`. Midnight is not always on the clock: where the clocks
 * spring forward at midnight (America/Santiago, Havana, Asuncion, Atlantic/Azores …) the day starts at
 * the transition, and where they fall back to midnight, 00:00 happens twice and the day starts at the
 * first one. luxon resolves a missing local time forward, and lists both instants of a repeated one.
 */
function dayStart(day: string, timeZone: string): number {
  const key = `${timeZone} ${day}`;
  const known = dayStarts.get(key);
  if (known !== undefined) return known;
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const midnight = DateTime.fromObject({ year, month, day: date }, { zone: timeZone });
  if (!midnight.isValid) {
    throw new RangeError(`no start of ${day} in ${timeZone}: ${midnight.invalidExplanation ?? ''}`);
  }
  let start = midnight.toMillis();
  // A repeated midnight needs the offset to have changed in the day before it; asking luxon only
  // then keeps the common day at one offset lookup more.
  if (midnight.zone.offset(start - DAY_MS) !== midnight.offset) {
    start = Math.min(start, ...midnight.getPossibleOffsets().map((dt) => dt.toMillis()));
  }
  if (dayStarts.size >= DAY_START_CACHE) dayStarts.clear();
  dayStarts.set(key, start);
  return start;
}

// Day starts already computed: the end of one day is the start of the next, and the analysis and the
// checks ask for the same few hundred days again and again. Bounded; the values never change in a run.
const DAY_START_CACHE = 10_000;
const DAY_MS = 86_400_000;
const dayStarts = new Map<string, number>();

/** The [start, end) instants of a local day. */
export function dayRange(day: string, timeZone = 'UTC'): DayRange {
  return {
    day,
    start: new Date(dayStart(day, timeZone)),
    end: new Date(dayStart(addDays(day, 1), timeZone)),
    timeZone,
  };
}

/**
 * How many buckets the day has: 96 of 15 minutes (92/100 on daylight-saving change days), or 24 of an
 * hour (23/25) with `minutes` 60.
 */
export function bucketCount(range: DayRange, minutes = BUCKET_MINUTES): number {
  return Math.round((range.end.getTime() - range.start.getTime()) / (minutes * 60_000));
}

/** The start instant of every bucket of the day, in order (15 minutes, or `minutes`). */
export function bucketStarts(range: DayRange, minutes = BUCKET_MINUTES): Date[] {
  const n = bucketCount(range, minutes);
  const size = minutes === BUCKET_MINUTES ? BUCKET_MS : minutes * 60_000;
  return Array.from({ length: n }, (_, i) => new Date(range.start.getTime() + i * size));
}

/** `day` shifted by `delta` calendar days. */
export function addDays(day: string, delta: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + delta)).toISOString().slice(0, 10);
}

/** The local calendar day that contains instant `at`. */
export function dayOf(at: Date, timeZone = 'UTC'): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM-dd');
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
