import { UsageError } from '../../errors.js';
import { resolveDays, selectTables } from '../../pipeline/plan.js';
import { runJobs, type Job } from '../../pipeline/run-jobs.js';
import { checkStoredDay } from '../../store/scan.js';
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
import { createProgress } from '../progress.js';
import { printRunSummary } from '../run-summary.js';
import type { CommandContext } from '../context.js';
import type { LoadBackfillOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = LoadBackfillOptions;

/** `netlog load-backfill`: (re)build a range of days; days already complete are skipped unless --force. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  if (options.days === undefined && options.from === undefined && options.to === undefined) {
    throw new UsageError(
      'give the days to load: --days N (the last N complete days) or --from YYYY-MM-DD [--to YYYY-MM-DD]',
    );
  }
  const config = await loadCommandConfig(options, ctx);
  const tables = selectTables(config, options.tables);
  const days = resolveDays(options, ctx.now, config.timezone);
  const keyed = openPseudonymiser(config, ctx);
  // A key that is not the data's is refused before any connection, lock or file.
  await checkKeyRecord(keyed, options, ctx, false);
  const es = openEs(options, config, ctx);
  try {
    await checkEsReachable(es);
    return await withDataLock(options, 'load-backfill', ctx, async () => {
      await checkKeyRecord(keyed, options, ctx, true);
      const all: Job[] = days.flatMap((day) => tables.map((table) => ({ table, day })));
      const jobs: Job[] = [];
      const skipped: Record<string, number> = {};
      for (const job of all) {
        if (
          !options.force &&
          (await checkStoredDay(options.data, job.table, job.day, config.timezone)).status === 'ok'
        ) {
          skipped[job.table.name] = (skipped[job.table.name] ?? 0) + 1;
          continue;
        }
        jobs.push(job);
      }
      const skippedCount = all.length - jobs.length;
      ctx.log.info(
        {
          days: days.length,
          from: days[0],
          to: days.at(-1),
          tables: tables.length,
          jobs: jobs.length,
          skipped: skippedCount,
          concurrency: options.concurrency,
        },
        'load-backfill started',
      );
      const progress = createProgress({
        total: jobs.length,
        label: 'backfill',
        isTTY: ctx.isTTY,
        log: ctx.log,
      });
      const summary = await runJobs(
        jobs,
        { ...jobParams(config, es, keyed, options.data, ctx), quiet: true },
        { concurrency: options.concurrency, onProgress: ({ ok }) => progress.tick(ok) },
      );
      progress.finish();
      if (skippedCount > 0)
        ctx.out(`skipped ${skippedCount} complete table-day(s) (use --force to rebuild them)`);
      return publishAfter(
        await printRunSummary('load-backfill', summary, { config, skipped, listFiles: false }, ctx),
        options,
        config,
        ctx,
      );
    });
  } finally {
    await es.close();
  }
}
