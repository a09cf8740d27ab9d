import { rm } from 'node:fs/promises';
import { buildDayQuery } from '../es/query.js';
import { searchAggregations, type SearchContext } from '../es/search.js';
import { flattenAggregations } from '../transform/flatten.js';
import { transformRow, type KeyedRow } from '../transform/rows.js';
import { RowMerger } from '../transform/merge.js';
import { formatCsv, type Cell } from '../store/csv.js';
import { dayFilePath, tableColumns, isTimeSeries } from '../store/layout.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { bucketStarts, dayRange, isDayOver, isoUtc, type DayRange } from '../time/day.js';
import { DataError, InterruptedError } from '../errors.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { Pseudonymise } from '../transform/pseudonymise.js';
import type { Logger } from '../log.js';

/**
 * One (table, day) end to end: query (paging composite aggregations), flatten, transform, merge,
 * check, and write the day file atomically. A failure anywhere leaves the previous file untouched.
 */

export interface LoadDayParams {
  readonly table: TableConfig;
  readonly day: string;
  readonly config: Config;
  readonly es: SearchContext;
  readonly dataDir: string;
  readonly pseudonymise: Pseudonymise;
  readonly now: Date;
  readonly log: Logger;
  /** Write a day that is not over yet, as `<day>.partial.csv`. */
  readonly partial?: boolean;
  readonly dryRun?: boolean;
  /** Log the per-table line at debug (file only): a backfill shows a progress bar instead. */
  readonly quiet?: boolean;
}

export interface LoadDayResult {
  readonly table: string;
  readonly day: string;
  readonly path: string | undefined;
  readonly partial: boolean;
  readonly rows: number;
  readonly buckets: number;
  readonly requests: number;
  readonly tookMs: number;
  readonly wallMs: number;
  readonly totals: Record<string, number>;
}

/** Fetches every bucket of the table's day, merged and sorted. */
export async function fetchTableDay(params: Pick<LoadDayParams, 'table' | 'config' | 'es' | 'pseudonymise'>, range: DayRange): Promise<{
  rows: KeyedRow[];
  buckets: number;
  requests: number;
  tookMs: number;
  totalHits: number;
  totals: Record<string, number>;
}> {
  const { table, config, es } = params;
  const merger = new RowMerger(table.metrics);
  const transform = { pseudonymise: params.pseudonymise, internalDomains: config.internal_domains };
  let after: Record<string, unknown> | undefined;
  let requests = 0;
  let tookMs = 0;
  let totalHits = -1;
  let buckets = 0;
  do {
    if (es.signal?.aborted) throw new InterruptedError();
    const body = buildDayQuery(table, range, config, after);
    const result = await searchAggregations(es, { index: table.index, table: table.name, day: range.day }, body);
    requests++;
    tookMs += result.took;
    if (totalHits < 0) totalHits = result.totalHits;
    const page = flattenAggregations(result.aggregations, table);
    buckets += page.rows.length;
    for (const raw of page.rows) merger.add(raw, transformRow(raw, table.levels, transform));
    after = page.afterKey;
  } while (after !== undefined);
  const rows = merger.rows();
  const totals = merger.totals();
  // No silent loss: every matched document must be in some bucket. (More is possible when logs arrive
  // between composite pages; fewer never is.)
  if (table.metrics.some((m) => m.type === 'count')) {
    const countName = table.metrics.find((m) => m.type === 'count')!.name;
    if ((totals[countName] ?? 0) < totalHits) {
      throw new DataError(`${table.name} ${range.day}: ${totalHits} documents matched but only ${totals[countName]} are in buckets (a multi-valued or unmapped level field?)`);
    }
  }
  return { rows, buckets, requests, tookMs, totalHits, totals };
}

/** Checks that a time series has exactly one row per bucket of the day, in order. */
export function checkTimeSeriesRows(rows: readonly KeyedRow[], range: DayRange, tableName: string): void {
  const starts = bucketStarts(range);
  if (rows.length !== starts.length || rows.some((r, i) => r.time !== starts[i]!.getTime())) {
    throw new DataError(`${tableName} ${range.day}: expected ${starts.length} buckets from ${isoUtc(range.start)}, got ${rows.length}`);
  }
}

/** The CSV text of a day: header + rows in the table's fixed column order. */
export function formatDayRows(table: TableConfig, rows: readonly KeyedRow[]): string {
  const body: Cell[][] = rows.map((r) => [isoUtc(r.time), ...r.keys, ...r.metrics.map((m) => (m === null ? '' : m))]);
  return formatCsv(tableColumns(table), body);
}

export async function loadTableDay(params: LoadDayParams): Promise<LoadDayResult> {
  const started = Date.now();
  const { table, day, config, dataDir } = params;
  const range = dayRange(day, config.timezone);
  const partial = !isDayOver(range, params.now);
  if (partial && !params.partial) throw new DataError(`${day} is not over yet: use --partial to write it as a partial file`);
  const fetched = await fetchTableDay(params, range);
  if (isTimeSeries(table) && !partial) checkTimeSeriesRows(fetched.rows, range, table.name);
  // A partial day shows the buckets that have started, not zeros for the hours still to come.
  if (partial) fetched.rows = fetched.rows.filter((r) => r.time <= params.now.getTime());
  let path: string | undefined;
  if (!params.dryRun) {
    if (params.es.signal?.aborted) throw new InterruptedError();
    path = dayFilePath(dataDir, table.name, day, partial);
    await writeFileAtomic(path, formatDayRows(table, fetched.rows));
    // A complete day supersedes the partial file written earlier in the day.
    if (!partial) await rm(dayFilePath(dataDir, table.name, day, true), { force: true });
  }
  const result: LoadDayResult = {
    table: table.name,
    day,
    path,
    partial,
    rows: fetched.rows.length,
    buckets: fetched.buckets,
    requests: fetched.requests,
    tookMs: fetched.tookMs,
    wallMs: Date.now() - started,
    totals: fetched.totals,
  };
  params.log[params.quiet ? 'debug' : 'info']({ table: table.name, day, rows: result.rows, buckets: result.buckets, requests: result.requests, tookMs: result.tookMs, wallMs: result.wallMs, partial, dryRun: params.dryRun === true, ...fetched.totals }, 'table day loaded');
  return result;
}
