import * as aq from 'arquero';
import { readStoredDay } from '../store/scan.js';
import type { StoredDayCheck } from '../store/check-day.js';
import type { TableConfig } from '../config/schema.js';

/**
 * Day files → dataframes, for the analyst who pulled the CSV repository (the filesystem edge of the
 * analysis). Only complete files are loaded; every other day (missing, partial, incomplete, corrupt)
 * is reported with its status, never silently filled with zeros: series.ts turns those days into
 * gaps.
 */

export interface StoredTable {
  readonly table: TableConfig;
  /** One row per CSV row: `time` (Date), the key columns, the metric columns (numbers). */
  readonly frame: aq.ColumnTable;
  /** The check of every day of the range, complete or not. */
  readonly days: StoredDayCheck[];
}

/**
 * Loads a table's complete day files over `days` into one arquero table with a `time` column (Date),
 * the key columns (strings) and the metric columns (numbers; null for an empty max/min cell), and the
 * status of every day.
 */
export async function readTableRange(
  dataDir: string,
  table: TableConfig,
  days: readonly string[],
  timeZone: string,
): Promise<StoredTable> {
  const keys = table.levels.map((l) => l.column);
  const metrics = table.metrics.map((m) => m.name);
  const columns: Record<string, unknown[]> = {
    time: [],
    ...Object.fromEntries([...keys, ...metrics].map((c) => [c, []])),
  };
  const checks: StoredDayCheck[] = [];
  for (const day of days) {
    // Read and parsed once: the records come with the check, and only from a file that passed it.
    const { check, records } = await readStoredDay(dataDir, table, day, timeZone);
    checks.push(check);
    for (const row of records ?? []) {
      columns.time!.push(new Date(row[0]!));
      keys.forEach((k, i) => columns[k]!.push(row[1 + i]));
      metrics.forEach((m, i) => {
        const cell = row[1 + keys.length + i]!;
        columns[m]!.push(cell === '' ? null : Number(cell));
      });
    }
  }
  return { table, frame: aq.table(columns), days: checks };
}

/** Several tables over the same days, loaded one after the other (side by side: see seriesFrame). */
export async function readTables(
  dataDir: string,
  tables: readonly TableConfig[],
  days: readonly string[],
  timeZone: string,
): Promise<StoredTable[]> {
  const loaded: StoredTable[] = [];
  for (const table of tables) loaded.push(await readTableRange(dataDir, table, days, timeZone));
  return loaded;
}
