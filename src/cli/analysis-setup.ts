import { UsageError } from '../errors.js';
import { resolveDays, selectTables, type RangeFlags } from '../pipeline/plan.js';
import { readTableRange, type StoredTable } from '../analysis/read-series.js';
import { metricAggregate } from '../analysis/series.js';
import { loadCommandConfig } from './command-config.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { CommandContext } from './context.js';
import type { GlobalOptions } from './program.js';

/** The day range of the analysis commands (--days N, or --from/--to). */
export type AnalysisRange = RangeFlags;

/** Default range of the analysis commands: the last 7 complete days. */
const DEFAULT_ANALYSIS_DAYS = 7;

/**
 * The first steps of the analysis commands: config, tables, days, and the day files loaded. Days that
 * are not complete are logged (one line per table) and become gaps. `requireData: 'each'` (plot,
 * wavelet) refuses a table without any complete day; `'any'` (report) only refuses when no table has one.
 */
export async function loadForAnalysis(
  options: GlobalOptions & AnalysisRange,
  tableNames: string[] | undefined,
  ctx: CommandContext,
  requireData: 'each' | 'any' = 'each',
): Promise<{ config: Config; tables: TableConfig[]; days: string[]; loaded: StoredTable[] }> {
  const config = await loadCommandConfig(options, ctx, 'read');
  const tables = selectTables(config, tableNames);
  const days = resolveDays(options, ctx.now, config.timezone, DEFAULT_ANALYSIS_DAYS);
  const loaded: StoredTable[] = [];
  const noData = (names: string) =>
    new UsageError(
      `${names}: no complete day file from ${days[0]} to ${days.at(-1)} in ${options.data}: check --data and the dates (netlog verify lists what is there)`,
    );
  for (const table of tables) {
    const l = await readTableRange(options.data, table, days, config.timezone);
    const problems = l.days.filter((d) => d.status !== 'ok');
    if (requireData === 'each' && problems.length === l.days.length) throw noData(table.name);
    if (problems.length > 0)
      ctx.log.warn(
        {
          table: table.name,
          days: problems.length,
          first: `${problems[0]!.day} ${problems[0]!.status}`,
          statuses: countBy(problems.map((p) => p.status)),
        },
        'days without a complete file are shown as gaps',
      );
    loaded.push(l);
  }
  if (loaded.every((l) => l.days.every((d) => d.status !== 'ok')))
    throw noData(tables.map((t) => t.name).join(', '));
  return { config, tables, days, loaded };
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** Refuses a metric that one of the tables does not have, naming the ones it has. */
export function checkMetric(tables: readonly TableConfig[], metric: string): void {
  for (const t of tables) {
    if (metricAggregate(t, metric) === undefined)
      throw new UsageError(
        `${t.name} has no metric "${metric}": it has ${t.metrics.map((m) => m.name).join(', ')} (--metric)`,
      );
  }
}
