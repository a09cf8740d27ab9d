import { ExitCode, UsageError } from '../../errors.js';
import { bucketMinutesOf } from '../../config/schema.js';
import { gapBands } from '../../analysis/chart.js';
import { linePlot, topPlot } from '../../analysis/plot.js';
import { chartFormat, writeChart } from '../../analysis/render.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { isTimeSeries } from '../../store/layout.js';
import { checkMetric, loadForAnalysis } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { PlotOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = PlotOptions;

/**
 * `netlog plot`: line charts of tables over a range (gaps drawn as gaps and named), or with --top the
 * top-N keys of one flow table. --csv also writes the plotted numbers, one column per table.
 */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const step = options.resample; // one of STEPS: commander's choices
  chartFormat(options.out, '--out');
  if (options.csv !== undefined && !options.csv.endsWith('.csv'))
    throw new UsageError(`--csv ${options.csv}: give a file name ending in .csv`);
  if (options.top !== undefined && options.tables.length !== 1)
    throw new UsageError('--top charts one flow table: e.g. --tables internal_to_external --top 10');
  const { config, tables, days, loaded } = await loadForAnalysis(options, options.tables, ctx);
  checkMetric(tables, options.metric);
  const hourly = tables.filter((t) => bucketMinutesOf(t) > 15).map((t) => t.name);
  // An hourly table has no 15-minute values: none are made up for it.
  if (options.top === undefined && step === '15m' && hourly.length > 0)
    throw new UsageError(
      `--resample 15m: ${hourly.join(', ')} ${hourly.length === 1 ? 'has' : 'have'} hourly buckets (interval 1h): use --resample 1h or 1d`,
    );
  if (options.top !== undefined && isTimeSeries(tables[0]!))
    throw new UsageError(
      `--top ranks the keys of a flow table; ${tables[0]!.name} is a time series without keys (e.g. --tables websites --top 10)`,
    );
  const gaps = gapBands(
    loaded.map((l) => ({ name: l.table.name, days: l.days })),
    config.timezone,
  );
  const plot =
    options.top !== undefined
      ? topPlot(loaded[0]!, options.metric, options.top, days, gaps)
      : linePlot(loaded, options.metric, step, days, gaps, config.timezone);
  await writeChart(options.out, plot.spec);
  if (options.csv !== undefined) await writeFileAtomic(options.csv, plot.csv());
  ctx.out(`chart written to ${options.out}${options.csv ? `, numbers to ${options.csv}` : ''}`);
  for (const g of gaps) ctx.out(`  gap ${g.label}`);
  return ExitCode.ok;
}
