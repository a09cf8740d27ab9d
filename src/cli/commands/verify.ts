import { ExitCode } from '../../errors.js';
import { fetchDayTotals } from '../../es/day-totals.js';
import { resolveDays, selectTables } from '../../pipeline/plan.js';
import { runJobs } from '../../pipeline/run-jobs.js';
import { compareTotals } from '../../store/check-day.js';
import { checkStoredDay, findLeftoverTempFiles, removeTempFiles, type DayFileStatus } from '../../store/scan.js';
import { dayRange } from '../../time/day.js';
import { checkEsReachable, loadCommandConfig, openEs, openPseudonymiser, type EsFlags, type EsHandle } from '../setup.js';
import { displayPath } from '../report-run.js';
import type { Config, TableConfig } from '../../config/schema.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

interface Options extends GlobalOptions, EsFlags {
  days?: number;
  from?: string;
  to?: string;
  tables?: string[];
  againstEs?: boolean;
  repair?: boolean;
  concurrency: number;
  publish?: boolean;
}

const DEFAULT_DAYS = 30;

/**
 * `netlog verify`: one line per missing, incomplete, corrupt, partial or (with --against-es) drifted
 * day file; `--repair` re-fetches exactly those. Exit 0 when everything is (now) right, 3 when problems
 * remain, 1 when it could not run.
 */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx);
  const tables = selectTables(config, options.tables);
  const days = resolveDays(options, ctx.now, config.timezone, DEFAULT_DAYS);
  const needsEs = options.againstEs === true || options.repair === true;
  const pseudonymise = options.repair ? openPseudonymiser(config, ctx) : undefined;
  const es = needsEs ? openEs(options, config, ctx) : undefined;
  try {
    if (es) await checkEsReachable(es);
    const problems = await findProblems(options, config, tables, days, es, ctx);
    const leftovers = await findLeftoverTempFiles(options.data, tables);
    for (const p of problems) ctx.out(`${p.status.padEnd(10)} ${p.table} ${p.day}  ${displayPath(p.path)}: ${p.detail}`);
    for (const t of leftovers) ctx.out(`leftover   ${displayPath(t)}: temporary file of an interrupted write`);
    ctx.log.info({ checked: days.length * tables.length, problems: problems.length, leftovers: leftovers.length, byStatus: countBy(problems) }, 'verify checked');
    if (problems.length === 0 && leftovers.length === 0) {
      ctx.out(`all ${days.length * tables.length} day file(s) of ${tables.length} table(s) from ${days[0]} to ${days.at(-1)} are complete${options.againstEs ? ' and match Elasticsearch' : ''}`);
      return ExitCode.ok;
    }
    if (!options.repair) return ExitCode.partial;

    await removeTempFiles(leftovers);
    const byName = new Map(tables.map((t) => [t.name, t]));
    const summary = await runJobs(
      problems.map((p) => ({ table: byName.get(p.table)!, day: p.day })),
      { config, es: es!.search, dataDir: options.data, pseudonymise: pseudonymise!, now: ctx.now, log: ctx.log },
      { concurrency: options.concurrency },
    );
    const remaining = await findProblems({ ...options }, config, tables, [...new Set(problems.map((p) => p.day))].sort(), es, ctx, new Set(problems.map((p) => `${p.table}/${p.day}`)));
    for (const p of problems) {
      const still = remaining.find((r) => r.table === p.table && r.day === p.day);
      ctx.out(still ? `NOT REPAIRED ${p.table} ${p.day}: ${still.detail}` : `repaired   ${p.table} ${p.day}`);
    }
    for (const f of summary.failed) ctx.out(`FAILED ${f.table} ${f.day}: ${f.error.message}`);
    ctx.log.info({ repaired: problems.length - remaining.length, remaining: remaining.length }, 'verify repaired');
    return remaining.length === 0 ? ExitCode.ok : ExitCode.partial;
  } finally {
    await es?.close();
  }
}

async function findProblems(
  options: Options,
  config: Config,
  tables: readonly TableConfig[],
  days: readonly string[],
  es: EsHandle | undefined,
  ctx: CommandContext,
  only?: ReadonlySet<string>,
): Promise<DayFileStatus[]> {
  const problems: DayFileStatus[] = [];
  for (const day of days) {
    for (const table of tables) {
      if (only && !only.has(`${table.name}/${day}`)) continue;
      if (ctx.signal.aborted) return problems;
      const status = await checkStoredDay(options.data, table, day, config.timezone);
      if (status.status !== 'ok') {
        problems.push(status);
        continue;
      }
      if (options.againstEs && es) {
        const live = await fetchDayTotals(es.search, table, dayRange(day, config.timezone), config);
        const drift = compareTotals(status.totals ?? {}, live);
        if (drift) problems.push({ ...status, status: 'drift', detail: `differs from Elasticsearch now: ${drift}` });
      }
    }
  }
  return problems;
}

function countBy(problems: readonly DayFileStatus[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of problems) out[p.status] = (out[p.status] ?? 0) + 1;
  return out;
}
