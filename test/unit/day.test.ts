import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bucketCount,
  bucketStarts,
  dayRange,
  parseDay,
  yesterday,
  addDays,
  isoUtc,
} from '../../src/time/day.js';

test('a UTC day has 96 buckets starting at midnight', () => {
  const range = dayRange('2026-11-24');
  assert.equal(bucketCount(range), 96);
  const starts = bucketStarts(range);
  assert.equal(isoUtc(starts[0]!), '2026-11-24T00:00:00Z');
  assert.equal(isoUtc(starts[95]!), '2026-11-24T23:45:00Z');
});

test('daylight-saving change days have 92 and 100 buckets', () => {
  assert.equal(bucketCount(dayRange('2026-03-29', 'Europe/Berlin')), 92);
  assert.equal(bucketCount(dayRange('2026-10-25', 'Europe/Berlin')), 100);
  assert.equal(bucketCount(dayRange('2026-03-08', 'America/New_York')), 92);
  assert.equal(bucketCount(dayRange('2026-06-01', 'Europe/Berlin')), 96);
  assert.equal(dayRange('2026-06-01', 'Europe/Berlin').start.toISOString(), '2026-05-31T22:00:00.000Z');
});

test('parseDay accepts real dates only', () => {
  assert.deepEqual(parseDay('2024-02-29'), { day: '2024-02-29' });
  assert.ok('error' in parseDay('2026-02-30'));
  assert.ok('error' in parseDay('2025-02-29'));
  assert.ok('error' in parseDay('yesterday'));
  assert.ok('error' in parseDay('2026-1-5'));
});

test('yesterday follows the configured zone', () => {
  const now = new Date('2026-11-24T23:30:00Z');
  assert.equal(yesterday(now, 'UTC'), '2026-11-23');
  assert.equal(yesterday(now, 'Europe/Berlin'), '2026-11-24');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
});
