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
  const done: LoadDayResult[] = [];
  const failed: JobFailure[] = [];
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
      const job = jobs[next++]!;
      const log = params.log.child({ table: job.table.name, day: job.day });
      let ok = false;
      for (let attempt = 0; ; attempt++) {
        try {
          done.push(await loadTableDay({ ...params, planner, log, table: job.table, day: job.day }));
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
          failed.push({ table: job.table.name, day: job.day, error: err });
          log.error({ err }, err.message);
          break;
        }
      }
      finished++;
      options.onProgress?.({ job, ok, finished });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, jobs.length)) }, worker));
  return { done, failed, interrupted };
}
