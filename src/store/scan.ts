import { lstat, readdir, readlink, rm } from 'node:fs/promises';
import { StoreError } from '../errors.js';
import { join } from 'node:path';
import { parseDayFile, type StoredDayCheck } from './check-day.js';
import { dayFilePath, tableDir } from './layout.js';
import { UnsafePathError, checkNoLinks, readDataFile } from './safe-path.js';
import { dayRange } from '../time/day.js';
import type { TableConfig } from '../config/schema.js';

/** Reading day files back from the data directory and checking them (the filesystem edge of verify). */

/**
 * The status of one table's day file: ok, missing, partial (only a .partial.csv), incomplete, corrupt,
 * or unsafe (a symbolic link on its path: it is never read through).
 */
export async function checkStoredDay(
  dataDir: string,
  table: TableConfig,
  day: string,
  timeZone: string,
): Promise<StoredDayCheck> {
  return (await readStoredDay(dataDir, table, day, timeZone)).check;
}

/**
 * Reads a table's day file once: its check (as checkStoredDay), and its records (the rows after the
 * header, as strings) when the check is ok.
 */
export async function readStoredDay(
  dataDir: string,
  table: TableConfig,
  day: string,
  timeZone: string,
): Promise<{ check: StoredDayCheck; records?: string[][] }> {
  const path = dayFilePath(dataDir, table.name, day);
  const partialPath = dayFilePath(dataDir, table.name, day, true);
  const where = { table: table.name, day };
  let text: string | undefined;
  let partial = false;
  try {
    text = await readDataFile(dataDir, path);
    if (text === undefined) {
      await checkNoLinks(dataDir, partialPath);
      partial = (await lstatOrNothing(partialPath)) !== undefined;
    }
  } catch (err) {
    if (!(err instanceof UnsafePathError)) throw err;
    return { check: { ...where, path, status: 'unsafe', detail: err.message } };
  }
  if (text === undefined)
    return {
      check: partial
        ? {
            ...where,
            path: partialPath,
            status: 'partial',
            detail: 'only a partial file (written before the day was over)',
          }
        : { ...where, path, status: 'missing', detail: 'no file' },
    };
  const { check, records } = parseDayFile(text, table, dayRange(day, timeZone));
  return records === undefined
    ? { check: { ...where, path, ...check } }
    : { check: { ...where, path, ...check }, records };
}

/** What a look through the tables' folders found: temp files left by killed runs, and symbolic links. */
export interface TableFolderScan {
  /** `.<name>.<pid>.<rand>.tmp` files below a table's folder. */
  readonly leftovers: string[];
  /** Symbolic links in or below a table's folder (or the folder itself), with their targets. */
  readonly links: { readonly path: string; readonly target: string }[];
}

/**
 * Looks through every table's folder without following links: a link is listed, never entered
 * (`readdir` with `recursive` does not descend into linked folders; the table folder itself is
 * checked with lstat first).
 */
export async function scanTableFolders(
  dataDir: string,
  tables: readonly TableConfig[],
): Promise<TableFolderScan> {
  const leftovers: string[] = [];
  const links: { path: string; target: string }[] = [];
  for (const table of tables) {
    const dir = tableDir(dataDir, table.name);
    const info = await lstatOrNothing(dir);
    if (!info) continue; // no folder: no days of this table
    if (info.isSymbolicLink()) {
      links.push({ path: dir, target: await readlink(dir).catch(() => '?') });
      continue;
    }
    if (!info.isDirectory()) continue;
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) continue; // removed meanwhile
      throw cannotList(dir, err);
    }
    for (const e of entries) {
      const path = join(e.parentPath, e.name);
      if (e.isSymbolicLink()) links.push({ path, target: await readlink(path).catch(() => '?') });
      else if (e.isFile() && e.name.startsWith('.') && e.name.endsWith('.tmp')) leftovers.push(path);
    }
  }
  return { leftovers: leftovers.sort(), links: links.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** Only "there is nothing there" means no days; any other failure to look is the operator's to see. */
const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

function cannotList(path: string, err: unknown): StoreError {
  return new StoreError(
    `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): check the data directory's permissions`,
    { cause: err },
  );
}

/** lstat, or undefined when there is nothing at `path`; any other failure is a StoreError with its cause. */
async function lstatOrNothing(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw cannotList(path, err);
  }
}

/** Removes leftover temporary files whose writer is gone (they never look like day files). */
export async function removeTempFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) await rm(p, { force: true });
}
