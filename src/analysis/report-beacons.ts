import { UsageError } from '../errors.js';
import {
  findingLabel,
  intervalText,
  isBeaconTable,
  scoreFromTable,
  sortFindings,
  tablePairDays,
  type BeaconFinding,
} from './beacons.js';
import { beaconStripsSpec } from './beacons-chart.js';
import { renderSvg } from './render.js';
import type { ReportBeacons } from './report.js';
import type { StoredTable } from './read-series.js';
import type { Config } from '../config/schema.js';

/**
 * The Beacons section of `netlog report`. The report runs where the repository is pulled, without the
 * key, so by default it ranks pairs by what the day files allow (no timestamp score); `--beacons FILE`
 * shows the exact findings `netlog beacons --out FILE.json` wrote on the host holding the key (the
 * command reads the file; its text is checked here).
 */

/** Pair-days shown. */
const TOP = 10;

const TABLE_METHOD =
  "RITA's beacon sub-scores from the day files: histogram (connections per hour: flat, or two levels) and " +
  'duration (coverage of the day, longest run of hours) are exact; data size comes from the bytes per ' +
  "connection of each 15-minute bucket. The timestamp score needs each connection's time, which only " +
  '`netlog beacons` can fetch from Elasticsearch on the host holding the key, so the score here is the mean ' +
  'of the three and a busy pair with irregular timing can rank high; pass its JSON with --beacons for exact scores. ' +
  `The ${TOP} highest-scoring pair-days.`;

export async function beaconsSection(
  loaded: readonly StoredTable[],
  config: Config,
  file: { readonly name: string; readonly text: string } | undefined,
): Promise<ReportBeacons | undefined> {
  if (file !== undefined) return fromFile(file.name, file.text, config);
  const table =
    loaded.find((l) => l.table.name === 'internal_to_external' && isBeaconTable(l.table)) ??
    loaded.find((l) => isBeaconTable(l.table));
  if (table === undefined || table.days.every((d) => d.status !== 'ok')) return undefined;
  const findings = sortFindings(
    tablePairDays(table, config.timezone).flatMap((p) => scoreFromTable(p) ?? []),
  ).slice(0, TOP);
  return section(
    table.table.name,
    table.table.levels.map((l) => l.column),
    TABLE_METHOD,
    findings,
    config.timezone,
  );
}

async function section(
  table: string,
  columns: readonly string[],
  method: string,
  findings: readonly BeaconFinding[],
  timeZone: string,
): Promise<ReportBeacons> {
  return {
    table,
    columns,
    method,
    rows: findings.map((f) => ({
      day: f.day,
      keys: f.keys,
      score: f.score,
      timestamp: f.timestamp,
      dataSize: f.dataSize,
      histogram: f.histogram,
      duration: f.duration,
      connections: f.connections,
      every: intervalText(f.interval),
      exact: f.exact,
    })),
    ...(findings.length > 0 && {
      chart: await renderSvg(
        beaconStripsSpec({
          title: `${table}: connections per hour of each pair-day above`,
          timeZone,
          strips: findings.map((f) => ({ label: findingLabel(f), bars: f.bars })),
        }),
      ),
    }),
  };
}

const isScore = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1;
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** The refusal of a --beacons file, naming the problem and the fix. */
export function badBeaconsFile(file: string, problem: string, cause?: unknown): UsageError {
  return new UsageError(
    `--beacons ${file}: ${problem}: give the JSON written by netlog beacons --out FILE.json`,
    { cause },
  );
}

/** The findings of `netlog beacons --out FILE.json` (its text), checked field by field. */
async function fromFile(file: string, text: string, config: Config): Promise<ReportBeacons> {
  const bad = (problem: string, cause?: unknown) => badBeaconsFile(file, problem, cause);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw bad('not valid JSON', cause);
  }
  const d = doc as { table?: unknown; method?: unknown; beacons?: unknown };
  const tableConfig = config.tables.find((t) => t.name === d.table);
  if (tableConfig === undefined) throw bad(`its table ${JSON.stringify(d.table)} is not a configured table`);
  if (!Array.isArray(d.beacons)) throw bad('no "beacons" list');
  const columns = tableConfig.levels.map((l) => l.column);
  const findings = d.beacons.map((raw, i): BeaconFinding => {
    const b = raw as Record<string, unknown>;
    const keys = columns.map((c) => b[c]);
    const hourly = b.hourly;
    if (
      typeof b.day !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(b.day) ||
      !keys.every((k) => typeof k === 'string') ||
      !isScore(b.score) ||
      !(b.timestamp_score === null || isScore(b.timestamp_score)) ||
      !isScore(b.data_size_score) ||
      !isScore(b.histogram_score) ||
      !isScore(b.duration_score) ||
      !isCount(b.connections) ||
      typeof b.interval_s !== 'number' ||
      !(b.interval_s >= 0) ||
      typeof b.exact !== 'boolean' ||
      !Array.isArray(hourly) ||
      hourly.length > 25 ||
      !hourly.every(isCount)
    )
      throw bad(`beacon ${i + 1} is malformed`);
    return {
      day: b.day,
      keys: keys as string[],
      score: b.score,
      upperBound: b.score,
      timestamp: b.timestamp_score,
      dataSize: b.data_size_score,
      histogram: b.histogram_score,
      duration: b.duration_score,
      connections: b.connections,
      firstSeen: 0,
      lastSeen: 0,
      interval: b.interval_s,
      bars: hourly,
      exact: b.exact,
    };
  });
  const method =
    typeof d.method === 'string'
      ? `From netlog beacons (${d.method}). The ${Math.min(TOP, findings.length)} highest-scoring pair-days.`
      : 'From netlog beacons.';
  return section(tableConfig.name, columns, method, sortFindings(findings).slice(0, TOP), config.timezone);
}
