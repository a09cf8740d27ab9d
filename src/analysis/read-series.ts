import { readFile } from 'node:fs/promises';
import * as aq from 'arquero';
import { checkStoredDay } from '../store/scan.js';
import { parseCsv } from '../store/csv.js';
import type { DayStatus } from '../store/check-day.js';
import type { TableConfig } from '../config/schema.js';

/**
 * Day files → dataframes, for the analyst who pulled the CSV repository (the filesystem edge of the
 * analysis). Only complete files are loaded; every other day (missing, partial, incomplete, corrupt)
 * is reported with its status, never silently filled with zeros: series.ts turns those days into
 * gaps.
 */

export interface DayAvailability {
  readonly day: string;
  readonly status: DayStatus;
  readonly detail: string;
}

export interface StoredTable {
  readonly table: TableConfig;
  /** One row per CSV row: `time` (Date), the key columns, the metric columns (numbers). */
  readonly frame: aq.ColumnTable;
  readonly days: DayAvailability[];
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
  const availability: DayAvailability[] = [];
  for (const day of days) {
    const status = await checkStoredDay(dataDir, table, day, timeZone);
    availability.push({ day, status: status.status, detail: status.detail });
    if (status.status !== 'ok') continue;
    const { rows } = parseCsv(await readFile(status.path, 'utf8'));
    for (const row of rows) {
      columns.time!.push(new Date(row[0]!));
      keys.forEach((k, i) => columns[k]!.push(row[1 + i]));
      metrics.forEach((m, i) => {
        const cell = row[1 + keys.length + i]!;
        columns[m]!.push(cell === '' ? null : Number(cell));
      });
    }
  }
  return { table, frame: aq.table(columns), days: availability };
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
