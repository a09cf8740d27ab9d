import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StoreError } from '../errors.js';
import { CREATE_NEW_FLAGS, DIR_MODE, FILE_MODE, checkNoLinks, makeDataDirs } from './safe-path.js';

/**
 * Writes a file so that readers only ever see the old content or the whole new one: a temporary file
 * in the same directory, fsynced, renamed over the target, then the directory fsynced so the rename
 * itself survives a crash. On any failure the temporary file is removed and the old file is intact.
 * The content may be written in pieces (a day streamed bucket by bucket) before `commit`.
 *
 * With `root` (the data directory), no component of the path below it may be a symbolic link: the
 * folders are created one level at a time and checked, before the temporary file is created and again
 * before the rename (safe-path.ts). Modes are set explicitly (folders 0755, the file `mode`, 0644 by
 * default), so a permissive umask does not leave world-writable data.
 */
export interface AtomicWriter {
  write(text: string | Uint8Array): Promise<void>;
  /** fsync, rename over the target, fsync the directory. */
  commit(): Promise<void>;
  /** Drop the temporary file; the target is untouched. Safe to call after a failure or twice. */
  abort(): Promise<void>;
}

export interface AtomicWriteOptions {
  /** The data directory: the path must lie below it, with no symbolic link on the way. */
  readonly root?: string;
  /** The file's mode; default 0644. */
  readonly mode?: number;
}

export async function openAtomicWriter(
  path: string,
  options: AtomicWriteOptions = {},
): Promise<AtomicWriter> {
  const mode = options.mode ?? FILE_MODE;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  const fail = async (cause: unknown): Promise<never> => {
    await handle?.close().catch(() => undefined);
    handle = undefined;
    await rm(tmp, { force: true }).catch(() => undefined);
    throw storeError(path, cause);
  };
  try {
    if (options.root !== undefined) {
      await makeDataDirs(options.root, dir);
      await checkNoLinks(options.root, path);
    } else await mkdir(dir, { recursive: true, mode: DIR_MODE });
    handle = await open(tmp, CREATE_NEW_FLAGS, mode);
    // The umask may have taken bits away, never added them; chmod makes the mode exactly `mode`.
    await handle.chmod(mode);
  } catch (cause) {
    return fail(cause);
  }
  return {
    async write(text) {
      try {
        await handle!.writeFile(text);
      } catch (cause) {
        await fail(cause);
      }
    },
    async commit() {
      try {
        await handle!.sync();
        await handle!.close();
        handle = undefined;
        if (options.root !== undefined) await checkNoLinks(options.root, path);
        await rename(tmp, path);
        await fsyncDir(dir);
      } catch (cause) {
        await fail(cause);
      }
    },
    async abort() {
      await handle?.close().catch(() => undefined);
      handle = undefined;
      await rm(tmp, { force: true }).catch(() => undefined);
    },
  };
}

/** Writes a whole file atomically. */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const writer = await openAtomicWriter(path, options);
  await writer.write(content);
  await writer.commit();
}

function storeError(path: string, cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  const code = (cause as NodeJS.ErrnoException).code;
  const hint =
    code === 'ENOSPC'
      ? 'the disk is full: free space and re-run'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'the data directory is not writable: check its permissions or mount'
        : 'check the data directory';
  return new StoreError(
    `cannot write ${path} (${code ?? String(cause)}): ${hint}; the previous file is unchanged`,
    { cause },
  );
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}
