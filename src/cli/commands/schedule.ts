import { ExitCode } from '../../errors.js';
import { runSchedule, validateSchedule, type ScheduledJob } from '../../schedule/cron.js';
import { loadCommandConfig, type EsFlags } from '../setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

/**
 * `netlog schedule`: load-daily then publish on `schedule.load` / `schedule.publish`, in this process.
 * Each job reads the clock when it starts (yesterday is yesterday at run time) and takes the run lock
 * like any other run.
 */
export async function run(options: GlobalOptions & EsFlags, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx);
  // NETLOG_NOW (replays, tests) keeps its fixed clock; otherwise each run reads the clock when it starts.
  const jobContext = (): CommandContext => ({ ...ctx, now: ctx.env.NETLOG_NOW ? ctx.now : new Date() });
  const jobs: ScheduledJob[] = [
    {
      name: 'load',
      expression: config.schedule.load,
      run: async () => (await import('./load-daily.js')).run({ ...options }, jobContext()),
    },
    {
      name: 'publish',
      expression: config.schedule.publish,
      run: async () => (await import('./publish.js')).run({ ...options }, jobContext()),
    },
  ];
  validateSchedule(jobs);
  ctx.out(
    `netlog schedule: load-daily at "${config.schedule.load}", publish at "${config.schedule.publish}" (UTC); Ctrl-C stops`,
  );
  await runSchedule(jobs, { log: ctx.log, signal: ctx.signal });
  return ExitCode.ok;
}
