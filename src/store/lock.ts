import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, lstat, mkdir, open, rename, rm, rmdir, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, LockError, StoreError } from '../errors.js';
import {
  DEFAULT_LOCK_MAX_AGE_MS,
  LOCK_FILE,
  LOCK_TAKEOVER_DIR,
  describeHeldLock,
  parseLockHolder,
  staleReason,
  type LockHolder,
} from './lock-state.js';
import type { Logger } from '../log.js';

/**
 * The run lock of a data directory: `<data>/.netlog.lock`, naming its holder (pid, host, command,
 * start time). It stops cron's morning run and an operator's backfill from writing the same files at
 * once.
 *
 * How the lock file changes, and why no reader ever sees it half-written:
 * - Taking a free lock: the holder is written to a temporary file in the data directory and fsynced,
 *   then hard-linked to the lock path. `link()` fails with EEXIST when the lock exists, so it is an
 *   exclusive create whose content is complete the instant the lock path appears.
 * - Taking over a stale lock (see `staleReason`): our own complete temporary file is renamed over the
 *   stale lock. The lock path never disappears, so no third run can create a lock in a gap, and the
 *   run that judged the lock stale is the one that holds it afterwards (it carries `replaced`).
 * - Of several runs that judge the same lock stale, exactly one replaces it: the replacement happens
 *   under the takeover guard (an atomic mkdir of `.netlog.lock.takeover`), and only if the lock is still
 *   the very file that was judged stale (same inode, same text). The second taker in the guard finds
 *   the first one's lock instead and backs off; after the rename the taker reads the lock again and
 *   counts it as held only if it holds its own text.
 * - Release removes the lock only if it still holds our text, also under the guard, so a run that took
 *   over a lock it judged stale (older than the max age) keeps it.
 * The one window left: a guard older than a minute is taken for a crash's leftover and removed; two
 * runs doing that at the same instant could both enter it. A real takeover holds the guard for
 * milliseconds.
 */

/**
 * A lock file that cannot be parsed was torn by a crash (power loss) or is being written by an older
 * netlog that created it empty and filled it afterwards; it is taken over once it is this old.
 */
const TORN_LOCK_MS = 5_000;
/** A takeover guard left by a crash mid-takeover expires after this long. */
const TAKEOVER_GUARD_MS = 60_000;
/** How long a release waits for a takeover in progress before removing our lock without the guard. */
const RELEASE_GUARD_WAIT_MS = 5_000;
const POLL_MS = 50;
const WAIT_POLL_MS = 500;
/** Linux's USER_HZ (the unit of /proc/<pid>/stat's start time) is 100 on every architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Lock files this process holds (a lock is not re-entrant: a second acquire here is refused). */
const heldHere = new Set<string>();

export interface RunLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** The stale lock this one replaced, and why it was stale. */
  readonly replaced?: { readonly holder: LockHolder; readonly reason: string };
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** A lock older than this is stale whoever holds it; default 24 h. */
  readonly maxAgeMs?: number;
  /** Wait up to this long for a running holder to finish instead of failing at once; default 0. */
  readonly waitMs?: number;
  /** Stops a wait (InterruptedError). */
  readonly signal?: AbortSignal;
  /** Takeovers (warn) and waits (info) are logged here. */
  readonly log?: Logger;
  /** The clock (tests). */
  readonly now?: () => Date;
  /** Whether a pid runs on this host (tests). */
  readonly isAlive?: (pid: number) => boolean;
}

/** Whether `pid` runs on this host: signal 0 probes without killing; a zombie counts as gone. */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return readProcStat(pid)?.state !== 'Z';
}

