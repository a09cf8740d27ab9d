import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StoreError } from '../errors.js';

/**
 * Writes a file so that readers only ever see the old content or the whole new one: a temporary file
 * in the same directory, fsynced, renamed over the target, then the directory fsynced so the rename
 * itself survives a crash. On any failure the temporary file is removed and the old file is intact.
 * The content may be written in pieces (a day streamed bucket by bucket) before `commit`.
 */
export interface AtomicWriter {
  write(text: string | Uint8Array): Promise<void>;
  /** fsync, rename over the target, fsync the directory. */
  commit(): Promise<void>;
  /** Drop the temporary file; the target is untouched. Safe to call after a failure or twice. */
  abort(): Promise<void>;
}

export async function openAtomicWriter(path: string): Promise<AtomicWriter> {
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
    await mkdir(dir, { recursive: true });
    handle = await open(tmp, 'wx', 0o644);
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
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const writer = await openAtomicWriter(path);
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
