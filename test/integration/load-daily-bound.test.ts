import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { readCsvRecords, useSampleSuite } from '../helpers/sample.js';
import { defaultConfig } from '../../src/config/validate.js';

// Row bound and hourly flow tables (issue 18, item 4) on a real node: a day of a 2,000-host network,
// loaded with and without the bound, at 15 minutes and hourly. Every total is checked against the
// unbounded file summed here and against the generator's own counts (sample load --expected).

const PREFIX = 'it-bound-';
const DAY = '2026-11-24';
const KEY = 'integration-bound-key-0123456789';
const TOP = 40;
const FLOWS = ['internal_to_internal', 'internal_to_external'] as const;

const suite = useSampleSuite({
  label: 'bound',
  prefix: PREFIX,
  sample: { days: 1, end: DAY, docsPerDay: 40_000, seed: 5, hosts: 2000 },
});

const netlog = (args: string[]) =>
  runCli(args, {
    env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-25T06:00:00Z' },
  });

type Variant = 'unbounded' | 'bounded' | 'hourly' | 'hourly-bounded';
const VARIANTS: Record<Variant, Record<string, unknown>> = {
  unbounded: {},
  bounded: { row_bound: { top: TOP } },
  hourly: { interval: '1h' },
  'hourly-bounded': { interval: '1h', row_bound: { top: TOP, by: 'bytes' } },
};

const configPath = (v: Variant) => join(suite.dir, `config-${v}.json`);
const dataDir = (v: Variant) => join(suite.dir, `data-${v}`);
const csvPath = (v: Variant, table: string) => join(dataDir(v), table, DAY.slice(0, 4), `${DAY}.csv`);

/** Per bucket (timestamp): summed count and bytes, and the rows. */
async function buckets(v: Variant, table: string) {
  const { records } = await readCsvRecords(csvPath(v, table));
  const out = new Map<string, { count: number; bytes: number; rows: Record<string, string>[] }>();
  for (const r of records) {
    const b =
      out.get(r.timestamp!) ?? out.set(r.timestamp!, { count: 0, bytes: 0, rows: [] }).get(r.timestamp!)!;
    b.count += Number(r.count);
    b.bytes += Number(r.bytes);
    b.rows.push(r);
  }
  return out;
}

const totalsOf = (m: Awaited<ReturnType<typeof buckets>>) =>
  new Map([...m].map(([t, b]) => [t, { count: b.count, bytes: b.bytes }]));

