import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, bucketCount, dayOf, dayRange } from '../../src/time/day.js';

/**
 * Day ranges over every IANA zone the runtime knows, 2020–2030, against an oracle that shares nothing
 * with the code under test (which uses luxon): the zone's UTC offset is read from Intl.DateTimeFormat
 * on a 12-hour grid, every change is bisected to the second, and a day is then the set of instants whose
 * local date (instant + offset) is that day — its first and its last instant, found interval by
 * interval. No local time is ever converted back to an instant, which is where midnight DST changes
 * (America/Asuncion, Santiago, Havana, Asia/Amman, Atlantic/Azores …) go wrong.
 */

const FIRST_DAY = '2020-01-01';
const LAST_DAY = '2030-12-31';
const DAY_MS = 86_400_000;
const GRID_MS = 12 * 3_600_000;
// Enough margin either side for every offset on Earth (−12 h … +14 h).
const SCAN_FROM = Date.UTC(2019, 11, 30);
const SCAN_TO = Date.UTC(2031, 0, 3);

interface Interval {
  readonly from: number; // inclusive
  readonly to: number; // exclusive
  readonly offsetMs: number;
}

/** local − UTC at `t` (whole seconds), from the "GMT+hh:mm(:ss)" Intl prints. */
function offsetReader(timeZone: string): (t: number) => number {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  return (t) => {
    const name = fmt.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (name === 'GMT') return 0;
    const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
    if (!m) throw new Error(`unexpected offset "${name}" in ${timeZone}`);
    const ms = ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000;
    return m[1] === '-' ? -ms : ms;
  };
}

/** The zone's constant-offset intervals covering [SCAN_FROM, SCAN_TO). */
function intervals(timeZone: string): Interval[] {
  const offsetAt = offsetReader(timeZone);
  const out: Interval[] = [];
  let from = SCAN_FROM;
  let offsetMs = offsetAt(from);
  for (let t = SCAN_FROM + GRID_MS; t <= SCAN_TO; t += GRID_MS) {
    const next = offsetAt(t);
    if (next === offsetMs) continue;
    // The change lies in (t − GRID_MS, t]: bisect to the second.
    let lo = t - GRID_MS;
    let hi = t;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetAt(mid) === offsetMs) lo = mid;
      else hi = mid;
    }
    out.push({ from, to: hi, offsetMs });
    from = hi;
    offsetMs = offsetAt(hi);
    // A second change inside the same grid step would be missed; tzdata has none in 2020–2030.
    assert.equal(offsetAt(t), offsetMs, `${timeZone}: two offset changes within 12 h of ${t}`);
  }
  out.push({ from, to: SCAN_TO, offsetMs });
  return out;
}

/** The first and the last-plus-one instant whose local date is `day`. */
function oracleRange(day: string, zone: readonly Interval[]): { start: number; end: number } {
  const localStart = Date.parse(`${day}T00:00:00Z`);
  let start = Infinity;
  let end = -Infinity;
  for (const iv of zone) {
    const lo = Math.max(iv.from, localStart - iv.offsetMs);
    const hi = Math.min(iv.to, localStart + DAY_MS - iv.offsetMs);
    if (lo >= hi) continue;
    start = Math.min(start, lo);
    end = Math.max(end, hi);
  }
  return { start, end };
}

test('day ranges match the Intl oracle in every IANA zone, 2020–2030', () => {
  const zones = Intl.supportedValuesOf('timeZone');
  assert.ok(zones.length > 300, `only ${zones.length} zones known to this runtime`);
  const mismatches: string[] = [];
  let compared = 0;
  for (const timeZone of zones) {
    const zone = intervals(timeZone);
    for (let day = FIRST_DAY; day <= LAST_DAY; day = addDays(day, 1)) {
      const want = oracleRange(day, zone);
      const got = dayRange(day, timeZone);
      compared++;
      if (got.start.getTime() !== want.start || got.end.getTime() !== want.end) {
        const iso = (t: number): string => new Date(t).toISOString();
        mismatches.push(
          `${timeZone} ${day}: got ${iso(got.start.getTime())}–${iso(got.end.getTime())}, ` +
            `want ${iso(want.start)}–${iso(want.end)}`,
        );
      }
    }
  }
  assert.equal(compared, zones.length * 4018);
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} day ranges differ`);
});

test('midnight DST changes: the day starts at the change, or at the first of two midnights', () => {
  const cases: [string, string, string, string, number][] = [
    // Clocks spring forward 00:00 → 01:00: the day starts at 01:00 local and lasts 23 h.
    ['Atlantic/Azores', '2026-03-29', '2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z', 92],
    // Clocks fall back 01:00 → 00:00: midnight happens twice; the day starts at the first, 25 h.
    ['Atlantic/Azores', '2026-10-25', '2026-10-25T00:00:00.000Z', '2026-10-26T01:00:00.000Z', 100],
    ['America/Havana', '2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 100],
    ['America/Santiago', '2022-09-11', '2022-09-11T04:00:00.000Z', '2022-09-12T03:00:00.000Z', 92],
    // Clocks fall back 24:00 → 23:00 of the day before: that day has 25 h, the next starts once.
    ['America/Santiago', '2022-04-02', '2022-04-02T03:00:00.000Z', '2022-04-03T04:00:00.000Z', 100],
  ];
  for (const [zone, day, start, end, buckets] of cases) {
    const range = dayRange(day, zone);
    assert.deepEqual(
      [range.start.toISOString(), range.end.toISOString(), bucketCount(range)],
      [start, end, buckets],
      `${zone} ${day}`,
    );
    assert.equal(dayOf(range.start, zone), day);
    assert.equal(dayOf(new Date(range.end.getTime() - 1), zone), day);
    assert.equal(dayOf(new Date(range.start.getTime() - 1), zone), addDays(day, -1));
  }
});
