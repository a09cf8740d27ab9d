import cron, { type ScheduledTask } from 'node-cron';
import { ConfigError, ExitCode, NetlogError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The in-process scheduler behind `netlog schedule`, for hosts without crontab (containers). Times are
 * UTC, like elastic.cron. Jobs never overlap: a tick of a job that is still running (or already
 * waiting) is skipped and logged, never queued twice; a tick of one job while another runs waits for
 * it (publish at 06:10 goes right after a load-daily that took longer than ten minutes, instead of
 * being refused by the run lock and leaving the day unpublished until tomorrow).
 */

export interface ScheduledJob {
  /** `load` or `publish`: also the config key under `schedule`. */
  readonly name: string;
  /** node-cron expression: 5 fields, or 6 with seconds first. */
  readonly expression: string;
  /** Runs the job once and resolves with its exit code; a thrown NetlogError counts as its exit code. */
  readonly run: () => Promise<number>;
}

export interface ScheduleSummary {
  /** Job runs started. */
  readonly runs: number;
  /** Runs that ended with a non-zero exit code. */
  readonly failures: number;
  /** Ticks skipped because the same job was still running or waiting. */
  readonly skipped: number;
}

/** Checks every expression before anything is scheduled; a bad one is a ConfigError naming the key. */
export function validateSchedule(jobs: readonly ScheduledJob[]): void {
  for (const job of jobs) {
    const { valid, errors } = cron.validateDetailed(job.expression);
    if (valid) continue;
    const what = errors
      .map((e) => (e.field === 'expression' ? e.message : `${e.field} ${JSON.stringify(e.value)}`))
      .join(', ');
    throw new ConfigError(
      `schedule.${job.name}: "${job.expression}" is not a valid cron expression (${what}): ` +
        'use minute hour day month weekday, e.g. "0 6 * * *" for 06:00 UTC, or six fields with seconds first',
    );
  }
}

/**
 * Runs the jobs on their schedules until `signal` aborts, then stops the ticks, drops waiting runs and
 * waits for the running one (which sees the same signal and stops after its current file).
 */
export async function runSchedule(
  jobs: readonly ScheduledJob[],
  options: { log: Logger; signal: AbortSignal },
): Promise<ScheduleSummary> {
  validateSchedule(jobs);
  const log = options.log.child({ module: 'schedule' });
  let running: { job: ScheduledJob; done: Promise<void> } | undefined;
  const waiting: ScheduledJob[] = [];
  let runs = 0;
  let failures = 0;
  let skipped = 0;
  let stopping = false;

  const start = (job: ScheduledJob): void => {
    runs++;
    const done = (async () => {
      const started = Date.now();
      log.info({ job: job.name }, 'scheduled job started');
      let exitCode: number;
      try {
        exitCode = await job.run();
        log.info({ job: job.name, exitCode, wallMs: Date.now() - started }, 'scheduled job finished');
      } catch (err) {
        // Known errors (locked, ES down, git) are the job's exit code, as on the command line.
        exitCode = err instanceof NetlogError ? err.exitCode : ExitCode.runtime;
        log.error({ job: job.name, exitCode, wallMs: Date.now() - started, err }, 'scheduled job failed');
      }
      if (exitCode !== ExitCode.ok) failures++;
    })();
    running = { job, done };
    void done.then(() => {
      running = undefined;
      const next = waiting.shift();
      if (next && !stopping) start(next);
    });
  };

  const tick = (job: ScheduledJob): void => {
    if (stopping) return;
    if (running?.job === job || waiting.includes(job)) {
      skipped++;
      log.warn(
        { job: job.name, running: running?.job.name },
        'scheduled run skipped: this job is still running or waiting',
      );
      return;
    }
    if (running) {
      waiting.push(job);
      log.info({ job: job.name, running: running.job.name }, 'scheduled job waiting for the running job');
      return;
    }
    start(job);
  };

  // node-cron's own warnings (a missed tick on a blocked event loop) go to netlog's log.
  const cronLogger = {
    info: (detail: string) => log.debug({ detail }, 'node-cron'),
    debug: (detail: string | Error) => log.debug({ detail: String(detail) }, 'node-cron'),
    warn: (detail: string) => log.warn({ detail }, 'node-cron warning'),
    error: (detail: string | Error, err?: Error) =>
      log.error({ detail: String(detail), err }, 'node-cron error'),
  };
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(job.expression, () => tick(job), {
      timezone: 'UTC',
      name: `netlog-${job.name}`,
      logger: cronLogger,
    }),
  );
  log.info(
    {
      jobs: jobs.map((job, i) => ({
        job: job.name,
        expression: job.expression,
        next: tasks[i]?.getNextRun()?.toISOString(),
      })),
    },
    'schedule started',
  );

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  stopping = true;
  for (const task of tasks) await task.stop();
  for (const task of tasks) await task.destroy();
  if (waiting.length > 0) {
    log.info({ jobs: waiting.map((j) => j.name) }, 'stopping: waiting runs dropped');
    waiting.length = 0;
  }
  if (running) {
    log.info({ job: running.job.name }, 'stopping: waiting for the running job to finish');
    await running.done;
  }
  const summary = { runs, failures, skipped };
  log.info(summary, 'schedule stopped');
  return summary;
}
