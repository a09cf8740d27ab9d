import { ExitCode, UsageError } from '../../errors.js';
import { bucketSeries, metricAggregate, topKeys, type SeriesPoint } from '../../analysis/series.js';
import { resample, stepWords } from '../../analysis/resample.js';
import { gapBands, lineChartSpec, topNChartSpec } from '../../analysis/chart.js';
import { chartFormat, writeChart } from '../../analysis/render.js';
import { formatCsv } from '../../store/csv.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { isTimeSeries } from '../../store/layout.js';
import { isoUtc } from '../../time/day.js';
import { checkMetric, loadForAnalysis, rankingColumn, spanText } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { PlotOptions } from '../program.js';

const AGGREGATE_WORDS = { sum: 'total', max: 'largest', min: 'smallest' } as const;

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
  const span = spanText(days);
  const gaps = gapBands(
    loaded.map((l) => ({ name: l.table.name, days: l.days })),
    config.timezone,
  );

  if (options.top !== undefined) {
    const table = tables[0]!;
    if (isTimeSeries(table))
      throw new UsageError(
        `--top ranks the keys of a flow table; ${table.name} is a time series without keys (e.g. --tables websites --top 10)`,
      );
    const column = rankingColumn(table)!;
    const rows = topKeys(loaded[0]!, column, options.metric, options.top);
    await writeChart(
      options.out,
      topNChartSpec({
        title: `${table.name}: top ${options.top} ${column}s by ${options.metric}, ${span}`,
        metric: options.metric,
        xTitle: `${options.metric}, ${AGGREGATE_WORDS[metricAggregate(table, options.metric)!]} over the complete days${gaps.length ? ` (${gaps.length} day(s) without data)` : ''}`,
        rows,
      }),
    );
    if (options.csv !== undefined)
      await writeFileAtomic(
        options.csv,
        formatCsv(
          [column, options.metric],
          rows.map((r) => [r.key, r.value]),
        ),
      );
  } else {
    const series = loaded.map((l) => ({
      name: l.table.name,
      points: resample(
        bucketSeries(l, options.metric, config.timezone),
        step,
        config.timezone,
        metricAggregate(l.table, options.metric),
      ),
    }));
    await writeChart(
      options.out,
      lineChartSpec({
        title: `${tables.map((t) => t.name).join(', ')}: ${options.metric} per ${stepWords(step)}, ${span}`,
        metric: options.metric,
        step,
        series,
        gaps,
      }),
    );
    if (options.csv !== undefined) await writeFileAtomic(options.csv, seriesCsv(series));
  }
  ctx.out(`chart written to ${options.out}${options.csv ? `, numbers to ${options.csv}` : ''}`);
  for (const g of gaps) ctx.out(`  gap ${g.label}`);
  return ExitCode.ok;
}

/** The plotted series as CSV: timestamp (ISO UTC), one column per series, empty cells in gaps. */
function seriesCsv(series: readonly { name: string; points: readonly SeriesPoint[] }[]): string {
  const first = series[0]?.points ?? [];
  return formatCsv(
    ['timestamp', ...series.map((s) => s.name)],
    first.map((p, i) => [isoUtc(p.t), ...series.map((s) => s.points[i]?.value ?? '')]),
  );
}
