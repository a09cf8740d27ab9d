import { readdir } from 'node:fs/promises';
import { GitError, NetlogError, UsageError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { makeDataDirs } from '../store/safe-path.js';
import { isNetlogScratch, listForLine, refusedCheckout } from './data-files.js';
import { branchOf, commitOf } from './git-queries.js';
import { gitFailureReason, parseLsTreeZ, parseNamesZ } from './git-output.js';
import { maskUrlCredentials } from '../net/url-credentials.js';
import { errorText, gitStepError, openDataRepo } from './git-runner.js';
import {
  addRemoteTask,
  checkoutTask,
  deletedFilesTask,
  fetchTask,
  initTask,
  listTreeTask,
  pathBatches,
  pointHeadTask,
  remoteUrlTask,
  resetIndexTask,
  setUpstreamTask,
  trackedChangesTask,
  trackingRef,
} from './git-tasks.js';
import { sameRemote, unusableRemote } from './remote-url.js';
import { ensureGitignore } from './working-copy.js';

/** How `init-data` found the data directory. */
type InitHow = 'cloned' | 'adopted' | 'initialised';

/**
 * Makes `dataDir` a working copy of `remote` on `config.git.branch`: an empty or missing folder becomes
 * a clone (an empty remote works), an existing clone of the same remote is adopted, and a folder of
 * CSVs without `.git` is put on top of the remote's branch (its files win where both have one; files
 * only the remote has are checked out, so the next publish does not delete them).
 */
export async function initDataRepo(options: {
  dataDir: string;
  remote: string;
  config: Config;
  log: Logger;
  signal?: AbortSignal;
}): Promise<InitHow> {
  const { dataDir, remote } = options;
  const { branch, remote: remoteName } = options.config.git;
  if (unusableRemote(remote)) {
    throw new UsageError(`--remote "${remote}" is not a repository URL or path`);
  }
  const log = options.log.child({ module: 'git' });
  await makeDataDirs(dataDir, dataDir);
  const entries = await readdir(dataDir);
  const { git, net } = openDataRepo(dataDir, options.config.git, log, options.signal);
  let how: InitHow;
  try {
    if (entries.includes('.git')) {
      how = 'adopted';
      const existing = (await git.probe(remoteUrlTask(remoteName)))?.trim();
      if (existing === undefined) await git.run(addRemoteTask(remoteName, remote));
      else if (!sameRemote(existing, remote)) {
        throw new GitError(
          `${dataDir} is already a clone of ${maskUrlCredentials(existing)}, not ${maskUrlCredentials(remote)}: ` +
            `switch with git -C ${dataDir} remote set-url ${remoteName} <url>, or choose another --data`,
        );
      }
    } else {
      how = entries.every(isNetlogScratch) ? 'cloned' : 'initialised';
      // One path for an empty and a non-empty folder: init + fetch + point the branch at the remote's.
      await git.run(initTask(branch));
      await git.run(addRemoteTask(remoteName, remote));
    }
    try {
      await net.run(fetchTask(remoteName));
    } catch (err) {
      throw new GitError(
        `cannot fetch from ${maskUrlCredentials(remote)}: ${gitFailureReason(errorText(err))}`,
        { cause: err },
      );
    }
    const tracking = trackingRef(remoteName, branch);
    const remoteHasBranch = (await commitOf(git, tracking, dataDir)) !== undefined;
    const headBorn = (await commitOf(git, 'HEAD', dataDir)) !== undefined;
    if (!headBorn) {
      // A fresh init or an empty clone: sit on the configured branch, on top of the remote's if any.
      await git.run(pointHeadTask(branch));
      if (remoteHasBranch) {
        // Nothing of a remote that holds links or submodules is checked out.
        const links = refusedCheckout(parseLsTreeZ(await git.run(listTreeTask(tracking))));
        if (links.length > 0)
          throw new GitError(
            `the remote ${maskUrlCredentials(remote)} holds ${listForLine(links)}: netlog does not check out links or submodules into the data directory; remove them on the remote, then run init-data again`,
          );
        await git.run(resetIndexTask(tracking)); // index = the remote's tree; files left alone
        const missing = parseNamesZ(await git.run(deletedFilesTask));
        for (const args of pathBatches(['checkout'], missing)) await git.run(args);
      }
    } else if ((await branchOf(git, dataDir)) !== branch) {
      const dirty = (await git.run(trackedChangesTask)).trim() !== '';
      if (dirty) {
        throw new GitError(
          `${dataDir} is not on branch ${branch} (git.branch) and has uncommitted changes: commit or discard them, then run init-data again`,
        );
      }
      const localHasBranch = (await commitOf(git, `refs/heads/${branch}`, dataDir)) !== undefined;
      await git.run(checkoutTask(branch, !(localHasBranch || remoteHasBranch)));
    }
    if (remoteHasBranch) {
      try {
        await git.run(setUpstreamTask(remoteName, branch));
      } catch (err) {
        throw gitStepError('branch --set-upstream-to', dataDir, err);
      }
    }
    await ensureGitignore(dataDir);
  } catch (err) {
    if (err instanceof NetlogError) throw err;
    throw new GitError(
      `cannot set up ${dataDir} as a working copy of ${maskUrlCredentials(remote)}: ${gitFailureReason(errorText(err))}`,
      { cause: err },
    );
  }
  log.info({ dataDir, remote: maskUrlCredentials(remote), branch, how }, 'data directory ready');
  return how;
}
