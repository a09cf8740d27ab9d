import { ExitCode, UsageError } from '../../errors.js';
import { bucketSeries, topKeys } from '../../analysis/load-series.js';
import { parseStep, resample } from '../../analysis/resample.js';
import { lineChartSpec, metricUnit, topNChartSpec } from '../../analysis/chart.js';
import { writeChart } from '../../analysis/render.js';
import { loadForAnalysis, rankingColumn, type AnalysisRange } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

interface Options extends GlobalOptions, AnalysisRange {
  tables: string[];
  resample: string;
  metric: string;
  top?: number;
  out: string;
}

/** `netlog plot`: line charts of tables over a range, or a top-N chart of a flow table. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const step = parseStep(options.resample);
  if (step === undefined) throw new UsageError(`--resample ${options.resample}: use 15m, 1h or 1d`);
  const { config, tables, days, loaded } = await loadForAnalysis(options, options.tables, ctx);
  for (const t of tables) {
    if (!t.metrics.some((m) => m.name === options.metric))
      throw new UsageError(
        `${t.name} has no metric "${options.metric}": it has ${t.metrics.map((m) => m.name).join(', ')}`,
      );
  }
  const span = `${days[0]} – ${days.at(-1)}`;
  if (options.top !== undefined) {
    if (loaded.length !== 1 || tables[0]!.levels.length === 0)
      throw new UsageError('--top charts one flow table: e.g. --tables internal_to_external --top 10');
    const column = rankingColumn(tables[0]!)!;
    const rows = topKeys(loaded[0]!, column, options.metric, options.top);
    await writeChart(
      options.out,
      topNChartSpec({
        title: `${tables[0]!.name}: top ${options.top} ${column} by ${options.metric}, ${span}`,
        xTitle: `${options.metric} (total)`,
        rows,
      }),
    );
  } else {
    const series = loaded.map((l) => ({
      name: l.table.name,
      points: resample(bucketSeries(l, options.metric, config.timezone), step),
    }));
    await writeChart(
      options.out,
      lineChartSpec({
        title: `${tables.map((t) => t.name).join(', ')}: ${options.metric}, ${span}`,
        yTitle: metricUnit(options.metric, options.resample),
        series,
      }),
    );
  }
  const gaps = loaded.flatMap((l) =>
    l.days.filter((d) => d.status !== 'ok').map((d) => `${l.table.name} ${d.day} (${d.status})`),
  );
  ctx.out(`chart written to ${options.out}${gaps.length ? `; gaps: ${gaps.join(', ')}` : ''}`);
  return ExitCode.ok;
}
