import { ExitCode } from '../../errors.js';
import { bucketSeries, topKeys } from '../../analysis/load-series.js';
import { resample } from '../../analysis/resample.js';
import { detectInSeries } from '../../analysis/run.js';
import { lineChartSpec, metricUnit, topNChartSpec, waveletChartSpec } from '../../analysis/chart.js';
import { renderSvg } from '../../analysis/render.js';
import { buildReportHtml, type ReportSection } from '../../analysis/report.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { isTimeSeries } from '../../store/layout.js';
import { isoUtc } from '../../time/day.js';
import { loadForAnalysis, rankingColumn, type AnalysisRange } from '../analysis-setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

interface Options extends GlobalOptions, AnalysisRange {
  tables?: string[];
  out: string;
}

/** `netlog report`: one self-contained HTML file with every table's chart, anomalies and completeness. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const { config, days, loaded } = await loadForAnalysis(options, options.tables, ctx);
  const step = days.length > 7 ? '1h' : '15m';
  const sections: ReportSection[] = [];
  let anomalyCount = 0;
  for (const l of loaded) {
    const points = bucketSeries(l, 'count', config.timezone);
    if (isTimeSeries(l.table)) {
      const { anomalies, denoised } = detectInSeries(points, { wavelet: 'db4', threshold: 5 });
      anomalyCount += anomalies.length;
      sections.push({
        table: l.table.name,
        description: l.table.description,
        chartSvg: await renderSvg(
          waveletChartSpec({
            title: `${l.table.name}: documents per 15 min, denoised, anomalies circled`,
            yTitle: metricUnit('count', '15m'),
            points,
            denoised,
            anomalies,
          }),
        ),
        anomalies: anomalies.map((a) => ({
          timestamp: a.timestamp,
          value: a.value,
          expected: a.expected,
          score: a.score,
        })),
      });
    } else {
      const column = rankingColumn(l.table)!;
      const metric = l.table.metrics.some((m) => m.name === 'bytes') ? 'bytes' : l.table.metrics[0]!.name;
      sections.push({
        table: l.table.name,
        description: l.table.description,
        chartSvg: await renderSvg(
          lineChartSpec({
            title: `${l.table.name}: flows per ${step === '1h' ? 'hour' : '15 min'}`,
            yTitle: metricUnit('count', step),
            series: [{ name: l.table.name, points: resample(points, step === '1h' ? 3_600_000 : 900_000) }],
          }),
        ),
        extraSvg: await renderSvg(
          topNChartSpec({
            title: `${l.table.name}: top 10 ${column} by ${metric}`,
            xTitle: `${metric} (total over the range)`,
            rows: topKeys(l, column, metric, 10),
          }),
        ),
      });
    }
  }
  const html = buildReportHtml({
    title: `netlog report ${days[0]} – ${days.at(-1)}`,
    generatedAt: isoUtc(ctx.now),
    from: days[0]!,
    to: days.at(-1)!,
    sections,
    completeness: loaded.map((l) => ({
      table: l.table.name,
      ok: l.days.filter((d) => d.status === 'ok').length,
      problems: l.days.filter((d) => d.status !== 'ok'),
    })),
  });
  await writeFileAtomic(options.out, html);
  ctx.out(
    `report written to ${options.out} (${sections.length} tables, ${anomalyCount} anomalies, ${days.length} days)`,
  );
  return ExitCode.ok;
}
