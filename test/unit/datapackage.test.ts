import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  buildDataPackage,
  formatDataPackage,
  readRecordedSettings,
  settingsDifferences,
  settingsOf,
  tablesFromRecord,
} from '../../src/datapackage/descriptor.js';
import { buildDataReadme, completeDaysGlob } from '../../src/datapackage/readme.js';
import { writeDataPackage } from '../../src/datapackage/files.js';
import { defaultConfig, validateConfig } from '../../src/config/validate.js';
import { tableColumns } from '../../src/store/layout.js';
import { pythonTool, runTool } from '../helpers/python.js';
import { writeSampleTimeSeries } from '../helpers/sample-csv.js';
import type { DayFileRef } from '../../src/store/layout.js';

const zurich = (): ReturnType<typeof defaultConfig> => ({ ...defaultConfig(), timezone: 'Europe/Zurich' });
const ref = (table: string, day: string, partial = false): DayFileRef => ({ table, day, partial });

interface Resource {
  name: string;
  path: string[];
  schema: { fields: { name: string; type: string; unit?: string }[]; primaryKey: string[] };
  netlog: {
    first_day: string;
    last_day: string;
    days: number;
    missing_days: string[];
    partial_days: string[];
  };
}

test('one resource per table with complete days: its files in day order, gaps and partial days listed', () => {
  const config = zurich();
  const files = [
    ref('dns', '2026-11-24'),
    ref('dns', '2026-11-21'),
    ref('dns', '2026-11-23', true),
    ref('dns', '2026-11-22'),
    ref('websites', '2026-11-24'),
    ref('tls', '2026-11-24', true), // only partial: no resource
    ref('unknown_table', '2026-11-24'), // neither configured nor recorded: not netlog's to describe
  ];
  const pkg = buildDataPackage({ version: '9.9.9', settings: settingsOf(config), files }) as {
    resources: Resource[];
    netlog: Record<string, unknown>;
  };
  assert.deepEqual(
    pkg.resources.map((r) => r.name),
    ['dns', 'websites'],
  );
  const dns = pkg.resources[0]!;
  assert.deepEqual(dns.path, [
    'dns/2026/2026-11-21.csv',
    'dns/2026/2026-11-22.csv',
    'dns/2026/2026-11-24.csv',
  ]);
  assert.deepEqual(dns.netlog, {
    first_day: '2026-11-21',
    last_day: '2026-11-24',
    days: 3,
    missing_days: ['2026-11-23'],
    partial_days: ['2026-11-23'],
  });
  // The schema's columns are the day files' columns, in order (layout's own list, not the schema's).
  const websites = pkg.resources[1]!;
  const table = config.tables.find((t) => t.name === 'websites')!;
  assert.deepEqual(
    websites.schema.fields.map((f) => f.name),
    tableColumns(table),
  );
  assert.deepEqual(
    websites.schema.fields.map((f) => [f.type, f.unit]),
    [
      ['datetime', undefined],
      ['string', undefined],
      ['integer', 'events'],
      ['number', 'bytes'],
    ],
  );
  assert.deepEqual(websites.schema.primaryKey, ['timestamp', 'domain']);
  assert.equal(pkg.netlog.timezone, 'Europe/Zurich');
  assert.equal(pkg.netlog.version, '9.9.9');
  assert.deepEqual(pkg.netlog.coverage, { first_day: '2026-11-21', last_day: '2026-11-24' });
  // No clock inside: the same input gives the same bytes.
  const again = buildDataPackage({
    version: '9.9.9',
    settings: settingsOf(config),
    files: [...files].reverse(),
  });
  assert.equal(formatDataPackage(again), formatDataPackage(pkg));
});

