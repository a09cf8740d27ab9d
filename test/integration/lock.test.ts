import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { ROOT } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { logLinesWithMsg, waitFor } from '../helpers/wait.js';
import { acquireRunLock, withRunLock } from '../../src/schedule/lock.js';
import { LockError } from '../../src/errors.js';

// The run lock between real processes: contenders are small node processes calling acquireRunLock
// from the build (dist/, npm run build), and the netlog binary itself. No Elasticsearch needed.

let tmp: { path: string; cleanup: () => Promise<void> };
let n = 0;
before(async () => {
  tmp = await tempDir('lock');
});
after(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await tmp.cleanup();
});
const caseDir = async () => {
  const dir = join(tmp.path, `case-${++n}`);
  await mkdir(dir);
  return dir;
};

/** A contender: waits for `goAt`, tries the lock, prints one JSON line, holds it `holdMs` (or until SIGTERM). */
const CONTENDER = `
const [dataDir, cmd, holdMs, goAt] = process.argv.slice(1);
const { acquireRunLock } = await import(${JSON.stringify(pathToFileURL(`${ROOT}dist/schedule/lock.js`).href)});
while (Date.now() < Number(goAt)) await new Promise((r) => setTimeout(r, 2));
try {
  const lock = await acquireRunLock(dataDir, { cmd });
  console.log(JSON.stringify({ won: true, pid: process.pid, at: Date.now(), replaced: lock.replaced ?? null }));
  if (holdMs === 'forever') {
    process.on('SIGTERM', () => lock.release().then(() => process.exit(0)));
    setInterval(() => {}, 1000);
  } else {
    await new Promise((r) => setTimeout(r, Number(holdMs)));
    await lock.release();
  }
} catch (err) {
  console.log(JSON.stringify({ won: false, pid: process.pid, name: err.name, exitCode: err.exitCode, message: err.message }));
  process.exitCode = err.exitCode ?? 1;
}`;

interface Outcome {
  won: boolean;
  pid: number;
  name?: string;
  exitCode?: number;
  message?: string;
  replaced?: { holder: { pid: number }; reason: string } | null;
}

/** Every contender started, so that a failed test cannot leave a holder running (and the file hanging). */
const children: ChildProcess[] = [];

function contender(dataDir: string, cmd: string, holdMs: number | 'forever', goAt = 0) {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CONTENDER, dataDir, cmd, String(holdMs), String(goAt)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  let out = '';
  const first = new Promise<Outcome>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Outcome);
    });
    child.on('close', () =>
      out.includes('\n') ? undefined : reject(new Error(`contender exited silently`)),
    );
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, first, exit };
}

