import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketSequenceCheck, checkDayFile, compareTotals, parseDayFile } from '../../src/store/check-day.js';
import { defaultConfig } from '../../src/config/validate.js';
import { dayRange, bucketStarts, isoUtc } from '../../src/time/day.js';

const config = defaultConfig();
const dns = config.tables.find((t) => t.name === 'dns')!;
const websites = config.tables.find((t) => t.name === 'websites')!;
const range = dayRange('2026-11-24');
const series = (n = 96, tweak: (rows: string[]) => string[] = (r) => r) =>
  `${[
    'timestamp,count,bytes',
    ...tweak(
      bucketStarts(range)
        .slice(0, n)
        .map((d, i) => `${isoUtc(d)},${i},${i * 10}`),
    ),
  ].join('\n')}\n`;

test('a complete series is ok and its totals are summed', () => {
  const check = checkDayFile(series(), dns, range);
  assert.equal(check.status, 'ok');
  assert.deepEqual(check.totals, { count: (95 * 96) / 2, bytes: (95 * 96 * 10) / 2 });
});

test('the 97-lines rule: a missing bucket, a duplicated bucket, a truncated last line', () => {
  assert.deepEqual(
    checkDayFile(series(95), dns, range).detail,
    '95 of 96 buckets (first missing 2026-11-24T23:45:00Z)',
  );
  assert.equal(
    checkDayFile(
      series(96, (r) => [...r.slice(0, 95), r[94]!]),
      dns,
      range,
    ).status,
    'incomplete',
  );
  assert.match(checkDayFile(series().slice(0, -3), dns, range).detail, /truncated|not a number/);
  const dst = dayRange('2026-10-25', 'Europe/Berlin');
  const hundred = `${['timestamp,count,bytes', ...bucketStarts(dst).map((d) => `${isoUtc(d)},1,1`)].join('\n')}\n`;
  assert.equal(checkDayFile(hundred, dns, dst).status, 'ok');
  assert.equal(checkDayFile(hundred, dns, dst).rows, 100);
});

test('corrupt files name the line and the problem', () => {
  assert.equal(
    checkDayFile('time,count,bytes\n', dns, range).detail,
    'bad header "time,count,bytes", expected "timestamp,count,bytes"',
  );
  assert.equal(
    checkDayFile(
      series(96, (r) => r.map((l, i) => (i === 3 ? l.replace(/,\d+,/, ',x,') : l))),
      dns,
      range,
    ).detail,
    'line 5: count "x" is not a number',
  );
  assert.equal(
    checkDayFile(
      series(96, (r) => r.map((l, i) => (i === 0 ? l.replace('2026-11-24', '2026-11-25') : l))),
      dns,
      range,
    ).detail,
    'line 2: 2026-11-25T00:00:00Z is not inside 2026-11-24',
  );
  assert.equal(
    checkDayFile('timestamp,domain,count,bytes\n2026-11-24T00:07:00Z,a.com,1,1\n', websites, range).detail,
    'line 2: 2026-11-24T00:07:00Z is not on a 15-minute boundary',
  );
  assert.equal(
    checkDayFile('timestamp,domain,count,bytes\n2026-11-24T00:00:00Z,"a.com,1,1\n', websites, range).status,
    'corrupt',
  );
  assert.equal(
    checkDayFile('timestamp,domain,count,bytes\n2026-11-24T00:00:00Z,a.com,1.5,1\n', websites, range).detail,
    'line 2: count "1.5" is not a whole count',
  );
});

test('a flow table may have any number of rows inside the day', () => {
  assert.equal(checkDayFile('timestamp,domain,count,bytes\n', websites, range).status, 'ok');
  assert.deepEqual(
    checkDayFile(
      'timestamp,domain,count,bytes\n2026-11-24T10:00:00Z,a.com,2,5\n2026-11-24T10:00:00Z,b.com,1,1\n',
      websites,
      range,
    ).totals,
    { count: 3, bytes: 6 },
  );
});

test('drift names each metric that differs', () => {
  assert.equal(compareTotals({ count: 5, bytes: 9 }, { count: 5, bytes: 9 }), undefined);
  assert.equal(
    compareTotals({ count: 5, bytes: 9 }, { count: 7, bytes: 9 }),
    'count stored 5, Elasticsearch 7',
  );
});

test('a time-series day being written must bring exactly its buckets, in order', () => {
  const times = bucketStarts(range).map((d) => d.getTime());
  const whole = new BucketSequenceCheck(dns, range, false);
  whole.add(times.slice(0, 50));
  whole.add(times.slice(50));
  assert.doesNotThrow(() => whole.end());

  const short = new BucketSequenceCheck(dns, range, false);
  short.add(times.slice(0, 95));
  assert.throws(() => short.end(), /dns 2026-11-24: expected 96 buckets from 2026-11-24T00:00:00Z, got 95/);

  const gap = new BucketSequenceCheck(dns, range, false);
  assert.throws(() => gap.add([times[0]!, times[2]!]), /got an unexpected bucket 2026-11-24T00:30:00Z/);
  const extra = new BucketSequenceCheck(dns, range, false);
  assert.throws(() => extra.add([...times, times[95]! + 900_000]), /unexpected bucket 2026-11-25T00:00:00Z/);

  // Partial days hold only the buckets that have started; flow tables any number of rows.
  const partial = new BucketSequenceCheck(dns, range, true);
  partial.add(times.slice(0, 3));
  assert.doesNotThrow(() => partial.end());
  const flows = new BucketSequenceCheck(websites, range, false);
  flows.add([times[5]!, times[5]!]);
  assert.doesNotThrow(() => flows.end());
});

test('parseDayFile gives the records of an ok file only, with the same check as checkDayFile', () => {
  const ok = parseDayFile(series(), dns, range);
  assert.deepEqual(ok.check, checkDayFile(series(), dns, range));
  assert.equal(ok.records?.length, 96);
  assert.deepEqual(ok.records?.[1], ['2026-11-24T00:15:00Z', '1', '10']);
  for (const text of [series(95), 'timestamp,count\n', '"unclosed\n'])
    assert.deepEqual(parseDayFile(text, dns, range), { check: checkDayFile(text, dns, range) });
});
