/**
 * The git command lines netlog runs, as pure functions of what they act on (simple-git's "tasks").
 * Nothing here runs git (git-runner.ts does) or reads its output (git-output.ts does). Every path
 * list ends with `--` so that no file name is read as an option; the environment sets
 * GIT_LITERAL_PATHSPECS, so none is read as a pattern either.
 */

/** Paths per command: argument lists stay far below the system's limit. */
export const PATH_BATCH = 500;

/** `git <cmd> -- <paths>`, in batches of PATH_BATCH paths (none for an empty list). */
export function pathBatches(cmd: readonly string[], paths: readonly string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < paths.length; i += PATH_BATCH) {
    batches.push([...cmd, '--', ...paths.slice(i, i + PATH_BATCH)]);
  }
  return batches;
}

/** The remote-tracking ref of the published branch. */
export function trackingRef(remote: string, branch: string): string {
  return `refs/remotes/${remote}/${branch}`;
}

/** The git directory, absolute (`.git` of the data directory, or wherever a worktree file points). */
export const gitDirTask = ['rev-parse', '--absolute-git-dir'];

/** A question (runner.probe): the commit `ref` names; git exits 1 silently when there is none. */
export function verifyRefTask(ref: string): string[] {
  return ['rev-parse', '--verify', '-q', ref];
}

/** A question (runner.probe): the branch HEAD is on; git exits 1 silently for a detached HEAD. */
export const currentBranchTask = ['symbolic-ref', '--short', '-q', 'HEAD'];

/** A question (runner.probe): the URL a remote fetches from; git exits 1 silently when unset. */
export function remoteUrlTask(name: string): string[] {
  return ['config', '--get', `remote.${name}.url`];
}

export function addRemoteTask(name: string, url: string): string[] {
  return ['remote', 'add', name, url];
}

export function initTask(branch: string): string[] {
  return ['init', '--quiet', `--initial-branch=${branch}`];
}

/** Fetches the remote (its configured refspecs), or only `branch` of it. */
export function fetchTask(remote: string, branch?: string): string[] {
  return ['fetch', remote, ...(branch !== undefined ? [branch] : [])];
}

/** Points an unborn HEAD at `branch`. */
export function pointHeadTask(branch: string): string[] {
  return ['symbolic-ref', 'HEAD', `refs/heads/${branch}`];
}

/** Every path of a tree, with its mode (git-output.ts: parseLsTreeZ). */
export function listTreeTask(ref: string): string[] {
  return ['ls-tree', '-r', '-z', ref];
}

/** The index becomes `ref`'s tree; the files in the folder are left alone. */
export function resetIndexTask(ref: string): string[] {
  return ['reset', '--quiet', ref];
}

/** Paths in the index that are missing from the folder (git-output.ts: parseNamesZ). */
export const deletedFilesTask = ['ls-files', '-z', '--deleted'];

/** Changes to tracked files (empty output: none). */
export const trackedChangesTask = ['status', '--porcelain', '--untracked-files=no'];

export function checkoutTask(branch: string, create: boolean): string[] {
  return create ? ['checkout', '--quiet', '-b', branch] : ['checkout', '--quiet', branch];
}

export function setUpstreamTask(remote: string, branch: string): string[] {
  return ['branch', `--set-upstream-to=${remote}/${branch}`];
}

/** Every changed, new and deleted file (git-output.ts: parseStatusZ). */
export const statusTask = ['status', '--porcelain=v1', '-z', '--untracked-files=all'];

/** What is staged (git-output.ts: parseNamesZ). */
export const stagedFilesTask = ['diff', '--cached', '--name-only', '-z'];

export function commitTask(message: string): string[] {
  return ['commit', '--quiet', '-m', message];
}

export const headCommitTask = ['rev-parse', 'HEAD'];

/** How many commits HEAD has that `tracking` lacks (all of HEAD's when the remote has no branch). */
export function pendingCountTask(tracking: string | undefined): string[] {
  return ['rev-list', '--count', tracking !== undefined ? `${tracking}..HEAD` : 'HEAD'];
}

/**
 * HEAD to the published branch, never forced. `--porcelain` makes a rejection a status line that
 * git-output.ts reads (and is not translated); `--verbose` as simple-git's own push task has it.
 */
export function pushTask(remote: string, branch: string): string[] {
  return ['push', remote, `HEAD:refs/heads/${branch}`, '--verbose', '--porcelain'];
}

/**
 * The files the commits HEAD lacks add, change or delete, with their modes (git-output.ts:
 * parseRawDiffZ): merges compared with their first parent, no rename detection.
 */
export function incomingChangesTask(onto: string): string[] {
  return [
    'log',
    '--raw',
    '-z',
    '--no-renames',
    '--no-abbrev',
    '--diff-merges=first-parent',
    '--format=',
    `HEAD..${onto}`,
  ];
}

/** --autostash: a tracked file an operator edited in the data directory does not block the rebase. */
export function rebaseTask(onto: string): string[] {
  return ['rebase', '--autostash', onto];
}

export const rebaseAbortTask = ['rebase', '--abort'];

/** The files a stopped rebase left in conflict (git-output.ts: parseNamesZ). */
export const conflictedFilesTask = ['diff', '--name-only', '--diff-filter=U', '-z'];
