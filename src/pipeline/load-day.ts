import { rm } from 'node:fs/promises';
import { buildDayQuery } from '../extract/query.js';
import { searchAggregations, type SearchContext, type SearchResult } from '../extract/search.js';
import { flattenAggregations } from '../transform/flatten.js';
import { transformRow, type KeyedRow } from '../transform/rows.js';
import { RowMerger } from '../transform/merge.js';
import { formatCsv, formatCsvRows, type Cell } from '../store/csv.js';
import { dayFilePath, tableColumns, isTimeSeries } from '../store/layout.js';
import { openAtomicWriter, type AtomicWriter } from '../store/atomic-write.js';
import { bucketStarts, dayRange, isDayOver, isoUtc, type DayRange } from '../time/day.js';
import { DataError, InterruptedError } from '../errors.js';
import { PageChecker } from '../extract/check-page.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { Pseudonymise } from '../transform/pseudonymise.js';
import type { Logger } from '../log.js';

/**
 * One (table, day) end to end: query (paging composite aggregations), flatten, transform, merge,
 * check, and write the day file atomically. Rows stream into the temporary file bucket by bucket, so
 * memory holds one page and one 15-minute bucket, not the day. A failure anywhere leaves the previous
 * file untouched.
 */

export interface LoadDayParams {
  readonly table: TableConfig;
  readonly day: string;
  readonly config: Config;
  readonly es: SearchContext;
  readonly dataDir: string;
  readonly pseudonymise: Pseudonymise;
  readonly now: Date;
  /** Bound to the table and the day (runJobs binds them), so its lines do not repeat them. */
  readonly log: Logger;
  /** Write a day that is not over yet, as `<day>.partial.csv`. */
  readonly partial?: boolean;
  /** Hours after its end before a day counts as complete (load-daily --settle); before that it is partial. */
  readonly settleHours?: number;
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

export interface FetchStats {
  readonly buckets: number;
  readonly requests: number;
  readonly tookMs: number;
  readonly totalHits: number;
  readonly totals: Record<string, number>;
}

/**
 * Fetches every bucket of the table's day and hands merged rows to `sink` in time order, each
 * 15-minute bucket once it is complete.
 */
export async function fetchTableDay(
  params: Pick<LoadDayParams, 'table' | 'config' | 'es' | 'pseudonymise'>,
  range: DayRange,
  sink: (rows: KeyedRow[]) => Promise<void> | void,
): Promise<FetchStats> {
  const { table, config, es } = params;
  const merger = new RowMerger(table.metrics);
  const transform = {
    pseudonymise: params.pseudonymise,
    internalDomains: config.internal_domains,
    internalNames: config.internal_names,
  };
  let requests = 0;
  let tookMs = 0;
  let totalHits = -1;
  let buckets = 0;
  const checker = new PageChecker(table, range);
  const fetchPage = (after?: Record<string, unknown>): Promise<SearchResult> => {
    const pending = es.signal?.aborted
      ? Promise.reject(new InterruptedError())
      : searchAggregations(
          es,
          { index: table.index, table: table.name, day: range.day },
          buildDayQuery(table, range, config, after),
        );
    // Awaited on the next turn of the loop; if this page fails first, its outcome is dropped.
    pending.catch(() => undefined);
    return pending;
  };
  let next: Promise<SearchResult> | undefined = fetchPage();
  while (next !== undefined) {
    const result = await next;
    requests++;
    tookMs += result.took;
    if (totalHits < 0) totalHits = result.totalHits;
    const page = flattenAggregations(result.aggregations, table);
    // Nothing of a page is used before it is checked: inside the day, in order, after_key advancing.
    checker.check(page, result.totalHits);
    // A composite page holding fewer buckets than asked for is the last: Elasticsearch fills a page
    // before it stops. It still sends an after_key, but following it would cost one more pass over
    // the day's documents for an empty page. (Should that ever be wrong, the totals check below
    // fails the day instead of writing it short, for every table with a count metric.)
    const more = page.afterKey !== undefined && page.rows.length >= config.es.page_size;
    // Ask for the next composite page before working on this one: Elasticsearch computes it while
    // this page is transformed and written, instead of the two taking turns. At most two pages are
    // held at once.
    next = more ? fetchPage(page.afterKey) : undefined;
    buckets += page.rows.length;
    for (const raw of page.rows) merger.add(raw, transformRow(raw, table.levels, transform));
    // Composite pages are sorted by time first: every bucket before the page's last one is complete.
    const last = page.rows.at(-1);
    if (next !== undefined && last !== undefined) await sink(merger.drainBefore(last.time));
  }
  await sink(merger.finish());
  const totals = merger.totals();
  // No silent loss: every matched document must be in some bucket. (More is possible when logs arrive
  // between composite pages; fewer never is.)
  const count = table.metrics.find((m) => m.type === 'count');
  if (count && (totals[count.name] ?? 0) < totalHits) {
    throw new DataError(
      `${table.name} ${range.day}: ${totalHits} documents matched but only ${totals[count.name]} are in buckets (a multi-valued or unmapped level field?)`,
    );
  }
  return { buckets, requests, tookMs, totalHits, totals };
}

/** The CSV lines (no header) of rows in the table's fixed column order. */
export function formatDayRows(rows: readonly KeyedRow[]): string {
  // Rows come bucket by bucket: each bucket's timestamp is formatted once, not once per row.
  let time = Number.NaN;
  let stamp = '';
  const body: Cell[][] = rows.map((r) => {
    if (r.time !== time) {
      time = r.time;
      stamp = isoUtc(time);
    }
    return [stamp, ...r.keys, ...r.metrics.map((m) => (m === null ? '' : m))];
  });
  return formatCsvRows(body);
}

export async function loadTableDay(params: LoadDayParams): Promise<LoadDayResult> {
  const started = Date.now();
  const { table, day, config, dataDir } = params;
  const range = dayRange(day, config.timezone);
  // A day still inside its settle window is written (with --partial) as a partial file, like today.
  const settledAt = new Date(params.now.getTime() - (params.settleHours ?? 0) * 3_600_000);
  const partial = !isDayOver(range, settledAt);
  if (partial && !params.partial)
    throw new DataError(`${day} is not over yet: use --partial to write it as a partial file`);
  const path = params.dryRun ? undefined : dayFilePath(dataDir, table.name, day, partial);
  const writer: AtomicWriter | undefined =
    path === undefined ? undefined : await openAtomicWriter(path, { root: dataDir });
  // A time series must come back as exactly the day's buckets, in order; a partial day as those
  // that have started (not zeros for the hours still to come).
  const expectedTimes = isTimeSeries(table) ? bucketStarts(range).map((d) => d.getTime()) : undefined;
  let rows = 0;
  let stats: FetchStats;
  try {
    await writer?.write(formatCsv(tableColumns(table), []));
    stats = await fetchTableDay(params, range, async (chunk) => {
      const kept = partial ? chunk.filter((r) => r.time <= params.now.getTime()) : chunk;
      if (expectedTimes && !partial) {
        kept.forEach((r, i) => {
          if (r.time !== expectedTimes[rows + i])
            throw bucketError(
              table.name,
              range,
              expectedTimes.length,
              `an unexpected bucket ${isoUtc(r.time)}`,
            );
        });
      }
      rows += kept.length;
      if (kept.length > 0) await writer?.write(formatDayRows(kept));
    });
    if (expectedTimes && !partial && rows !== expectedTimes.length)
      throw bucketError(table.name, range, expectedTimes.length, `${rows}`);
    if (params.es.signal?.aborted) throw new InterruptedError();
    await writer?.commit();
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  // A complete day supersedes the partial file written earlier in the day.
  if (writer && !partial) await rm(dayFilePath(dataDir, table.name, day, true), { force: true });
  const result: LoadDayResult = {
    table: table.name,
    day,
    path,
    partial,
    rows,
    buckets: stats.buckets,
    requests: stats.requests,
    tookMs: stats.tookMs,
    wallMs: Date.now() - started,
    totals: stats.totals,
  };
  params.log[params.quiet ? 'debug' : 'info'](
    {
      rows,
      buckets: stats.buckets,
      requests: stats.requests,
      tookMs: stats.tookMs,
      wallMs: result.wallMs,
      partial,
      dryRun: params.dryRun === true,
      ...stats.totals,
    },
    'table day loaded',
  );
  return result;
}

function bucketError(table: string, range: DayRange, expected: number, got: string): DataError {
  return new DataError(
    `${table} ${range.day}: expected ${expected} buckets from ${isoUtc(range.start)}, got ${got}`,
  );
}
