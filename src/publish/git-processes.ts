import { readFile, readdir, readlink, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/**
 * Which git processes work in a folder, read from Linux's /proc: a `.git/index.lock` there may be
 * theirs (index-lock.ts decides). Best effort by nature, and every gap is a process that cannot be
 * seen, never an error: no /proc (another OS) gives an empty list, a process that exits while being
 * read or belongs to another user (its cwd link is not readable) is skipped. The age rule in
 * index-lock.ts covers what this cannot see.
 */

/** Pids of git processes whose working directory is in `dir` (Linux /proc; empty elsewhere). */
export async function gitProcessesIn(dir: string): Promise<number[]> {
  // A folder that cannot be resolved (removed meanwhile) is compared by its name.
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
