import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readTableRange, readTables } from '../../src/analysis/read-series.js';
import { bucketSeries, metricAggregate, seriesFrame, topKeys } from '../../src/analysis/series.js';
import { resample, stepStart } from '../../src/analysis/resample.js';
import { defaultConfig } from '../../src/config/validate.js';
import { tableSchema } from '../../src/config/schema.js';
import { parseCsv } from '../../src/store/csv.js';
import { dayFilePath } from '../../src/store/layout.js';
import { tempDir } from '../helpers/tmp.js';
import { writeSampleTimeSeries } from '../helpers/sample-csv.js';
import { dayList } from '../helpers/sample-series.js';

const config = defaultConfig();
const table = (name: string) => config.tables.find((t) => t.name === name)!;
const DAYS = dayList('2026-11-18', 5);
let tmp: { path: string; cleanup: () => Promise<void> };

// Day 1 complete, day 2 only partial, day 3 cut short, day 4 with a broken header, day 5 missing
// (for dns); every day complete for total and websites.
before(async () => {
  tmp = await tempDir('analysis-series');
  await writeSampleTimeSeries(tmp.path, DAYS, {
    seed: 42,
    docsPerDay: 20000,
    tables: ['dns', 'total', 'websites'],
  });
  await rename(dayFilePath(tmp.path, 'dns', DAYS[1]!), dayFilePath(tmp.path, 'dns', DAYS[1]!, true));
  const third = await readFile(dayFilePath(tmp.path, 'dns', DAYS[2]!), 'utf8');
  await writeFile(dayFilePath(tmp.path, 'dns', DAYS[2]!), `${third.split('\n').slice(0, 50).join('\n')}\n`);
  const fourth = await readFile(dayFilePath(tmp.path, 'dns', DAYS[3]!), 'utf8');
  await writeFile(
    dayFilePath(tmp.path, 'dns', DAYS[3]!),
    fourth.replace('timestamp,count,bytes', 'time,count,bytes'),
  );
  await rm(dayFilePath(tmp.path, 'dns', DAYS[4]!));
});

after(() => tmp.cleanup());

async function csvColumn(tableName: string, day: string, column: string): Promise<string[][]> {
  const { header, rows } = parseCsv(await readFile(dayFilePath(tmp.path, tableName, day), 'utf8'));
  const i = header.indexOf(column);
  return rows.map((r) => [r[0]!, r[i]!]);
}

test('only complete day files are loaded; every other day is reported with its status', async () => {
  const dns = await readTableRange(tmp.path, table('dns'), DAYS, 'UTC');
  assert.deepEqual(
    dns.days.map((d) => d.status),
    ['ok', 'partial', 'incomplete', 'corrupt', 'missing'],
  );
  assert.match(dns.days[2]!.detail, /49 of 96 buckets/);
  assert.equal(dns.frame.numRows(), 96);
  assert.deepEqual(dns.frame.columnNames(), ['time', 'count', 'bytes']);
  const times = dns.frame.array('time') as Date[];
  assert.ok(times[0] instanceof Date);
  assert.equal(times[0]!.toISOString(), '2026-11-18T00:00:00.000Z');
  const expected = await csvColumn('dns', DAYS[0]!, 'count');
  assert.deepEqual(
    [...(dns.frame.array('count') as number[])],
    expected.map(([, v]) => Number(v)),
  );
});

test('a series has the file’s values on complete days and null — never 0 — on every other day', async () => {
  const dns = await readTableRange(tmp.path, table('dns'), DAYS, 'UTC');
  const points = bucketSeries(dns, 'count', 'UTC');
  assert.equal(points.length, 5 * 96);
  assert.ok(points.slice(0, 96).every((p) => typeof p.value === 'number'));
  assert.ok(
    points.slice(96).every((p) => p.value === null),
    'days 2–5 are gaps',
  );
  assert.equal(new Date(points[96]!.t).toISOString(), '2026-11-19T00:00:00.000Z');
});

