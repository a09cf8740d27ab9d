import { UsageError } from '../errors.js';
import { resolveDays, selectTables, type RangeFlags } from '../pipeline/plan.js';
import { loadTableRange, type LoadedTable } from '../analysis/load-series.js';
import { loadCommandConfig } from './setup.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { CommandContext } from './context.js';
import type { GlobalOptions } from './program.js';

/** The day range of the analysis commands (--days N, or --from/--to). */
export type AnalysisRange = RangeFlags;

/** The first steps of the analysis commands: config, tables, days, and the day files loaded. */
export async function loadForAnalysis(
  options: GlobalOptions & AnalysisRange,
  tableNames: string[] | undefined,
  ctx: CommandContext,
): Promise<{ config: Config; tables: TableConfig[]; days: string[]; loaded: LoadedTable[] }> {
  const config = await loadCommandConfig(options, ctx);
  const tables = selectTables(config, tableNames);
  const days = resolveDays(options, ctx.now, config.timezone, 7);
  const loaded: LoadedTable[] = [];
  for (const table of tables) {
    const l = await loadTableRange(options.data, table, days, config.timezone);
    const problems = l.days.filter((d) => d.status !== 'ok');
    if (problems.length === l.days.length) {
      throw new UsageError(
        `${table.name}: no complete day file between ${days[0]} and ${days.at(-1)} in ${options.data}: check --data and the dates (netlog verify lists what is there)`,
      );
    }
    for (const p of problems)
      ctx.log.warn(
        { table: table.name, day: p.day, status: p.status, detail: p.detail },
        `${table.name} ${p.day} is ${p.status}: shown as a gap`,
      );
    loaded.push(l);
  }
  return { config, tables, days, loaded };
}

/** The column a top-N chart ranks: the first name-like level (destination, domain), else the last level. */
export function rankingColumn(table: TableConfig): string | undefined {
  return (
    table.levels.find(
      (l) => l.transform === 'host' || l.transform === 'domain' || l.transform === 'server',
    ) ?? table.levels.at(-1)
  )?.column;
}
