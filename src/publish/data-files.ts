import { LOCK_FILE, LOCK_TAKEOVER_DIR } from '../store/lock-state.js';
import { parseDayFileRelPath } from '../store/layout.js';
import type { RawDiffEntry, StatusEntry } from './git-output.js';

/**
 * Which files of the data directory belong in the analysts' repository. Pure.
 *
 * Published: exactly what netlog owns — the day files of the configured tables in the documented
 * layout (`<table>/<YYYY>/<YYYY-MM-DD>.csv` and `.partial.csv`) and the repository's metadata files at
 * its top (METADATA_FILES). Never: the run lock, temporary files of atomic writes, or anything else an
 * operator leaves in the folder (a `debug/raw-export.csv` with raw addresses): those are listed in a
 * warning, not committed.
 */

/** The data repository's own files at its top, written by netlog. */
const METADATA_FILES: readonly string[] = ['.gitignore', 'datapackage.json', 'README.md', 'pseudonym.json'];

/** Lines the data directory's .gitignore must hold: netlog's lock and the atomic writes' temp files. */
const REQUIRED_GITIGNORE_LINES: readonly string[] = [LOCK_FILE, `${LOCK_TAKEOVER_DIR}/`, '*.tmp'];

/**
 * True for a path (relative to the data directory, forward slashes) in netlog's layout: a metadata
 * file, or a day file of one of `tables` (of any validly named table when `tables` is undefined).
 */
export function isPublishedPath(relPath: string, tables?: ReadonlySet<string>): boolean {
  if (METADATA_FILES.includes(relPath)) return true;
  const ref = parseDayFileRelPath(relPath);
  return ref !== undefined && (tables === undefined || tables.has(ref.table));
}

/** What publish does with the changed, new and deleted files git reports. */
export interface PublishSelection {
  /** Paths to stage (changed, new or deleted files netlog owns), sorted. */
  readonly publish: string[];
  /** Everything else, for the warning: not committed, sorted. */
  readonly others: string[];
}

/** Splits git's status into the paths publish stages and the others it only names. */
export function selectPublishedPaths(
  entries: readonly StatusEntry[],
  tables?: ReadonlySet<string>,
): PublishSelection {
  const paths = [
    ...new Set(
      entries.filter((e) => e.status !== '!!').flatMap((e) => (e.from ? [e.path, e.from] : [e.path])),
    ),
  ].sort();
  return {
    publish: paths.filter((p) => isPublishedPath(p, tables)),
    others: paths.filter((p) => !isPublishedPath(p, tables)),
  };
}

/**
 * True for what netlog itself leaves in a data directory that is not yet a working copy (its
 * .gitignore, the run lock, an atomic write's temp file): init-data clones into a folder holding only
 * these, and puts any other folder's files on top of the remote.
 */
export function isNetlogScratch(name: string): boolean {
  return name === '.gitignore' || name.startsWith(LOCK_FILE) || name.endsWith('.tmp');
}

/** Regular files (plain or executable): everything else (a link 120000, a submodule 160000) is refused. */
const REGULAR_MODES = new Set(['100644', '100755']);

/**
 * The entries of commits fetched from the remote that netlog refuses to take in (rebase onto or check
 * out), each with why: a symbolic link, a submodule, or a file outside the layout. Deletions are fine.
 * Any validly named table counts as in the layout here: another host may load other tables.
 */
export function refusedIncoming(entries: readonly RawDiffEntry[]): string[] {
  return refused(entries, true);
}

/**
 * The entries of a remote's tree that init-data refuses to check out: links, submodules, anything
 * but a regular file. Files outside netlog's layout are the analysts' business there (only what
 * later commits add must stay in the layout: refusedIncoming).
 */
export function refusedCheckout(entries: readonly RawDiffEntry[]): string[] {
  return refused(entries, false);
}

function refused(entries: readonly RawDiffEntry[], layoutOnly: boolean): string[] {
  const found = new Map<string, string>();
  for (const e of entries) {
    if (e.status === 'D' || found.has(e.path)) continue;
    if (e.mode === '120000') found.set(e.path, `${e.path} (a symbolic link)`);
    else if (e.mode === '160000') found.set(e.path, `${e.path} (a submodule)`);
    else if (!REGULAR_MODES.has(e.mode)) found.set(e.path, `${e.path} (mode ${e.mode})`);
    else if (layoutOnly && !isPublishedPath(e.path)) found.set(e.path, `${e.path} (outside netlog's layout)`);
  }
  return [...found.keys()].sort().map((k) => found.get(k)!);
}

/** `a, b, c and 4 more`: a list for one line. */
export function listForLine(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/**
 * The files netlog generates from the day files. When a rebase meets another version of one of them
 * (another host published in between), the remote's is kept: the next publish regenerates it from
 * the files then present, so neither a conflict nor a hand merge is ever needed for them.
 */
const GENERATED_FILES: readonly string[] = ['datapackage.json', 'README.md'];
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
