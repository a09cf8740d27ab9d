import { checkLoadDay, checkSettled, selectTables } from '../../pipeline/plan.js';
import { runJobs } from '../../pipeline/run-jobs.js';
import { yesterday } from '../../time/day.js';
import {
  checkEsReachable,
  checkKeyRecord,
  jobParams,
  openEs,
  openPseudonymiser,
  publishAfter,
} from '../setup.js';
import { loadCommandConfig } from '../command-config.js';
import { withDataLock } from '../data-lock.js';
import { printRunSummary } from '../run-summary.js';
import type { CommandContext } from '../context.js';
import type { LoadDailyOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = LoadDailyOptions;

/** `netlog load-daily`: one day (yesterday by default) for every configured table. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx);
  const tables = selectTables(config, options.tables);
  const day = options.date ?? yesterday(ctx.now, config.timezone);
  checkLoadDay(day, ctx.now, config.timezone, options.partial === true);
  const settleHours = options.settle ?? config.settle_hours;
  checkSettled(day, ctx.now, config.timezone, settleHours, options.partial === true);
  const keyed = openPseudonymiser(config, ctx);
  // A key that is not the data's is refused before any connection, lock or file (a dry run writes
  // nothing, so it checks too and fails alike: its numbers would not be those of a real run).
  await checkKeyRecord(keyed, options, ctx, false);
  const es = openEs(options, config, ctx);
  const locked = <T>(fn: () => Promise<T>): Promise<T> =>
    options.dryRun ? fn() : withDataLock(options, 'load-daily', ctx, fn);
  try {
    await checkEsReachable(es);
    return await locked(async () => {
      if (!options.dryRun) await checkKeyRecord(keyed, options, ctx, true);
      ctx.log.info(
        { day, tables: tables.length, dataDir: options.data, dryRun: options.dryRun === true },
        'load-daily started',
      );
      const summary = await runJobs(
        tables.map((table) => ({ table, day })),
        {
          ...jobParams(config, es, keyed, options.data, ctx),
          partial: options.partial === true,
          settleHours,
          dryRun: options.dryRun === true,
        },
        { concurrency: 2 },
      );
      return publishAfter(
        await printRunSummary('load-daily', summary, { config }, ctx),
        options,
        config,
        ctx,
      );
    });
  } finally {
    await es.close();
  }
}
