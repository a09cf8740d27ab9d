import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleGit, type SimpleGit } from 'simple-git';
import { GitError, InterruptedError, NetlogError, UsageError } from '../errors.js';
import { buildCommitMessage } from './commit-message.js';
import {
  GENERATED_MERGE_DRIVER,
  listForLine,
  mergeGitignore,
  mergeInfoAttributes,
  refusedIncoming,
  selectPublishedPaths,
} from './data-files.js';
import { gitConfigArgs, gitEnvironment } from './git-env.js';
import {
  classifyPushFailure,
  gitFailureReason,
  maskUrlCredentials,
  parseLsTreeZ,
  parseRawDiffZ,
  parseStatusZ,
} from './git-output.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { UnsafePathError, checkNoLinks, makeDataDirs, readDataFile } from '../store/safe-path.js';
import type { PublishResult } from './publish-result.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';

/**
 * The data directory as a git working copy: the repository analysts pull. Every git call has a
 * timeout (a cron job must never hang on a dead remote), never prompts for credentials, and never
 * force-pushes. A push that fails leaves the commits local; the next publish sends them.
 */

export type { PublishResult } from './publish-result.js';

/** A .git/index.lock younger than this may belong to a git that is still running. */
const STALE_INDEX_LOCK_MS = 60_000;
/** First wait before pushing again to an unreachable remote; doubled each time. */
const PUSH_RETRY_BASE_MS = 2_000;
/** Rebases onto a remote that keeps moving, before giving up for this run. */
const MAX_REBASES = 3;
/** Paths per `git add` (argument lists stay far below the system's limit). */
const ADD_BATCH = 500;

type GitConfig = Config['git'];

/**
 * A simple-git instance for `dir`: the configured author (CI has no global identity), hooks and the
 * fsmonitor off, no prompts, C locale (messages are parsed), literal pathspecs, the block timeout,
 * every command logged at debug level, and a minimal environment with no secret of netlog's in it
 * (git-env.ts). `signal` (for network commands only) kills a running git on SIGINT/SIGTERM.
 */
function openGit(dir: string, config: GitConfig, log: Logger, signal?: AbortSignal): SimpleGit {
  return simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 1,
    timeout: { block: config.timeout_ms },
    ...(signal && { abort: signal }),
    config: [
      ...gitConfigArgs({ name: config.author_name, email: config.author_email }),
      // Keeps the current version of a generated file in a merge (see GENERATED_FILES).
      `merge.${GENERATED_MERGE_DRIVER}.driver=true`,
    ],
    // simple-git refuses to run when the environment names programs or config paths (GIT_SSH_COMMAND,
    // GIT_ASKPASS, GIT_CONFIG_GLOBAL…) or when `-c` sets the hooks path, guarding against untrusted
    // input. Here the environment is the operator's own, filtered (a deploy key in GIT_SSH_COMMAND, a
    // CI runner's GIT_CONFIG_GLOBAL), netlog's arguments are fixed, and the remote URL is checked;
    // the hooks path and fsmonitor are set to switch them off.
    unsafe: {
      allowUnsafeAskPass: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeEditor: true,
      allowUnsafeGitProxy: true,
      // netlog's own merge.netlog-generated.driver (above): the command `true`, nothing else.
      allowUnsafeMergeDriver: true,
      allowUnsafePager: true,
      allowUnsafeSshCommand: true,
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
    },
  })
    .env(gitEnvironment(process.env))
    .outputHandler((_command, _stdout, _stderr, args) => {
      log.debug({ args: shownArgs(args) }, 'git command');
    });
}

/** A git command line for the log: without the `-c` settings every call carries, URL secrets masked. */
function shownArgs(args: readonly string[]): string[] {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else shown.push(maskUrlCredentials(args[i]!));
  }
  return shown;
}

