import { join, resolve, sep } from 'node:path';
import { StoreError } from '../errors.js';
import { isTableName } from '../config/table-name.js';
import type { TableConfig } from '../config/schema.js';

/**
 * Where a day's file lives: `<data>/<table>/<YYYY>/<YYYY-MM-DD>.csv`, one folder per table and per
 * year so that a decade of days stays browsable and git-friendly. A day written before it was over
 * is `<YYYY-MM-DD>.partial.csv`, so it can never be mistaken for a complete one.
 */

const FILE_RE = /^(\d{4}-\d{2}-\d{2})(\.partial)?\.csv$/;

export interface DayFileRef {
  readonly table: string;
  readonly day: string;
  readonly partial: boolean;
}

/** The path of a day file relative to the data directory (always with forward slashes). */
export function dayFileRelPath(table: string, day: string, partial = false): string {
  if (!isTableName(table))
    throw new StoreError(`"${table}" is not a valid table name (lower-case letters, digits, _)`);
  return `${table}/${day.slice(0, 4)}/${day}${partial ? '.partial' : ''}.csv`;
}

/** The absolute path of a day file, guaranteed to stay inside the data directory. */
export function dayFilePath(dataDir: string, table: string, day: string, partial = false): string {
  const root = resolve(dataDir);
  const path = resolve(root, dayFileRelPath(table, day, partial));
  if (!path.startsWith(root + sep))
    throw new StoreError(`"${table}/${day}" would escape the data directory ${dataDir}`);
  return path;
}

/** The folder of a table's files. */
export function tableDir(dataDir: string, table: string): string {
  return join(resolve(dataDir), dayFileRelPath(table, '0000-00-00').split('/')[0]!);
}

/** Reads `dns/2026/2026-11-24.csv` back into its parts; undefined for any other file. */
export function parseDayFileRelPath(relPath: string): DayFileRef | undefined {
  const parts = relPath.split(/[\\/]/);
  if (parts.length !== 3) return undefined;
  const [table, year, file] = parts as [string, string, string];
  const m = FILE_RE.exec(file);
  if (!isTableName(table) || !m || m[1]!.slice(0, 4) !== year) return undefined;
  return { table, day: m[1]!, partial: m[2] !== undefined };
}

/** The CSV columns of a table, in their fixed order: timestamp, the levels' columns, the metrics. */
export function tableColumns(table: Pick<TableConfig, 'levels' | 'metrics'>): string[] {
  return ['timestamp', ...table.levels.map((l) => l.column), ...table.metrics.map((m) => m.name)];
}

/** True for a table with one row per 15-minute bucket (no nested levels). */
export function isTimeSeries(table: Pick<TableConfig, 'levels'>): boolean {
  return table.levels.length === 0;
}
