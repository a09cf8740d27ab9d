import { constants } from 'node:fs';
import { lstat, mkdir, open, readlink } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { StoreError } from '../errors.js';

/**
 * Paths below the data directory, resolved without following symbolic links. The data directory is
 * a git working copy: whoever can push to the analysts' repository can put a link there
 * (`total/2025 -> /etc`), and netlog often runs as a user who may write far more than the data. So
 * every component below the data directory is checked with lstat before a read or a write, files are
 * opened with O_NOFOLLOW, and new folders are created one level at a time and checked again. The data
 * directory itself (`--data`) is the operator's choice and may be a link.
 *
 * Not a defence against a local process racing netlog (Node has no openat): a link swapped in
 * between the check and the open is not caught. What it stops is a link that arrives with the
 * repository's contents, which is there before netlog starts.
 */

/** Folders netlog creates: 0755 (umask can only make it stricter). */
export const DIR_MODE = 0o755;
/** Day files and the data repository's metadata files: 0644. */
export const FILE_MODE = 0o644;

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** A symbolic link (or a file where a folder belongs) inside the data directory. Exit 1. */
export class UnsafePathError extends StoreError {
  /** The offending path (absolute). */
  readonly path: string;
  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.path = path;
  }
}

/** The components of `path` below `root` ([] for the root itself); throws when `path` is outside. */
function componentsBelow(root: string, path: string): string[] {
  const rel = relative(root, path);
  if (rel === '') return [];
  if (rel.startsWith(`..${sep}`) || rel === '..' || resolve(root, rel) !== path)
    throw new StoreError(`${path} is outside the data directory ${root}`);
  return rel.split(sep);
}

async function linkError(path: string, root: string): Promise<UnsafePathError> {
  const target = await readlink(path).catch(() => '?');
  return new UnsafePathError(
    `${path} is a symbolic link (to ${target}) inside the data directory ${root}: netlog never follows links there; remove it (git rm it if committed) and run again`,
    path,
  );
}

/**
 * Checks that no component of `path` below `root` is a symbolic link, and that every component but
 * the last is a folder. Components that do not exist yet are fine (they are created without following
 * anything). Throws UnsafePathError naming the first offending component.
 */
export async function checkNoLinks(root: string, path: string): Promise<void> {
  const absRoot = resolve(root);
  const parts = componentsBelow(absRoot, resolve(path));
  let at = absRoot;
  for (const [i, part] of parts.entries()) {
    at = `${at}${sep}${part}`;
    let info;
    try {
      info = await lstat(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StoreError(
        `cannot inspect ${at} (${(err as NodeJS.ErrnoException).code}): check the data directory's permissions`,
        { cause: err },
      );
    }
    if (info.isSymbolicLink()) throw await linkError(at, absRoot);
    if (i < parts.length - 1 && !info.isDirectory())
      throw new UnsafePathError(
        `${at} is not a folder, but day files belong below it: move it away and run again`,
        at,
      );
  }
}

/**
 * Creates the folder `dir` below `root` one level at a time (mode 0755), never through a link: each
 * level that exists must be a real folder. The root itself is created when missing.
 */
export async function makeDataDirs(root: string, dir: string): Promise<void> {
  const absRoot = resolve(root);
  await mkdir(absRoot, { recursive: true, mode: DIR_MODE });
  let at = absRoot;
  for (const part of componentsBelow(absRoot, resolve(dir))) {
    at = `${at}${sep}${part}`;
    try {
      await mkdir(at, { mode: DIR_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const info = await lstat(at);
    if (info.isSymbolicLink()) throw await linkError(at, absRoot);
    if (!info.isDirectory())
      throw new UnsafePathError(`${at} is not a folder: move it away and run again`, at);
  }
}

/**
 * Reads a file below `root` without following a link anywhere on its way (O_NOFOLLOW for the file
 * itself, lstat for the folders above it). Undefined when it does not exist; UnsafePathError for a
 * link or for something that is not a regular file.
 */
export async function readDataFile(root: string, path: string): Promise<string | undefined> {
  await checkNoLinks(root, path);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw await linkError(path, resolve(root));
    throw new StoreError(`cannot read ${path} (${code}): check the data directory's permissions`, {
      cause: err,
    });
  }
  try {
    if (!(await handle.stat()).isFile())
      throw new UnsafePathError(`${path} is not a regular file: move it away and run again`, path);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Flags of a new temporary file: created here, never an existing file or a link. */
export const CREATE_NEW_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;
