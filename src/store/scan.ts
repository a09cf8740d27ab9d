import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkDayFile, type DayCheck } from './check-day.js';
import { dayFilePath, tableDir } from './layout.js';
import { dayRange } from '../time/day.js';
import { StoreError } from '../errors.js';
import type { TableConfig } from '../config/schema.js';

/** Reading day files back from the data directory and checking them (the filesystem edge of verify). */

export interface DayFileStatus extends DayCheck {
  readonly table: string;
  readonly day: string;
  readonly path: string;
}

/** The status of one table's day file: ok, missing, partial (only a .partial.csv), incomplete or corrupt. */
export async function checkStoredDay(
  dataDir: string,
  table: TableConfig,
  day: string,
  timeZone: string,
): Promise<DayFileStatus> {
  const path = dayFilePath(dataDir, table.name, day);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw new StoreError(`cannot read ${path} (${code}): check the data directory's permissions`, {
        cause: err,
      });
    const partialPath = dayFilePath(dataDir, table.name, day, true);
    const partial = await stat(partialPath).then(
      () => true,
      () => false,
    );
    return partial
      ? {
          table: table.name,
          day,
          path: partialPath,
          status: 'partial',
          detail: 'only a partial file (written before the day was over)',
        }
      : { table: table.name, day, path, status: 'missing', detail: 'no file' };
  }
  return { table: table.name, day, path, ...checkDayFile(text, table, dayRange(day, timeZone)) };
}

/** Temporary files left by a killed run (`.<name>.<pid>.<rand>.tmp`) below a table's folder. */
export async function findLeftoverTempFiles(
  dataDir: string,
  tables: readonly TableConfig[],
): Promise<string[]> {
  const found: string[] = [];
  for (const table of tables) {
    let entries;
    try {
      entries = await readdir(tableDir(dataDir, table.name), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries)
      if (e.isFile() && e.name.startsWith('.') && e.name.endsWith('.tmp'))
        found.push(join(e.parentPath, e.name));
  }
  return found.sort();
}

/** Removes leftover temporary files whose writer is gone (they never look like day files). */
export async function removeTempFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) await rm(p, { force: true });
}
