import { ExitCode } from '../../errors.js';
import { bucketSeries, topKeys } from '../../analysis/series.js';
import { resample } from '../../analysis/resample.js';
import { detectInSeries } from '../../analysis/detect-series.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../analysis/anomalies.js';
import { gapBands, lineChartSpec, topNChartSpec, waveletChartSpec } from '../../analysis/chart.js';
import { renderSvg } from '../../analysis/render.js';
import { buildReportHtml, type ReportSection } from '../../analysis/report.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { isTimeSeries } from '../../store/layout.js';
import { isoUtc } from '../../time/day.js';
import { beaconsSection } from '../report-beacons.js';
import { loadForAnalysis, rankingColumn, spanText } from '../analysis-setup.js';
import type { StoredTable } from '../../analysis/read-series.js';
import type { CommandContext } from '../context.js';
import type { ReportOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = ReportOptions;

const { wavelet, level, threshold } = DEFAULT_ANOMALY_OPTIONS;

const METHOD =
  `Anomalies: the document count per 15 minutes of each time-series table, variance-stabilised ` +
  `(Anscombe), is compared with its robust ${wavelet} wavelet approximation at level ${level} ` +
  `(the shape of the day without anything shorter than ${2 ** level / 4} hours); a point whose residual ` +
  `has a robust z-score above ${threshold} is an anomaly, and the score is that z-score. The orange line ` +
  `is the wavelet-denoised series (universal soft threshold). Unbroken stretches shorter than two days ` +
  `are not analysed; gaps are never filled in.`;

/** `netlog report`: one self-contained HTML file with every table's charts, anomalies and completeness. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const { config, days, loaded } = await loadForAnalysis(options, options.tables, ctx, 'any');
  const span = spanText(days);
  const sections: ReportSection[] = [];
  let anomalyCount = 0;
  for (const l of loaded) {
    const section = await tableSection(l, config.timezone, days);
    anomalyCount += section.anomalies?.length ?? 0;
    sections.push(section);
  }
  const beacons = await beaconsSection(loaded, config, options.beacons);
  const html = buildReportHtml({
    title: `netlog report ${span}`,
    generatedAt: isoUtc(ctx.now),
    from: days[0]!,
    to: days.at(-1)!,
    timeZone: config.timezone,
    method: METHOD,
    sections,
    completeness: loaded.map((l) => ({ table: l.table.name, days: l.days })),
    ...(beacons !== undefined && { beacons }),
  });
  await writeFileAtomic(options.out, html);
  ctx.log.info({ tables: sections.length, anomalies: anomalyCount, days: days.length }, 'report written');
  ctx.out(
    `report written to ${options.out} (${sections.length} tables, ${anomalyCount} anomalies, ${days.length} days)`,
  );
  return ExitCode.ok;
}

async function tableSection(
  l: StoredTable,
  timeZone: string,
  days: readonly string[],
): Promise<ReportSection> {
  const span = spanText(days);
  const base = { table: l.table.name, description: l.table.description };
  if (l.days.every((d) => d.status !== 'ok'))
    return {
      ...base,
      charts: [],
      note: `No complete day file from ${days[0]} to ${days.at(-1)}: nothing to chart.`,
    };
  const gaps = gapBands([{ name: l.table.name, days: l.days }], timeZone);
  const points = bucketSeries(l, 'count', timeZone);
  if (isTimeSeries(l.table)) {
    const result = detectInSeries(points, { wavelet, level, threshold });
    const chart = await renderSvg(
      waveletChartSpec({
        title: `${l.table.name}: documents per 15 min, ${span}: ${result.anomalies.length} anomal${result.anomalies.length === 1 ? 'y' : 'ies'}`,
        metric: 'count',
        wavelet,
        threshold,
        points,
        denoised: result.denoised,
        anomalies: result.anomalies,
        gaps,
      }),
    );
    return {
      ...base,
      charts: [chart],
      anomalies: result.anomalies,
      ...(result.skipped.length > 0 && {
        note: `Not analysed (shorter than two days between gaps): ${result.skipped.map((s) => `${s.from} – ${s.to}`).join(', ')}.`,
      }),
    };
  }
  // A flow table: its volume over time, and who it goes to.
  const step = days.length > 7 ? '1h' : '15m';
  const column = rankingColumn(l.table)!;
  const metric = l.table.metrics.some((m) => m.name === 'bytes') ? 'bytes' : l.table.metrics[0]!.name;
  const line = await renderSvg(
    lineChartSpec({
      title: `${l.table.name}: documents per ${step === '1h' ? 'hour' : '15 min'}, ${span}`,
      metric: 'count',
      step,
      series: [{ name: l.table.name, points: resample(points, step, timeZone) }],
      gaps,
    }),
  );
  const top = await renderSvg(
    topNChartSpec({
      title: `${l.table.name}: top 10 ${column}s by ${metric}, ${span}`,
      metric,
      xTitle: `${metric}, total over the complete days`,
      rows: topKeys(l, column, metric, 10),
    }),
  );
  return { ...base, charts: [line, top] };
}
