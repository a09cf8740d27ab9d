import type { PushFailure } from './git-output.js';

/**
 * What publish does after a failed push. Pure; the push loop (push.ts) carries it out.
 *
 * - `rebase`: the remote has commits we lack → fetch them and rebase onto them (never a force-push,
 *   never a merge commit), at most MAX_REBASES times in one run: a remote that keeps moving (another
 *   host publishing at the same moment) is given a few chances, not an endless race;
 * - `retry`: the remote could not be reached (or kept moving past MAX_REBASES) → try again after a
 *   backoff (src/retry.ts), up to git.push_retries times;
 * - `stop`: the remote answered and refused (a hook, a protected branch, permissions) → trying again
 *   will not help; the commits stay local for the next publish.
 */
type PushStep = 'rebase' | 'retry' | 'stop';

/** Rebases onto a remote that keeps moving, before giving up for this run. */
export const MAX_REBASES = 3;

export function nextPushStep(failure: PushFailure, rebasesDone: number): PushStep {
  if (failure === 'refused') return 'stop';
  if (failure === 'behind' && rebasesDone < MAX_REBASES) return 'rebase';
  return 'retry';
}
