import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.js';
import { killChild } from '../helpers/children.js';
import { listFiles, readCsvRecords, useSampleSuite } from '../helpers/sample.js';
import { waitFor } from '../helpers/wait.js';
import { checkDayFile } from '../../src/store/check-day.js';
import { defaultConfig } from '../../src/config/validate.js';
import { dayRange } from '../../src/time/day.js';

const PREFIX = 'it-backfill-';
const END = '2026-10-31';
const NOW = '2026-11-01T07:00:00Z';
const env = (logFile: string) => ({
  NETLOG_HASH_KEY: 'backfill-test-key-0123456789',
  NETLOG_LOG_FILE: logFile,
  NETLOG_NOW: NOW,
});

const suite = useSampleSuite({
  label: 'backfill',
  prefix: PREFIX,
  sample: { days: 30, end: END, docsPerDay: 1500, seed: 21 },
});

const netlog = (args: string[]) =>
  runCli([...args, '--config', suite.config, '--es', suite.es.url], {
    env: env(suite.logFile),
    timeoutMs: 300_000,
  });

test('a 30-day backfill writes every file, verify passes, and a re-run skips everything', async () => {
  const data = join(suite.dir, 'data30');
  const result = await netlog(['load-backfill', '--days', '30', '--data', data, '--concurrency', '3']);
  assert.equal(result.code, 0, result.stderr);
  const files = await listFiles(data);
  assert.equal(files.length, 300);
  // Every time series of every day equals the generator, bucket by bucket.
  for (const day of Object.keys(suite.expected.days)) {
    const { records } = await readCsvRecords(join(data, `dns/${day.slice(0, 4)}/${day}.csv`));
    assert.equal(records.length, 96);
    for (const r of records)
      assert.equal(
        Number(r.count),
        suite.expected.days[day]!.protocols.dns[r.timestamp!]!.count,
        `${day} ${r.timestamp}`,
      );
  }
  const verify = await netlog(['verify', '--days', '30', '--data', data]);
  assert.equal(verify.code, 0, verify.stdout);
  assert.match(
    verify.stdout,
    /all 300 day file\(s\) of 10 table\(s\) from 2026-10-02 to 2026-10-31 are complete/,
  );
  const again = await netlog(['load-backfill', '--days', '30', '--data', data]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /skipped 300 complete table-day\(s\)/);
  assert.match(again.stdout, /^dns\s+0\s+30\s+0$/m);
});

test('deleted, corrupted and truncated files are found by verify and fixed by --repair', async () => {
  const data = join(suite.dir, 'repair');
  assert.equal(
    (await netlog(['load-backfill', '--from', '2026-10-28', '--to', END, '--data', data])).code,
    0,
  );
  const original = await readFile(join(data, 'websites/2026/2026-10-29.csv'), 'utf8');
  await rm(join(data, 'dns/2026/2026-10-28.csv'));
  await truncate(join(data, 'total/2026/2026-10-30.csv'), 2000);
  await writeFile(
    join(data, 'websites/2026/2026-10-29.csv'),
    original.replace(/\n2026-10-29T(\d\d):/, '\n2026-10-30T$1:'),
  );
  const tls = join(data, 'tls/2026/2026-10-31.csv');
  await writeFile(tls, (await readFile(tls, 'utf8')).replace('timestamp,count,bytes', 'time,count,bytes'));

  const verify = await netlog(['verify', '--from', '2026-10-28', '--to', END, '--data', data]);
  assert.equal(verify.code, 3);
  const lines = verify.stdout.trim().split('\n');
  assert.equal(lines.length, 4, verify.stdout);
  assert.match(lines[0]!, /^missing\s+dns 2026-10-28 .*: no file$/);
  assert.match(
    lines[1]!,
    /^corrupt\s+websites 2026-10-29 .*: line \d+: 2026-10-30T\d\d:\d\d:00Z is not inside 2026-10-29$/,
  );
  assert.match(lines[2]!, /^(incomplete|corrupt)\s+total 2026-10-30 /);
  assert.match(lines[3]!, /^corrupt\s+tls 2026-10-31 .*: bad header "time,count,bytes"/);

  const repair = await netlog(['verify', '--from', '2026-10-28', '--to', END, '--data', data, '--repair']);
  assert.equal(repair.code, 0, repair.stdout + repair.stderr);
  assert.equal((repair.stdout.match(/^repaired /gm) ?? []).length, 4);
  assert.equal(
    await readFile(join(data, 'websites/2026/2026-10-29.csv'), 'utf8'),
    original,
    'rewritten identically',
  );
  assert.equal((await netlog(['verify', '--from', '2026-10-28', '--to', END, '--data', data])).code, 0);
});

