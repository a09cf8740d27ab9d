import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh temporary directory, removed by the returned cleanup. Under scripts/test.sh the directories
 * go below NETLOG_TEST_OUT and are kept until the suite ends, so the post-suite leak scan can read
 * every CSV and log file the tests wrote.
 */
export async function tempDir(label: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const keep = process.env.NETLOG_TEST_OUT;
  if (keep) await mkdir(keep, { recursive: true });
  const path = await mkdtemp(join(keep || tmpdir(), `netlog-${label}-`));
  return { path, cleanup: () => (keep ? Promise.resolve() : rm(path, { recursive: true, force: true })) };
}
