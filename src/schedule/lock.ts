import { hostname } from 'node:os';
import { mkdir, open, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockError, StoreError } from '../errors.js';

/**
 * The run lock of a data directory: a file created atomically (`open(..., 'wx')`) that names its
 * holder. It stops cron's morning run and an operator's backfill from writing the same files at once.
 * A lock whose process is gone (same host, dead pid) or that is older than `maxAgeMs` is stale and is
 * taken over; the takeover itself is guarded by an atomic mkdir so two runs cannot both take it.
 */

export const LOCK_FILE = '.netlog.lock';
const TAKEOVER_DIR = '.netlog.lock.takeover';
const DEFAULT_MAX_AGE_MS = 24 * 3_600_000;

export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly cmd: string;
  readonly startedAt: string;
}

export interface RunLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  readonly maxAgeMs?: number;
  readonly now?: () => Date;
  /** Whether a pid runs on this host (injected by tests). */
  readonly isAlive?: (pid: number) => boolean;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a holder's lock may be taken over, or undefined while it is valid. Pure. */
export function staleReason(
  holder: LockHolder,
  now: Date,
  options: { maxAgeMs: number; host: string; isAlive: (pid: number) => boolean },
): string | undefined {
  if (holder.hostname === options.host && !options.isAlive(holder.pid))
    return `process ${holder.pid} is gone`;
  const age = now.getTime() - Date.parse(holder.startedAt);
  if (!(age < options.maxAgeMs)) return `it is older than ${Math.round(options.maxAgeMs / 3_600_000)} h`;
  return undefined;
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Takes the lock of `dataDir` for this process, or throws LockError naming the holder. */
export async function acquireRunLock(
  dataDir: string,
  owner: { cmd: string },
  options: LockOptions = {},
): Promise<RunLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const now = options.now ?? (() => new Date());
  const host = hostname();
  const holder: LockHolder = {
    pid: process.pid,
    hostname: host,
    cmd: owner.cmd,
    startedAt: now().toISOString(),
  };
  const check = {
    maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    host,
    isAlive: options.isAlive ?? processIsAlive,
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${JSON.stringify(holder)}\n`);
      await handle.close();
      let released = false;
      return {
        path,
        holder,
        async release() {
          if (released) return;
          released = true;
          const current = await readHolder(path);
          if (current?.pid === holder.pid && current.startedAt === holder.startedAt)
            await rm(path, { force: true });
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        // Not another run: the directory itself cannot be written (read-only, full, permissions).
        throw new StoreError(
          `cannot create the lock ${path} (${code}): the data directory is not writable: check its permissions or mount`,
          { cause: err },
        );
      }
    }
    const current = await readHolder(path);
    if (current === undefined) {
      // Being written right now, or a torn file from a crash at that instant.
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 10_000) await takeOver(dataDir, path, undefined);
      else await sleep(50);
      continue;
    }
    const stale = staleReason(current, now(), check);
    if (stale === undefined) {
      throw new LockError(
        `the data directory ${dataDir} is locked by netlog ${current.cmd} (pid ${current.pid} on ${current.hostname}) since ${current.startedAt}: wait for it to finish, or delete ${path} if that process is gone`,
      );
    }
    await takeOver(dataDir, path, current);
  }
  throw new LockError(`could not take the lock ${path}: other runs keep taking it; try again`);
}

/** Removes a stale lock under the takeover guard, only if it is still the one judged stale. */
async function takeOver(dataDir: string, path: string, stale: LockHolder | undefined): Promise<void> {
  const guard = join(dataDir, TAKEOVER_DIR);
  try {
    await mkdir(guard);
  } catch {
    // Another run is taking over; a guard left by a crash expires after a minute.
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > 60_000) await rmdir(guard).catch(() => undefined);
    await sleep(50);
    return;
  }
  try {
    const current = await readHolder(path);
    if (
      stale === undefined
        ? current === undefined
        : current?.pid === stale.pid && current.startedAt === stale.startedAt
    ) {
      await rm(path, { force: true });
    }
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}

/** Runs `fn` holding the lock, and releases it whatever happens. */
export async function withRunLock<T>(
  dataDir: string,
  owner: { cmd: string },
  fn: () => Promise<T>,
  options?: LockOptions,
): Promise<T> {
  const lock = await acquireRunLock(dataDir, owner, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