test('logs that arrive late show as drift with --against-es, and --repair catches up', async () => {
  const data = join(suite.dir, 'drift');
  assert.equal(
    (
      await netlog([
        'load-backfill',
        '--from',
        '2026-10-20',
        '--to',
        '2026-10-21',
        '--tables',
        'total,dns',
        '--data',
        data,
      ])
    ).code,
    0,
  );
  await suite.es.client.bulk({
    refresh: true,
    operations: Array.from({ length: 3 }, (_, i) => [
      { index: { _index: `${PREFIX}network-dns`, _id: `late-${i}` } },
      {
        '@timestamp': `2026-10-21T08:0${i}:00Z`,
        event: { dataset: 'network.dns' },
        network: { protocol: 'dns', bytes: 100 },
        source: { ip: '10.1.0.99' },
        destination: { ip: '10.0.0.53' },
      },
    ]).flat(),
  });
  const verify = await netlog([
    'verify',
    '--from',
    '2026-10-20',
    '--to',
    '2026-10-21',
    '--tables',
    'total,dns',
    '--data',
    data,
    '--against-es',
  ]);
  assert.equal(verify.code, 3);
  const want = Object.values(suite.expected.days['2026-10-21']!.protocols.dns).reduce(
    (s, b) => s + b.count,
    0,
  );
  assert.match(
    verify.stdout,
    new RegExp(
      `^drift\\s+dns 2026-10-21 .*count stored ${want}, Elasticsearch ${want + 3}; bytes stored \\d+, Elasticsearch \\d+$`,
      'm',
    ),
  );
  assert.match(verify.stdout, /^drift\s+total 2026-10-21 /m);
  assert.equal(verify.stdout.trim().split('\n').length, 2, 'the other day has not drifted');
  const repair = await netlog([
    'verify',
    '--from',
    '2026-10-20',
    '--to',
    '2026-10-21',
    '--tables',
    'total,dns',
    '--data',
    data,
    '--against-es',
    '--repair',
  ]);
  assert.equal(repair.code, 0, repair.stdout);
  const { records } = await readCsvRecords(join(data, 'dns/2026/2026-10-21.csv'));
  assert.equal(
    Number(records.find((r) => r.timestamp === '2026-10-21T08:00:00Z')!.count),
    suite.expected.days['2026-10-21']!.protocols.dns['2026-10-21T08:00:00Z']!.count + 3,
  );
  // (The integ-test zip has no reindex module, so no _delete_by_query: delete by id.)
  await suite.es.client.bulk({
    refresh: true,
    operations: [0, 1, 2].map((i) => ({ delete: { _index: `${PREFIX}network-dns`, _id: `late-${i}` } })),
  });
});

test('a backfill killed with SIGKILL leaves no torn file; the re-run completes only what was missing', async (t) => {
  const data = join(suite.dir, 'killed');
  const run = startCli(
    [
      'load-backfill',
      '--days',
      '30',
      '--data',
      data,
      '--concurrency',
      '1',
      '--config',
      suite.config,
      '--es',
      suite.es.url,
    ],
    { env: env(suite.logFile) },
  );
  t.after(() => killChild(run.child));
  // Kill it once some files exist but long before 300 are done (a ceiling sized for a loaded machine).
  assert.ok(
    await waitFor(async () => (await listFiles(data)).filter((f) => f.endsWith('.csv')).length >= 25, {
      timeoutMs: 180_000,
      everyMs: 50,
    }),
    `25 files written: ${run.stderr()}`,
  );
  run.child.kill('SIGKILL');
  assert.equal((await run.exit).signal, 'SIGKILL');
  const written = (await listFiles(data)).filter((f) => f.endsWith('.csv') && !f.includes('/.'));
  assert.ok(written.length >= 25 && written.length < 300, `${written.length} files when killed`);
  const tables = new Map(defaultConfig().tables.map((t) => [t.name, t]));
  for (const f of written) {
    const [table, , name] = f.split('/') as [string, string, string];
    const check = checkDayFile(
      await readFile(join(data, f), 'utf8'),
      tables.get(table)!,
      dayRange(name.slice(0, 10)),
    );
    assert.equal(check.status, 'ok', `${f}: ${check.detail}`);
  }
  const rerun = await netlog(['load-backfill', '--days', '30', '--data', data]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, new RegExp(`skipped ${written.length} complete table-day\\(s\\)`));
  const verify = await netlog(['verify', '--days', '30', '--data', data, '--repair']);
  assert.equal(verify.code, 0, verify.stdout);
  assert.equal((await listFiles(data)).filter((f) => f.endsWith('.csv')).length, 300);
});
