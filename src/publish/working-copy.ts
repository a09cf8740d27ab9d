import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitError } from '../errors.js';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { UnsafePathError, checkNoLinks, readDataFile } from '../store/safe-path.js';
import { mergeGitignore, mergeInfoAttributes } from './data-files.js';
import { gitProcessesIn } from './git-processes.js';
import { judgeIndexLock } from './index-lock.js';

/**
 * The files of the data directory's working copy that netlog reads and writes itself, outside git:
 * `.gitignore`, `.git/info/attributes`, a stale `.git/index.lock`, the links publish refuses. The
 * decisions are pure functions elsewhere (data-files.ts, index-lock.ts); this is their I/O.
 */

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** Fails unless `dataDir` is the top of a git working copy (never a parent repository's subfolder). */
export function requireRepo(dataDir: string): void {
  if (!existsSync(join(dataDir, '.git'))) {
    throw new GitError(
      `the data directory ${dataDir} is not a git working copy: run netlog init-data --remote URL --data ${dataDir}`,
    );
  }
}

/**
 * Removes a `.git/index.lock` left by a crashed git, with a warning; GitError when index-lock.ts
 * judges it live (a git process works in the data directory, or it is younger than a minute).
 */
export async function recoverIndexLock(
  dataDir: string,
  gitDir: string,
  log: Logger,
  now = Date.now(),
): Promise<void> {
  const lock = join(gitDir, 'index.lock');
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lock)).mtimeMs;
  } catch (err) {
    if (isMissing(err)) return; // no lock: the usual case
    throw new GitError(`cannot read ${lock}: ${(err as Error).message}`, { cause: err });
  }
  const verdict = judgeIndexLock({
    path: lock,
    dataDir,
    ageMs: now - mtimeMs,
    gitPids: await gitProcessesIn(dataDir),
  });
  if (!verdict.remove) throw new GitError(verdict.message);
  await rm(lock, { force: true });
  log.warn({ lock, ageSeconds: verdict.ageSeconds }, 'removed a stale .git/index.lock left by a crashed git');
}

/** True while a rebase is unfinished (an earlier publish was killed in the middle of one). */
export function rebaseInProgress(gitDir: string): boolean {
  return existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'));
}

/**
 * Adds netlog's lines (lock file, temp files) to the data directory's .gitignore when missing. Never
 * through a link: a committed `.gitignore -> /some/file` is an error naming it, not a file appended to.
 */
export async function ensureGitignore(dataDir: string): Promise<void> {
  const path = join(dataDir, '.gitignore');
  const merged = mergeGitignore(await readDataFile(dataDir, path));
  if (merged !== undefined) await writeFileAtomic(path, merged, { root: dataDir });
}

/** Marks netlog's generated files for their merge driver, in the clone's own (unpublished) attributes. */
export async function ensureMergeAttributes(gitDir: string): Promise<void> {
  const path = join(gitDir, 'info', 'attributes');
  let current: string | undefined;
  try {
    current = await readFile(path, 'utf8');
  } catch (err) {
    // Missing is the usual case; any other failure must not lead to the file being overwritten.
    if (!isMissing(err)) throw new GitError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const merged = mergeInfoAttributes(current);
  if (merged === undefined) return;
  await mkdir(join(gitDir, 'info'), { recursive: true });
  await writeFile(path, merged);
}

/**
 * The paths (of `relPaths`, relative to `dataDir`) that are symbolic links or lie below one: git
 * would commit the link itself, and every clone would then write through it.
 */
export async function findLinks(dataDir: string, relPaths: readonly string[]): Promise<string[]> {
  const unsafe = new Set<string>();
  for (const rel of relPaths) {
    try {
      await checkNoLinks(dataDir, join(dataDir, rel));
    } catch (err) {
      if (!(err instanceof UnsafePathError)) throw err;
      unsafe.add(err.path);
    }
  }
  return [...unsafe];
}
