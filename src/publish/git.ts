import { existsSync } from 'node:fs';
import { readdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleGit, type SimpleGit } from 'simple-git';
import { GitError, InterruptedError } from '../errors.js';
import { buildCommitMessage } from './commit-message.js';
import { backoffMs } from '../es/search.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';

/**
 * The data directory as a git working copy: the repository analysts pull. Every git call has a
 * timeout (a cron job must never hang on a dead remote), never prompts for credentials, and never
 * force-pushes. A push that fails leaves the commits local; the next publish sends them.
 */

const GITIGNORE = ['# written by netlog', '.netlog.lock', '.netlog.lock.takeover/', '*.tmp', ''].join('\n');
const STALE_INDEX_LOCK_MS = 60_000;

export interface PublishResult {
  readonly committed: boolean;
  readonly commit?: string;
  readonly files: number;
  readonly pushed: boolean;
  /** Commits on the branch that the remote does not have yet. */
  readonly pending: number;
}

type GitConfig = Config['git'];

function openGit(dir: string, git: GitConfig): SimpleGit {
  return simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 1,
    timeout: { block: git.timeout_ms },
    config: [`user.name=${git.author_name}`, `user.email=${git.author_email}`, 'core.quotepath=off'],
    // netlog sets GIT_SSH_COMMAND itself (BatchMode: ssh must fail, never prompt, under cron).
    unsafe: { allowUnsafeSshCommand: true },
  }).env({
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
  });
}

/** The last lines of a git failure, for a one-line message. */
function gitReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('hint:'));
  return (lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1) ?? text).replace(
    /^(fatal|error):\s*/,
    '',
  );
}

/** Fails unless `dataDir` is the top of a git working copy. */
async function requireRepo(dataDir: string): Promise<void> {
  if (!existsSync(join(dataDir, '.git'))) {
    throw new GitError(
      `the data directory ${dataDir} is not a git working copy: run netlog init-data --remote URL --data ${dataDir}`,
    );
  }
}

/** Removes a `.git/index.lock` left by a crashed git; a fresh one means git is running there now. */
export async function recoverIndexLock(dataDir: string, log: Logger, now = Date.now()): Promise<void> {
  const lock = join(dataDir, '.git', 'index.lock');
  const info = await stat(lock).catch(() => undefined);
  if (!info) return;
  const age = now - info.mtimeMs;
  if (age < STALE_INDEX_LOCK_MS) {
    throw new GitError(
      `${lock} is ${Math.round(age / 1000)} s old: a git command is running in ${dataDir}; try again when it is done`,
    );
  }
  await rm(lock, { force: true });
  log.warn({ ageSeconds: Math.round(age / 1000) }, 'removed a stale .git/index.lock left by a crashed git');
}

async function ensureGitignore(dataDir: string): Promise<void> {
  const path = join(dataDir, '.gitignore');
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === undefined) await writeFile(path, GITIGNORE);
}

/**
 * Makes `dataDir` a working copy of `remote`: clones into a missing or empty folder, adopts an existing
 * clone of the same remote, or turns a folder of CSVs into a working copy on top of the remote's branch.
 */