/** State and start time of a process from /proc (Linux); undefined elsewhere or when it is gone. */
function readProcStat(pid: number): { state: string; startedAt: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields resume after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const bootLine = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    const ticks = Number(fields[19]); // field 22, starttime, in clock ticks since boot
    if (!bootLine || !Number.isFinite(ticks)) return undefined;
    return {
      state: fields[0] ?? '',
      startedAt: Number(bootLine[1]) * 1000 + (ticks * 1000) / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

/** The lock file as read: its inode and text (one open file, so they belong together). */
interface LockFileState {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly text: string;
}

/**
 * Reads the lock; undefined when there is none. Any other failure to read it is not "torn" but a
 * problem the operator must see (permissions, a directory in its place): StoreError with its cause.
 */
async function readLock(path: string): Promise<LockFileState | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw cannotRead(path, err);
  }
  try {
    const info = await handle.stat();
    return { ino: info.ino, mtimeMs: info.mtimeMs, text: await handle.readFile('utf8') };
  } catch (err) {
    throw cannotRead(path, err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function cannotRead(path: string, err: unknown): StoreError {
  return new StoreError(
    `cannot read the lock ${path} (${errCode(err)}): it must be a file netlog can read: check its permissions, or delete it if no netlog run is going`,
    { cause: err },
  );
}

/** Why the lock (or its temporary file, or the guard) could not be created, as one line. */
function cannotCreate(lockPath: string, err: unknown, what = `the lock ${lockPath}`): StoreError {
  const code = errCode(err);
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full: free space and re-run'
      : code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
        ? 'the data directory is not writable: check its permissions or mount'
        : 'check the data directory';
  return new StoreError(`cannot create ${what} (${code}): ${hint}`, { cause: err });
}

/**
 * Writes `text` to a new temporary file beside the lock and fsyncs it, so that the lock, once linked or
 * renamed to, is complete. The name matches the data repository's `*.tmp` ignore line.
 */
async function writeLockTemp(dataDir: string, lockPath: string, text: string): Promise<string> {
  const tmp = join(dataDir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(tmp, 'wx', 0o644);
  } catch (err) {
    throw cannotCreate(lockPath, err);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw cannotCreate(lockPath, err);
  }
  return tmp;
}

/** Creates the lock holding `text` if there is none; false when one exists already. */
async function createLock(dataDir: string, path: string, text: string): Promise<boolean> {
  const tmp = await writeLockTemp(dataDir, path, text);
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    const code = errCode(err);
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')
      throw new StoreError(
        `cannot create the lock ${path} (${code}): the run lock needs hard links, which the data directory's filesystem does not allow: put the data directory on a local filesystem`,
        { cause: err },
      );
    throw cannotCreate(path, err);
  } finally {
    // The lock path keeps the content (a second name of the same file); the temporary name goes.
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/**
 * Enters the takeover guard: true when entered; false when another run is inside (a guard left by a
 * crash long ago is removed, to be entered on a later turn). Only an existing guard directory means
 * "another run": any other failure to create it (a read-only or full data directory), something else
 * in its place, or a leftover guard that cannot be removed is a StoreError with its cause, never a
 * wait that ends in "locked".
 */
async function enterGuard(dataDir: string, lockPath: string): Promise<boolean> {
  const guard = join(dataDir, LOCK_TAKEOVER_DIR);
  try {
    await mkdir(guard, { mode: 0o755 });
    return true;
  } catch (err) {
    if (errCode(err) !== 'EEXIST') throw cannotCreate(lockPath, err, `the lock's takeover guard ${guard}`);
  }
  let info;
  try {
    info = await lstat(guard);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return false; // the other run just left it: look again
    throw new StoreError(
      `cannot read the lock's takeover guard ${guard} (${errCode(err)}): check its permissions`,
      {
        cause: err,
      },
    );
  }
  if (!info.isDirectory())
    throw new StoreError(
      `the lock's takeover guard ${guard} is not a directory: delete it if no netlog run is going`,
    );
  if (Date.now() - info.mtimeMs > TAKEOVER_GUARD_MS) {
    // A crash's leftover: removed here, entered on a later turn.
    try {
      await rmdir(guard);
    } catch (err) {
      if (errCode(err) !== 'ENOENT')
        throw new StoreError(
          `cannot remove the lock's takeover guard ${guard}, left by a run that stopped mid-takeover (${errCode(err)}): delete it if no netlog run is going`,
          { cause: err },
        );
    }
  }
  return false;
}

async function leaveGuard(dataDir: string): Promise<void> {
  await rmdir(join(dataDir, LOCK_TAKEOVER_DIR)).catch(() => undefined);
}

const sameFile = (a: LockFileState | undefined, b: LockFileState) =>
  a !== undefined && a.ino === b.ino && a.text === b.text;

/**
 * Replaces the stale lock `stale` (as it was read when judged stale) by our lock holding `text`:
 * renames our complete temporary file over it, under the takeover guard, and only if the lock is still
 * that same file. Returns whether we hold the lock now; false when another run is taking over or took
 * it first, or the holder released it meanwhile.
 */
async function takeOver(
  dataDir: string,
  path: string,
  stale: LockFileState,
  text: string,
  stillStale: (current: LockFileState) => boolean,
): Promise<boolean> {
  const tmp = await writeLockTemp(dataDir, path, text);
  try {
    if (!(await enterGuard(dataDir, path))) {
      await sleep(POLL_MS);
      return false;
    }
    try {
      const current = await readLock(path);
      if (!sameFile(current, stale) || !stillStale(current!)) return false;
      try {
        await rename(tmp, path);
      } catch (err) {
        throw cannotCreate(path, err);
      }
      // Ours only if the lock now holds our text (nothing else renames under the guard; this also
      // catches the guard-expiry race described at the top).
      return (await readLock(path))?.text === text;
    } finally {
      await leaveGuard(dataDir);
    }
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/**
 * Takes the run lock of `dataDir` for this process. A stale lock is taken over (and logged); a lock
 * held by a live run throws LockError (exit 4) naming the holder, after waiting up to `waitMs` for it.
 * A data directory that cannot be written, or a lock that cannot be read, throws StoreError.
 */
export async function acquireRunLock(
  dataDir: string,
  owner: { cmd: string },
  options: LockOptions = {},
): Promise<RunLock> {
  const path = join(dataDir, LOCK_FILE);
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw cannotCreate(path, err, `the data directory ${dataDir}`);
  }
  const key = resolve(path);
  const now = options.now ?? (() => new Date());
  const host = hostname();
  const log = options.log?.child({ module: 'lock' });
  const deadline = Date.now() + (options.waitMs ?? 0);
  let waiting = false;
  // Each turn either takes the lock, fails, waits, or loses a race for it and looks again; the bound
  // only stops a pathological fight over the file from spinning forever.
  for (let turns = 1; ; turns++) {
    if (turns > 1_000)
      throw new LockError(`could not take the lock ${path}: other runs keep taking it; try again`);
    // The start time is when the lock is taken (not when we began to wait for it): the age counts from it.
    const holder: LockHolder = {
      pid: process.pid,
      hostname: host,
      cmd: owner.cmd,
      startedAt: now().toISOString(),
    };
    const text = `${JSON.stringify(holder)}\n`;
    const held = (replaced?: RunLock['replaced']): RunLock => {
      heldHere.add(key);
      log?.debug({ lock: path }, 'run lock taken');
      return runLock(dataDir, path, key, holder, text, replaced, log);
    };

    const current = await readLock(path);
    if (current === undefined) {
      if (await createLock(dataDir, path, text)) return held();
      continue; // another run created it first: look at theirs
    }
    const currentHolder = parseLockHolder(current.text);
    if (currentHolder === undefined) {
      // Torn by a crash, or being written by an older netlog: taken over once it is old enough.
      const isOld = (l: LockFileState) => Date.now() - l.mtimeMs > TORN_LOCK_MS;
      if (isOld(current) && (await takeOver(dataDir, path, current, text, isOld))) {
        log?.warn({ lock: path }, 'took over an empty or damaged run lock');
        return held();
      }
      await sleep(POLL_MS);
      continue;
    }
    const reason = staleReason(currentHolder, {
      now: now(),
      maxAgeMs: options.maxAgeMs ?? DEFAULT_LOCK_MAX_AGE_MS,
      host,
      ownPid: process.pid,
      heldHere: heldHere.has(key),
      isAlive: options.isAlive ?? processIsAlive,
      startedAtOf: (pid) => readProcStat(pid)?.startedAt,
    });
    if (reason !== undefined) {
      if (await takeOver(dataDir, path, current, text, () => true)) {
        log?.warn({ lock: path, holder: currentHolder, reason }, 'took over a stale run lock');
        return held({ holder: currentHolder, reason });
      }
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new LockError(describeHeldLock(dataDir, path, currentHolder));
    if (!waiting) {
      waiting = true;
      log?.info({ lock: path, holder: currentHolder, waitMs: remaining }, 'waiting for the run lock');
    }
    try {
      await sleep(Math.min(WAIT_POLL_MS, remaining), undefined, options.signal && { signal: options.signal });
    } catch {
      throw new InterruptedError(`interrupted while waiting for the lock of ${dataDir}: nothing was done`);
    }
    turns = 0; // a wait is bounded by its deadline, not by the turns
  }
}

function runLock(
  dataDir: string,
  path: string,
  key: string,
  holder: LockHolder,
  text: string,
  replaced: RunLock['replaced'],
  log: Logger | undefined,
): RunLock {
  let released = false;
  return {
    path,
    holder,
    ...(replaced && { replaced }),
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(key);
      // Under the guard, so that a run replacing this lock (judged stale: older than the max age)
      // cannot do so between our check and our removal. A guard that stays busy (or cannot be
      // created) does not keep the lock forever: the check alone then decides.
      let guarded = false;
      try {
        for (const until = Date.now() + RELEASE_GUARD_WAIT_MS; Date.now() < until; await sleep(POLL_MS))
          if ((guarded = await enterGuard(dataDir, path))) break;
      } catch {
        // The guard cannot be created (the directory turned read-only): removing the lock may fail too.
      }
      try {
        let current: LockFileState | undefined;
        try {
          current = await readLock(path);
        } catch (err) {
          // Left in place (it may be another run's): the next run meets it and reports the cause.
          log?.warn({ lock: path, err }, 'the run lock cannot be read to release it: left in place');
        }
        // A lock that was judged stale and taken over by another run is theirs now: leave it.
        if (current?.text === text) await rm(path, { force: true });
      } finally {
        if (guarded) await leaveGuard(dataDir);
      }
    },
  };
}

/** Runs `fn` holding the run lock of `dataDir`, and releases it whatever happens. */
export async function withRunLock<T>(
  dataDir: string,
  owner: { cmd: string },
  fn: (lock: RunLock) => Promise<T>,
  options?: LockOptions,
): Promise<T> {
  const lock = await acquireRunLock(dataDir, owner, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
