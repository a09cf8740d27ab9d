import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StoreError } from '../errors.js';

/**
 * Writes a file so that readers only ever see the old content or the whole new one: a temporary file
 * in the same directory, fsynced, renamed over the target, then the directory fsynced so the rename
 * itself survives a crash. On any failure the temporary file is removed and the old file is intact.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await fsyncDir(dir);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (cause as NodeJS.ErrnoException).code;
    const hint =
      code === 'ENOSPC' ? 'the disk is full: free space and re-run' :
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'the data directory is not writable: check its permissions or mount' :
      'check the data directory';
    throw new StoreError(`cannot write ${path} (${code ?? String(cause)}): ${hint}; the previous file is unchanged`, { cause });
  }
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
