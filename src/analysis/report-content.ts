import { bucketMinutesOf } from '../config/schema.js';
import { bucketSeries, rankingColumn, topKeys } from './series.js';
import { resample } from './resample.js';
import { detectInSeries } from './detect-series.js';
import { DEFAULT_ANOMALY_OPTIONS } from './anomalies.js';
import { gapBands, lineChartSpec, spanText, topNChartSpec, waveletChartSpec } from './chart.js';
import { renderSvg } from './render.js';
import { buildReportHtml, type ReportSection } from './report.js';
import { beaconsSection } from './report-beacons.js';
import { isTimeSeries } from '../store/layout.js';
import { isoUtc } from '../time/day.js';
import type { StoredTable } from './read-series.js';
import type { Config } from '../config/schema.js';

/**
 * What `netlog report` shows, from the tables read: per time-series table the wavelet chart and its
 * anomalies, per flow table its volume and its top destinations, the completeness of every day, and
 * the Beacons section; then the HTML (report.ts). Charts are rendered in memory; nothing is written.
 */

const { wavelet, level, threshold } = DEFAULT_ANOMALY_OPTIONS;

const METHOD =
  `Anomalies: the document count per 15 minutes of each time-series table, variance-stabilised ` +
  `(Anscombe), is compared with its robust ${wavelet} wavelet approximation at level ${level} ` +
  `(the shape of the day without anything shorter than ${2 ** level / 4} hours); a point whose residual ` +
  `has a robust z-score above ${threshold} is an anomaly, and the score is that z-score. The orange line ` +
  `is the wavelet-denoised series (universal soft threshold). Unbroken stretches shorter than two days ` +
  `are not analysed; gaps are never filled in.`;

interface BuiltReport {
  readonly html: string;
  readonly tables: number;
  readonly anomalies: number;
}

export async function buildReport(input: {
  readonly loaded: readonly StoredTable[];
  readonly config: Config;
  readonly days: readonly string[];
  readonly now: Date;
  /** The text of `--beacons FILE` (netlog beacons' JSON), when given. */
  readonly beaconsFile?: { readonly name: string; readonly text: string };
}): Promise<BuiltReport> {
  const { loaded, config, days } = input;
  const sections: ReportSection[] = [];
  let anomalies = 0;
  for (const l of loaded) {
    const section = await tableSection(l, config.timezone, days);
    anomalies += section.anomalies?.length ?? 0;
    sections.push(section);
  }
  const beacons = await beaconsSection(loaded, config, input.beaconsFile);
  const html = buildReportHtml({
    title: `netlog report ${spanText(days)}`,
    generatedAt: isoUtc(input.now),
    from: days[0]!,
    to: days.at(-1)!,
    timeZone: config.timezone,
    method: METHOD,
    sections,
    completeness: loaded.map((l) => ({ table: l.table.name, days: l.days })),
    ...(beacons !== undefined && { beacons }),
  });
  return { html, tables: sections.length, anomalies };
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
  // An hourly table (interval 1h) is charted per hour whatever the range: it has no 15-minute values.
  const step = days.length > 7 || bucketMinutesOf(l.table) > 15 ? '1h' : '15m';
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
