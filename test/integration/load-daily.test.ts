import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import {
  listFiles,
  loadSampleDays,
  readCsvRecords,
  useSampleSuite,
  writeTestConfig,
} from '../helpers/sample.js';
import { defaultConfig } from '../../src/config/validate.js';
import { AUTO_MAX_PAGE } from '../../src/extract/page-size.js';
import { planRequests } from '../../src/extract/plan-requests.js';
import { scanForLeaks, secretForms } from '../helpers/scan-leaks.js';

const PREFIX = 'it-daily-';
const DAY = '2026-11-24';
const TIME_SERIES = ['total', 'dns', 'dhcp', 'http', 'tls', 'flow', 'firewall'] as const;
const KEY = 'integration-test-key-0123456789';

const suite = useSampleSuite({
  label: 'daily',
  prefix: PREFIX,
  sample: { days: 2, end: DAY, docsPerDay: 8000, seed: 11 },
});

const netlog = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, {
    env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-25T06:00:00Z', ...env },
  });

describe('load-daily on a generated day', () => {
  let data: string;
  let firstRun: Map<string, string>;

  before(async () => {
    data = join(suite.dir, 'data');
    const result = await netlog([
      'load-daily',
      '--date',
      DAY,
      '--config',
      suite.config,
      '--data',
      data,
      '--es',
      suite.es.url,
    ]);
    assert.equal(result.code, 0, result.stderr);
    firstRun = new Map();
    for (const f of await listFiles(data))
      firstRun.set(
        f,
        createHash('sha256')
          .update(await readFile(join(data, f)))
          .digest('hex'),
      );
  });

  test('writes one file per table for the day', () => {
    assert.deepEqual(
      [...firstRun.keys()],
      [
        'dhcp/2026/2026-11-24.csv',
        'dns/2026/2026-11-24.csv',
        'firewall/2026/2026-11-24.csv',
        'flow/2026/2026-11-24.csv',
        'http/2026/2026-11-24.csv',
        'internal_to_external/2026/2026-11-24.csv',
        'internal_to_internal/2026/2026-11-24.csv',
        'tls/2026/2026-11-24.csv',
        'total/2026/2026-11-24.csv',
        'websites/2026/2026-11-24.csv',
      ],
    );
  });

  test("every time series has 96 rows equal to the generator's counts and byte sums", async () => {
    for (const table of TIME_SERIES) {
      const { header, records } = await readCsvRecords(join(data, `${table}/2026/${DAY}.csv`));
      assert.deepEqual(header, ['timestamp', 'count', 'bytes']);
      assert.equal(records.length, 96, table);
      const want =
        table === 'total' ? suite.expected.days[DAY]!.total : suite.expected.days[DAY]!.protocols[table];
      for (const r of records) {
        assert.deepEqual(
          { count: Number(r.count), bytes: Number(r.bytes) },
          want[r.timestamp!],
          `${table} ${r.timestamp}`,
        );
      }
    }
  });

  test("flow tables' totals equal the generator's flow totals", async () => {
    for (const table of ['internal_to_internal', 'internal_to_external'] as const) {
      const { records } = await readCsvRecords(join(data, `${table}/2026/${DAY}.csv`));
      const got = records.reduce(
        (s, r) => ({ count: s.count + Number(r.count), bytes: s.bytes + Number(r.bytes) }),
        { count: 0, bytes: 0 },
      );
      assert.deepEqual(got, suite.expected.days[DAY]!.flows[table], table);
      assert.ok(
        records.every(
          (r) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/.test(r.timestamp!) && r.timestamp!.startsWith(DAY),
        ),
      );
    }
  });

  test('subdomains are merged into their registrable domain with summed metrics', async () => {
    const sumBy = (records: Record<string, string>[], column: string) => {
      const out: Record<string, { count: number; bytes: number }> = {};
      for (const r of records) {
        const a = (out[r[column]!] ??= { count: 0, bytes: 0 });
        a.count += Number(r.count);
        a.bytes += Number(r.bytes);
      }
      return out;
    };
    const websites = sumBy((await readCsvRecords(join(data, `websites/2026/${DAY}.csv`))).records, 'domain');
    assert.deepEqual(websites, suite.expected.days[DAY]!.websites);
    // google.com gathers www., mail. and apis.google.com; no subdomain survives as its own row.
    assert.ok(websites['google.com']!.count > 0);
    assert.ok(!Object.keys(websites).some((d) => d.startsWith('www.') || d.startsWith('mail.')));
    const i2e = sumBy(
      (await readCsvRecords(join(data, `internal_to_external/2026/${DAY}.csv`))).records,
      'destination',
    );
    for (const [domain, totals] of Object.entries(suite.expected.days[DAY]!.externalDomains))
      assert.deepEqual(i2e[domain], totals, domain);
    // Merging really happened: one (bucket, source, domain) row stands for several raw buckets.
    const { records } = await readCsvRecords(join(data, `internal_to_external/2026/${DAY}.csv`));
    const keys = new Set(records.map((r) => `${r.timestamp}|${r.source}|${r.destination}`));
    assert.equal(keys.size, records.length, 'no duplicate keys after merging');
  });

  test('no address in any spelling appears in any CSV or in the log (the independent oracle)', async () => {
    const { files, leaks } = await scanForLeaks([data, suite.logFile], secretForms([KEY]));
    assert.deepEqual(leaks, []);
    assert.ok(files >= firstRun.size, `${files} files scanned`);
    assert.ok(!(await readFile(suite.logFile, 'utf8')).includes(KEY), 'the hash key is never logged');
  });

  test('a second run leaves byte-identical files', async () => {
    const result = await netlog([
      'load-daily',
      '--date',
      DAY,
      '--config',
      suite.config,
      '--data',
      data,
      '--es',
      suite.es.url,
    ]);
    assert.equal(result.code, 0, result.stderr);
    for (const [f, hash] of firstRun) {
      assert.equal(
        createHash('sha256')
          .update(await readFile(join(data, f)))
          .digest('hex'),
        hash,
        f,
      );
    }
    assert.deepEqual(await listFiles(data), [...firstRun.keys()], 'no temp files left behind');
  });

  test('the log has one line per table with rows, buckets, took and wall time', async () => {
    const lines = (await readFile(suite.logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const loaded = lines.filter((l) => l.msg === 'table day loaded' && l.day === DAY);
    assert.equal(loaded.length, 20, 'ten tables, two runs');
    const dns = loaded.find((l) => l.table === 'dns')!;
    assert.equal(dns.rows, 96);
    assert.equal(typeof dns.tookMs, 'number');
    assert.equal(typeof dns.wallMs, 'number');
    assert.equal(
      dns.count,
      Object.values(suite.expected.days[DAY]!.protocols.dns).reduce((s, b) => s + b.count, 0),
    );
    // The planned requests (src/extract/plan-requests.ts): the seven time series share one request
    // a run, charged to the table that took its rows first; websites and the flow tables are one
    // walk per fallback field; an unsplit table, one request per full page and one for the last.
    const config = defaultConfig();
    for (const run of [loaded.slice(0, 10), loaded.slice(10)]) {
      const series = run.filter((l) => (TIME_SERIES as readonly string[]).includes(String(l.table)));
      assert.equal(series.length, TIME_SERIES.length);
      assert.equal(
        series.reduce((s, l) => s + Number(l.requests), 0),
        1,
        'one request for all the time series',
      );
      for (const l of run) {
        const table = config.tables.find((t) => t.name === l.table)!;
        if (table.levels.length === 0) continue;
        // A small day: every split walk's first page (a share of AUTO_MAX_PAGE) is its last.
        const split = planRequests(config.tables).splits.get(table.name);
        const expected = split ? split.fields.length : Math.floor(Number(l.buckets) / AUTO_MAX_PAGE) + 1;
        assert.equal(l.requests, expected, `${String(l.table)}: ${String(l.buckets)} buckets`);
      }
    }
  });

  test('the planned requests write the bytes of one request walk per table with small pages', async () => {
    const backfill = (config: string, data: string) =>
      netlog([
        'load-backfill',
        '--from',
        '2026-11-21',
        '--to',
        DAY,
        '--config',
        config,
        '--data',
        data,
        '--es',
        suite.es.url,
      ]);
    const perTable = join(suite.dir, 'per-table.json');
    const base = JSON.parse(await readFile(suite.config, 'utf8')) as Record<string, unknown>;
    await writeFile(
      perTable,
      JSON.stringify({ ...base, es: { ...(base.es as object), query_plan: 'per-table', page_size: 50 } }),
    );
    const other = join(suite.dir, 'data-per-table');
    const result = await backfill(perTable, other);
    assert.equal(result.code, 0, result.stderr);
    const planned = join(suite.dir, 'data-planned');
    const again = await backfill(suite.config, planned);
    assert.equal(again.code, 0, again.stderr);
    const files = await listFiles(planned);
    assert.deepEqual(files, await listFiles(other));
    // Two days without data, then the two generated days: 40 files.
    assert.equal(files.filter((f) => f.endsWith('.csv')).length, 40);
    for (const f of files)
      assert.equal(await readFile(join(planned, f), 'utf8'), await readFile(join(other, f), 'utf8'), f);
  });
});

describe('bad input exits 2 with one clear line and writes nothing', () => {
  const cases: [string, string[], RegExp, NodeJS.ProcessEnv?][] = [
    ['impossible date', ['--date', '2026-02-30'], /not a calendar date/],
    ['a word for a date', ['--date', 'yesterday'], /not a date: use YYYY-MM-DD/],
    ['a future date', ['--date', '2026-12-01'], /in the future/],
    ['today without --partial', ['--date', '2026-11-25'], /today and not over yet/],
    ['unknown table', ['--tables', 'dns,nope'], /unknown table\(s\) nope: configured tables are total, dns/],
    ['no hash key', [], /no pseudonymisation key: set NETLOG_HASH_KEY/, { NETLOG_HASH_KEY: '' }],
  ];
  for (const [name, args, message, env] of cases) {
    test(name, async () => {
      const data = join(suite.dir, `bad-${name.replace(/\W/g, '-')}`);
      const result = await netlog(
        ['load-daily', '--config', suite.config, '--data', data, '--es', suite.es.url, ...args],
        env,
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.deepEqual(await listFiles(data), []);
    });
  }

  test('a config file with wrong types and unknown keys names every bad path', async () => {
    const bad = join(suite.dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        tables: [{ name: 'dns', index: 5, levels: [{ column: 'x', fields: [], transform: 'nope' }] }],
        colour: 'blue',
      }),
    );
    const data = join(suite.dir, 'bad-config');
    const result = await netlog(['load-daily', '--config', bad, '--data', data, '--es', suite.es.url]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /tables\[0\]\.index: Invalid input: expected string, received number/);
    assert.match(result.stderr, /tables\[0\]\.levels\[0\]\.fields/);
    assert.match(result.stderr, /unknown key\(s\) "colour"/);
    assert.deepEqual(await listFiles(data), []);
  });
});

test('Elasticsearch not running: exit 1, the URL named, no file touched', async () => {
  const data = join(suite.dir, 'down');
  const result = await netlog(
    ['load-daily', '--date', DAY, '--config', suite.config, '--data', data, '--es', 'http://localhost:9'],
    {
      NETLOG_CONFIG: '',
    },
  );
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /Elasticsearch at http:\/\/localhost:9 refused the connection: is it running\? check ES_URL/,
  );
  assert.deepEqual(await listFiles(data), []);
});

