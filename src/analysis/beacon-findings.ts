import {
  findingLabel,
  scoreFromTable,
  sortFindings,
  tablePairDays,
  type BeaconFinding,
  type PairDay,
} from './beacons.js';
import { beaconStripsSpec } from './beacons-chart.js';
import { spanText, type Spec } from './chart.js';
import { formatCsv } from '../store/csv.js';
import { isoUtc } from '../time/day.js';
import type { StoredTable } from './read-series.js';

/**
 * `netlog beacons` from scores to findings: which pair-days the exact step re-scores, which findings
 * are kept, and how they are written (CSV or JSON) and charted. Pure; the command runs the exact
 * step against Elasticsearch.
 */

/** How far below --min-score a pair's table bound may be and still get the exact step. */
export const PREFILTER_MARGIN = 0.1;

/** Strips drawn by --chart: the top findings. */
const CHART_STRIPS = 10;

/** Identifies a pair-day across the two stages. */
export const pairId = (p: Pick<PairDay, 'day' | 'keys'>): string => JSON.stringify([p.day, ...p.keys]);

interface TableStage {
  /** Every pair-day of the table over the days. */
  readonly pairs: PairDay[];
  /** Each pair-day with its score from the day files (undefined below RITA's minimum of connections). */
  readonly byTable: { readonly pair: PairDay; readonly finding: BeaconFinding | undefined }[];
  /** The first threshold: --min-score less the margin. */
  readonly prefilter: number;
  /** The pair-days whose bound passes the first threshold: those the exact step re-scores. */
  readonly candidates: { readonly pair: PairDay; readonly finding: BeaconFinding }[];
}

/** Stage 1 over a whole table: every pair-day scored from the day files, and the candidates. */
export function scoreTable(table: StoredTable, timeZone: string, minScore: number): TableStage {
  const pairs = tablePairDays(table, timeZone);
  const byTable = pairs.map((p) => ({ pair: p, finding: scoreFromTable(p) }));
  const prefilter = Math.max(0, minScore - PREFILTER_MARGIN);
  const candidates = byTable.flatMap((x) =>
    x.finding !== undefined && x.finding.upperBound >= prefilter
      ? [{ pair: x.pair, finding: x.finding }]
      : [],
  );
  return { pairs, byTable, prefilter, candidates };
}

/** The findings at or above --min-score: exact where the exact step found the pair, else from the table. */
export function keptFindings(
  stage: TableStage,
  minScore: number,
  exact: ReadonlyMap<string, BeaconFinding> | undefined,
): BeaconFinding[] {
  if (exact === undefined)
    return sortFindings(
      stage.byTable.flatMap((x) => (x.finding && x.finding.score >= minScore ? [x.finding] : [])),
    );
  return sortFindings(
    stage.candidates.flatMap((c) => {
      const e = exact.get(pairId(c.pair));
      if (e !== undefined) return e.score >= minScore ? [e] : [];
      return c.finding.score >= minScore ? [c.finding] : [];
    }),
  );
}

/** The findings file: JSON (with the range, threshold, method and hourly bars) or CSV. */
export function formatFindings(
  format: 'json' | 'csv',
  findings: readonly BeaconFinding[],
  table: StoredTable,
  days: readonly string[],
  minScore: number,
  method: string,
): string {
  const keyColumns = table.table.levels.map((l) => l.column);
  const row = (f: BeaconFinding) => ({
    day: f.day,
    ...Object.fromEntries(keyColumns.map((c, i) => [c, f.keys[i] ?? ''])),
    score: f.score,
    timestamp_score: f.timestamp,
    data_size_score: f.dataSize,
    histogram_score: f.histogram,
    duration_score: f.duration,
    connections: f.connections,
    first_seen: isoUtc(f.firstSeen),
    last_seen: isoUtc(f.lastSeen),
    interval_s: f.interval,
    exact: f.exact,
  });
  if (format === 'json')
    return `${JSON.stringify(
      {
        table: table.table.name,
        from: days[0],
        to: days.at(-1),
        minScore,
        method,
        beacons: findings.map((f) => ({ ...row(f), hourly: f.bars })),
      },
      null,
      2,
    )}\n`;
  const columns = [
    'day',
    ...keyColumns,
    'score',
    'timestamp_score',
    'data_size_score',
    'histogram_score',
    'duration_score',
    'connections',
    'first_seen',
    'last_seen',
    'interval_s',
    'exact',
  ];
  return formatCsv(
    columns,
    findings.map((f) => {
      const r = row(f) as Record<string, unknown>;
      return columns.map((c) => {
        const v = r[c];
        return v === null ? '' : typeof v === 'number' ? v : String(v);
      });
    }),
  );
}

/** The hourly strips of the highest-scoring findings. */
export function findingsChart(
  findings: readonly BeaconFinding[],
  table: string,
  days: readonly string[],
  timeZone: string,
): Spec {
  return beaconStripsSpec({
    title: `${table}: connections per hour of the ${Math.min(CHART_STRIPS, findings.length)} highest-scoring pair-days, ${spanText(days)}`,
    timeZone,
    strips: findings.slice(0, CHART_STRIPS).map((f) => ({ label: findingLabel(f), bars: f.bars })),
  });
}
