import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import { checkDayFile } from '../../src/store/check-day.js';
import { validateConfig } from '../../src/config/validate.js';
import { bucketStarts, dayRange, isoUtc } from '../../src/time/day.js';
import {
  buildDataPackage,
  formatDataPackage,
  readRecordedSettings,
  settingsDifferences,
  settingsOf,
  tablesFromRecord,
} from '../../src/datapackage/descriptor.js';
import { buildDataReadme } from '../../src/datapackage/readme.js';
import {
  PACKING_RATIO,
  WARN_DAY_FILE_BYTES,
  averageRowBytes,
  buildBucketStatsQuery,
  estimateDaySize,
  keysPerBucket,
  readBucketStats,
  sampleBuckets,
  type BucketStats,
} from '../../src/extract/doctor.js';
import { buildDayQuery } from '../../src/extract/query.js';
import { bucketSeries } from '../../src/analysis/series.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { run as plot } from '../../src/cli/commands/plot.js';
import { UsageError } from '../../src/errors.js';
import { formatCsv, parseCsv } from '../../src/store/csv.js';
import { dayFilePath } from '../../src/store/layout.js';
import { sampleDayTables } from '../../src/sample/day-tables.js';
import { tempDir } from '../helpers/tmp.js';
import type { CommandContext } from '../../src/cli/context.js';
import type { TableConfig } from '../../src/config/schema.js';

// Hourly flow tables, the row bound in the data package, and doctor's size estimate (issue 18, item 4).

function configWith(extra: Record<string, unknown>, timezone = 'UTC') {
  const base = validateConfig({}).config!;
  const i2e = base.tables.find((t) => t.name === 'internal_to_external')!;
  const { config, errors } = validateConfig({ timezone, tables: [{ ...i2e, ...extra }] });
  assert.deepEqual(errors, []);
  return config!;
}

test('an hourly flow table: the query asks for hours, the check wants whole hours from the day start', () => {
  const config = configWith({ interval: '1h' }, 'Europe/Berlin');
  const table = config.tables[0]!;
  const range = dayRange('2026-10-25', 'Europe/Berlin'); // 25 hours: clocks go back
  const body = buildDayQuery(table, range, config) as {
    aggs: { rows: { composite: { sources: { time: { date_histogram: Record<string, unknown> } }[] } } };
  };
  assert.equal(body.aggs.rows.composite.sources[0]!.time.date_histogram.fixed_interval, '60m');
  assert.equal(body.aggs.rows.composite.sources[0]!.time.date_histogram.time_zone, 'Europe/Berlin');
  const hours = bucketStarts(range, 60);
  assert.equal(hours.length, 25);
  const file = (stamps: string[]) =>
    `timestamp,source,destination,count,bytes\n${stamps.map((s) => `${s},a1b2c3d4e5f60718,google.com,1,2`).join('\n')}\n`;
  assert.equal(checkDayFile(file(hours.map((d) => isoUtc(d))), table, range).status, 'ok');
  const quarter = isoUtc(hours[3]!.getTime() + 15 * 60_000);
  const bad = checkDayFile(file([quarter]), table, range);
  assert.equal(bad.status, 'corrupt');
  assert.match(bad.detail, /not on a 60-minute boundary/);
  // The same file is fine for a 15-minute table.
  const quarterly = configWith({}, 'Europe/Berlin').tables[0]!;
  assert.equal(checkDayFile(file([quarter]), quarterly, range).status, 'ok');
});

test('analysis reads an hourly table per hour: no 15-minute values are made up', () => {
  const table = configWith({ interval: '1h' }).tables[0]!;
  const day = '2026-11-24';
  const start = dayRange(day).start.getTime();
  const frame = aq.table({
    time: [new Date(start), new Date(start + 3_600_000)],
    source: ['a', 'a'],
    destination: ['x', 'y'],
    count: [5, 7],
    bytes: [50, 70],
  });
  const points = bucketSeries(
    { table, frame, days: [{ table: table.name, day, path: '', status: 'ok', detail: '' }] },
    'count',
    'UTC',
  );
  assert.equal(points.length, 24);
  assert.deepEqual(points.slice(0, 3), [
    { t: start, value: 5 },
    { t: start + 3_600_000, value: 7 },
    { t: start + 7_200_000, value: 0 },
  ]);
});

