import { walkTableDay, type LoadPlanner } from '../extract/planned-fetch.js';
import { checkAllBucketed } from '../extract/check-page.js';
import type { SearchContext } from '../extract/search.js';
import { rowTransformer, type KeyedRow } from '../transform/rows.js';
import { RowMerger } from '../transform/merge.js';
import { openDayWriter, type DayWriter } from '../store/write-day.js';
import { BucketSequenceCheck } from '../store/check-day.js';
import { dayRange, isDayOver, type DayRange } from '../time/day.js';
import { rowBounder } from '../transform/row-bound.js';
import { DataError, InterruptedError } from '../errors.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { Pseudonymise } from '../transform/pseudonymise.js';
import type { Logger } from '../log.js';

/**
 * One (table, day) end to end, the orchestration only: pages from Elasticsearch (extract/page-day.ts),
 * transformed and merged (transform/), checked bucket by bucket (store/check-day.ts) and streamed
 * into the day file (store/write-day.ts). Rows reach the temporary file bucket by bucket, so memory
 * holds one page and one 15-minute bucket, not the day. A failure anywhere leaves the previous file
 * untouched.
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
  /** The run's query plan (runJobs makes one): shared series requests, level splits, page sizes. */
  readonly planner?: LoadPlanner;
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

interface FetchStats {
  readonly buckets: number;
  readonly requests: number;
  readonly tookMs: number;
  readonly totals: Record<string, number>;
}

/**
 * Every bucket of the table's day, transformed and merged, handed to `sink` in time order, each
 * 15-minute bucket once it is complete.
 */
async function transformTableDay(
  params: Pick<LoadDayParams, 'table' | 'config' | 'es' | 'pseudonymise' | 'planner'>,
  range: DayRange,
  unboundedSink: (rows: KeyedRow[]) => Promise<void> | void,
): Promise<FetchStats> {
  const { table, config } = params;
  // The table's row bound (if any) ranks the final rows: after transform and merge, bucket by bucket.
  const bound = rowBounder(table);
  const sink = (rows: KeyedRow[]) => unboundedSink(bound(rows));
  const merger = new RowMerger(table.metrics);
  const transform = rowTransformer(table.levels, {
    pseudonymise: params.pseudonymise,
    internalDomains: config.internal_domains,
    internalNames: config.internal_names,
  });
  // The planned requests (extract/planned-fetch.ts) hand over checked rows in time order; every
  // bucket before `completeBefore` is complete.
  const { buckets, requests, tookMs, totalHits } = await walkTableDay(
    params,
    range,
    async (rows, completeBefore) => {
      for (const raw of rows) merger.add(transform(raw));
      if (completeBefore !== undefined) await sink(merger.drainBefore(completeBefore));
    },
  );
  await sink(merger.finish());
  const totals = merger.totals();
  checkAllBucketed(table, range.day, totals, totalHits);
  return { buckets, requests, tookMs, totals };
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
  const writer: DayWriter | undefined = params.dryRun
    ? undefined
    : await openDayWriter(dataDir, table, day, partial);
  // A time series must come back as exactly the day's buckets, in order; a partial day as those
  // that have started (not zeros for the hours still to come).
  const sequence = new BucketSequenceCheck(table, range, partial);
  let rows = 0;
  let stats: FetchStats;
  try {
    stats = await transformTableDay(params, range, async (chunk) => {
      const kept = partial ? chunk.filter((r) => r.time <= params.now.getTime()) : chunk;
      sequence.add(kept.map((r) => r.time));
      rows += kept.length;
      await writer?.write(kept);
    });
    sequence.end();
    if (params.es.signal?.aborted) throw new InterruptedError();
    await writer?.commit();
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  const result: LoadDayResult = {
    table: table.name,
    day,
    path: writer?.path,
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