describe('flow tables with a row bound and hourly buckets', () => {
  before(async () => {
    await suite.ready;
    const base = JSON.parse(await readFile(suite.config, 'utf8')) as { tables: { name: string }[] };
    for (const [v, extra] of Object.entries(VARIANTS) as [Variant, Record<string, unknown>][]) {
      const tables = base.tables.filter((t) => (FLOWS as readonly string[]).includes(t.name));
      await writeFile(configPath(v), JSON.stringify({ tables: tables.map((t) => ({ ...t, ...extra })) }));
      const result = await netlog([
        'load-daily',
        '--date',
        DAY,
        '--config',
        configPath(v),
        '--data',
        dataDir(v),
        '--es',
        suite.es.url,
      ]);
      assert.equal(result.code, 0, `${v}: ${result.stderr}`);
    }
  });

  for (const table of FLOWS) {
    test(`${table}: the bound keeps every bucket's totals, at most ${TOP + 1} rows a bucket`, async () => {
      const full = await buckets('unbounded', table);
      const bounded = await buckets('bounded', table);
      assert.deepEqual(totalsOf(bounded), totalsOf(full));
      // The day's totals are the generator's, so neither file lost anything.
      const day = [...full.values()].reduce(
        (s, b) => ({ count: s.count + b.count, bytes: s.bytes + b.bytes }),
        {
          count: 0,
          bytes: 0,
        },
      );
      assert.deepEqual(day, suite.expected.days[DAY]!.flows[table]);
      const keyColumns = defaultConfig()
        .tables.find((t) => t.name === table)!
        .levels.map((l) => l.column);
      const keyOf = (r: Record<string, string>) => keyColumns.map((c) => r[c]).join('|');
      let folded = 0;
      for (const [time, b] of bounded) {
        const input = full.get(time)!;
        assert.ok(b.rows.length <= TOP + 1, `${time}: ${b.rows.length} rows`);
        const others = b.rows.filter((r) => keyColumns.every((c) => r[c] === '(other)'));
        assert.equal(others.length, input.rows.length > TOP ? 1 : 0, time);
        if (others.length === 0) {
          assert.deepEqual(b.rows, input.rows);
          continue;
        }
        folded++;
        assert.equal(b.rows.at(-1), others[0]);
        // The kept rows are the unbounded rows with the most documents, unchanged.
        const byKey = new Map(input.rows.map((r) => [keyOf(r), r]));
        const kept = b.rows.slice(0, -1);
        for (const r of kept) assert.deepEqual(r, byKey.get(keyOf(r)));
        const keptKeys = new Set(kept.map(keyOf));
        const lowest = Math.min(...kept.map((r) => Number(r.count)));
        for (const r of input.rows) if (!keptKeys.has(keyOf(r))) assert.ok(Number(r.count) <= lowest);
      }
      assert.ok(folded > 0, 'no bucket had more keys than the bound: the test would prove nothing');
    });

    test(`${table}: hourly buckets hold the generator's hourly counts, bounded or not`, async () => {
      const expected = suite.expected.days[DAY]!.flowHours[table];
      const hourly = await buckets('hourly', table);
      for (const t of hourly.keys()) assert.match(t, /T\d\d:00:00Z$/);
      assert.deepEqual(
        Object.fromEntries(totalsOf(hourly)),
        Object.fromEntries(
          Object.entries(expected).map(([t, cb]) => [t, { count: cb.count, bytes: cb.bytes }]),
        ),
      );
      const hourlyBounded = await buckets('hourly-bounded', table);
      assert.deepEqual(totalsOf(hourlyBounded), totalsOf(hourly));
      for (const b of hourlyBounded.values()) assert.ok(b.rows.length <= TOP + 1);
    });
  }

  test('verify finds every bounded and hourly day file complete, and equal to Elasticsearch', async () => {
    for (const v of Object.keys(VARIANTS) as Variant[]) {
      const result = await netlog([
        'verify',
        '--against-es',
        '--from',
        DAY,
        '--to',
        DAY,
        '--config',
        configPath(v),
        '--data',
        dataDir(v),
        '--es',
        suite.es.url,
      ]);
      assert.equal(result.code, 0, `${v}: ${result.stdout}${result.stderr}`);
    }
  });

  test('a 15-minute file read as an hourly table is corrupt (verify exit 3), not silently resampled', async () => {
    const result = await netlog([
      'verify',
      '--from',
      DAY,
      '--to',
      DAY,
      '--config',
      configPath('hourly'),
      '--data',
      dataDir('unbounded'),
    ]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, /not on a 60-minute boundary/);
  });

  test('doctor --estimate: rows near the real files, the bound applied, the yearly growth', async () => {
    const result = await netlog([
      'doctor',
      '--estimate',
      '--date',
      DAY,
      '--config',
      configPath('bounded'),
      '--data',
      join(suite.dir, 'doctor-data'),
      '--es',
      suite.es.url,
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    for (const table of FLOWS) {
      const line = new RegExp(
        `^size {4}${table} ${DAY}: ~([\\d,]+) rows(?: \\(([\\d,]+) without the row bound\\))?, a day file of ~[\\d.]+ [kMG]B; ~[\\d.]+ [kMG]B a year in the packed repository$`,
        'm',
      ).exec(result.stdout);
      assert.ok(line, result.stdout);
      const num = (s: string | undefined) => Number((s ?? '').replace(/,/g, ''));
      const realFull = [...(await buckets('unbounded', table)).values()].reduce(
        (s, b) => s + b.rows.length,
        0,
      );
      const realBounded = [...(await buckets('bounded', table)).values()].reduce(
        (s, b) => s + b.rows.length,
        0,
      );
      // Approximate by design (cardinalities): within a quarter of the real files.
      const unbounded = line[2] === undefined ? num(line[1]) : num(line[2]);
      assert.ok(Math.abs(unbounded - realFull) <= realFull / 4, `${table}: ~${unbounded} for ${realFull}`);
      assert.ok(
        Math.abs(num(line[1]) - realBounded) <= realBounded / 4,
        `${table}: ~${line[1]} for ${realBounded}`,
      );
    }
    assert.match(
      result.stdout,
      /^size {4}all tables: ~[\d.]+ [kMG]B a year in the packed repository \(approximate/m,
    );
  });
});