test('a day not over yet is refused, and written as .partial.csv with --partial', async () => {
  const data = join(suite.dir, 'partial');
  const noon = { NETLOG_NOW: `${DAY}T12:05:00Z` };
  const refused = await netlog(
    [
      'load-daily',
      '--date',
      DAY,
      '--tables',
      'dns',
      '--config',
      suite.config,
      '--data',
      data,
      '--es',
      suite.es.url,
    ],
    noon,
  );
  assert.equal(refused.code, 2);
  const partial = await netlog(
    [
      'load-daily',
      '--date',
      DAY,
      '--tables',
      'dns',
      '--partial',
      '--config',
      suite.config,
      '--data',
      data,
      '--es',
      suite.es.url,
    ],
    noon,
  );
  assert.equal(partial.code, 0, partial.stderr);
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-24.partial.csv']);
  const { records } = await readCsvRecords(join(data, `dns/2026/${DAY}.partial.csv`));
  assert.equal(records.length, 49, 'buckets 00:00 … 12:00');
  const complete = await netlog([
    'load-daily',
    '--date',
    DAY,
    '--tables',
    'dns',
    '--config',
    suite.config,
    '--data',
    data,
    '--es',
    suite.es.url,
  ]);
  assert.equal(complete.code, 0, complete.stderr);
  assert.deepEqual(
    await listFiles(data),
    ['dns/2026/2026-11-24.csv'],
    'the complete file replaces the partial one',
  );
});

test('a daylight-saving day in Europe/Berlin has 100 buckets matching the UTC counts', async () => {
  const dst = await loadSampleDays(suite.es.url, suite.dir, {
    prefix: PREFIX,
    days: 2,
    end: '2026-10-25',
    docsPerDay: 2000,
    seed: 12,
    anomalies: false,
  });
  const berlin = await writeTestConfig(suite.dir, PREFIX, { timezone: 'Europe/Berlin' });
  const data = join(suite.dir, 'dst');
  const result = await netlog([
    'load-daily',
    '--date',
    '2026-10-25',
    '--tables',
    'total',
    '--config',
    berlin,
    '--data',
    data,
    '--es',
    suite.es.url,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const { records } = await readCsvRecords(join(data, 'total/2026/2026-10-25.csv'));
  assert.equal(records.length, 100);
  assert.equal(records[0]!.timestamp, '2026-10-24T22:00:00Z');
  assert.equal(records[99]!.timestamp, '2026-10-25T22:45:00Z');
  const utc = { ...dst.days['2026-10-24']!.total, ...dst.days['2026-10-25']!.total };
  for (const r of records)
    assert.deepEqual({ count: Number(r.count), bytes: Number(r.bytes) }, utc[r.timestamp!], r.timestamp);
});