const git = (args: string[], cwd?: string) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** A data directory that is a working copy of a fresh bare remote, with one day file to publish. */
async function publishable(dir: string) {
  const remote = join(dir, 'remote.git');
  const data = join(dir, 'data');
  const logFile = join(dir, 'elastic.log');
  git(['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const netlog = (args: string[]) => runCli([...args, '--data', data], { env: { NETLOG_LOG_FILE: logFile } });
  assert.equal((await netlog(['init-data', '--remote', remote])).code, 0);
  await mkdir(join(data, 'dns', '2026'), { recursive: true });
  await writeFile(join(data, 'dns', '2026', '2026-11-24.csv'), 'timestamp,count\n2026-11-24T00:00:00Z,1\n');
  const remoteCommits = () => git(['--git-dir', remote, 'rev-list', '--all', '--count']);
  return { data, logFile, netlog, remoteCommits };
}

const lockLine = (data: string, cmd: string, pid: number, host = hostname()) =>
  new RegExp(
    `^netlog: error: the data directory ${data} is locked by netlog ${cmd} \\(pid ${pid} on ${host}\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: wait for it to finish, or delete ${data}/\\.netlog\\.lock if that process is gone\\n$`,
  );

describe('the run lock', { concurrency: true }, () => {
  test('a second run (the netlog binary) exits 4 naming the holder and writes nothing; it runs once the lock is released', async () => {
    const p = await publishable(await caseDir());
    const holder = contender(p.data, 'load-backfill', 'forever');
    assert.equal((await holder.first).won, true);
    const refused = await p.netlog(['publish']);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, lockLine(p.data, 'load-backfill', holder.child.pid!));
    assert.equal(refused.stdout, '');
    assert.equal(git(['rev-list', '--all', '--count'], p.data), '0', 'nothing committed');
    assert.equal(p.remoteCommits(), '0', 'nothing pushed');

    holder.child.kill('SIGTERM');
    assert.equal(await holder.exit, 0);
    assert.equal(existsSync(join(p.data, '.netlog.lock')), false, 'released');
    const after = await p.netlog(['publish']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(p.remoteCommits(), '1');
    assert.equal(existsSync(join(p.data, '.netlog.lock')), false, 'publish released it too');
  });

  test('publish --wait-lock waits for the holder to finish, then runs', async () => {
    const p = await publishable(await caseDir());
    const holder = contender(p.data, 'load-daily', 'forever');
    assert.equal((await holder.first).won, true);
    const publishing = p.netlog(['publish', '--wait-lock', '60']);
    // Release the lock only once publish has said it is waiting (the log), however slow its start.
    const waitLine = () => logLinesWithMsg(p.logFile, 'waiting for the run lock');
    await waitFor(async () => (await waitLine()).length > 0, { timeoutMs: 20_000, everyMs: 50 });
    const waits = await waitLine();
    assert.equal(waits.length, 1, 'publish is waiting');
    assert.match(
      waits[0]!,
      new RegExp(`"holder":\\{"pid":${holder.child.pid},"hostname":"[^"]+","cmd":"load-daily"`),
    );
    assert.equal(p.remoteCommits(), '0', 'nothing published while the holder runs');
    holder.child.kill('SIGTERM');
    assert.equal(await holder.exit, 0);
    const result = await publishing;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(p.remoteCommits(), '1');
  });

  test('publish --wait-lock takes whole seconds only: exit 2, one line', async () => {
    const result = await runCli(['publish', '--wait-lock', '0', '--data', join(tmp.path, 'nowhere')]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "netlog: option '--wait-lock <seconds>' argument '0' is invalid. --wait-lock must be a whole number from 1 to 86400, not \"0\"\n",
    );
  });

  test('of eight processes racing for a free lock, exactly one holds it', async () => {
    const data = join(await caseDir(), 'data');
    const goAt = Date.now() + 800;
    // Winners hold on until every racer has answered: a slow starter cannot come after a release.
    const racers = Array.from({ length: 8 }, () => contender(data, 'load-daily', 'forever', goAt));
    const outcomes = await Promise.all(racers.map((r) => r.first));
    racers.forEach((r, i) => outcomes[i]!.won && r.child.kill('SIGTERM'));
    const codes = await Promise.all(racers.map((r) => r.exit));
    const winners = outcomes.filter((o) => o.won);
    assert.equal(winners.length, 1, JSON.stringify(outcomes));
    const winner = winners[0]!;
    for (const [i, o] of outcomes.entries()) {
      if (o.won) continue;
      assert.equal(o.name, 'LockError');
      assert.equal(codes[i], 4);
      assert.match(o.message!, new RegExp(`locked by netlog load-daily \\(pid ${winner.pid} on `));
    }
    assert.equal(existsSync(join(data, '.netlog.lock')), false);
  });

  test('a lock left by a SIGKILLed run is taken over, by exactly one of six racers', async () => {
    const data = join(await caseDir(), 'data');
    const crashed = contender(data, 'load-backfill', 'forever');
    const held = await crashed.first;
    crashed.child.kill('SIGKILL');
    await crashed.exit;
    const left = JSON.parse(await readFile(join(data, '.netlog.lock'), 'utf8')) as {
      pid: number;
      cmd: string;
    };
    assert.deepEqual([left.pid, left.cmd], [held.pid, 'load-backfill'], 'the killed run left its lock');

    const goAt = Date.now() + 800;
    const racers = Array.from({ length: 6 }, () => contender(data, 'load-daily', 'forever', goAt));
    const outcomes = await Promise.all(racers.map((r) => r.first));
    racers.forEach((r, i) => outcomes[i]!.won && r.child.kill('SIGTERM'));
    await Promise.all(racers.map((r) => r.exit));
    const winners = outcomes.filter((o) => o.won);
    assert.equal(winners.length, 1, JSON.stringify(outcomes));
    assert.equal(winners[0]!.replaced?.holder.pid, held.pid);
    assert.equal(winners[0]!.replaced?.reason, `process ${held.pid} is gone`);
    assert.ok(outcomes.filter((o) => !o.won).every((o) => o.exitCode === 4));
  });

  test('the netlog binary takes over a dead run’s lock and logs it', async () => {
    const p = await publishable(await caseDir());
    const crashed = contender(p.data, 'verify --repair', 'forever');
    const held = await crashed.first;
    crashed.child.kill('SIGKILL');
    await crashed.exit;
    const result = await p.netlog(['publish']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /netlog: warn: took over a stale run lock/);
    const line = (await readFile(p.logFile, 'utf8'))
      .split('\n')
      .find((l) => l.includes('took over a stale run lock'));
    assert.match(line!, new RegExp(`"reason":"process ${held.pid} is gone"`));
    assert.match(line!, /"cmd":"verify --repair"/);
  });

  test('another host’s lock counts until it is older than the max age; an old torn lock is removed', async () => {
    const data = join(await caseDir(), 'data');
    await mkdir(data);
    const path = join(data, '.netlog.lock');
    const elsewhere = (startedAt: Date) =>
      writeFile(
        path,
        JSON.stringify({
          pid: 1,
          hostname: 'backup-host',
          cmd: 'load-backfill',
          startedAt: startedAt.toISOString(),
        }),
      );
    await elsewhere(new Date(Date.now() - 3_600_000));
    await assert.rejects(acquireRunLock(data, { cmd: 'publish' }), (err: unknown) => {
      assert.ok(err instanceof LockError);
      assert.equal(err.exitCode, 4);
      assert.match(err.message, /locked by netlog load-backfill \(pid 1 on backup-host\) since /);
      return true;
    });
    await elsewhere(new Date(Date.now() - 25 * 3_600_000));
    const lines: { msg: string; reason?: string }[] = [];
    const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as never) });
    const lock = await acquireRunLock(data, { cmd: 'publish' }, { log });
    assert.equal(lock.replaced?.reason, 'it is older than 24 h');
    assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid);
    await lock.release();

    // A configurable max age.
    await elsewhere(new Date(Date.now() - 2 * 3_600_000));
    const shorter = await acquireRunLock(data, { cmd: 'publish' }, { maxAgeMs: 3_600_000 });
    assert.equal(shorter.replaced?.reason, 'it is older than 1 h');
    await shorter.release();

    // An empty lock file (a crash between create and write) older than a few seconds.
    await writeFile(path, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const afterTorn = await acquireRunLock(data, { cmd: 'publish' }, { log });
    assert.ok(lines.some((l) => l.msg === 'took over an empty or damaged run lock'));
    await afterTorn.release();
    assert.equal(existsSync(path), false);
  });

  test('release is idempotent, leaves a lock that is no longer ours, and a lock is not re-entrant', async () => {
    const data = join(await caseDir(), 'data');
    const lock = await acquireRunLock(data, { cmd: 'load-daily' });
    await assert.rejects(acquireRunLock(data, { cmd: 'publish' }), LockError, 'held by this very process');
    await lock.release();
    await lock.release();
    assert.equal(existsSync(lock.path), false);

    const ours = await acquireRunLock(data, { cmd: 'load-daily' });
    // Another run judged ours stale and took over: our release must not remove their lock.
    const theirs = JSON.stringify({
      pid: 1,
      hostname: 'x',
      cmd: 'publish',
      startedAt: new Date().toISOString(),
    });
    await writeFile(ours.path, theirs);
    await ours.release();
    assert.equal(await readFile(ours.path, 'utf8'), theirs);

    const other = join(await caseDir(), 'data');
    const result = await withRunLock(other, { cmd: 'x' }, async (l) => {
      assert.equal(JSON.parse(await readFile(l.path, 'utf8')).cmd, 'x');
      return 42;
    });
    assert.equal(result, 42);
    await assert.rejects(
      withRunLock(other, { cmd: 'x' }, () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(existsSync(join(other, '.netlog.lock')), false, 'released after a failure too');
  });
});
