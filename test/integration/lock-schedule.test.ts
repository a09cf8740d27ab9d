import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.js';
import { killChild, track } from '../helpers/children.js';
import { listFiles, readCsvRecords, useSampleSuite } from '../helpers/sample.js';
import { logLinesWithMsg, waitFor } from '../helpers/wait.js';
import { acquireRunLock } from '../../src/store/lock.js';

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

/** netlog against the suite's node, killed when the test `t` ends whatever its outcome. */
function spawnNetlog(t: TestContext, args: string[], log: string) {
  const run = startCli([...args, '--config', suite.config, '--es', suite.es.url], { env: env(log) });
  t.after(() => killChild(run.child));
  return run;
}

/** Ceiling of a wait for something a run does within seconds, sized for a loaded 2-core machine. */
const EVENT_MS = 180_000;

test('two concurrent runs do not both write: the second exits 4 naming the holder', async (t) => {
  const data = join(suite.dir, 'concurrent');
  // A first run far too long to finish meanwhile (1000 days × 10 tables, one job at a time); it is
  // stopped with SIGTERM once the second run has been refused.
  const first = spawnNetlog(
    t,
    ['load-backfill', '--days', '1000', '--data', data, '--concurrency', '1'],
    join(suite.dir, 'first.log'),
  );
  // It holds the lock and has written a file: the second run comes in the middle of it.
  assert.ok(
    await waitFor(async () => (await listFiles(data)).some((f) => f.endsWith('.csv')), {
      timeoutMs: EVENT_MS,
      everyMs: 20,
    }),
    `the first run wrote a file: ${first.stderr()}`,
  );
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

test('load-daily --wait-lock waits for the holder to release the data directory, then loads', async (t) => {
  const data = join(suite.dir, 'waiting');
  const log = join(suite.dir, 'waiting.log');
  // The holder is this test process, as a backfill would hold the lock.
  const lock = await acquireRunLock(data, { cmd: 'load-backfill' });
  t.after(() => lock.release());
  const waiting = spawnNetlog(
    t,
    ['load-daily', '--tables', 'dns', '--data', data, '--wait-lock', '600'],
    log,
  );
  const waitLines = () => logLinesWithMsg(log, 'waiting for the run lock');
  assert.ok(
    await waitFor(async () => (await waitLines()).length > 0, { timeoutMs: EVENT_MS, everyMs: 50 }),
    `load-daily said it is waiting for the lock: ${waiting.stderr()}`,
  );
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
  const dead = track(spawn(process.execPath, ['-e', '']));
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

test('SIGTERM during a backfill releases the lock and keeps only whole files', async (t) => {
  const data = join(suite.dir, 'sigterm');
  const run = spawnNetlog(
    t,
    ['load-backfill', '--days', '100', '--data', data, '--concurrency', '1'],
    join(suite.dir, 'sigterm.log'),
  );
  assert.ok(
    await waitFor(async () => (await listFiles(data)).filter((f) => f.endsWith('.csv')).length >= 3, {
      timeoutMs: EVENT_MS,
      everyMs: 10,
    }),
    `the backfill wrote 3 files: ${run.stderr()}`,
  );
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

test('netlog schedule runs load-daily then publish on its cron schedule, and stops on SIGTERM', async (t) => {
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
  const scheduled = startCli(['schedule', '--data', data, '--config', config, '--es', suite.es.url], {
    env: env(log),
  });
  t.after(() => killChild(scheduled.child));
  const logLines = async () =>
    (await readFile(log, 'utf8').catch(() => '')).split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg: string; job?: string; exitCode?: number }];
      } catch {
        return []; // empty, or a line being written right now
      }
    });
  // Until two loads have finished and a publish has finished after the second (each tick that comes
  // during a run is skipped, so this takes a few seconds, or minutes on a loaded machine).
  const seenEnough = (lines: Awaited<ReturnType<typeof logLines>>) => {
    const loads = lines.flatMap((l, i) =>
      l.msg === 'scheduled job finished' && l.job === 'load' && l.exitCode === 0 ? [i] : [],
    );
    return (
      loads.length >= 2 &&
      lines.some(
        (l, i) =>
          i > loads[1]! && l.msg === 'scheduled job finished' && l.job === 'publish' && l.exitCode === 0,
      )
    );
  };
  assert.ok(
    await waitFor(async () => seenEnough(await logLines()), { timeoutMs: EVENT_MS, everyMs: 200 }),
    `two loads and a publish after them: ${scheduled.stderr()}`,
  );
  scheduled.child.kill('SIGTERM');
  assert.equal((await scheduled.exit).code, 0, scheduled.stderr());
  const lines = await logLines();
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
  // Exactly one commit of the day's files (10 day files, the key record pseudonym.json, datapackage.json
  // and README.md), whether or
  // not a first publish tick committed the data repository's .gitignore alone ("housekeeping") before
  // the first load finished.
  assert.equal(
    remoteLog.filter((s) => /^netlog: 2026-11-10, 10 tables, 1[34] files$/.test(s)).length,
    1,
    remoteLog.join(' | '),
  );
  assert.ok(
    remoteLog.every((s) => /^netlog: (2026-11-10, 10 tables, 1[34] files|housekeeping, 1 file)$/.test(s)),
    remoteLog.join(' | '),
  );
});
