import { ExitCode, UsageError } from '../../errors.js';
import { bucketSeries, metricAggregate } from '../../analysis/series.js';
import { detectInSeries } from '../../analysis/detect-series.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../analysis/anomalies.js';
import type { Stabiliser } from '../../analysis/stabilise.js';
import { waveletNames } from '../../analysis/wavelet.js';
import { gapBands, waveletChartSpec } from '../../analysis/chart.js';
import { chartFormat, writeChart } from '../../analysis/render.js';
import { formatCsv } from '../../store/csv.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { checkMetric, loadForAnalysis, spanText } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { WaveletOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = WaveletOptions;

const round2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * `netlog wavelet`: wavelet decomposition, denoising and anomalies of one table's 15-minute series.
 * Writes the anomalies (CSV or JSON: timestamp, value, expected, score) and optionally a chart.
 */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  if (!waveletNames().includes(options.wavelet))
    throw new UsageError(`--wavelet ${options.wavelet}: use one of ${waveletNames().join(', ')}`);
  // --threshold (a positive number) and --stabilise (one of STABILISERS) are checked by commander.
  const threshold = options.threshold;
  if (!/\.(csv|json)$/.test(options.out))
    throw new UsageError(`--out ${options.out}: anomalies are written as .csv or .json`);
  if (options.chart !== undefined) chartFormat(options.chart, '--chart');

  const { config, days, loaded, tables } = await loadForAnalysis(options, [options.table], ctx);
  checkMetric(tables, options.metric);
  const table = loaded[0]!;
  // Counts and sums are variance-stabilised; a maximum or minimum is not a count and is left alone.
  const stabilise: Stabiliser =
    options.stabilise ?? (metricAggregate(table.table, options.metric) === 'sum' ? 'anscombe' : 'none');
  const points = bucketSeries(table, options.metric, config.timezone);
  const result = detectInSeries(points, {
    wavelet: options.wavelet,
    threshold,
    stabilise,
    ...(options.level !== undefined && { level: options.level }),
  });
  const gaps = gapBands([{ name: options.table, days: table.days }], config.timezone);
  const rows = result.anomalies.map((a) => ({
    timestamp: a.timestamp,
    value: a.value,
    expected: round2(a.expected),
    score: round2(a.score),
  }));

  await writeFileAtomic(
    options.out,
    options.out.endsWith('.json')
      ? `${JSON.stringify(
          {
            table: options.table,
            metric: options.metric,
            from: days[0],
            to: days.at(-1),
            wavelet: options.wavelet,
            level: options.level ?? DEFAULT_ANOMALY_OPTIONS.level,
            threshold,
            stabilise,
            analysed: result.analysed,
            notAnalysed: result.skipped,
            gaps: gaps.map((g) => g.label),
            anomalies: rows,
          },
          null,
          2,
        )}\n`
      : formatCsv(
          ['timestamp', 'value', 'expected', 'score'],
          rows.map((r) => [r.timestamp, r.value, r.expected, r.score]),
        ),
  );
  if (options.chart !== undefined) {
    await writeChart(
      options.chart,
      waveletChartSpec({
        title: `${options.table}: ${options.metric} per 15 min, ${spanText(days)}: ${rows.length} anomal${rows.length === 1 ? 'y' : 'ies'}`,
        metric: options.metric,
        wavelet: options.wavelet,
        threshold,
        points,
        denoised: result.denoised,
        anomalies: result.anomalies,
        gaps,
      }),
    );
  }
  ctx.log.info(
    {
      table: options.table,
      anomalies: rows.length,
      wavelet: options.wavelet,
      stretches: result.analysed.length,
    },
    'wavelet analysis done',
  );

  ctx.out(
    `${rows.length} anomal${rows.length === 1 ? 'y' : 'ies'} in ${options.table} ${options.metric} from ${days[0]} to ${days.at(-1)} → ${options.out}${options.chart ? ` (chart ${options.chart})` : ''}`,
  );
  for (const r of rows)
    ctx.out(`  ${r.timestamp}  value ${r.value}  expected ${r.expected}  score ${r.score}`);
  for (const s of result.analysed)
    ctx.out(
      `  analysed ${s.from} – ${s.to}: ${s.points} points, ${options.wavelet} level ${s.level}, ${s.stabiliser} scale, reconstruction error ${s.reconstructionError.toExponential(1)}`,
    );
  for (const s of result.skipped)
    ctx.out(`  not analysed ${s.from} – ${s.to}: ${s.points} points, shorter than two days between gaps`);
  for (const g of gaps) ctx.out(`  gap ${g.label}`);
  return ExitCode.ok;
}
