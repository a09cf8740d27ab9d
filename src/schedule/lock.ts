import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, rmdir, stat } from 'node:fs/promises';
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
 * The run lock of a data directory: `<data>/.netlog.lock`, created atomically (`open(..., 'wx')`),
 * naming its holder (pid, host, command, start time). It stops cron's morning run and an operator's
 * backfill from writing the same files at once. A stale lock (see `staleReason`) is taken over; the
 * takeover is guarded by an atomic mkdir, so of several runs that find the same stale lock only one
 * replaces it.
 */

export { LOCK_FILE, type LockHolder } from './lock-state.js';

/** A lock file that cannot be parsed is being written right now, or was torn by a crash this long ago. */
const TORN_LOCK_MS = 5_000;
/** A takeover guard left by a crash mid-takeover expires after this long. */
const TAKEOVER_GUARD_MS = 60_000;
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

async function readHolder(path: string): Promise<LockHolder | undefined> {
  return parseLockHolder(await readFile(path, 'utf8').catch(() => ''));
}

async function ageMs(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => undefined,
  );
}

/** Creates the lock file with our holder in it; false when it exists already. */
async function createLockFile(path: string, holder: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Not another run: the directory itself cannot be written (read-only, full, permissions).
    throw new StoreError(
      `cannot create the lock ${path} (${code}): the data directory is not writable: check its permissions or mount`,
      { cause: err },
    );
  }
  try {
    await handle.writeFile(`${JSON.stringify(holder)}\n`);
    await handle.close();
  } catch (err) {
    // A lock file we could not fill in would look torn to the next run: remove it.
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    throw new StoreError(
      `cannot write the lock ${path} (${(err as NodeJS.ErrnoException).code}): check the space left on the data directory's disk`,
      { cause: err },
    );
  }
  return true;
}

/**
 * Takes the run lock of `dataDir` for this process. A stale lock is taken over (and logged); a lock
 * held by a live run throws LockError (exit 4) naming the holder, after waiting up to `waitMs` for it.
 * A data directory that cannot be written throws StoreError.
 */
export async function acquireRunLock(
  dataDir: string,
  owner: { cmd: string },
  options: LockOptions = {},
): Promise<RunLock> {
  await mkdir(dataDir, { recursive: true, mode: 0o755 }).catch(() => undefined);
  const path = join(dataDir, LOCK_FILE);
  const key = resolve(path);
  const now = options.now ?? (() => new Date());
  const host = hostname();
  const log = options.log?.child({ module: 'lock' });
  const deadline = Date.now() + (options.waitMs ?? 0);
  let replaced: RunLock['replaced'];
  let waiting = false;
  // Each turn either takes the lock, fails, waits, or removes a stale lock that another run may then
  // take first; the bound only stops a pathological fight over the file from spinning forever.
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
    if (await createLockFile(path, holder)) {
      heldHere.add(key);
      log?.debug({ lock: path }, 'run lock taken');
      let released = false;
      return {
        path,
        holder,
        ...(replaced && { replaced }),
        async release() {
          if (released) return;
          released = true;
          heldHere.delete(key);
          const current = await readHolder(path);
          // A lock that was judged stale and taken over by another run is theirs now: leave it.
          if (current?.pid === holder.pid && current.startedAt === holder.startedAt)
            await rm(path, { force: true });
        },
      };
    }
    const current = await readHolder(path);
    if (current === undefined) {
      // Being written this instant, or torn by a crash at that instant long ago.
      const age = await ageMs(path);
      if (age !== undefined && age > TORN_LOCK_MS) {
        if (await takeOver(dataDir, path, undefined)) {
          log?.warn({ lock: path }, 'removed an empty or damaged run lock');
        }
      } else await sleep(POLL_MS);
      continue;
    }
    const reason = staleReason(current, {
      now: now(),
      maxAgeMs: options.maxAgeMs ?? DEFAULT_LOCK_MAX_AGE_MS,
      host,
      ownPid: process.pid,
      heldHere: heldHere.has(key),
      isAlive: options.isAlive ?? processIsAlive,
      startedAtOf: (pid) => readProcStat(pid)?.startedAt,
    });
    if (reason !== undefined) {
      if (await takeOver(dataDir, path, current)) {
        replaced = { holder: current, reason };
        log?.warn({ lock: path, holder: current, reason }, 'took over a stale run lock');
      }
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new LockError(describeHeldLock(dataDir, path, current));
    if (!waiting) {
      waiting = true;
      log?.info({ lock: path, holder: current, waitMs: remaining }, 'waiting for the run lock');
    }
    try {
      await sleep(Math.min(WAIT_POLL_MS, remaining), undefined, options.signal && { signal: options.signal });
    } catch {
      throw new InterruptedError(`interrupted while waiting for the lock of ${dataDir}: nothing was done`);
    }
    turns = 0; // a wait is bounded by its deadline, not by the turns
  }
}

/**
 * Removes a stale lock under the takeover guard, only if it is still the one judged stale (or still
 * torn and old). Returns whether it removed it; false also when another run is taking over.
 */
async function takeOver(dataDir: string, path: string, stale: LockHolder | undefined): Promise<boolean> {
  const guard = join(dataDir, LOCK_TAKEOVER_DIR);
  try {
    await mkdir(guard, { mode: 0o755 });
  } catch {
    const age = await ageMs(guard);
    if (age !== undefined && age > TAKEOVER_GUARD_MS) await rmdir(guard).catch(() => undefined);
    await sleep(POLL_MS);
    return false;
  }
  try {
    const current = await readHolder(path);
    const same =
      stale === undefined
        ? current === undefined && ((await ageMs(path)) ?? 0) > TORN_LOCK_MS
        : current?.pid === stale.pid && current.startedAt === stale.startedAt;
    if (same) await rm(path, { force: true });
    return same;
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
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
