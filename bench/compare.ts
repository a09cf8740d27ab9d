import { readFile } from 'node:fs/promises';
import { parseCsv } from '../src/store/csv.js';
import { dayFilePath } from '../src/store/layout.js';

/**
 * The equality check of the benchmark: for every (table, day), both sides wrote a day file with the
 * same number of rows and the same totals of the additive metrics (count, bytes). A benchmark of
 * wrong output is worthless, so any difference fails the run. Byte-identical files are counted on
 * the side, as a stronger statement when it holds.
 */

export interface DaySummary {
  readonly rows: number;
  readonly totals: Record<string, number>;
  readonly text: string;
}

export interface Mismatch {
  readonly table: string;
  readonly day: string;
  readonly what: string;
}

export interface Comparison {
  readonly pairs: number;
  readonly identical: number;
  readonly mismatches: Mismatch[];
}

/** Row count and totals of the metric columns of one CSV text. */
export function summariseCsv(text: string, metrics: readonly string[]): DaySummary {
  const { header, rows } = parseCsv(text);
  const totals: Record<string, number> = {};
  for (const m of metrics) {
    const i = header.indexOf(m);
    if (i < 0) throw new Error(`column ${m} is missing (header: ${header.join(',')})`);
    totals[m] = rows.reduce((s, r) => s + Number(r[i] ?? Number.NaN), 0);
  }
  return { rows: rows.length, totals, text };
}

/** Compares the summaries of one (table, day); no mismatch lines when equal. */
export function compareSummaries(
  table: string,
  day: string,
  a: DaySummary,
  b: DaySummary,
  names: readonly [string, string],
): Mismatch[] {
  const out: Mismatch[] = [];
  if (a.rows !== b.rows) out.push({ table, day, what: `rows ${names[0]}=${a.rows} ${names[1]}=${b.rows}` });
  for (const [m, v] of Object.entries(a.totals)) {
    if (v !== b.totals[m]) out.push({ table, day, what: `${m} ${names[0]}=${v} ${names[1]}=${b.totals[m]}` });
  }
  return out;
}

async function readSummary(
  dataDir: string,
  table: string,
  day: string,
  metrics: readonly string[],
): Promise<DaySummary | string> {
  const path = dayFilePath(dataDir, table, day);
  try {
    return summariseCsv(await readFile(path, 'utf8'), metrics);
  } catch (err) {
    return `${path}: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** Compares the day files of two data directories over `tables` × `days`. */
export async function compareDataDirs(
  dirs: readonly [string, string],
  names: readonly [string, string],
  tables: readonly { name: string; metrics: readonly string[] }[],
  days: readonly string[],
): Promise<Comparison> {
  const mismatches: Mismatch[] = [];
  let identical = 0;
  let pairs = 0;
  for (const day of days) {
    for (const t of tables) {
      pairs++;
      const [a, b] = await Promise.all(dirs.map((d) => readSummary(d, t.name, day, t.metrics)));
      if (typeof a === 'string' || typeof b === 'string') {
        mismatches.push({ table: t.name, day, what: [a, b].filter((x) => typeof x === 'string').join('; ') });
        continue;
      }
      const diff = compareSummaries(t.name, day, a!, b!, names);
      mismatches.push(...diff);
      if (diff.length === 0 && a!.text === b!.text) identical++;
    }
  }
  return { pairs, identical, mismatches };
}
