/**
 * What a run lock says and when it no longer counts. Pure: the edge (`lock.ts`) reads the lock file,
 * the host name, the clock and the process table, and passes them in.
 */

/** The lock file in the data directory (also listed in the data repository's .gitignore). */
export const LOCK_FILE = '.netlog.lock';
/** A directory created atomically while a stale lock is being replaced, so only one run replaces it. */
export const LOCK_TAKEOVER_DIR = '.netlog.lock.takeover';
/** A lock older than this is stale even when its holder still seems to run (a hung process). */
export const DEFAULT_LOCK_MAX_AGE_MS = 24 * 3_600_000;
/**
 * How much later than the lock's `startedAt` a process with the holder's pid may have started and
 * still be the holder: the lock is written after the process starts, and the kernel's start time is
 * rounded (boot time to the second, start to a clock tick).
 */
const START_TIME_SLACK_MS = 2_000;

/** The content of the lock file: who holds the data directory. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly cmd: string;
  readonly startedAt: string;
}

/** What the edge knows about the holder's process, for `staleReason`. */
export interface LockCheck {
  readonly now: Date;
  readonly maxAgeMs: number;
  /** This host's name: a pid is only meaningful on the host that wrote it. */
  readonly host: string;
  /** This process's pid, and whether this process holds this very lock (a lock is not re-entrant). */
  readonly ownPid: number;
  readonly heldHere: boolean;
  /** Whether a pid runs on this host. */
  readonly isAlive: (pid: number) => boolean;
  /** When the process with this pid started (ms since the epoch), if the platform says (Linux /proc). */
  readonly startedAtOf: (pid: number) => number | undefined;
}

/** Parses a lock file's text; undefined when it is empty, torn or not a lock. Pure. */
export function parseLockHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (
    !Number.isInteger(v.pid) ||
    typeof v.hostname !== 'string' ||
    typeof v.cmd !== 'string' ||
    typeof v.startedAt !== 'string' ||
    Number.isNaN(Date.parse(v.startedAt))
  )
    return undefined;
  return { pid: v.pid as number, hostname: v.hostname, cmd: v.cmd, startedAt: v.startedAt };
}

/**
 * Why a holder's lock may be taken over, or undefined while it still counts. Pure.
 *
 * On this host: the pid is gone; or the pid now belongs to a process that started after the lock was
 * written (the pid was reused); or the pid is this very process, which does not hold the lock (a
 * restarted container whose netlog is pid 1 again). On any host: the lock is older than `maxAgeMs`.
 * A pid written on another host cannot be checked here, so only the age applies to it.
 */
export function staleReason(holder: LockHolder, check: LockCheck): string | undefined {
  const lockedAt = Date.parse(holder.startedAt);
  if (holder.hostname === check.host) {
    if (holder.pid === check.ownPid) {
      if (!check.heldHere) return `pid ${holder.pid} is this process, which does not hold it`;
    } else if (!check.isAlive(holder.pid)) {
      return `process ${holder.pid} is gone`;
    } else {
      const started = check.startedAtOf(holder.pid);
      if (started !== undefined && started > lockedAt + START_TIME_SLACK_MS)
        return `pid ${holder.pid} now belongs to a process started after the lock was taken`;
    }
  }
  const age = check.now.getTime() - lockedAt;
  if (!(age < check.maxAgeMs)) return `it is older than ${formatDuration(check.maxAgeMs)}`;
  return undefined;
}

/** The one line of a LockError: who holds the data directory, since when, and how to clear it. Pure. */
export function describeHeldLock(dataDir: string, lockPath: string, holder: LockHolder): string {
  return (
    `the data directory ${dataDir} is locked by netlog ${holder.cmd} (pid ${holder.pid} on ${holder.hostname}) ` +
    `since ${holder.startedAt}: wait for it to finish, or delete ${lockPath} if that process is gone`
  );
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
