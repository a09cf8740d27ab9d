import { LOCK_FILE, LOCK_TAKEOVER_DIR } from '../schedule/lock-state.js';
import type { StatusEntry } from './git-output.js';

/**
 * Which files of the data directory belong in the analysts' repository. Pure.
 *
 * Published: every `*.csv` (the day files, partial ones included), and the top-level `.gitignore`,
 * README, `pseudonym.json` (the key fingerprint record) and datapackage.json. Never: the run lock, temporary files of atomic writes, or anything else an operator leaves
 * in the folder.
 */

/** Lines the data directory's .gitignore must hold: netlog's lock and the atomic writes' temp files. */
export const REQUIRED_GITIGNORE_LINES: readonly string[] = [LOCK_FILE, `${LOCK_TAKEOVER_DIR}/`, '*.tmp'];

/** True for a path (relative to the data directory, forward slashes) that publish commits. */
export function isPublishedPath(relPath: string): boolean {
  return (
    relPath.endsWith('.csv') ||
    relPath === '.gitignore' ||
    relPath === 'pseudonym.json' ||
    relPath === 'datapackage.json' ||
    /^README(\.[A-Za-z]+)?$/.test(relPath)
  );
}

/** The paths of changed, new and deleted files that publish should stage, sorted. */
export function selectPublishedPaths(entries: readonly StatusEntry[]): string[] {
  return [
    ...new Set(
      entries.filter((e) => e.status !== '!!').flatMap((e) => (e.from ? [e.path, e.from] : [e.path])),
    ),
  ]
    .filter(isPublishedPath)
    .sort();
}

/**
 * The files netlog generates from the day files. When a rebase meets another version of one of them
 * (another host published in between), the remote's is kept: the next publish regenerates it from
 * the files then present, so neither a conflict nor a hand merge is ever needed for them.
 */
export const GENERATED_FILES: readonly string[] = ['datapackage.json', 'README.md'];
export const GENERATED_MERGE_DRIVER = 'netlog-generated';

/** `<git dir>/info/attributes` with the generated files' merge driver added, or undefined if present. */
export function mergeInfoAttributes(current: string | undefined): string | undefined {
  const present = new Set((current ?? '').split('\n').map((l) => l.trim()));
  const wanted = GENERATED_FILES.map((f) => `/${f} merge=${GENERATED_MERGE_DRIVER}`);
  const missing = wanted.filter((l) => !present.has(l));
  if (missing.length === 0) return undefined;
  const head =
    current === undefined || current === '' ? '' : current.endsWith('\n') ? current : `${current}\n`;
  return `${head}${missing.join('\n')}\n`;
}

/**
 * The .gitignore with netlog's lines added, or undefined when it has them all already. An operator's
 * own lines are kept as they are.
 */
export function mergeGitignore(current: string | undefined): string | undefined {
  const present = new Set((current ?? '').split('\n').map((l) => l.trim()));
  const missing = REQUIRED_GITIGNORE_LINES.filter((l) => !present.has(l));
  if (missing.length === 0) return undefined;
  const head =
    current === undefined || current === '' ? '' : current.endsWith('\n') ? current : `${current}\n`;
  return `${head}# netlog: its run lock and the temporary files of atomic writes\n${missing.join('\n')}\n`;
}
