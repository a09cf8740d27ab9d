import { ExitCode, NetlogError, UsageError } from '../../errors.js';
import { hasHashKey } from '../../config/hash-key.js';
import { fetchDayTotals } from '../../extract/day-totals.js';
import { resolveDays, selectTables } from '../../pipeline/plan.js';
import { runJobs, type Job } from '../../pipeline/run-jobs.js';
import { compareTotals, type StoredDayCheck } from '../../store/check-day.js';
import { checkStoredDay, removeTempFiles, scanTableFolders } from '../../store/scan.js';
import { dayRange } from '../../time/day.js';
import { scrubIpLiterals } from '../../net/ip.js';
import {
  checkEsReachable,
  checkKeyRecord,
  jobParams,
  openEs,
  openPseudonymiser,
  publishAfter,
  type EsHandle,
} from '../setup.js';
import { loadCommandConfig } from '../command-config.js';
import { withDataLock } from '../data-lock.js';
import { displayPath } from '../run-summary.js';
import type { Config } from '../../config/schema.js';
import type { CommandContext } from '../context.js';
import type { VerifyOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = VerifyOptions;

const DEFAULT_DAYS = 30;

/**
 * `netlog verify`: one line per missing, incomplete, corrupt, partial or (with --against-es) drifted
 * day file; `--repair` re-fetches exactly those. Exit 0 when everything is (now) right, 3 when problems
 * remain, 1 when it could not run.
 */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const needsEs = options.againstEs === true || options.repair === true;
  // Without Elasticsearch, verify only reads: a plain clone is checked with its recorded zone and tables.
  const config = await loadCommandConfig(options, ctx, needsEs ? 'write' : 'read');
  const tables = selectTables(config, options.tables);
  const days = resolveDays(options, ctx.now, config.timezone, DEFAULT_DAYS);
  if (options.newKey && !options.repair)
    throw new UsageError('--new-key starts a new pseudonym epoch for a repair: give it with --repair');
  // A repair writes pseudonyms: its key must be the data's (checked before any connection). Without
  // --repair a key in the environment is still checked, so that a changed key is reported rather than
  // found only when the next load refuses.
  const keyed = options.repair ? openPseudonymiser(config, ctx) : undefined;
  if (keyed) await checkKeyRecord(keyed, options, ctx, false);
  const keyProblem =
    !options.repair && hasHashKey(ctx.env) ? await keyMismatch(config, options, ctx) : undefined;
  const es = needsEs ? openEs(options, config, ctx) : undefined;
  try {
    if (es) await checkEsReachable(es);
    const checked: Job[] = days.flatMap((day) => tables.map((table) => ({ table, day })));
    const problems = await findProblems(checked, options, config, es, ctx);
    const { leftovers, links } = await scanTableFolders(options.data, tables);
    for (const p of problems)
      ctx.out(`${p.status.padEnd(10)} ${p.table} ${p.day}  ${displayPath(p.path)}: ${p.detail}`);
    // Links on the way to a checked day are named in its line; the others (other days) here.
    const named = problems.filter((p) => p.status === 'unsafe').map((p) => p.detail);
    const otherLinks = links.filter((l) => !named.some((d) => d.startsWith(`${l.path} `)));
    for (const l of otherLinks)
      ctx.out(
        `unsafe     ${displayPath(l.path)}: a symbolic link (to ${l.target}) in a table's folder: remove it (git rm it if committed)`,
      );
    for (const t of leftovers)
      ctx.out(`leftover   ${displayPath(t)}: temporary file of an interrupted write`);
    if (keyProblem !== undefined) ctx.out(`key        ${keyProblem}`);
    // A link in the data directory is not a day to repair: it must be removed by hand. Exit 1.
    const unsafe = named.length + otherLinks.length;
    ctx.log.info(
      {
        checked: checked.length,
        problems: problems.length,
        leftovers: leftovers.length,
        links: links.length,
        byStatus: countBy(problems),
      },
      'verify checked',
    );
    if (unsafe > 0) {
      ctx.log.error(
        { unsafe },
        'symbolic links in the data directory: netlog does not read or write through them; remove them',
      );
      return ExitCode.runtime;
    }
    if (problems.length === 0 && leftovers.length === 0 && keyProblem === undefined) {
      ctx.out(
        `all ${checked.length} day file(s) of ${tables.length} table(s) from ${days[0]} to ${days.at(-1)} are complete${options.againstEs ? ' and match Elasticsearch' : ''}`,
      );
      return ExitCode.ok;
    }
    if (!options.repair) return ExitCode.partial;

    return await withDataLock(options, 'verify --repair', ctx, async () => {
      await checkKeyRecord(keyed!, options, ctx, true);
      await removeTempFiles(leftovers);
      const byName = new Map(tables.map((t) => [t.name, t]));
      const toRepair: Job[] = problems.map((p) => ({ table: byName.get(p.table)!, day: p.day }));
      const summary = await runJobs(toRepair, jobParams(config, es!, keyed!, options.data, ctx), {
        concurrency: options.concurrency,
      });
      const remaining = await findProblems(toRepair, options, config, es, ctx);
      for (const p of problems) {
        const still = remaining.find((r) => r.table === p.table && r.day === p.day);
        ctx.out(
          still ? `NOT REPAIRED ${p.table} ${p.day}: ${still.detail}` : `repaired   ${p.table} ${p.day}`,
        );
      }
      for (const f of summary.failed)
        ctx.out(`FAILED ${f.table} ${f.day}: ${scrubIpLiterals(f.error.message)}`);
      ctx.log.info(
        { repaired: problems.length - remaining.length, remaining: remaining.length },
        'verify repaired',
      );
      return publishAfter(remaining.length === 0 ? ExitCode.ok : ExitCode.partial, options, config, ctx);
    });
  } finally {
    await es?.close();
  }
}

/** The (table, day) files that are not ok, or (with --against-es) no longer match Elasticsearch. */
async function findProblems(
  pairs: readonly Job[],
  options: Options,
  config: Config,
  es: EsHandle | undefined,
  ctx: CommandContext,
): Promise<StoredDayCheck[]> {
  const problems: StoredDayCheck[] = [];
  for (const { table, day } of pairs) {
    if (ctx.signal.aborted) break;
    const status = await checkStoredDay(options.data, table, day, config.timezone);
    if (status.status !== 'ok') {
      problems.push(status);
      continue;
    }
    if (options.againstEs && es) {
      const live = await fetchDayTotals(es.search, table, dayRange(day, config.timezone), config);
      const drift = compareTotals(status.totals ?? {}, live);
      if (drift)
        problems.push({ ...status, status: 'drift', detail: `differs from Elasticsearch now: ${drift}` });
    }
  }
  return problems;
}

function countBy(problems: readonly StoredDayCheck[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of problems) out[p.status] = (out[p.status] ?? 0) + 1;
  return out;
}

/** Why the key in the environment cannot write to this data (weak, unreadable, another key), or undefined. */
async function keyMismatch(
  config: Config,
  options: Options,
  ctx: CommandContext,
): Promise<string | undefined> {
  try {
    await checkKeyRecord(openPseudonymiser(config, ctx), options, ctx, false);
    return undefined;
  } catch (err) {
    if (err instanceof NetlogError) return err.message;
    throw err;
  }
}
