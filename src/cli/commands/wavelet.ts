import { ExitCode, UsageError } from '../../errors.js';
import { waveletNames } from '../../analysis/wavelet.js';
import {
  analyseWavelet,
  formatWaveletAnomalies,
  waveletAnalysisChart,
  type WaveletRequest,
} from '../../analysis/wavelet-anomalies.js';
import { chartFormat, writeChart } from '../../analysis/render.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { checkMetric, loadForAnalysis } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { WaveletOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = WaveletOptions;

/**
 * `netlog wavelet`: wavelet decomposition, denoising and anomalies of one table's 15-minute series.
 * Writes the anomalies (CSV or JSON: timestamp, value, expected, score) and optionally a chart.
 */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  if (!waveletNames().includes(options.wavelet))
    throw new UsageError(`--wavelet ${options.wavelet}: use one of ${waveletNames().join(', ')}`);
  // --threshold (a positive number) and --stabilise (one of STABILISERS) are checked by commander.
  if (!/\.(csv|json)$/.test(options.out))
    throw new UsageError(`--out ${options.out}: anomalies are written as .csv or .json`);
  if (options.chart !== undefined) chartFormat(options.chart, '--chart');

  const { config, days, loaded, tables } = await loadForAnalysis(options, [options.table], ctx);
  checkMetric(tables, options.metric);
  const request: WaveletRequest = {
    metric: options.metric,
    wavelet: options.wavelet,
    threshold: options.threshold,
    ...(options.level !== undefined && { level: options.level }),
    ...(options.stabilise !== undefined && { stabilise: options.stabilise }),
  };
  const analysis = analyseWavelet(loaded[0]!, request, config.timezone);
  const { rows, result, gaps } = analysis;
  const format = options.out.endsWith('.json') ? 'json' : 'csv';
  await writeFileAtomic(options.out, formatWaveletAnomalies(format, analysis, options.table, request, days));
  if (options.chart !== undefined)
    await writeChart(options.chart, waveletAnalysisChart(analysis, options.table, request, days));
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