/** A GitError for a failed git step: what, where, and git's own reason in one line. */
function gitStepError(step: string, dataDir: string, err: unknown): GitError {
  if (err instanceof GitError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new GitError(`git ${step} in ${dataDir} failed: ${gitFailureReason(text)}`, { cause: err });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Fails unless `dataDir` is the top of a git working copy (never a parent repository's subfolder). */
function requireRepo(dataDir: string): void {
  if (!existsSync(join(dataDir, '.git'))) {
    throw new GitError(
      `the data directory ${dataDir} is not a git working copy: run netlog init-data --remote URL --data ${dataDir}`,
    );
  }
}

/** Pids of git processes whose working directory is in `dir` (Linux /proc; empty elsewhere). */
async function gitProcessesIn(dir: string): Promise<number[]> {
  const root = await realpath(dir).catch(() => resolve(dir));
  const pids = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const pid of pids) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (!/^git(-|$)/.test(comm)) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    if (cwd !== undefined && (cwd === root || cwd.startsWith(root + sep))) found.push(Number(pid));
  }
  return found;
}

/**
 * Removes a `.git/index.lock` left by a crashed git, with a warning. One that is younger than a minute,
 * or while a git process is running in the data directory, belongs to a live git: GitError.
 */
export async function recoverIndexLock(
  dataDir: string,
  gitDir: string,
  log: Logger,
  now = Date.now(),
): Promise<void> {
  const lock = join(gitDir, 'index.lock');
  const info = await stat(lock).catch(() => undefined);
  if (!info) return;
  const ageSeconds = Math.round((now - info.mtimeMs) / 1000);
  const running = await gitProcessesIn(dataDir);
  if (running.length > 0) {
    throw new GitError(
      `${lock} is held by a running git (pid ${running.join(', ')}) in ${dataDir}; try again when it is done`,
    );
  }
  if (now - info.mtimeMs < STALE_INDEX_LOCK_MS) {
    throw new GitError(
      `${lock} is ${ageSeconds} s old: a git command is running in ${dataDir}; try again when it is done`,
    );
  }
  await rm(lock, { force: true });
  log.warn({ lock, ageSeconds }, 'removed a stale .git/index.lock left by a crashed git');
}

/** Aborts a rebase that an earlier publish left unfinished (killed mid-rebase): its commits come back. */
async function recoverInterruptedRebase(git: SimpleGit, dataDir: string, gitDir: string, log: Logger) {
  if (!existsSync(join(gitDir, 'rebase-merge')) && !existsSync(join(gitDir, 'rebase-apply'))) return;
  try {
    await git.raw(['rebase', '--abort']);
  } catch (err) {
    throw new GitError(
      `a rebase is in progress in ${dataDir} and could not be aborted (${gitFailureReason(errorText(err))}): finish or abort it by hand (git -C ${dataDir} rebase --abort)`,
      { cause: err },
    );
  }
  log.warn({ dataDir }, 'aborted a rebase left unfinished by an earlier run');
}

/**
 * Adds netlog's lines (lock file, temp files) to the data directory's .gitignore when missing. Never
 * through a link: a committed `.gitignore -> /some/file` is an error naming it, not a file appended to.
 */
async function ensureGitignore(dataDir: string): Promise<void> {
  const path = join(dataDir, '.gitignore');
  const merged = mergeGitignore(await readDataFile(dataDir, path));
  if (merged !== undefined) await writeFileAtomic(path, merged, { root: dataDir });
}

/** Marks netlog's generated files for their merge driver, in the clone's own (unpublished) attributes. */
async function ensureMergeAttributes(gitDir: string): Promise<void> {
  const path = join(gitDir, 'info', 'attributes');
  const merged = mergeInfoAttributes(await readFile(path, 'utf8').catch(() => undefined));
  if (merged === undefined) return;
  await mkdir(join(gitDir, 'info'), { recursive: true });
  await writeFile(path, merged);
}

async function revParse(git: SimpleGit, ref: string): Promise<string | undefined> {
  const out = await git.raw(['rev-parse', '--verify', '-q', ref]).catch(() => '');
  return out.trim() || undefined;
}

/** The branch HEAD is on (`main`), or undefined for a detached HEAD. */
async function currentBranch(git: SimpleGit): Promise<string | undefined> {
  const out = await git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '');
  return out.trim() || undefined;
}

/** `git <cmd> -- <paths>` in batches. */
async function forPaths(git: SimpleGit, cmd: string[], paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += ADD_BATCH) {
    await git.raw([...cmd, '--', ...paths.slice(i, i + ADD_BATCH)]);
  }
}

