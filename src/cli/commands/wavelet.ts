import { ExitCode, UsageError } from '../../errors.js';
import { bucketSeries } from '../../analysis/load-series.js';
import { detectInSeries } from '../../analysis/run.js';
import { WAVELETS } from '../../analysis/wavelet.js';
import { metricUnit, waveletChartSpec } from '../../analysis/chart.js';
import { writeChart } from '../../analysis/render.js';
import { formatCsv } from '../../store/csv.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { loadForAnalysis, type AnalysisRange } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

interface Options extends GlobalOptions, AnalysisRange {
  table: string;
  metric: string;
  wavelet: string;
  level?: number;
  threshold: string;
  out: string;
  chart?: string;
}

/** `netlog wavelet`: decomposition, denoising and anomalies of one table's 15-minute series. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  if (!(options.wavelet in WAVELETS))
    throw new UsageError(`--wavelet ${options.wavelet}: use one of ${Object.keys(WAVELETS).join(', ')}`);
  const threshold = Number(options.threshold);
  if (!(threshold > 0))
    throw new UsageError(`--threshold ${options.threshold}: give a positive robust z-score, e.g. 5`);
  if (!/\.(csv|json)$/.test(options.out))
    throw new UsageError(`--out ${options.out}: anomalies are written as .csv or .json`);
  const { config, days, loaded } = await loadForAnalysis(options, [options.table], ctx);
  const points = bucketSeries(loaded[0]!, options.metric, config.timezone);
  const { anomalies, denoised, skippedPoints } = detectInSeries(points, {
    wavelet: options.wavelet,
    threshold,
    ...(options.level !== undefined && { level: options.level }),
  });
  if (skippedPoints > 0)
    ctx.log.warn({ points: skippedPoints }, 'stretches shorter than two complete days were not analysed');
  const rows = anomalies.map((a) => ({
    timestamp: a.timestamp,
    value: a.value,
    expected: Math.round(a.expected * 100) / 100,
    score: Math.round(a.score * 100) / 100,
  }));
  await writeFileAtomic(
    options.out,
    options.out.endsWith('.json')
      ? `${JSON.stringify({ table: options.table, metric: options.metric, wavelet: options.wavelet, threshold, from: days[0], to: days.at(-1), anomalies: rows }, null, 2)}\n`
      : formatCsv(
          ['timestamp', 'value', 'expected', 'score'],
          rows.map((r) => [r.timestamp, r.value, r.expected, r.score]),
        ),
  );
  if (options.chart) {
    await writeChart(
      options.chart,
      waveletChartSpec({
        title: `${options.table}: ${options.metric}, ${options.wavelet} denoising and anomalies (z > ${threshold})`,
        yTitle: metricUnit(options.metric, '15m'),
        points,
        denoised,
        anomalies,
      }),
    );
  }
  ctx.log.info(
    { table: options.table, anomalies: rows.length, wavelet: options.wavelet },
    'wavelet analysis done',
  );
  ctx.out(
    `${rows.length} anomal${rows.length === 1 ? 'y' : 'ies'} in ${options.table} ${options.metric} from ${days[0]} to ${days.at(-1)} → ${options.out}${options.chart ? ` (chart ${options.chart})` : ''}`,
  );
  for (const r of rows)
    ctx.out(`  ${r.timestamp}  value ${r.value}  expected ${r.expected}  score ${r.score}`);
  return ExitCode.ok;
}
