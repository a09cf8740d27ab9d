import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { runCli, startCli } from '../helpers/cli.js';
import { killChild } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { runSchedule, validateSchedule, type ScheduledJob } from '../../src/schedule/cron.js';
import { ConfigError, LockError } from '../../src/errors.js';

// Real node-cron on seconds-level expressions (six fields) instead of waiting for 06:00: first the
// scheduler in-process with jobs whose length the test controls, then `netlog schedule` as a process.

/** Ceiling of a wait for something the scheduler does within seconds, sized for a loaded 2-core machine. */
const EVENT_MS = 180_000;

let tmp: { path: string; cleanup: () => Promise<void> };
before(async () => {
  tmp = await tempDir('schedule');
});
after(async () => {
  await tmp.cleanup();
});

interface Line {
  msg: string;
  job?: string;
  running?: string;
  exitCode?: number;
  t: number;
  [k: string]: unknown;
}

function capturingLogger(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (l: string) => void lines.push({ ...(JSON.parse(l) as Line), t: Date.now() }) },
  );
  return { log, lines };
}

test('bad cron expressions are config errors naming the key and the field', () => {
  const job = (expression: string): ScheduledJob => ({ name: 'load', expression, run: async () => 0 });
  assert.throws(
    () => validateSchedule([job('0 6 * * *'), { ...job('61 6 * * *'), name: 'publish' }]),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.exitCode === 2 &&
      e.message ===
        'schedule.publish: "61 6 * * *" is not a valid cron expression (minute "61"): use minute hour day month weekday, e.g. "0 6 * * *" for 06:00 UTC, or six fields with seconds first',
  );
  assert.throws(() => validateSchedule([job('0 6 * *')]), /\(expected 5 or 6 fields but got 4\)/);
  assert.doesNotThrow(() => validateSchedule([job('*/2 * * * * *'), job('10 6 * * *'), job('0 7 * * 0')]));
});

test('jobs never overlap: a busy job’s tick is skipped, another job’s tick waits; stop waits for the running job', async () => {
  const { log, lines } = capturingLogger();
  const controller = new AbortController();
  let concurrent = 0;
  let maxConcurrent = 0;
  const runs: { job: string; start: number; end: number }[] = [];
  const job = (name: string, expression: string, ms: number, exitCode = 0): ScheduledJob => ({
    name,
    expression,
    run: async () => {
      const start = Date.now();
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await sleep(ms);
      concurrent--;
      runs.push({ job: name, start, end: Date.now() });
      if (exitCode === 4) throw new LockError('held');
      return exitCode;
    },
  });
  // load: every second, 1.5 s long; publish: every 2 s, short, refused by the lock (exit 4).
  const done = runSchedule([job('load', '* * * * * *', 1500), job('publish', '*/2 * * * * *', 100, 4)], {
    log,
    signal: controller.signal,
  });
  // Until each kind of event has happened at least once (about 4 s; minutes on a loaded machine).
  const seen = (msg: string) => lines.some((l) => l.msg === msg);
  const enough = () =>
    runs.some((r) => r.job === 'load') &&
    runs.some((r) => r.job === 'publish') &&
    seen('scheduled run skipped: this job is still running or waiting') &&
    seen('scheduled job waiting for the running job');
  const sawAll = await waitFor(enough, { timeoutMs: EVENT_MS, everyMs: 50 });
  controller.abort();
  const summary = await done;
  const returnedAt = Date.now();
  assert.ok(
    sawAll,
    `a load, a publish, a skipped and a waiting tick: ${JSON.stringify(lines.map((l) => l.msg))}`,
  );

  assert.equal(maxConcurrent, 1, 'never two jobs at once');
  assert.equal(concurrent, 0, 'the running job finished before runSchedule returned');
  const loads = runs.filter((r) => r.job === 'load');
  const publishes = runs.filter((r) => r.job === 'publish');
  assert.ok(loads.length >= 1 && publishes.length >= 1, JSON.stringify(runs));
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i]!.start >= runs[i - 1]!.end, 'one after another');
  const skipped = lines.filter(
    (l) => l.msg === 'scheduled run skipped: this job is still running or waiting',
  );
  assert.ok(skipped.length >= 1, 'a load tick during a load run was skipped');
  assert.equal(summary.skipped, skipped.length);
  const waited = lines.filter((l) => l.msg === 'scheduled job waiting for the running job');
  assert.ok(waited.length >= 1, 'a tick during the other job waited');
  assert.equal(summary.runs, runs.length);
  assert.equal(summary.failures, publishes.length, 'each publish exited 4');
  const failed = lines.filter((l) => l.msg === 'scheduled job failed');
  assert.ok(failed.every((l) => l.job === 'publish' && l.exitCode === 4));
  assert.equal(lines.filter((l) => l.msg === 'scheduled job finished').length, loads.length);
  assert.ok(returnedAt >= runs.at(-1)!.end, 'returned after the last run ended');
  const stopped = lines.at(-1)!;
  assert.equal(stopped.msg, 'schedule stopped');
  assert.deepEqual(
    [stopped.runs, stopped.failures, stopped.skipped],
    [summary.runs, summary.failures, summary.skipped],
  );
});

test('netlog schedule with a bad expression in the config exits 2 with one line', async () => {
  const config = join(tmp.path, 'bad-schedule.json');
  await writeFile(config, JSON.stringify({ schedule: { load: '0 6 * * *', publish: 'every morning' } }));
  const result = await runCli(['schedule', '--data', join(tmp.path, 'none'), '--config', config], {
    env: { NETLOG_LOG_FILE: join(tmp.path, 'bad.log') },
  });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'netlog: error: schedule.publish: "every morning" is not a valid cron expression (expected 5 or 6 fields but got 2): use minute hour day month weekday, e.g. "0 6 * * *" for 06:00 UTC, or six fields with seconds first\n',
  );
});

