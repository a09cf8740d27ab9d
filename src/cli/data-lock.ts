import { withRunLock } from '../store/lock.js';
import type { CommandContext } from './context.js';
import type { GlobalOptions } from './program.js';

/**
 * The one way a command takes the data directory's run lock. No import of the Elasticsearch side:
 * publish and init-data use it too, and its client costs 0.5 s of imports per run.
 */

/** The flag of the commands that take the run lock. */
export interface LockFlags {
  /** Seconds to wait for another run to release the data directory (default: fail at once). */
  waitLock?: number;
}

/**
 * Runs `fn` holding the data directory's run lock (two runs never write the same files at once). A
 * held lock fails at once (exit 4) unless `--wait-lock` gives the holder time to finish; the lock's
 * takeovers and waits are logged, and SIGINT/SIGTERM stop a wait.
 */
export async function withDataLock<T>(
  options: GlobalOptions & LockFlags,
  cmd: string,
  ctx: CommandContext,
  fn: () => Promise<T>,
): Promise<T> {
  return withRunLock(options.data, { cmd }, fn, {
    waitMs: (options.waitLock ?? 0) * 1000,
    signal: ctx.signal,
    log: ctx.log,
  });
}
