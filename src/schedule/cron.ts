import cron from 'node-cron';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The in-process scheduler behind `netlog schedule`, for hosts without crontab (containers). Jobs run
 * one at a time: a tick that comes while a job is still running is skipped and logged, never queued
 * behind it (the run lock would refuse it anyway). Times are UTC, like elastic.cron.
 */

export interface ScheduledJob {
  readonly name: string;
  readonly expression: string;
  readonly run: () => Promise<number>;
}

/** Checks every expression before anything is scheduled; a bad one is a config error. */
export function validateSchedule(jobs: readonly ScheduledJob[]): void {
  for (const job of jobs) {
    if (!cron.validate(job.expression)) {
      throw new ConfigError(
        `schedule.${job.name}: "${job.expression}" is not a cron expression (e.g. "0 6 * * *" for 06:00 UTC daily)`,
      );
    }
  }
}

/**
 * Runs the jobs on their schedules until `signal` aborts, then waits for a running job to finish.
 * Resolves with the number of job runs that exited non-zero.
 */
export async function runSchedule(
  jobs: readonly ScheduledJob[],
  options: { log: Logger; signal: AbortSignal },
): Promise<number> {
  validateSchedule(jobs);
  const log = options.log.child({ module: 'schedule' });
  let running: Promise<void> | undefined;
  let failures = 0;
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.expression,
      () => {
        if (running) {
          log.warn({ job: job.name }, 'scheduled run skipped: the previous job is still running');
          return;
        }
        running = (async () => {
          const started = Date.now();
          log.info({ job: job.name }, 'scheduled job started');
          try {
            const code = await job.run();
            if (code !== 0) failures++;
            log.info(
              { job: job.name, exitCode: code, wallMs: Date.now() - started },
              'scheduled job finished',
            );
          } catch (err) {
            failures++;
            log.error({ job: job.name, err }, 'scheduled job failed');
          } finally {
            running = undefined;
          }
        })();
      },
      { timezone: 'UTC', name: `netlog-${job.name}` },
    ),
  );
  log.info({ jobs: jobs.map((j) => `${j.name}: ${j.expression}`) }, 'schedule started');
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  for (const t of tasks) await t.stop();
  for (const t of tasks) await t.destroy();
  if (running) {
    log.info('stopping: waiting for the running job to finish');
    await running;
  }
  log.info({ failures }, 'schedule stopped');
  return failures;
}
