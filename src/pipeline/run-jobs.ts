import { EsError, InterruptedError, NetlogError } from '../errors.js';
import { loadTableDay, type LoadDayParams, type LoadDayResult } from './load-day.js';
import { LoadPlanner, PlanFallbackError } from '../extract/planned-fetch.js';
import type { TableConfig } from '../config/schema.js';

/**
 * Runs many (table, day) loads with bounded concurrency so the cluster is not overloaded. One failed
 * job does not stop the others; an interrupt stops starting new ones and lets running ones finish or
 * discard their file. A job is retried once more when its Elasticsearch failure may pass (busy,
 * timed out, unreachable); the request layer has already retried each request.
 */

export interface Job {
  readonly table: TableConfig;
  readonly day: string;
}

interface JobFailure {
  readonly table: string;
  readonly day: string;
  readonly error: Error;
}

export interface RunSummary {
  readonly done: LoadDayResult[];
  readonly failed: JobFailure[];
  readonly interrupted: boolean;
}

export type JobParams = Omit<LoadDayParams, 'table' | 'day'>;

export async function runJobs(
  jobs: readonly Job[],
  params: JobParams,
  options: {
    concurrency: number;
    jobRetries?: number;
    onProgress?: (event: { job: Job; ok: boolean; finished: number }) => void;
  },
): Promise<RunSummary> {
  const done: { at: number; result: LoadDayResult }[] = [];
  const failed: { at: number; failure: JobFailure }[] = [];
  const order = startOrder(jobs);
  let next = 0;
  let finished = 0;
  let interrupted = false;
  const retries = options.jobRetries ?? 1;
  // One query plan for the run: tables of a day share requests where that gives the same rows.
  const planner =
    params.planner ??
    (params.config.es.query_plan === 'auto' ? new LoadPlanner(jobs, params.config, params.es) : undefined);
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      if (params.es.signal?.aborted) {
        interrupted = true;
        return;
      }
      const at = order[next++]!;
      const job = jobs[at]!;
      const log = params.log.child({ table: job.table.name, day: job.day });
      let ok = false;
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await loadTableDay({ ...params, planner, log, table: job.table, day: job.day });
          done.push({ at, result });
          ok = true;
          break;
        } catch (err) {
          if (err instanceof PlanFallbackError && planner) {
            // The split plan met a document it could count differently: this table is walked whole
            // from now on (its unfinished file was discarded), so this happens once per table.
            planner.disableSplit(job.table.name);
            log.info(
              { reason: err.message },
              'split plan not exact for this data: loading the table with one walk',
            );
            attempt--;
            continue;
          }
          if (err instanceof InterruptedError) {
            interrupted = true;
            log.warn('interrupted: this day was not written');
            return;
          }
          if (err instanceof EsError && err.retryable && attempt < retries && !params.es.signal?.aborted) {
            log.warn({ err, attempt: attempt + 1 }, 'table day failed, retrying');
            continue;
          }
          if (!(err instanceof NetlogError)) throw err;
          failed.push({ at, failure: { table: job.table.name, day: job.day, error: err } });
          log.error({ err }, err.message);
          break;
        }
      }
      finished++;
      options.onProgress?.({ job, ok, finished });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, worker));
  // Reported in the jobs' own order (the command's: day by day, tables as configured), whatever
  // order they ran and finished in.
  return {
    done: done.sort((a, b) => a.at - b.at).map((d) => d.result),
    failed: failed.sort((a, b) => a.at - b.at).map((f) => f.failure),
    interrupted,
  };
}

/**
 * The order jobs start in: days as given, and in each day the tables expected to take longest first
 * (most level fields first; time series, one shared request a day, last), so that with several
 * jobs at once the long composite walks run beside each other and the short ones fill in around
 * them, instead of the longest starting last (one day of 1M documents at --concurrency 2: the flow
 * walk that ends the run starts 0.2 s earlier: it no longer waits for the series). Ties keep their order.
 */
export function startOrder(jobs: readonly Job[]): number[] {
  const dayRank = new Map<string, number>();
  for (const j of jobs) if (!dayRank.has(j.day)) dayRank.set(j.day, dayRank.size);
  const work = (t: TableConfig) => t.levels.reduce((n, l) => n + l.fields.length, 0);
  return jobs
    .map((_, i) => i)
    .sort(
      (a, b) =>
        dayRank.get(jobs[a]!.day)! - dayRank.get(jobs[b]!.day)! ||
        work(jobs[b]!.table) - work(jobs[a]!.table) ||
        a - b,
    );
}
