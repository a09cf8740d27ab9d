import { sampleDayTables } from '../../src/sample/day-tables.js';
import { addDays } from '../../src/time/day.js';

/**
 * 15-minute series of the sample generator without any file: the `count` (or `bytes`) column of a
 * time-series table over consecutive UTC days, with the anomalies injected on `anomalyDay` only.
 * Days are generated once per (seed, day, anomalies) and shared by every test of the process.
 */

export interface SamplePoint {
  readonly t: number;
  readonly timestamp: string;
  readonly value: number;
}

const cache = new Map<string, ReturnType<typeof sampleDayTables>>();

function day(d: string, seed: number, anomalies: boolean): ReturnType<typeof sampleDayTables> {
  const key = `${seed}/${d}/${anomalies}`;
  let tables = cache.get(key);
  if (!tables) {
    tables = sampleDayTables(d, { seed, docsPerDay: 20_000, anomalies });
    cache.set(key, tables);
  }
  return tables;
}

/** `n` consecutive days from `first`. */
export function dayList(first: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addDays(first, i));
}

/** One table's series over `days`. */
export function sampleSeries(
  days: readonly string[],
  table: string,
  options: { seed: number; anomalyDay?: string; metric?: 'count' | 'bytes' },
): SamplePoint[] {
  const column = options.metric === 'bytes' ? 2 : 1;
  return days.flatMap((d) =>
    day(d, options.seed, d === options.anomalyDay)[table]!.rows.map((row) => ({
      t: Date.parse(String(row[0])),
      timestamp: String(row[0]),
      value: Number(row[column]),
    })),
  );
}