test('the key record lands in the pseudonym scheme', () => {
  const key = {
    algorithm: 'hmac-sha256',
    length: 16,
    fingerprint: 'ab12cd34ef56ab78',
    epochs: [{ from: '2026-01-01' }],
  };
  const pkg = buildDataPackage({
    version: '1',
    settings: settingsOf(defaultConfig()),
    files: [ref('total', '2026-11-24')],
    key,
  }) as { netlog: { pseudonym: unknown } };
  assert.deepEqual(pkg.netlog.pseudonym, {
    algorithm: 'hmac-sha256',
    length: 16,
    fingerprint: 'ab12cd34ef56ab78',
    epochs: [{ from: '2026-01-01' }],
  });
});

test('recorded settings round-trip, and every contradiction is named', () => {
  const config = zurich();
  const text = formatDataPackage(
    buildDataPackage({ version: '1', settings: settingsOf(config), files: [ref('dns', '2026-11-24')] }),
  );
  const read = readRecordedSettings(JSON.parse(text));
  assert.ok('settings' in read, JSON.stringify(read));
  assert.deepEqual(settingsDifferences(read.settings, settingsOf(config)), []);
  assert.deepEqual(
    tablesFromRecord(read.settings).map((t) => tableColumns(t)),
    config.tables.map((t) => tableColumns(t)),
  );

  const utc = validateConfig({}).config!;
  assert.deepEqual(settingsDifferences(read.settings, settingsOf(utc)), [
    'timezone Europe/Zurich (this run: UTC)',
  ]);
  const other = validateConfig({
    timezone: 'Europe/Zurich',
    pseudonym: { length: 20 },
    tables: [
      { name: 'dns', index: 'x', metrics: [{ name: 'count', type: 'count' }] }, // bytes dropped
      { name: 'brand_new', index: 'y' }, // a new table: no contradiction
    ],
  }).config!;
  assert.deepEqual(settingsDifferences(read.settings, settingsOf(other)), [
    'pseudonyms hmac-sha256/16 (this run: hmac-sha256/20)',
    'table dns as timestamp,count(count),bytes(sum network.bytes) (this run: timestamp,count(count))',
  ]);
});

test('a datapackage.json without a valid netlog block is refused with the reason', () => {
  assert.deepEqual(readRecordedSettings({ resources: [] }), {
    error: 'it has no "netlog" block (not written by netlog)',
  });
  const bad = readRecordedSettings({
    netlog: {
      timezone: 'Mars/Olympus',
      bucket_minutes: 15,
      pseudonym: { algorithm: 'hmac-sha256', length: 16 },
      tables: [],
    },
  });
  assert.ok('error' in bad);
  assert.match(bad.error, /netlog\.timezone: not a time zone/);
  assert.match(bad.error, /netlog\.tables/);
});

test('the README names the zone, every table and its columns, and loads a keyed table as text', () => {
  const config = zurich();
  const files = [ref('total', '2026-11-24'), ref('internal_to_external', '2026-11-24')];
  const readme = buildDataReadme({ version: '1.2.3', settings: settingsOf(config), files });
  assert.match(readme, /^<!-- generated by netlog 1\.2\.3 /);
  assert.match(readme, /calendar day in \*\*Europe\/Zurich\*\*/);
  assert.match(readme, /\| `total` \|/);
  assert.match(readme, /\| `internal_to_external` \|/);
  assert.doesNotMatch(readme, /\| `dns` \|/, 'a table without files is not listed');
  assert.ok(readme.includes(`glob.glob("${completeDaysGlob('internal_to_external')}")`));
  assert.ok(readme.includes('dtype={"source": str, "destination": str}'));
  assert.ok(readme.includes("types = {'source': 'VARCHAR', 'destination': 'VARCHAR'}"));
  assert.match(readme, /\*\*It is not\*\* reversible without the key/);
  // The pandas and DuckDB examples are three lines each.
  for (const lang of ['python', 'sql']) {
    const block = new RegExp(`\`\`\`${lang}\\n([^]*?)\`\`\``).exec(readme)?.[1] ?? '';
    assert.equal(block.trimEnd().split('\n').length, 3, `${lang}: ${block}`);
  }
});

