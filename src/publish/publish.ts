import { GitError, NetlogError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { buildCommitMessage } from './commit-message.js';
import { listForLine, selectPublishedPaths } from './data-files.js';
import { branchOf } from './git-queries.js';
import { gitFailureReason, parseNamesZ, parseStatusZ } from './git-output.js';
import { errorText, gitStepError, openDataRepo, type GitRunner } from './git-runner.js';
import {
  commitTask,
  gitDirTask,
  headCommitTask,
  pathBatches,
  rebaseAbortTask,
  stagedFilesTask,
  statusTask,
} from './git-tasks.js';
import { pushPending } from './push.js';
import type { PublishResult } from './publish-result.js';
import {
  ensureGitignore,
  ensureMergeAttributes,
  findLinks,
  rebaseInProgress,
  recoverIndexLock,
  requireRepo,
} from './working-copy.js';

/**
 * `netlog publish`: the data directory as a git working copy, the repository analysts pull, gets one
 * commit of netlog's changed files and every local commit is pushed. Every git call has a timeout and
 * never prompts (git-runner.ts); nothing is ever force-pushed. A push that fails leaves the commits
 * local; the next publish sends them.
 */

/** First backoff ceiling before pushing again to an unreachable remote (src/retry.ts doubles it). */
const PUSH_RETRY_BASE_MS = 2_000;

/**
 * Publishes the data directory: stages the changed, new and deleted files netlog owns (day files of
 * the configured tables in the layout, the metadata files: data-files.ts) and names the others in a
 * warning, refusing symbolic links; makes one commit whose message names the days and tables (none
 * when nothing changed), and pushes every commit the remote lacks (this run's and those an earlier
 * failed push left). A remote whose new commits add links or files outside the layout is not rebased
 * onto (GitError; the local commits stay).
 *
 * The push retries an unreachable remote with backoff (`git.push_retries`), fetches and rebases when
 * the remote moved on (never a force-push, never a merge commit), and when it finally fails the
 * commits stay local: the result says `pushed: false` with the count pending, and the next publish
 * sends them (push.ts). Setup and commit failures throw GitError; a rebase that conflicts is aborted
 * (nothing lost) and throws GitError naming the files. A stale `.git/index.lock` is removed with a
 * warning. `retryBaseMs` (default 2 s) is the first backoff ceiling, for tests. Call it holding the
 * data directory's run lock (`withRunLock`), as the commands do: it does not take the lock itself.
 */
export async function publishData(options: {
  dataDir: string;
  config: Config;
  log: Logger;
  signal?: AbortSignal;
  retryBaseMs?: number;
}): Promise<PublishResult> {
  const { dataDir, config } = options;
  const log = options.log.child({ module: 'git' });
  requireRepo(dataDir);
  const { git, net } = openDataRepo(dataDir, config.git, log, options.signal);
  let gitDir: string;
  try {
    gitDir = (await git.run(gitDirTask)).trim();
  } catch (err) {
    throw gitStepError('rev-parse', dataDir, err);
  }
  await recoverIndexLock(dataDir, gitDir, log);
  await recoverInterruptedRebase(git, dataDir, gitDir, log);
  const branch = await branchOf(git, dataDir);
  if (branch !== config.git.branch) {
    throw new GitError(
      `${dataDir} is on ${branch === undefined ? 'a detached HEAD' : `branch ${branch}`}, but netlog publishes ${config.git.branch} (git.branch): switch back with git -C ${dataDir} checkout ${config.git.branch}`,
    );
  }
  await ensureGitignore(dataDir);
  await ensureMergeAttributes(gitDir);

  const made = await commitChanges(git, config, dataDir, log);
  const push = await pushPending({
    git,
    net,
    config: config.git,
    dataDir,
    log,
    retryBaseMs: options.retryBaseMs ?? PUSH_RETRY_BASE_MS,
    ...(options.signal && { signal: options.signal }),
  });
  return {
    committed: made.commit !== undefined,
    ...(made.commit !== undefined && { commit: made.commit }),
    ...(made.subject !== undefined && { subject: made.subject }),
    files: made.files,
    ...push,
  };
}

/** Aborts a rebase that an earlier publish left unfinished (killed mid-rebase): its commits come back. */
async function recoverInterruptedRebase(git: GitRunner, dataDir: string, gitDir: string, log: Logger) {
  if (!rebaseInProgress(gitDir)) return;
  try {
    await git.run(rebaseAbortTask);
  } catch (err) {
    throw new GitError(
      `a rebase is in progress in ${dataDir} and could not be aborted (${gitFailureReason(errorText(err))}): finish or abort it by hand (git -C ${dataDir} rebase --abort)`,
      { cause: err },
    );
  }
  log.warn({ dataDir }, 'aborted a rebase left unfinished by an earlier run');
}

/**
 * Stages netlog's changed files (data-files.ts chooses them; the others are named in a warning),
 * refusing symbolic links, and commits them with a message naming the days and tables. No commit
 * when nothing changed.
 */
async function commitChanges(
  git: GitRunner,
  config: Config,
  dataDir: string,
  log: Logger,
): Promise<{ commit?: string; subject?: string; files: number }> {
  try {
    const status = parseStatusZ(await git.run(statusTask));
    const selection = selectPublishedPaths(status, new Set(config.tables.map((t) => t.name)));
    const links = await findLinks(dataDir, selection.publish);
    if (links.length > 0) {
      throw new GitError(
        `publish refuses to commit symbolic links: ${listForLine(links)}; remove them (git rm them if committed), then run netlog publish`,
      );
    }
    if (selection.others.length > 0)
      log.warn(
        { files: selection.others.length, paths: selection.others.slice(0, 20) },
        `not published (not netlog's files): ${listForLine(selection.others)}`,
      );
    for (const args of pathBatches(['add', '--all'], selection.publish)) await git.run(args);
    const staged = parseNamesZ(await git.run(stagedFilesTask));
    if (staged.length === 0) {
      log.info('git: nothing new to commit');
      return { files: 0 };
    }
    const message = buildCommitMessage(staged);
    const subject = message.split('\n')[0];
    await git.run(commitTask(message));
    const commit = (await git.run(headCommitTask)).trim();
    log.info({ commit, files: staged.length, subject }, 'git commit');
    return { commit, ...(subject !== undefined && { subject }), files: staged.length };
  } catch (err) {
    if (err instanceof NetlogError) throw err;
    throw gitStepError('commit', dataDir, err);
  }
}