test('a flow table’s series sums its keys per bucket, and its top keys are ranked by the metric', async () => {
  const websites = await readTableRange(tmp.path, table('websites'), DAYS, 'UTC');
  const perBucket = new Map<string, number>();
  const perDomain = new Map<string, number>();
  for (const day of DAYS) {
    const { rows } = parseCsv(await readFile(dayFilePath(tmp.path, 'websites', day), 'utf8'));
    for (const [ts, domain, count, bytes] of rows) {
      perBucket.set(ts!, (perBucket.get(ts!) ?? 0) + Number(count));
      perDomain.set(domain!, (perDomain.get(domain!) ?? 0) + Number(bytes));
    }
  }
  const points = bucketSeries(websites, 'count', 'UTC');
  assert.equal(points.length, 5 * 96);
  for (const p of points) {
    const ts = new Date(p.t).toISOString().replace('.000Z', 'Z');
    assert.equal(p.value, perBucket.get(ts) ?? 0, ts);
  }
  const top = [...perDomain].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
  assert.deepEqual(
    topKeys(websites, 'domain', 'bytes', 5),
    top.map(([key, value]) => ({ key, value })),
  );
});

test('several tables side by side: one time column, one column per table, nulls in gaps', async () => {
  const loaded = await readTables(tmp.path, [table('total'), table('dns')], DAYS, 'UTC');
  const frame = seriesFrame(loaded, 'count', 'UTC');
  assert.deepEqual(frame.columnNames(), ['time', 'total', 'dns']);
  assert.equal(frame.numRows(), 5 * 96);
  const total = frame.array('total') as (number | null)[];
  const dns = frame.array('dns') as (number | null)[];
  assert.ok(total.every((v) => typeof v === 'number'));
  assert.equal(dns.filter((v) => v === null).length, 4 * 96);
  // On a complete day dns is part of the total.
  assert.ok(dns.slice(0, 96).every((v, i) => v! <= total[i]!));
});

test('resampling sums per step, keeps gaps as gaps and follows the local clock', () => {
  const t0 = Date.parse('2026-11-24T00:00:00Z');
  const pts = Array.from({ length: 8 }, (_, i) => ({ t: t0 + i * 900_000, value: i === 5 ? null : i }));
  assert.deepEqual(resample(pts, '1h'), [
    { t: t0, value: 0 + 1 + 2 + 3 },
    { t: t0 + 3_600_000, value: null },
  ]);
  assert.deepEqual(resample(pts, '1h', 'UTC', 'max'), [
    { t: t0, value: 3 },
    { t: t0 + 3_600_000, value: 7 },
  ]);
  // Berlin's day of the autumn change lasts 25 hours (100 buckets) and starts at 22:00 UTC.
  const berlinDay = Date.parse('2026-10-24T22:00:00Z');
  const long = Array.from({ length: 100 + 96 }, (_, i) => ({ t: berlinDay + i * 900_000, value: 1 }));
  assert.deepEqual(resample(long, '1d', 'Europe/Berlin'), [
    { t: berlinDay, value: 100 },
    { t: berlinDay + 25 * 3_600_000, value: 96 },
  ]);
  // Half-hour zones: an hour starts at a local full hour, i.e. at :30 UTC in Kolkata.
  assert.equal(
    stepStart(Date.parse('2026-11-24T10:40:00Z'), '1h', 'Asia/Kolkata'),
    Date.parse('2026-11-24T10:30:00Z'),
  );
  assert.equal(
    stepStart(Date.parse('2026-11-24T10:20:00Z'), '1h', 'Asia/Kolkata'),
    Date.parse('2026-11-24T09:30:00Z'),
  );
});

test('metric aggregates: counts and sums add up, maxima and minima do not', () => {
  const t = tableSchema.parse({
    name: 'latency',
    index: 'x',
    metrics: [
      { name: 'count', type: 'count' },
      { name: 'worst', type: 'max', field: 'event.duration' },
    ],
  });
  assert.equal(metricAggregate(t, 'count'), 'sum');
  assert.equal(metricAggregate(t, 'worst'), 'max');
  assert.equal(metricAggregate(t, 'bytes'), undefined);
});
