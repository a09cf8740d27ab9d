import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { ROOT } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { assertFreshBuild } from '../helpers/build.js';
import { killChild, track } from '../helpers/children.js';
import { race as raceContenders } from '../helpers/lock-contender.js';
import { tempDir } from '../helpers/tmp.js';
import { logLinesWithMsg, waitFor } from '../helpers/wait.js';
import { acquireRunLock, withRunLock } from '../../src/store/lock.js';
import { parseLockHolder } from '../../src/store/lock-state.js';
import { LockError, StoreError } from '../../src/errors.js';

// The run lock between real processes: contenders are small node processes calling acquireRunLock
// from the build (dist/, npm run build), and the netlog binary itself. No Elasticsearch needed.

let tmp: { path: string; cleanup: () => Promise<void> };
let n = 0;
before(async () => {
  tmp = await tempDir('lock');
});
after(async () => {
  await tmp.cleanup();
});
const caseDir = async () => {
  const dir = join(tmp.path, `case-${++n}`);
  await mkdir(dir);
  return dir;
};

/** Contenders started by `t`, killed when it ends whatever its outcome. */
function race(t: TestContext, count: number, dataDir: string, cmd: string) {
  return raceContenders(count, dataDir, cmd, (child) => {
    track(child);
    t.after(() => killChild(child));
  });
}

/** One contender that has taken the lock of `dataDir` and holds it until SIGTERM. */
async function holdLock(t: TestContext, dataDir: string, cmd: string) {
  const [holder] = await race(t, 1, dataDir, cmd);
  const outcome = await holder!.outcome;
  assert.equal(outcome.won, true, JSON.stringify(outcome));
  return { ...holder!, pid: outcome.pid };
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

// A read-only directory: a read-only tmpfs as root (root writes through permissions), chmod otherwise.
const canMount =
  process.getuid?.() === 0 &&
  (() => {
    const probe = execFileSync('mktemp', ['-d']).toString().trim();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe]);
      return true;
    } catch {
      return false;
    } finally {
      execFileSync('rmdir', [probe]);
    }
  })();
const readOnlySkip = process.getuid?.() !== 0 || canMount ? false : 'root here may not mount a tmpfs';

/** Runs `fill` on `dir` while writable, then `fn` with `dir` read-only; undone afterwards. */
async function withReadOnlyDir(
  dir: string,
  fill: (dir: string) => Promise<void>,
  fn: () => Promise<void>,
): Promise<void> {
  if (canMount) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    try {
      await fill(dir);
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      await fn();
    } finally {
      execFileSync('umount', [dir]);
    }
  } else {
    await fill(dir);
    await chmod(dir, 0o555);
    try {
      await fn();
    } finally {
      await chmod(dir, 0o755);
    }
  }
}

const lockLine = (data: string, cmd: string, pid: number, host = hostname()) =>
  new RegExp(
    `^netlog: error: the data directory ${data} is locked by netlog ${cmd} \\(pid ${pid} on ${host}\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: wait for it to finish, or delete ${data}/\\.netlog\\.lock if that process is gone\\n$`,
  );

/** The text of a lock whose holder is gone (no process has this pid): stale on this host. */
const deadHoldersLock = (cmd: string, startedAt = new Date()) =>
  JSON.stringify({ pid: 999_999_999, hostname: hostname(), cmd, startedAt: startedAt.toISOString() });

