import { randomUUID } from 'node:crypto';
import { ExitCode } from '../../errors.js';
import { runSchedule, validateSchedule, type ScheduledJob } from '../../schedule/cron.js';
import { loadCommandConfig } from '../command-config.js';
import type { EsFlags } from '../setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

/**
 * `netlog schedule`: load-daily then publish on `schedule.load` / `schedule.publish` (UTC), until
 * SIGINT/SIGTERM. The jobs run in this process, through the same `run` functions as the commands:
 * one long-lived process for a container, the jobs' lines in the same log (with `job` and `jobRun`),
 * and a stop signal that reaches the running job (it stops after its current file and releases the
 * run lock) instead of being lost at a process boundary. Each run reads the clock when it starts and
 * its config file afresh; each takes the run lock like any other run.
 */
export async function run(options: GlobalOptions & EsFlags, ctx: CommandContext): Promise<number> {
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
