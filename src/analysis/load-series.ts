import { readFile } from 'node:fs/promises';
import * as aq from 'arquero';
import { checkStoredDay } from '../store/scan.js';
import { parseCsv } from '../store/csv.js';
import { bucketStarts, dayRange } from '../time/day.js';
import type { DayStatus } from '../store/check-day.js';
import type { TableConfig } from '../config/schema.js';

/**
 * Day files → dataframes, for the analyst who pulled the CSV repository. Only complete files are
 * loaded; every other day is reported with its status, never silently filled with zeros. Series carry
 * `null` for the buckets of days that are not there, so charts show gaps as gaps.
 */

export interface DayAvailability {
  readonly day: string;
  readonly status: DayStatus;
  readonly detail: string;
}

export interface LoadedTable {
  readonly table: TableConfig;
  /** One row per CSV row: `time` (Date), the key columns, the metric columns (numbers). */
  readonly frame: aq.ColumnTable;
  readonly days: DayAvailability[];
}

export interface SeriesPoint {
  readonly t: number;
  readonly value: number | null;
}

/** Loads a table's complete day files over `days` into one arquero table. */
export async function loadTableRange(
  dataDir: string,
  table: TableConfig,
  days: readonly string[],
  timeZone: string,
): Promise<LoadedTable> {
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

/**
 * The table's metric per 15-minute bucket over the days: summed over the keys for flow tables, zero
 * for a bucket without rows in a complete day, null for every bucket of a day that is not complete.
 */
export function bucketSeries(loaded: LoadedTable, metric: string, timeZone: string): SeriesPoint[] {
  const sums = new Map<number, number>();
  const times = loaded.frame.array('time') as Date[];
  const values = loaded.frame.array(metric) as (number | null)[];
  times.forEach((t, i) => sums.set(t.getTime(), (sums.get(t.getTime()) ?? 0) + (values[i] ?? 0)));
  return loaded.days.flatMap((d) =>
    bucketStarts(dayRange(d.day, timeZone)).map((start) => ({
      t: start.getTime(),
      value: d.status === 'ok' ? (sums.get(start.getTime()) ?? 0) : null,
    })),
  );
}

/** The metric per key (e.g. destination) over the whole range, largest first, for top-N charts. */
export function topKeys(
  loaded: LoadedTable,
  key: string,
  metric: string,
  n: number,
): { key: string; value: number }[] {
  if (loaded.frame.numRows() === 0) return [];
  return loaded.frame
    .groupby(key)
    .rollup({ value: aq.op.sum(metric) })
    .orderby(aq.desc('value'))
    .slice(0, n)
    .objects()
    .map((r) => ({
      key: String((r as Record<string, unknown>)[key]),
      value: Number((r as Record<string, unknown>).value),
    }));
}
