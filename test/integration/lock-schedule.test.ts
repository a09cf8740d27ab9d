import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { listFiles, readCsvRecords, useSampleSuite } from '../helpers/sample.js';
import { logLinesWithMsg, waitFor } from '../helpers/wait.js';
import { acquireRunLock } from '../../src/schedule/lock.js';

const PREFIX = 'it-lock-';
const suite = useSampleSuite({
  label: 'lock',
  prefix: PREFIX,
  sample: { days: 3, end: '2026-11-10', docsPerDay: 3000, seed: 31, anomalies: false },
});
const env = (log: string) => ({
  NETLOG_HASH_KEY: 'lock-test-key-0123456789',
  NETLOG_LOG_FILE: log,
  NETLOG_NOW: '2026-11-11T06:00:00Z',
});
const exists = (path: string) =>
  readFile(path).then(
    () => true,
    () => false,
  );

function spawnNetlog(args: string[], log: string) {
  const child = spawn(
    process.execPath,
    [`${ROOT}bin/netlog.js`, ...args, '--config', suite.config, '--es', suite.es.url],
    {
      env: { ...process.env, ...env(log) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, exit };
}

test('two concurrent runs do not both write: the second exits 4 naming the holder', async () => {
  const data = join(suite.dir, 'concurrent');
  // A long first run (100 days, one job at a time) so that it surely holds the lock meanwhile.
  const first = spawnNetlog(
    ['load-backfill', '--days', '100', '--data', data, '--concurrency', '1'],
    join(suite.dir, 'first.log'),
  );
  await waitFor(() => exists(join(data, '.netlog.lock')), { timeoutMs: 4000, everyMs: 20 });
  const holder = JSON.parse(await readFile(join(data, '.netlog.lock'), 'utf8')) as {
    pid: number;
    cmd: string;
  };
  assert.equal(holder.pid, first.child.pid);
  const second = await runCli(
    ['load-daily', '--data', data, '--config', suite.config, '--es', suite.es.url],
    { env: env(join(suite.dir, 'second.log')) },
  );
  assert.equal(second.code, 4, second.stderr);
  assert.match(
    second.stderr,
    new RegExp(
      `locked by netlog load-backfill \\(pid ${first.child.pid} on ${hostname()}\\) since .*: wait for it to finish, or delete .*\\.netlog\\.lock if that process is gone`,
    ),
  );
  const secondLog = await readFile(join(suite.dir, 'second.log'), 'utf8');
  assert.ok(!secondLog.includes('table day loaded'), 'the second run wrote nothing');
  first.child.kill('SIGTERM');
  const result = await first.exit;
  assert.equal(result.code, 130, result.stderr);
  assert.ok((await listFiles(data)).filter((f) => f.endsWith('.csv')).length > 0, 'the first run wrote');
  assert.equal(await exists(join(data, '.netlog.lock')), false, 'released when it stopped');
});

test('load-daily --wait-lock waits for the holder to release the data directory, then loads', async () => {
  const data = join(suite.dir, 'waiting');
  const log = join(suite.dir, 'waiting.log');
  // The holder is this test process, as a backfill would hold the lock.
  const lock = await acquireRunLock(data, { cmd: 'load-backfill' });
  const waiting = spawnNetlog(['load-daily', '--tables', 'dns', '--data', data, '--wait-lock', '60'], log);
  const waitLines = () => logLinesWithMsg(log, 'waiting for the run lock');
  await waitFor(async () => (await waitLines()).length > 0, { timeoutMs: 20_000, everyMs: 50 });
  assert.match((await waitLines())[0] ?? '', new RegExp(`"holder":\\{"pid":${process.pid},`));
  assert.deepEqual(await listFiles(data), ['.netlog.lock'], 'nothing written while the holder runs');
  await lock.release();
  const result = await waiting.exit;
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-10.csv']);
  const dnsCount = Object.values(suite.expected.days['2026-11-10']!.protocols.dns).reduce(
    (sum, b) => sum + b.count,
    0,
  );
  const { records } = await readCsvRecords(join(data, 'dns/2026/2026-11-10.csv'));
  const stored = records.reduce((sum, r) => sum + Number(r.count), 0);
  assert.equal(stored, dnsCount);
});

test('a lock left by a dead process is taken over', async () => {
  const data = join(suite.dir, 'stale');
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => dead.on('close', resolve));
  await mkdir(data, { recursive: true });
  await writeFile(
    join(data, '.netlog.lock'),
    JSON.stringify({
      pid: dead.pid,
      hostname: hostname(),
      cmd: 'load-daily',
      startedAt: new Date().toISOString(),
    }),
  );
  const result = await runCli(
    ['load-daily', '--tables', 'dns', '--data', data, '--config', suite.config, '--es', suite.es.url],
    { env: env(join(suite.dir, 'stale.log')) },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-10.csv']);
});

test('SIGTERM during a backfill releases the lock and keeps only whole files', async () => {
  const data = join(suite.dir, 'sigterm');
  const run = spawnNetlog(
    ['load-backfill', '--days', '100', '--data', data, '--concurrency', '1'],
    join(suite.dir, 'sigterm.log'),
  );
  await waitFor(async () => (await listFiles(data)).filter((f) => f.endsWith('.csv')).length >= 3, {
    timeoutMs: 3000,
    everyMs: 10,
  });
  run.child.kill('SIGTERM');
  const result = await run.exit;
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /SIGTERM received, stopping after the current file/);
  assert.equal(await exists(join(data, '.netlog.lock')), false);
  const files = await listFiles(data);
  assert.ok(
    files.every((f) => f.endsWith('.csv') && !f.split('/').pop()!.startsWith('.')),
    files.join(' '),
  );
  assert.ok(files.length >= 3 && files.length < 1000, `${files.length} files: stopped early`);
});

test('netlog schedule runs load-daily then publish on its cron schedule, and stops on SIGTERM', async () => {
  const data = join(suite.dir, 'scheduled');
  const remote = join(suite.dir, 'scheduled.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
  const config = join(suite.dir, 'schedule.json');
  const base = JSON.parse(await readFile(suite.config, 'utf8')) as Record<string, unknown>;
  // Seconds-level schedules (node-cron's six fields): load on even seconds, publish on odd ones.
  await writeFile(
    config,
    JSON.stringify({ ...base, schedule: { load: '*/2 * * * * *', publish: '1-59/2 * * * * *' } }),
  );
  const log = join(suite.dir, 'schedule.log');
  assert.equal((await runCli(['init-data', '--remote', remote, '--data', data], { env: env(log) })).code, 0);
  const child = spawn(
    process.execPath,
    [`${ROOT}bin/netlog.js`, 'schedule', '--data', data, '--config', config, '--es', suite.es.url],
    {
      env: { ...process.env, ...env(log) },
      stdio: 'ignore',
    },
  );
  await sleep(6500);
  child.kill('SIGTERM');
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  const lines = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; job?: string; exitCode?: number });
  const finished = lines.filter((l) => l.msg === 'scheduled job finished');
  assert.ok(
    finished.some((l) => l.job === 'load' && l.exitCode === 0),
    JSON.stringify(finished),
  );
  assert.ok(
    finished.some((l) => l.job === 'publish' && l.exitCode === 0),
    JSON.stringify(finished),
  );
  assert.ok(lines.some((l) => l.msg === 'schedule stopped'));
  // Load ran several times, but identical files make no new commit: exactly one on the remote.
  const remoteLog = execFileSync('git', ['--git-dir', remote, 'log', '--format=%s', 'main'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  // Exactly one commit of the day's files (10 day files and the key record pseudonym.json), whether or
  // not a first publish tick committed the data repository's .gitignore alone ("housekeeping") before
  // the first load finished.
  assert.equal(
    remoteLog.filter((s) => /^netlog: 2026-11-10, 10 tables, 1[12] files$/.test(s)).length,
    1,
    remoteLog.join(' | '),
  );
  assert.ok(
    remoteLog.every((s) => /^netlog: (2026-11-10, 10 tables, 1[12] files|housekeeping, 1 file)$/.test(s)),
    remoteLog.join(' | '),
  );
});