test('the data package records the bound and the interval, describes "(other)", and keeps old bytes', () => {
  const plain = validateConfig({}).config!;
  const plainPackage = formatDataPackage(
    buildDataPackage({ version: '1', settings: settingsOf(plain), files: [] }),
  );
  // Without the new settings nothing new is written (existing repositories keep their bytes).
  assert.doesNotMatch(plainPackage, /row_bound|interval|other|per hour/);

  const config = configWith({ interval: '1h', row_bound: { top: 500, by: 'bytes' } });
  const input = {
    version: '1',
    settings: settingsOf(config),
    files: [{ table: 'internal_to_external', day: '2026-11-24', partial: false }],
  };
  const descriptor = buildDataPackage(input) as {
    description: string;
    resources: { description: string; schema: { fields: { name: string; description: string }[] } }[];
    netlog: { tables: Record<string, unknown>[] };
  };
  assert.deepEqual(descriptor.netlog.tables[0]!.row_bound, { top: 500, by: 'bytes' });
  assert.equal(descriptor.netlog.tables[0]!.interval, '1h');
  assert.match(descriptor.description, /per hour for internal_to_external/);
  const resource = descriptor.resources[0]!;
  assert.match(resource.description, /one row per hourly bucket/);
  assert.match(resource.description, /At most 501 rows per bucket: the 500 keys with the largest bytes/);
  assert.match(resource.description, /"\(other\)"/);
  assert.match(resource.schema.fields[0]!.description, /start of the hourly bucket.*timestamp \+ 60 min/);
  for (const f of resource.schema.fields.filter((x) => x.name === 'source' || x.name === 'destination'))
    assert.match(f.description, /"\(other\)" in the row that holds the bucket's other keys/);
  const readme = buildDataReadme(input);
  assert.match(readme, /\*\*hourly\*\* bucket/);
  assert.match(readme, /\*\*Row bound\.\*\* At most 501 rows per bucket/);

  // The record round-trips, and read-only commands get the settings back from it.
  const read = readRecordedSettings(JSON.parse(formatDataPackage(descriptor)));
  assert.ok('settings' in read);
  assert.deepEqual(settingsDifferences(read.settings, settingsOf(config)), []);
  const [t] = tablesFromRecord(read.settings);
  assert.equal(t!.interval, '1h');
  assert.deepEqual(t!.row_bound, { top: 500, by: 'bytes' });
  // Another bucket size or bound is a contradiction: the files would mean something else.
  assert.deepEqual(settingsDifferences(read.settings, settingsOf(configWith({}))), [
    'table internal_to_external as timestamp(1h),source(ip),destination(host),count(count),bytes(sum network.bytes) top 500 by bytes (this run: timestamp,source(ip),destination(host),count(count),bytes(sum network.bytes))',
  ]);
});

const stats = (distinct: number[], docs: number[]): BucketStats[] =>
  distinct.map((d, i) => ({ time: i * 900_000, docs: docs[i]!, distinct: [d, 3] }));

test('doctor: the bucket statistics query and answer are read strictly', () => {
  const config = configWith({ interval: '1h' });
  const table = config.tables[0]!;
  const body = buildBucketStatsQuery(table, dayRange('2026-11-24'), config) as {
    aggs: { time: { date_histogram: { fixed_interval: string }; aggs: Record<string, unknown> } };
  };
  assert.equal(body.aggs.time.date_histogram.fixed_interval, '60m');
  assert.deepEqual(body.aggs.time.aggs.card0, {
    cardinality: { field: 'source.ip', precision_threshold: 10_000 },
  });
  assert.deepEqual(
    readBucketStats(
      { time: { buckets: [{ key: 0, doc_count: 9, card0: { value: 4 }, card1: { value: 2 } }] } },
      2,
    ),
    [{ time: 0, docs: 9, distinct: [4, 2] }],
  );
  assert.throws(
    () => readBucketStats({ time: { buckets: [{ key: 0, doc_count: -1, card0: { value: 4 } }] } }, 1),
    /whole counts/,
  );
  assert.throws(() => readBucketStats({}, 1), /no time buckets/);
});

test('doctor: keys per bucket interpolated from the sampled buckets, never above the documents', () => {
  const s = stats([10, 20, 40, 80, 0], [100, 100, 100, 30, 0]);
  const sampled = sampleBuckets(s);
  // Fewest, median and most distinct sources among the buckets with documents.
  assert.deepEqual(
    sampled.map((b) => b.distinct[0]),
    [10, 40, 80],
  );
  const keys = keysPerBucket(
    s,
    new Map([
      [0, 15],
      [1_800_000, 60],
      [2_700_000, 30],
    ]),
  );
  // 20 lies between 10 (15 keys) and 40 (60 keys): 30; 80 was counted exactly (30); an empty bucket: 0.
  assert.deepEqual(keys, [15, 30, 60, 30, 0]);
});

test('doctor: the day file size, the yearly growth, and the warning that names the fix', () => {
  const table = configWith({}).tables[0]!;
  assert.equal(averageRowBytes(table, 16), 20 + 16 + 11 + 2 + 6 + 5);
  const small = estimateDaySize(table, [100, 200], 16);
  assert.equal(small.rows, 300);
  assert.equal(small.dayFileBytes, 300 * 60);
  assert.equal(small.yearlyPackedBytes, Math.round(300 * 60 * 365 * PACKING_RATIO));
  assert.equal(small.warning, undefined);
  const perBucket = Math.ceil(WARN_DAY_FILE_BYTES / 60 / 96) + 1;
  const big = estimateDaySize(
    table,
    Array.from({ length: 96 }, () => perBucket),
    16,
  );
  assert.match(
    big.warning!,
    /internal_to_external: a day file of ~50\.\d MB would pass 50\.0 MB .*row_bound: \{ top: 1000 \}.*interval: 1h/,
  );
  const bounded: TableConfig = { ...table, row_bound: { top: 1000, by: 'count' } };
  const fixed = estimateDaySize(
    bounded,
    Array.from({ length: 96 }, () => perBucket),
    16,
  );
  assert.equal(fixed.rows, 96 * 1001);
  assert.equal(fixed.unboundedRows, 96 * perBucket);
  assert.equal(fixed.warning, undefined);
});

test('plot and report on an hourly table: 15-minute steps refused, hours kept as they are', async () => {
  const tmp = await tempDir('hourly-plot');
  try {
    const days = ['2026-11-23', '2026-11-24'];
    const data = join(tmp.path, 'data');
    // The generator's websites files, summed into hours here: what an hourly websites table holds.
    const perHour = new Map<string, number>();
    for (const day of days) {
      const { rows } = sampleDayTables(day, { seed: 3, docsPerDay: 4000, anomalies: false }).websites!;
      const hours = new Map<string, { count: number; bytes: number }>();
      for (const [t, domain, count, bytes] of rows as [string, string, number, number][]) {
        const key = `${t.slice(0, 13)}:00:00Z,${domain}`;
        const h = hours.get(key) ?? hours.set(key, { count: 0, bytes: 0 }).get(key)!;
        h.count += count;
        h.bytes += bytes;
        perHour.set(`${t.slice(0, 13)}:00:00Z`, (perHour.get(`${t.slice(0, 13)}:00:00Z`) ?? 0) + count);
      }
      const path = dayFilePath(data, 'websites', day);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(
        path,
        formatCsv(
          ['timestamp', 'domain', 'count', 'bytes'],
          [...hours]
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, h]) => [...k.split(','), h.count, h.bytes]),
        ),
      );
    }
    const websites = validateConfig({}).config!.tables.find((t) => t.name === 'websites')!;
    const config = join(tmp.path, 'netlog.json');
    await writeFile(config, JSON.stringify({ tables: [{ ...websites, interval: '1h' }] }));
    const lines: string[] = [];
    const ctx: CommandContext = {
      log: pino({ level: 'silent' }),
      now: new Date('2026-11-25T06:00:00Z'),
      env: {},
      signal: new AbortController().signal,
      out: (line) => lines.push(line),
      isTTY: false,
    };
    const base = { data, config, from: days[0]!, to: days[1]!, tables: ['websites'], metric: 'count' };
    const svg = join(tmp.path, 'p.svg');
    await assert.rejects(
      plot({ ...base, resample: '15m', out: svg }, ctx),
      (err: Error) =>
        err instanceof UsageError &&
        /--resample 15m: websites has hourly buckets \(interval 1h\): use --resample 1h or 1d/.test(
          err.message,
        ),
    );
    const csv = join(tmp.path, 'p.csv');
    assert.equal(await plot({ ...base, resample: '1h', out: svg, csv }, ctx), 0);
    const { rows } = parseCsv(await readFile(csv, 'utf8'));
    assert.equal(rows.length, 48);
    assert.deepEqual(Object.fromEntries(rows.map(([t, v]) => [t, Number(v)])), Object.fromEntries(perHour));
  } finally {
    await tmp.cleanup();
  }
});
