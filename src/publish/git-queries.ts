import type { GitRunner } from './git-runner.js';
import { gitStepError } from './git-runner.js';
import { currentBranchTask, pendingCountTask, trackingRef, verifyRefTask } from './git-tasks.js';

/**
 * Questions publish asks git about the working copy: a task run through the runner, its answer
 * read. A "no" is git's own silent exit 1 (runner.probe); any other failure is a GitError naming
 * the step, with git's error as its cause — never read as "no" (a failed `rev-parse HEAD` is not
 * "nothing to push", a failed `symbolic-ref` is not "a detached HEAD").
 */

/** The commit `ref` names, or undefined when there is none (an unborn HEAD, a branch not fetched). */
export async function commitOf(git: GitRunner, ref: string, dataDir: string): Promise<string | undefined> {
  try {
    return (await git.probe(verifyRefTask(ref)))?.trim() || undefined;
  } catch (err) {
    throw gitStepError(`rev-parse ${ref}`, dataDir, err);
  }
}

/** The branch HEAD is on (`main`), or undefined for a detached HEAD. */
export async function branchOf(git: GitRunner, dataDir: string): Promise<string | undefined> {
  try {
    return (await git.probe(currentBranchTask))?.trim() || undefined;
  } catch (err) {
    throw gitStepError('symbolic-ref HEAD', dataDir, err);
  }
}

/** Local commits on HEAD that the remote-tracking branch does not have (0 before the first commit). */
export async function countPending(
  git: GitRunner,
  where: { remote: string; branch: string },
  dataDir: string,
): Promise<number> {
  if ((await commitOf(git, 'HEAD', dataDir)) === undefined) return 0;
  const tracking = trackingRef(where.remote, where.branch);
  const known = await commitOf(git, tracking, dataDir);
  let out: string;
  try {
    out = await git.run(pendingCountTask(known !== undefined ? tracking : undefined));
  } catch (err) {
    throw gitStepError('rev-list --count', dataDir, err);
  }
  const count = Number(out.trim());
  if (!Number.isInteger(count) || count < 0 || out.trim() === '') {
    throw gitStepError('rev-list --count', dataDir, new Error(`unexpected output "${out.trim()}"`));
  }
  return count;
}
