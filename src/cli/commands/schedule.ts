import { randomUUID } from 'node:crypto';
import { ExitCode, InterruptedError } from '../../errors.js';
import { runSchedule, validateSchedule, type ScheduledJob } from '../../schedule/cron.js';
import { loadCommandConfig } from '../command-config.js';
import type { CommandContext } from '../context.js';
import type { ScheduleOptions } from '../program.js';

/**
 * `netlog schedule`: load-daily then publish on `schedule.load` / `schedule.publish` (UTC), until
 * SIGINT/SIGTERM. The jobs run in this process, through the same `run` functions as the commands:
 * one long-lived process for a container, the jobs' lines in the same log (with `job` and `jobRun`),
 * and a stop signal that reaches the running job (it stops after its current file and releases the
 * run lock) instead of being lost at a process boundary. Each run reads the clock when it starts and
 * its config file afresh; each takes the run lock like any other run.
 */
export async function run(options: ScheduleOptions, parent: CommandContext): Promise<number> {
  const orphaned = watchParent(parent);
  const ctx: CommandContext = { ...parent, signal: orphaned.signal };
  try {
    return await runScheduled(options, ctx);
  } finally {
    orphaned.stop();
  }
}

/** How often `schedule` checks that the process that started it (npx, a shell, a supervisor) is alive. */
const PARENT_CHECK_MS = 2_000;

/**
 * A SIGTERM sent to `npx netlog schedule` (a container's stop) may end npx, or the shell it started,
 * without reaching this process. Left behind, it is re-parented: that is taken as the stop signal, so
 * the schedule stops as on SIGTERM (after the running job's current file) however it was started.
 * The returned signal also aborts on the command's own SIGINT/SIGTERM.
 */
function watchParent(ctx: CommandContext): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  // SIGINT/SIGTERM as before: this signal aborts with the command's.
  if (ctx.signal.aborted) controller.abort(ctx.signal.reason);
  else ctx.signal.addEventListener('abort', () => controller.abort(ctx.signal.reason), { once: true });
  const parentPid = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    ctx.log.warn(
      { parentPid, ppid: process.ppid },
      'the process that started netlog schedule is gone (npx or its shell stopped): stopping as on SIGTERM',
    );
    controller.abort(new InterruptedError());
    clearInterval(timer);
  }, PARENT_CHECK_MS);
  timer.unref();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}

async function runScheduled(options: ScheduleOptions, ctx: CommandContext): Promise<number> {
  // The load job imports the Elasticsearch side when it first runs.
  const config = await loadCommandConfig(options, ctx, 'none');
  const jobContext = (job: string): CommandContext => ({
    ...ctx,
    // NETLOG_NOW (replays, tests) keeps its fixed clock; otherwise yesterday is yesterday at run time.
    now: ctx.env.NETLOG_NOW ? ctx.now : new Date(),
    log: ctx.log.child({ job, jobRun: randomUUID().slice(0, 8) }),
  });
  const jobs: ScheduledJob[] = [
    {
      name: 'load',
      expression: config.schedule.load,
      // As in elastic.cron: a manual backfill or repair holding the data directory delays the load, up to 9 min.
      run: async () =>
        (await import('./load-daily.js')).run({ ...options, waitLock: 540 }, jobContext('load')),
    },
    {
      name: 'publish',
      expression: config.schedule.publish,
      // As in elastic.cron: a manual run holding the data directory delays the publish, up to 50 min.
      run: async () =>
        (await import('./publish.js')).run({ ...options, waitLock: 3000 }, jobContext('publish')),
    },
  ];
  validateSchedule(jobs);
  ctx.out(
    `netlog schedule: load-daily at "${config.schedule.load}", publish at "${config.schedule.publish}" (UTC); SIGINT/SIGTERM stops`,
  );
  const summary = await runSchedule(jobs, { log: ctx.log, signal: ctx.signal });
  ctx.out(
    `netlog schedule stopped: ${summary.runs} run(s), ${summary.failures} failed, ${summary.skipped} tick(s) skipped`,
  );
  return ExitCode.ok;
}