/** How `init-data` found the data directory. */
export type InitHow = 'cloned' | 'adopted' | 'initialised';

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
  if (remote.startsWith('-') || remote.trim() === '') {
    throw new UsageError(`--remote "${remote}" is not a repository URL or path`);
  }
  const log = options.log.child({ module: 'git' });
  await makeDataDirs(dataDir, dataDir);
  const own = (name: string) =>
    name === '.gitignore' || name.startsWith('.netlog.lock') || name.endsWith('.tmp');
  const entries = await readdir(dataDir);
  const git = openGit(dataDir, options.config.git, log);
  const net = openGit(dataDir, options.config.git, log, options.signal);
  let how: InitHow;
  try {
    if (entries.includes('.git')) {
      how = 'adopted';
      const remotes = await git.getRemotes(true);
      const existing = remotes.find((r) => r.name === remoteName);
      if (!existing) await git.addRemote(remoteName, remote);
      else if (!sameRemote(existing.refs.fetch, remote)) {
        throw new GitError(
          `${dataDir} is already a clone of ${maskUrlCredentials(existing.refs.fetch)}, not ${maskUrlCredentials(remote)}: ` +
            `switch with git -C ${dataDir} remote set-url ${remoteName} <url>, or choose another --data`,
        );
      }
    } else {
      how = entries.every(own) ? 'cloned' : 'initialised';
      // One path for an empty and a non-empty folder: init + fetch + point the branch at the remote's.
      await git.raw(['init', '--quiet', `--initial-branch=${branch}`]);
      await git.addRemote(remoteName, remote);
    }
    try {
      await net.fetch(remoteName);
    } catch (err) {
      throw new GitError(
        `cannot fetch from ${maskUrlCredentials(remote)}: ${gitFailureReason(errorText(err))}`,
        { cause: err },
      );
    }
    const tracking = `refs/remotes/${remoteName}/${branch}`;
    const remoteHasBranch = (await revParse(git, tracking)) !== undefined;
    const headBorn = (await revParse(git, 'HEAD')) !== undefined;
    if (!headBorn) {
      // A fresh init or an empty clone: sit on the configured branch, on top of the remote's if any.
      await git.raw(['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
      if (remoteHasBranch) {
        // Nothing of a remote that holds links or submodules is checked out (its other files are the
        // analysts' business: only what later commits add must stay in the layout).
        const links = refusedIncoming(parseLsTreeZ(await git.raw(['ls-tree', '-r', '-z', tracking]))).filter(
          (r) => !r.endsWith("(outside netlog's layout)"),
        );
        if (links.length > 0)
          throw new GitError(
            `the remote ${maskUrlCredentials(remote)} holds ${listForLine(links)}: netlog does not check out links or submodules into the data directory; remove them on the remote, then run init-data again`,
          );
        await git.raw(['reset', '--quiet', tracking]); // index = the remote's tree; files left alone
        const missing = (await git.raw(['ls-files', '-z', '--deleted'])).split('\0').filter((p) => p !== '');
        await forPaths(git, ['checkout'], missing);
      }
    } else if ((await currentBranch(git)) !== branch) {
      const dirty = (await git.raw(['status', '--porcelain', '--untracked-files=no'])).trim() !== '';
      if (dirty) {
        throw new GitError(
          `${dataDir} is not on branch ${branch} (git.branch) and has uncommitted changes: commit or discard them, then run init-data again`,
        );
      }
      const localHasBranch = (await revParse(git, `refs/heads/${branch}`)) !== undefined;
      await git.raw(
        localHasBranch || remoteHasBranch
          ? ['checkout', '--quiet', branch]
          : ['checkout', '--quiet', '-b', branch],
      );
    }
    if (remoteHasBranch)
      await git.raw(['branch', `--set-upstream-to=${remoteName}/${branch}`]).catch(() => undefined);
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

function sameRemote(a: string, b: string): boolean {
  if (a === b) return true;
  const isUrl = (u: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(u) || /^[^/]+@[^/]+:/.test(u);
  return (
    !isUrl(a) && !isUrl(b) && resolve(a.replace(/^file:\/\//, '')) === resolve(b.replace(/^file:\/\//, ''))
  );
}

/**
 * Fails, naming them, when any path publish would stage is a symbolic link or lies below one: git
 * would commit the link itself, and every clone would then write through it.
 */
async function refuseLinks(dataDir: string, relPaths: readonly string[]): Promise<void> {
  const unsafe: string[] = [];
  for (const rel of relPaths) {
    const path = join(dataDir, rel);
    try {
      await checkNoLinks(dataDir, path);
    } catch (err) {
      if (!(err instanceof UnsafePathError)) throw err;
      unsafe.push(err.path);
    }
  }
  if (unsafe.length > 0) {
    const links = [...new Set(unsafe)];
    throw new GitError(
      `publish refuses to commit symbolic links: ${listForLine(links)}; remove them (git rm them if committed), then run netlog publish`,
    );
  }
}

/**
 * Fails when the commits fetched from the remote (those HEAD lacks) add a symbolic link, a submodule
 * or a file outside netlog's layout: netlog neither rebases onto them nor checks them out, so nothing
 * in the data directory can point outside it. The local commits stay as they are (nothing pushed or
 * committed is lost); the next publish tries again once the remote is cleaned up.
 */
async function refuseIncoming(git: SimpleGit, onto: string, dataDir: string, pending: number): Promise<void> {
  const raw = await git.raw([
    'log',
    '--raw',
    '-z',
    '--no-renames',
    '--no-abbrev',
    '--diff-merges=first-parent',
    '--format=',
    `HEAD..${onto}`,
  ]);
  const refused = refusedIncoming(parseRawDiffZ(raw));
  if (refused.length > 0)
    throw new GitError(
      `the remote's new commits add ${listForLine(refused)}: publish does not rebase onto them; ${pending} local commit(s) kept in ${dataDir}, nothing lost; remove those files on the remote, then run netlog publish`,
    );
}

/** Local commits on HEAD that the remote-tracking branch does not have. */
async function countPending(git: SimpleGit, config: GitConfig): Promise<number> {
  if ((await revParse(git, 'HEAD')) === undefined) return 0;
  const tracking = `refs/remotes/${config.remote}/${config.branch}`;
  const known = await revParse(git, tracking);
  return Number((await git.raw(['rev-list', '--count', known ? `${tracking}..HEAD` : 'HEAD'])).trim());
}

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
 * sends them. Setup and commit failures throw GitError; a rebase that conflicts is aborted (nothing
 * lost) and throws GitError naming the files. A stale `.git/index.lock` is removed with a warning.
 * `retryBaseMs` (default 2 s) is the first backoff, for tests. Call it holding the data directory's
 * run lock (`withRunLock`), as the commands do: it does not take the lock itself.
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
  const git = openGit(dataDir, config.git, log);
  const net = openGit(dataDir, config.git, log, options.signal);
  let gitDir: string;
  try {
    gitDir = (await git.raw(['rev-parse', '--absolute-git-dir'])).trim();
  } catch (err) {
    throw gitStepError('rev-parse', dataDir, err);
  }
  await recoverIndexLock(dataDir, gitDir, log);
  await recoverInterruptedRebase(git, dataDir, gitDir, log);
  const branch = await currentBranch(git);
  if (branch !== config.git.branch) {
    throw new GitError(
      `${dataDir} is on ${branch === undefined ? 'a detached HEAD' : `branch ${branch}`}, but netlog publishes ${config.git.branch} (git.branch): switch back with git -C ${dataDir} checkout ${config.git.branch}`,
    );
  }
  await ensureGitignore(dataDir);
  await ensureMergeAttributes(gitDir);

  let commit: string | undefined;
  let subject: string | undefined;
  let staged: string[];
  try {
    const status = parseStatusZ(await git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all']));
    const selection = selectPublishedPaths(status, new Set(config.tables.map((t) => t.name)));
    await refuseLinks(dataDir, selection.publish);
    if (selection.others.length > 0)
      log.warn(
        { files: selection.others.length, paths: selection.others.slice(0, 20) },
        `not published (not netlog's files): ${listForLine(selection.others)}`,
      );
    await forPaths(git, ['add', '--all'], selection.publish);
    staged = (await git.raw(['diff', '--cached', '--name-only', '-z'])).split('\0').filter((p) => p !== '');
    if (staged.length > 0) {
      const message = buildCommitMessage(staged);
      subject = message.split('\n')[0];
      await git.raw(['commit', '--quiet', '-m', message]);
      commit = (await git.raw(['rev-parse', 'HEAD'])).trim();
      log.info({ commit, files: staged.length, subject }, 'git commit');
    } else {
      log.info('git: nothing new to commit');
    }
  } catch (err) {
    if (err instanceof NetlogError) throw err;
    throw gitStepError('commit', dataDir, err);
  }

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
    committed: commit !== undefined,
    ...(commit !== undefined && { commit }),
    ...(subject !== undefined && { subject }),
    files: staged.length,
    ...push,
  };
}

/**
 * Pushes HEAD to the configured branch until the remote has every local commit, or gives up and leaves
 * them local. Never throws for a remote that cannot be reached or that refuses; throws GitError for a
 * rebase that conflicts, InterruptedError on SIGINT/SIGTERM.
 */
async function pushPending(ctx: {
  git: SimpleGit;
  net: SimpleGit;
  config: GitConfig;
  dataDir: string;
  log: Logger;
  retryBaseMs: number;
  signal?: AbortSignal;
}): Promise<Pick<PublishResult, 'pushed' | 'pending' | 'pushError' | 'rebased'>> {
  const { git, net, config, log, signal } = ctx;
  const where = { remote: config.remote, branch: config.branch };
  let failures = 0;
  let rebases = 0;
  const interrupted = (): InterruptedError =>
    new InterruptedError('interrupted: the commit is kept locally; the next netlog publish sends it');
  for (;;) {
    if (signal?.aborted) throw interrupted();
    const pending = await countPending(git, config);
    if (pending === 0) return { pushed: true, pending: 0, rebased: rebases > 0 };
    let text: string;
    try {
      await net.push(config.remote, `HEAD:refs/heads/${config.branch}`);
      log.info({ ...where, commits: pending }, 'git push');
      continue; // counts again: 0 unless the remote-tracking branch did not follow
    } catch (err) {
      if (signal?.aborted) throw interrupted();
      text = errorText(err);
    }
    let reason = gitFailureReason(text);
    let kind = classifyPushFailure(text);
    if (kind === 'behind' && rebases < MAX_REBASES) {
      rebases++;
      log.warn({ ...where, reason }, 'git push rejected: the remote moved on; rebasing onto it');
      try {
        await net.fetch(config.remote, config.branch);
        await refuseIncoming(git, `${config.remote}/${config.branch}`, ctx.dataDir, pending);
        await rebaseOntoRemote(ctx);
        continue;
      } catch (err) {
        if (err instanceof GitError) throw err; // the rebase conflicted (and was aborted)
        if (signal?.aborted) throw interrupted();
        // The remote went away between the push and the fetch: an unreachable remote after all.
        reason = gitFailureReason(errorText(err));
        kind = 'unreachable';
      }
    }
    if (kind === 'refused') {
      log.error({ ...where, reason, pending }, 'git push refused by the remote: the commits stay local');
      return { pushed: false, pending, pushError: reason, rebased: rebases > 0 };
    }
    if (failures >= config.push_retries) {
      log.error(
        { ...where, reason, pending, attempts: failures + 1 },
        'git push failed: the commits stay local and go out on the next publish',
      );
      return { pushed: false, pending, pushError: reason, rebased: rebases > 0 };
    }
    // Half fixed, half random: a real pause each time, and two hosts do not retry in step.
    const delayMs = Math.round(ctx.retryBaseMs * 2 ** failures * (0.5 + Math.random() / 2));
    failures++;
    log.warn({ ...where, reason, attempt: failures, delayMs }, 'git push failed, retrying');
    try {
      await sleep(delayMs, undefined, signal && { signal });
    } catch {
      throw interrupted();
    }
  }
}

/**
 * Rebases the local commits onto the freshly fetched remote branch. A conflict (both sides changed
 * the same file) aborts the rebase, so nothing is lost, and throws GitError.
 */
async function rebaseOntoRemote(ctx: {
  git: SimpleGit;
  config: GitConfig;
  dataDir: string;
  log: Logger;
}): Promise<void> {
  const { git, config, dataDir, log } = ctx;
  const onto = `${config.remote}/${config.branch}`;
  try {
    // --autostash: a tracked file an operator edited in the data directory does not block the rebase.
    await git.raw(['rebase', '--autostash', onto]);
    log.info({ onto }, 'git rebase onto the remote done');
  } catch (err) {
    const conflicts = (await git.raw(['diff', '--name-only', '--diff-filter=U', '-z']).catch(() => ''))
      .split('\0')
      .filter((p) => p !== '');
    await git.raw(['rebase', '--abort']).catch(() => undefined);
    const what =
      conflicts.length > 0
        ? `both sides changed ${conflicts.slice(0, 5).join(', ')}${conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : ''}`
        : gitFailureReason(errorText(err));
    log.error({ onto, conflicts, reason: what }, 'git rebase onto the remote failed; aborted, nothing lost');
    throw new GitError(
      `the remote moved on and rebasing onto it failed (${what}): the rebase was aborted and the local commits are kept; ` +
        `resolve by hand (git -C ${dataDir} pull --rebase), then run netlog publish`,
      { cause: err },
    );
  }
}