describe('the run lock', { concurrency: true }, () => {
  test('a second run (the netlog binary) exits 4 naming the holder and writes nothing; it runs once the lock is released', async (t) => {
    const p = await publishable(await caseDir());
    const holder = await holdLock(t, p.data, 'load-backfill');
    const refused = await p.netlog(['publish']);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, lockLine(p.data, 'load-backfill', holder.pid));
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

  test('publish --wait-lock waits for the holder to finish, then runs', async (t) => {
    const p = await publishable(await caseDir());
    const holder = await holdLock(t, p.data, 'load-daily');
    const publishing = p.netlog(['publish', '--wait-lock', '600']);
    // Release the lock only once publish has said it is waiting (the log), however slow its start.
    const waitLine = () => logLinesWithMsg(p.logFile, 'waiting for the run lock');
    assert.ok(
      await waitFor(async () => (await waitLine()).length > 0, { timeoutMs: 180_000, everyMs: 50 }),
      'publish said it is waiting for the lock',
    );
    const waits = await waitLine();
    assert.equal(waits.length, 1, 'publish is waiting');
    assert.match(
      waits[0]!,
      new RegExp(`"holder":\\{"pid":${holder.pid},"hostname":"[^"]+","cmd":"load-daily"`),
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

  test('of eight processes racing for a free lock, exactly one holds it', async (t) => {
    const data = join(await caseDir(), 'data');
    // All are loaded before any tries; winners hold on until every racer has answered.
    const racers = await race(t, 8, data, 'load-daily');
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
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
    assert.deepEqual(await readdir(data), [], 'no lock, no temporary file, no guard left');
  });

  test('a lock left by a SIGKILLed run is taken over, by exactly one of six racers', async (t) => {
    const data = join(await caseDir(), 'data');
    const crashed = await holdLock(t, data, 'load-backfill');
    const held = { pid: crashed.pid };
    crashed.child.kill('SIGKILL');
    await crashed.exit;
    const left = JSON.parse(await readFile(join(data, '.netlog.lock'), 'utf8')) as {
      pid: number;
      cmd: string;
    };
    assert.deepEqual([left.pid, left.cmd], [held.pid, 'load-backfill'], 'the killed run left its lock');

    const racers = await race(t, 6, data, 'load-daily');
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    // The winner holds the lock it put in place of the stale one: the file names it, not the dead run.
    const winners = outcomes.filter((o) => o.won);
    assert.equal(winners.length, 1, JSON.stringify(outcomes));
    assert.equal(JSON.parse(await readFile(join(data, '.netlog.lock'), 'utf8')).pid, winners[0]!.pid);
    racers.forEach((r, i) => outcomes[i]!.won && r.child.kill('SIGTERM'));
    await Promise.all(racers.map((r) => r.exit));
    // The run that judged the lock stale is the one that holds it: it says what it replaced.
    assert.equal(winners[0]!.replaced?.holder.pid, held.pid, JSON.stringify(winners[0]));
    assert.equal(winners[0]!.replaced?.reason, `process ${held.pid} is gone`);
    assert.ok(outcomes.filter((o) => !o.won).every((o) => o.exitCode === 4));
    assert.deepEqual(await readdir(data), [], 'no lock, no temporary file, no guard left');
  });

  test('a reader never sees the lock empty or half-written while another process takes and releases it', async (t) => {
    const data = join(await caseDir(), 'data');
    await mkdir(data);
    const path = join(data, '.netlog.lock');
    assertFreshBuild();
    // Takes and releases the lock 300 times as fast as it can, while this process reads it.
    const churn = track(
      spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { acquireRunLock } = await import(${JSON.stringify(pathToFileURL(`${ROOT}dist/store/lock.js`).href)});
           for (let i = 0; i < 300; i++) await (await acquireRunLock(process.argv[1], { cmd: 'churn' })).release();`,
          data,
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      ),
    );
    t.after(() => killChild(churn));
    let finished = false;
    const done = new Promise<number | null>((resolve) => churn.on('close', (code) => resolve(code)));
    void done.then(() => (finished = true));
    const seen = { absent: 0, whole: 0, torn: [] as string[] };
    while (!finished) {
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (text === undefined) seen.absent++;
      else if (parseLockHolder(text)?.cmd === 'churn') seen.whole++;
      else seen.torn.push(text);
    }
    assert.equal(await done, 0);
    assert.deepEqual(seen.torn, [], 'every lock read was complete');
    assert.ok(seen.whole > 0, `the reader saw the lock held: ${JSON.stringify(seen)}`);
    t.diagnostic(`reads: ${seen.whole} held, ${seen.absent} free, 0 torn`);
    assert.deepEqual(await readdir(data), [], 'no lock, no temporary file, no guard left');
  });

  test('a lock that cannot be read is reported with its cause, not taken for a torn one', async () => {
    const data = join(await caseDir(), 'data');
    await mkdir(join(data, '.netlog.lock'), { recursive: true });
    const started = Date.now();
    await assert.rejects(acquireRunLock(data, { cmd: 'publish' }), (err: unknown) => {
      assert.ok(err instanceof StoreError, String(err));
      assert.equal(err.exitCode, 1);
      assert.match(err.message, /^cannot read the lock .*\.netlog\.lock \(EISDIR\): /);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'EISDIR');
      return true;
    });
    assert.ok(Date.now() - started < 5_000, 'at once, not after waiting for a torn lock to age');
  });

  test(
    'a read-only data directory with a stale lock: one line naming the permission problem, exit 1, not 4',
    { skip: readOnlySkip },
    async () => {
      const dir = await caseDir();
      const ro = join(dir, 'ro');
      await mkdir(ro);
      const stale = deadHoldersLock('load-backfill');
      await withReadOnlyDir(
        ro,
        (dir) => writeFile(join(dir, '.netlog.lock'), stale),
        async () => {
          await assert.rejects(acquireRunLock(ro, { cmd: 'publish' }), (err: unknown) => {
            assert.ok(err instanceof StoreError, String(err));
            assert.match(
              err.message,
              /^cannot create the lock .*\.netlog\.lock \((EROFS|EACCES)\): the data directory is not writable: check its permissions or mount$/,
            );
            return true;
          });
          const result = await runCli(['publish', '--data', ro], {
            env: { NETLOG_LOG_FILE: join(dir, 'elastic.log') },
          });
          assert.equal(result.code, 1, result.stderr);
          assert.match(
            result.stderr,
            // The one line ends with its cause, as the system said it.
            /^netlog: error: cannot create the lock .*\.netlog\.lock \((EROFS|EACCES)\): the data directory is not writable: check its permissions or mount: (EROFS: read-only file system|EACCES: permission denied), open '.*\/ro\/\.netlog\.lock\.\d+\.[0-9a-f]+\.tmp'\n$/,
          );
          assert.equal(
            await readFile(join(ro, '.netlog.lock'), 'utf8'),
            stale,
            'the stale lock is untouched',
          );
        },
      );
    },
  );

  test('a file in place of the takeover guard, beside a stale lock: one line naming it, exit 1, not a wait ending in "locked"', async () => {
    const dir = await caseDir();
    const data = join(dir, 'data');
    await mkdir(data);
    const stale = deadHoldersLock('load-backfill');
    await writeFile(join(data, '.netlog.lock'), stale);
    await writeFile(join(data, '.netlog.lock.takeover'), 'not a directory');
    // Old enough to pass for a crash's leftover guard: it must still not be taken for another run.
    const old = new Date(Date.now() - 3_600_000);
    await utimes(join(data, '.netlog.lock.takeover'), old, old);
    await assert.rejects(acquireRunLock(data, { cmd: 'publish' }), (err: unknown) => {
      assert.ok(err instanceof StoreError, String(err));
      assert.equal(err.exitCode, 1);
      assert.match(
        err.message,
        /^the lock's takeover guard .*\/data\/\.netlog\.lock\.takeover is not a directory: /,
      );
      return true;
    });
    const result = await runCli(['publish', '--data', data], {
      env: { NETLOG_LOG_FILE: join(dir, 'elastic.log') },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^netlog: error: the lock's takeover guard .*\/data\/\.netlog\.lock\.takeover is not a directory: delete it if no netlog run is going\n$/,
    );
    assert.equal(await readFile(join(data, '.netlog.lock'), 'utf8'), stale, 'the stale lock is untouched');
    assert.deepEqual(
      (await readdir(data)).sort(),
      ['.netlog.lock', '.netlog.lock.takeover'],
      'no temporary file left',
    );
  });

  test('a leftover takeover guard that cannot be removed is reported with its cause', async () => {
    const dir = await caseDir();
    const data = join(dir, 'data');
    const guard = join(data, '.netlog.lock.takeover');
    await mkdir(guard, { recursive: true });
    await writeFile(join(guard, 'something'), '');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(guard, old, old);
    await writeFile(join(data, '.netlog.lock'), deadHoldersLock('verify --repair', old));
    await assert.rejects(acquireRunLock(data, { cmd: 'publish' }), (err: unknown) => {
      assert.ok(err instanceof StoreError, String(err));
      assert.match(err.message, /^cannot remove the lock's takeover guard .* \(ENOTEMPTY\): /);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOTEMPTY');
      return true;
    });
  });

  test('the netlog binary takes over a dead run’s lock and logs it', async (t) => {
    const p = await publishable(await caseDir());
    const crashed = await holdLock(t, p.data, 'verify --repair');
    const held = { pid: crashed.pid };
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

    // An empty lock file (torn by a crash, or an older netlog's, created empty) older than a few seconds.
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