export async function initDataRepo(options: {
  dataDir: string;
  remote: string;
  config: Config;
  log: Logger;
}): Promise<'cloned' | 'adopted' | 'initialised'> {
  const { dataDir, remote, config } = options;
  const log = options.log.child({ module: 'git' });
  const { branch } = config.git;
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  let how: 'cloned' | 'adopted' | 'initialised';
  try {
    if (entries.includes('.git')) {
      const git = openGit(dataDir, config.git);
      const remotes = await git.getRemotes(true);
      const origin = remotes.find((r) => r.name === config.git.remote);
      if (!origin) await git.addRemote(config.git.remote, remote);
      else if (origin.refs.push !== remote && resolve(origin.refs.push) !== resolve(remote)) {
        throw new GitError(
          `${dataDir} is already a clone of ${origin.refs.push}, not ${remote}: use git -C ${dataDir} remote set-url ${config.git.remote} ${remote} to switch`,
        );
      }
      how = 'adopted';
    } else if (entries.filter((e) => e !== '.gitignore').length === 0) {
      await openGit('.', config.git).clone(remote, dataDir);
      how = 'cloned';
    } else {
      const git = openGit(dataDir, config.git);
      await git.init(['--initial-branch', branch]);
      await git.addRemote(config.git.remote, remote);
      how = 'initialised';
    }
    const git = openGit(dataDir, config.git);
    await git.fetch(config.git.remote);
    const remoteHasBranch = (await git.branch(['-r'])).all.includes(`${config.git.remote}/${branch}`);
    const head = await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '');
    if (head.trim() === '') {
      // Unborn HEAD (an empty clone, or a fresh init): sit on the configured branch, on top of the remote's.
      await git.raw(['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
      if (remoteHasBranch) await git.raw(['reset', `${config.git.remote}/${branch}`]);
    }
    await ensureGitignore(dataDir);
    log.info({ dataDir, remote, branch, how }, 'data directory ready');
    return how;
  } catch (err) {
    if (err instanceof GitError) throw err;
    throw new GitError(`cannot set up ${dataDir} as a clone of ${remote}: ${gitReason(err)}`, { cause: err });
  }
}

async function pendingCommits(git: SimpleGit, config: GitConfig): Promise<number> {
  const head = (await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
  if (head === '') return 0;
  const tracking = `refs/remotes/${config.remote}/${config.branch}`;
  const known = (await git.raw(['rev-parse', '--verify', '-q', tracking]).catch(() => '')).trim();
  return Number((await git.raw(['rev-list', '--count', known ? `${tracking}..HEAD` : 'HEAD'])).trim());
}

/** Commits changed day files (one commit naming days and tables; none when nothing changed) and pushes. */
export async function publishData(options: {
  dataDir: string;
  config: Config;
  log: Logger;
  signal?: AbortSignal;
}): Promise<PublishResult> {
  const { dataDir, config } = options;
  const log = options.log.child({ module: 'git' });
  await requireRepo(dataDir);
  await recoverIndexLock(dataDir, log);
  await ensureGitignore(dataDir);
  const git = openGit(dataDir, config.git);
  let commit: string | undefined;
  let staged: string[];
  try {
    await git.raw(['add', '--all', '--', ':(glob)**/*.csv', '.gitignore']);
    staged = (await git.raw(['diff', '--cached', '--name-only', '-z'])).split('\0').filter((p) => p !== '');
    if (staged.length > 0) {
      await git.commit(buildCommitMessage(staged));
      commit = (await git.revparse(['HEAD'])).trim();
      log.info(
        { commit, files: staged.length, subject: buildCommitMessage(staged).split('\n')[0] },
        'git commit',
      );
    } else {
      log.info('git: nothing new to commit');
    }
  } catch (err) {
    throw new GitError(`git commit in ${dataDir} failed: ${gitReason(err)}`, { cause: err });
  }
  const pushed = await pushWithRetry(git, config.git, log, options.signal);
  const pending = await pendingCommits(git, config.git);
  return {
    committed: commit !== undefined,
    ...(commit && { commit }),
    files: staged.length,
    pushed,
    pending,
  };
}

/**
 * Pushes the branch; rebases onto the remote when it moved on (never force), retries an unreachable
 * remote with backoff, and returns false when the commits stay local for the next run.
 */
async function pushWithRetry(
  git: SimpleGit,
  config: GitConfig,
  log: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  for (let attempt = 0; attempt <= config.push_retries; attempt++) {
    if (signal?.aborted) throw new InterruptedError();
    const pending = await pendingCommits(git, config);
    if (pending === 0) return true;
    try {
      await git.push(config.remote, `HEAD:refs/heads/${config.branch}`);
      await git.fetch(config.remote, config.branch).catch(() => undefined);
      log.info({ commits: pending, remote: config.remote, branch: config.branch }, 'git push');
      return true;
    } catch (err) {
      const reason = gitReason(err);
      if (/\[rejected\]|fetch first|non-fast-forward/.test(err instanceof Error ? err.message : '')) {
        log.warn({ reason }, 'git push rejected: the remote moved on; rebasing onto it');
        await rebaseOntoRemote(git, config, log);
        continue;
      }
      if (attempt === config.push_retries) {
        log.error(
          { reason, pending, attempts: attempt + 1 },
          'git push failed: the commits stay local and go out on the next publish',
        );
        return false;
      }
      const delay = backoffMs(attempt, 2_000);
      log.warn({ reason, attempt: attempt + 1, delayMs: delay }, 'git push failed, retrying');
      await sleep(delay);
    }
  }
  return false;
}

async function rebaseOntoRemote(git: SimpleGit, config: GitConfig, log: Logger): Promise<void> {
  try {
    await git.fetch(config.remote, config.branch);
    await git.raw(['rebase', `${config.remote}/${config.branch}`]);
    log.info('git rebase onto the remote done');
  } catch (err) {
    await git.raw(['rebase', '--abort']).catch(() => undefined);
    throw new GitError(
      `the remote moved on and the rebase onto it failed (${gitReason(err)}): nothing was lost; resolve by hand with git -C <data> pull --rebase, then netlog publish`,
      { cause: err },
    );
  }
}
