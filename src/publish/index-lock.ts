/**
 * Whether a `.git/index.lock` found at the start of a publish may be removed. Pure: the lock's age and
 * the git processes working in the data directory are read by working-copy.ts and git-processes.ts.
 *
 * git leaves `index.lock` behind when it is killed mid-command; every later command then fails until
 * someone removes it. But a live git holds the same file while it works, and removing that one
 * corrupts the index. So: a git process working in the data directory means live; without one, a
 * lock younger than STALE_INDEX_LOCK_MS may still be a git that just started (or one /proc cannot
 * show: another host on a shared folder, another OS); older than that, it is stale.
 */

/** A .git/index.lock younger than this may belong to a git that is still running. */
export const STALE_INDEX_LOCK_MS = 60_000;

type IndexLockVerdict =
  | { readonly remove: true; readonly ageSeconds: number }
  | { readonly remove: false; readonly message: string };

export function judgeIndexLock(lock: {
  /** The lock file, for the message. */
  readonly path: string;
  /** The data directory, for the message. */
  readonly dataDir: string;
  /** Now minus the lock's modification time. */
  readonly ageMs: number;
  /** Pids of git processes whose working directory is in the data directory. */
  readonly gitPids: readonly number[];
}): IndexLockVerdict {
  const ageSeconds = Math.round(lock.ageMs / 1000);
  if (lock.gitPids.length > 0) {
    return {
      remove: false,
      message: `${lock.path} is held by a running git (pid ${lock.gitPids.join(', ')}) in ${lock.dataDir}; try again when it is done`,
    };
  }
  if (lock.ageMs < STALE_INDEX_LOCK_MS) {
    return {
      remove: false,
      message: `${lock.path} is ${ageSeconds} s old: a git command is running in ${lock.dataDir}; try again when it is done`,
    };
  }
  return { remove: true, ageSeconds };
}
