import { GitError, InterruptedError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { retry } from '../retry.js';
import { listForLine, refusedIncoming } from './data-files.js';
import { countPending } from './git-queries.js';
import { classifyPushFailure, gitFailureReason, parseNamesZ, parseRawDiffZ } from './git-output.js';
import { errorText, gitStepError, type GitRunner } from './git-runner.js';
import {
  conflictedFilesTask,
  fetchTask,
  incomingChangesTask,
  pushTask,
  rebaseAbortTask,
  rebaseTask,
} from './git-tasks.js';
import { nextPushStep } from './push-decision.js';
import type { PublishResult } from './publish-result.js';

/**
 * Sending the local commits: push, rebase onto a remote that moved on, retry a remote that cannot be
 * reached. The decisions are push-decision.ts's (what to do after a failed push) and src/retry.ts's
 * (how long to wait); this carries them out through the runner.
 */

type GitConfig = Config['git'];

interface PushContext {
  /** Local commands. */
  readonly git: GitRunner;
  /** Network commands (push, fetch): killed on SIGINT/SIGTERM. */
  readonly net: GitRunner;
  readonly config: GitConfig;
  readonly dataDir: string;
  readonly log: Logger;
  /** The first backoff ceiling (src/retry.ts). */
  readonly retryBaseMs: number;
  readonly signal?: AbortSignal;
}

/** A push that did not get through and may the next time: the remote is unreachable (or kept moving). */
class PushFailed extends Error {
  constructor(reason: string, options: { cause: unknown }) {
    super(reason, options);
    this.name = 'PushFailed';
  }
}

/**
 * Pushes HEAD to the configured branch until the remote has every local commit, or gives up and leaves
 * them local. Never throws for a remote that cannot be reached or that refuses; throws GitError for a
 * rebase that conflicts, a remote whose new commits publish will not take in, or a local git command
 * that fails; InterruptedError on SIGINT/SIGTERM.
 */
export async function pushPending(
  ctx: PushContext,
): Promise<Pick<PublishResult, 'pushed' | 'pending' | 'pushError' | 'rebased'>> {
  const { git, net, config, dataDir, log, signal } = ctx;
  const where = { remote: config.remote, branch: config.branch };
  const interrupted = (): InterruptedError =>
    new InterruptedError('interrupted: the commit is kept locally; the next netlog publish sends it');
  let rebases = 0;
  let pending = 0;
  let attempts = 0;
  try {
    return await retry(
      async (n) => {
        attempts = n + 1;
        for (;;) {
          if (signal?.aborted) throw interrupted();
          pending = await countPending(git, where, dataDir);
          if (pending === 0) return { pushed: true, pending: 0, rebased: rebases > 0 };
          let failure: unknown;
          try {
            await net.run(pushTask(config.remote, config.branch));
            log.info({ ...where, commits: pending }, 'git push');
            continue; // counts again: 0 unless the remote-tracking branch did not follow
          } catch (err) {
            if (signal?.aborted) throw interrupted();
            failure = err;
          }
          const text = errorText(failure);
          const reason = gitFailureReason(text);
          const step = nextPushStep(classifyPushFailure(text), rebases);
          if (step === 'stop') {
            log.error(
              { ...where, reason, pending },
              'git push refused by the remote: the commits stay local',
            );
            return { pushed: false, pending, pushError: reason, rebased: rebases > 0 };
          }
          if (step === 'retry') throw new PushFailed(reason, { cause: failure });
          rebases++;
          log.warn({ ...where, reason }, 'git push rejected: the remote moved on; rebasing onto it');
          try {
            await net.run(fetchTask(config.remote, config.branch));
          } catch (err) {
            if (signal?.aborted) throw interrupted();
            // The remote went away between the push and the fetch: an unreachable remote after all.
            throw new PushFailed(gitFailureReason(errorText(err)), { cause: err });
          }
          await refuseIncoming(git, `${config.remote}/${config.branch}`, dataDir, pending);
          await rebaseOntoRemote(ctx);
        }
      },
      {
        retries: config.push_retries,
        baseMs: ctx.retryBaseMs,
        ...(signal && { signal }),
        interrupted,
        retryable: (err) => err instanceof PushFailed,
        onRetry: (err, attempt, delayMs) =>
          log.warn({ ...where, reason: errorText(err), attempt, delayMs }, 'git push failed, retrying'),
      },
    );
  } catch (err) {
    if (!(err instanceof PushFailed)) throw err;
    log.error(
      { ...where, reason: err.message, pending, attempts },
      'git push failed: the commits stay local and go out on the next publish',
    );
    return { pushed: false, pending, pushError: err.message, rebased: rebases > 0 };
  }
}

/**
 * Fails when the commits fetched from the remote (those HEAD lacks) add a symbolic link, a submodule
 * or a file outside netlog's layout: netlog neither rebases onto them nor checks them out, so nothing
 * in the data directory can point outside it. The local commits stay as they are (nothing pushed or
 * committed is lost); the next publish tries again once the remote is cleaned up.
 */
async function refuseIncoming(git: GitRunner, onto: string, dataDir: string, pending: number): Promise<void> {
  let raw: string;
  try {
    raw = await git.run(incomingChangesTask(onto));
  } catch (err) {
    throw gitStepError('log', dataDir, err);
  }
  const refused = refusedIncoming(parseRawDiffZ(raw));
  if (refused.length > 0)
    throw new GitError(
      `the remote's new commits add ${listForLine(refused)}: publish does not rebase onto them; ${pending} local commit(s) kept in ${dataDir}, nothing lost; remove those files on the remote, then run netlog publish`,
    );
}

/**
 * Rebases the local commits onto the freshly fetched remote branch. A conflict (both sides changed
 * the same file) aborts the rebase, so nothing is lost, and throws GitError; a rebase that cannot
 * even be aborted says so, and how to finish it by hand.
 */
async function rebaseOntoRemote(ctx: PushContext): Promise<void> {
  const { git, config, dataDir, log } = ctx;
  const onto = `${config.remote}/${config.branch}`;
  try {
    await git.run(rebaseTask(onto));
    log.info({ onto }, 'git rebase onto the remote done');
    return;
  } catch (err) {
    let conflicts: string[] = [];
    try {
      conflicts = parseNamesZ(await git.run(conflictedFilesTask));
    } catch (listErr) {
      // Only the message loses the file names: the rebase's own failure is still reported (and kept).
      log.warn({ onto, reason: gitFailureReason(errorText(listErr)) }, 'cannot list the conflicting files');
    }
    try {
      await git.run(rebaseAbortTask);
    } catch (abortErr) {
      throw new GitError(
        `the remote moved on, rebasing onto it failed (${gitFailureReason(errorText(err))}) and the rebase could not be aborted (${gitFailureReason(errorText(abortErr))}): finish or abort it by hand (git -C ${dataDir} rebase --abort), then run netlog publish`,
        { cause: new AggregateError([err, abortErr], 'rebase failed, then its abort failed') },
      );
    }
    const what =
      conflicts.length > 0
        ? `both sides changed ${listForLine(conflicts)}`
        : gitFailureReason(errorText(err));
    log.error({ onto, conflicts, reason: what }, 'git rebase onto the remote failed; aborted, nothing lost');
    throw new GitError(
      `the remote moved on and rebasing onto it failed (${what}): the rebase was aborted and the local commits are kept; ` +
        `resolve by hand (git -C ${dataDir} pull --rebase), then run netlog publish`,
      { cause: err },
    );
  }
}