test('netlog schedule runs load-daily and publish on their seconds-level schedules, skips overlapping ticks, stops on SIGTERM', async (t) => {
  // Elasticsearch that accepts connections and never answers: each load-daily run hangs until its
  // request times out (1.5 s), longer than the one-second schedule, then fails (exit 1).
  const sockets: Socket[] = [];
  const es: Server = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => es.listen(0, '127.0.0.1', resolve));
  const port = (es.address() as { port: number }).port;
  const dir = join(tmp.path, 'scheduled');
  await mkdir(dir);
  const remote = join(dir, 'remote.git');
  const data = join(dir, 'data');
  const logFile = join(dir, 'elastic.log');
  const config = join(dir, 'netlog.json');
  await writeFile(
    config,
    JSON.stringify({
      es: { max_retries: 0 },
      git: { author_name: 'netlog-cron', author_email: 'cron@test' },
      schedule: { load: '* * * * * *', publish: '*/2 * * * * *' },
    }),
  );
  const env = {
    NETLOG_LOG_FILE: logFile,
    NETLOG_HASH_KEY: 'schedule-test-key-0123456789abcdef',
    ES_URL: `http://127.0.0.1:${port}`,
    ES_TIMEOUT_MS: '1500',
  };
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  assert.equal((await runCli(['init-data', '--remote', remote, '--data', data], { env })).code, 0);
  // Day files already written (by an earlier load): the scheduled publish sends them.
  await mkdir(join(data, 'dns', '2026'), { recursive: true });
  await writeFile(join(data, 'dns', '2026', '2026-11-24.csv'), 'timestamp,count\n2026-11-24T00:00:00Z,5\n');
  await writeFile(join(data, 'dns', '2026', '2026-11-25.csv'), 'timestamp,count\n2026-11-25T00:00:00Z,6\n');

  const scheduled = startCli(['schedule', '--data', data, '--config', config], { env });
  t.after(() => killChild(scheduled.child));
  const scheduleLines = async () =>
    (await readFile(logFile, 'utf8').catch(() => ''))
      .trim()
      .split('\n')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Line];
        } catch {
          return []; // a line being written right now
        }
      })
      .filter((l) => l.cmd === 'schedule');
  // Until the log shows a failed load, a skipped load tick and a finished publish (about 4 s; minutes
  // on a loaded machine), then stop it as a container runtime would.
  const seenEnough = (lines: Line[]) =>
    lines.some((l) => l.msg === 'scheduled job failed' && l.job === 'load') &&
    lines.some(
      (l) => l.msg === 'scheduled run skipped: this job is still running or waiting' && l.job === 'load',
    ) &&
    lines.some((l) => l.msg === 'scheduled job finished' && l.job === 'publish');
  try {
    assert.ok(
      await waitFor(async () => seenEnough(await scheduleLines()), { timeoutMs: EVENT_MS, everyMs: 200 }),
      `a failed load, a skipped load tick and a finished publish: ${scheduled.stderr()}`,
    );
    scheduled.child.kill('SIGTERM');
    assert.equal((await scheduled.exit).code, 0, scheduled.stderr());
  } finally {
    killChild(scheduled.child);
    for (const s of sockets) s.destroy();
    es.close();
  }
  const stdout = scheduled.stdout();

  assert.match(
    stdout,
    /^netlog schedule: load-daily at "\* \* \* \* \* \*", publish at "\*\/2 \* \* \* \* \*" \(UTC\)/,
  );
  assert.match(stdout, /netlog schedule stopped: \d+ run\(s\), \d+ failed, [1-9]\d* tick\(s\) skipped\n$/);
  const lines = await scheduleLines();
  const events = lines.filter((l) =>
    ['scheduled job started', 'scheduled job finished', 'scheduled job failed'].includes(l.msg),
  );
  // Strictly alternating start / end: never two jobs at once.
  events.forEach((l, i) =>
    assert.equal(l.msg === 'scheduled job started', i % 2 === 0, JSON.stringify(events)),
  );
  const ends = events.filter((l) => l.msg !== 'scheduled job started');
  assert.ok(
    ends.some((l) => l.job === 'load' && l.exitCode === 1),
    'load-daily ran and failed on the silent Elasticsearch',
  );
  assert.ok(
    ends.some((l) => l.job === 'publish' && l.exitCode === 0),
    JSON.stringify(ends),
  );
  assert.ok(
    lines.some(
      (l) => l.msg === 'scheduled run skipped: this job is still running or waiting' && l.job === 'load',
    ),
    'a load tick during the 1.5 s load run was skipped',
  );
  // The jobs' own lines carry the job and a run id.
  assert.ok(lines.some((l) => l.msg === 'git push' && l.job === 'publish' && typeof l.jobRun === 'string'));
  assert.equal(lines.at(-1)!.msg, 'schedule stopped');
  // One commit however many times publish ran; the run lock was always released.
  assert.deepEqual(
    execFileSync('git', ['--git-dir', remote, 'log', '--format=%an|%s', 'main'], { encoding: 'utf8' })
      .trim()
      .split('\n'),
    ['netlog-cron|netlog: 2026-11-24..2026-11-25, 1 table, 5 files'], // with datapackage.json, README.md,
  );
  assert.equal(
    await readFile(join(data, '.netlog.lock')).then(
      () => 'present',
      () => 'gone',
    ),
    'gone',
  );
});