test('frictionless validates the written package and its files; pandas and DuckDB load them as the README says', async (t) => {
  const frictionless = pythonTool('frictionless');
  const python = pythonTool('python');
  if ('skip' in frictionless || 'skip' in python) {
    t.skip('skip' in frictionless ? frictionless.skip : (python as { skip: string }).skip);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'netlog-package-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeSampleTimeSeries(dir, ['2026-11-22', '2026-11-23', '2026-11-24'], {
    seed: 42,
    docsPerDay: 20_000,
  });
  const log = pino({ level: 'silent' });
  const written = await writeDataPackage({ dataDir: dir, config: defaultConfig(), log });
  assert.deepEqual(written, ['datapackage.json', 'README.md']);
  assert.deepEqual(await writeDataPackage({ dataDir: dir, config: defaultConfig(), log }), [], 'unchanged');

  const valid = await runTool(frictionless.path, ['validate', '--json', 'datapackage.json'], { cwd: dir });
  const report = JSON.parse(valid.stdout) as {
    valid: boolean;
    tasks: { name: string; valid: boolean; stats: { rows: number } }[];
  };
  assert.equal(report.valid, true, valid.stdout.slice(0, 2000));
  assert.equal(valid.code, 0);
  const rows = Object.fromEntries(report.tasks.map((task) => [task.name, task.stats.rows]));
  assert.equal(rows.total, 3 * 96, 'every day file read, each header once');

  // A wrong value is caught: the package is a real contract, not decoration.
  const dns = join(dir, 'dns', '2026', '2026-11-23.csv');
  const lines = (await readFile(dns, 'utf8')).split('\n');
  lines[5] = lines[5]!.replace(/^([^,]+),\d+,/, '$1,-3,');
  await writeFile(dns, lines.join('\n'));
  const invalid = await runTool(frictionless.path, ['validate', '--json', 'datapackage.json'], { cwd: dir });
  assert.notEqual(invalid.code, 0);
  const problems = (
    JSON.parse(invalid.stdout) as { tasks: { name: string; errors: { message: string }[] }[] }
  ).tasks.flatMap((task) => task.errors.map((e) => `${task.name}: ${e.message}`));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /^dns: .*"-3".*"count".*constraint "minimum" is "0"/);

  // The README's three lines of pandas and of DuckDB, run as written.
  const readme = await readFile(join(dir, 'README.md'), 'utf8');
  const pandas = /```python\n([^]*?)```/.exec(readme)![1]!;
  const sql = /```sql\n([^]*?)```/.exec(readme)![1]!;
  const script = [
    pandas,
    'print(len(websites), websites["count"].sum(), str(websites["domain"].dtype), str(websites["timestamp"].dtype))',
    'import duckdb',
    `statements = [s for s in ${JSON.stringify(sql)}.split(";") if s.strip()]`,
    'duckdb.sql(statements[0])',
    'print(duckdb.sql("SELECT count(*), sum(count) FROM websites").fetchall()[0])',
    'print(duckdb.sql("SELECT count(*) FROM (" + statements[1] + ")").fetchall()[0][0])',
  ].join('\n');
  const ran = await runTool(python.path, ['-c', script], { cwd: dir });
  assert.equal(ran.code, 0, ran.stderr);
  const expected = await websitesTotals(dir);
  assert.deepEqual(ran.stdout.trim().split('\n'), [
    `${expected.rows} ${expected.count} str datetime64[us, UTC]`,
    `(${expected.rows}, ${expected.count})`,
    '72',
  ]);
});

/** Rows and summed counts of the websites day files, read here without pandas. */
async function websitesTotals(dir: string): Promise<{ rows: number; count: number }> {
  let rows = 0;
  let count = 0;
  for (const day of ['2026-11-22', '2026-11-23', '2026-11-24']) {
    const [header, ...lines] = (await readFile(join(dir, 'websites', '2026', `${day}.csv`), 'utf8'))
      .trimEnd()
      .split('\n');
    const at = header!.split(',').indexOf('count');
    for (const l of lines) {
      rows++;
      count += Number(l.split(',')[at]);
    }
  }
  return { rows, count };
}
