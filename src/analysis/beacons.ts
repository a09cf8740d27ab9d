import {
  RITA_DEFAULTS,
  beaconScore,
  dataSizeScore,
  durationScore,
  histogramScore,
  round3,
  timestampScore,
  type RitaOptions,
} from './beacons-rita.js';
import { BUCKET_MINUTES, dayRange } from '../time/day.js';
import { bucketMinutesOf } from '../config/schema.js';
import { isOtherRow } from '../transform/row-bound.js';
import type { StoredTable } from './read-series.js';

/**
 * Beacon detection on a flow table, in two stages (pure; the command and the Elasticsearch edge feed
 * it). Each (pair, day) is one RITA analysis, the day being RITA's 24-hour data set with hourly bars.
 *
 * 1. From the day file alone: the histogram score and the duration's consistency are exact (an hour is
 *    four 15-minute buckets); coverage is bounded by the first and last bucket with traffic, and the
 *    data size is estimated from the bytes per connection of each bucket. The timestamp score needs
 *    the connections themselves, so the table gives an upper bound of the score (timestamp score 1).
 * 2. For the pairs whose bound passes the first threshold, the connections' timestamps and bytes (from
 *    Elasticsearch, where the key re-identifies the pair) give RITA's score exactly.
 */

interface BucketRow {
  /** Bucket start, epoch ms. */
  readonly t: number;
  readonly count: number;
  /** Summed bytes of the bucket's connections; null when the table has no byte metric. */
  readonly bytes: number | null;
}

/** One pair's rows of one day. `keys` are the table's key columns (source, destination[, port]). */
export interface PairDay {
  readonly day: string;
  /** The day's bounds in epoch ms (the data set RITA would analyse). */
  readonly start: number;
  readonly end: number;
  readonly keys: readonly string[];
  readonly rows: readonly BucketRow[];
  /** Length of the table's buckets (15 minutes unless it has `interval: 1h`). */
  readonly bucketMs?: number;
}

/** One connection of a pair, from Elasticsearch: whole seconds (as RITA) and bytes. */
export interface Connection {
  readonly sec: number;
  readonly bytes: number;
}

export interface BeaconFinding {
  readonly day: string;
  readonly keys: readonly string[];
  /** The score: RITA's, or, without the exact step, the mean of the three table sub-scores. */
  readonly score: number;
  /** What the score could reach with a perfect timestamp score (stage 1 only). */
  readonly upperBound: number;
  /** Null until the exact step ran. */
  readonly timestamp: number | null;
  readonly dataSize: number;
  readonly histogram: number;
  readonly duration: number;
  readonly connections: number;
  /** First and last connection (epoch ms): bucket bounds from the table, exact from the exact step. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Typical interval in seconds: the median interval (exact) or span / connections (table). */
  readonly interval: number;
  /** Connections per hour of the day: the strip chart. */
  readonly bars: readonly number[];
  /** True when the timestamp and data-size scores come from the connections themselves. */
  readonly exact: boolean;
}

const HOUR_MS = 3_600_000;
const BUCKET_MS = BUCKET_MINUTES * 60_000;

/** The day's hourly bars of a pair: bucket counts summed per hour from the day's start. */
export function hourlyBars(
  start: number,
  end: number,
  points: readonly { t: number; count: number }[],
): number[] {
  const bars = new Array<number>(Math.max(1, Math.round((end - start) / HOUR_MS))).fill(0);
  for (const p of points) {
    const i = Math.floor((p.t - start) / HOUR_MS);
    if (i >= 0 && i < bars.length) bars[i]! += p.count;
  }
  return bars;
}

/**
 * Stage 1: the scores a pair's 15-minute rows allow. Undefined below RITA's minimum of connections.
 * The data-size estimate repeats each bucket's bytes per connection once per connection (the sizes of
 * a beacon are alike, so its buckets' means are its sizes).
 */
export function scoreFromTable(
  pair: PairDay,
  options: RitaOptions = RITA_DEFAULTS,
): BeaconFinding | undefined {
  const rows = pair.rows.filter((r) => r.count > 0).sort((a, b) => a.t - b.t);
  const connections = rows.reduce((s, r) => s + r.count, 0);
  if (connections < options.minConnections) return undefined;
  const bars = hourlyBars(pair.start, pair.end, rows);
  const hist = histogramScore(bars, options);
  const firstSeen = rows[0]!.t;
  const lastSeen = Math.min(pair.end, rows.at(-1)!.t + (pair.bucketMs ?? BUCKET_MS));
  const duration = durationScore(
    {
      spanSec: (pair.end - pair.start) / 1000,
      firstSec: firstSeen / 1000,
      lastSec: lastSeen / 1000,
      totalBars: hist.totalBars,
      longestRun: hist.longestRun,
    },
    options,
  );
  const sizes: number[] = [];
  for (const r of rows) if (r.bytes !== null) for (let i = 0; i < r.count; i++) sizes.push(r.bytes / r.count);
  const dataSize = sizes.length === connections ? (dataSizeScore(sizes) ?? 0) : 0;
  return {
    day: pair.day,
    keys: pair.keys,
    score: round3((dataSize + hist.score + duration) / 3),
    upperBound: beaconScore({ timestamp: 1, dataSize, histogram: hist.score, duration }),
    timestamp: null,
    dataSize,
    histogram: hist.score,
    duration,
    connections,
    firstSeen,
    lastSeen,
    interval: Math.round((lastSeen - firstSeen) / 1000 / connections),
    bars,
    exact: false,
  };
}

/**
 * Stage 2: RITA's score from the pair's connections of the day. Histogram and duration are computed
 * again from the timestamps (the same hourly bars as the table's when both saw the same connections);
 * coverage now uses the exact first and last connection.
 */
export function scoreExact(
  pair: Pick<PairDay, 'day' | 'keys' | 'start' | 'end'>,
  connections: readonly Connection[],
  options: RitaOptions = RITA_DEFAULTS,
): BeaconFinding | undefined {
  if (connections.length < options.minConnections) return undefined;
  const secs = connections.map((c) => c.sec).sort((a, b) => a - b);
  const bars = hourlyBars(
    pair.start,
    pair.end,
    secs.map((s) => ({ t: s * 1000, count: 1 })),
  );
  const hist = histogramScore(bars, options);
  const duration = durationScore(
    {
      spanSec: (pair.end - pair.start) / 1000,
      firstSec: secs[0]!,
      lastSec: secs.at(-1)!,
      totalBars: hist.totalBars,
      longestRun: hist.longestRun,
    },
    options,
  );
  const ts = timestampScore(secs);
  const sub = {
    timestamp: ts?.score ?? 0,
    dataSize: dataSizeScore(connections.map((c) => c.bytes)) ?? 0,
    histogram: hist.score,
    duration,
  };
  return {
    day: pair.day,
    keys: pair.keys,
    score: beaconScore(sub),
    upperBound: beaconScore(sub),
    ...sub,
    connections: connections.length,
    firstSeen: secs[0]! * 1000,
    lastSeen: secs.at(-1)! * 1000,
    interval: ts?.medianInterval ?? 0,
    bars,
    exact: true,
  };
}

/**
 * The pairs of each day from a flow table's rows: `dayOf` maps a bucket start to its day (and bounds),
 * or undefined for a bucket outside the analysed days.
 */
function pairDays(
  rows: readonly { t: number; keys: readonly string[]; count: number; bytes: number | null }[],
  dayOf: (t: number) => { day: string; start: number; end: number } | undefined,
): PairDay[] {
  const byPair = new Map<
    string,
    { day: string; start: number; end: number; keys: readonly string[]; rows: BucketRow[] }
  >();
  for (const r of rows) {
    const d = dayOf(r.t);
    if (d === undefined) continue;
    const id = JSON.stringify([d.day, ...r.keys]);
    let p = byPair.get(id);
    if (p === undefined) byPair.set(id, (p = { ...d, keys: r.keys, rows: [] }));
    p.rows.push({ t: r.t, count: r.count, bytes: r.bytes });
  }
  return [...byPair.values()];
}

/** Findings sorted for the analyst: highest score first, then day and keys (stable output). */
export function sortFindings(findings: readonly BeaconFinding[]): BeaconFinding[] {
  return [...findings].sort(
    (a, b) =>
      b.score - a.score ||
      (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) ||
      (a.keys.join('\u0000') < b.keys.join('\u0000')
        ? -1
        : a.keys.join('\u0000') > b.keys.join('\u0000')
          ? 1
          : 0),
  );
}

/** The complete days' rows of a loaded flow table, grouped into (pair, day). */
export function tablePairDays(table: StoredTable, timeZone: string): PairDay[] {
  const keyColumns = table.table.levels.map((l) => l.column);
  const hasBytes = table.table.metrics.some((m) => m.name === 'bytes');
  const times = table.frame.array('time') as Date[];
  const keys = keyColumns.map((c) => table.frame.array(c) as string[]);
  const counts = table.frame.array('count') as (number | null)[];
  const bytes = hasBytes ? (table.frame.array('bytes') as (number | null)[]) : undefined;
  const ranges = table.days
    .filter((d) => d.status === 'ok')
    .map((d) => {
      const r = dayRange(d.day, timeZone);
      return { day: d.day, start: r.start.getTime(), end: r.end.getTime() };
    });
  const rows = times
    .map((t, i) => ({
      t: t.getTime(),
      keys: keys.map((k) => k[i] ?? ''),
      count: counts[i] ?? 0,
      bytes: bytes?.[i] ?? null,
    }))
    // The "(other)" row of a bounded table is many pairs folded together, not a pair.
    .filter((r) => !isOtherRow(r.keys));
  const bucketMs = bucketMinutesOf(table.table) * 60_000;
  return pairDays(rows, (t) => ranges.find((r) => t >= r.start && t < r.end)).map((p) =>
    bucketMs === BUCKET_MS ? p : { ...p, bucketMs },
  );
}

/** Whether a table can be scored for beacons: keys and a count per bucket. */
export function isBeaconTable(table: Pick<StoredTable['table'], 'levels' | 'metrics'>): boolean {
  return (
    table.levels.some((l) => l.transform === 'ip') &&
    table.metrics.some((m) => m.name === 'count' && m.type === 'count')
  );
}

/** A one-line label of a finding for charts and lists. */
export function findingLabel(f: BeaconFinding): string {
  return `${f.day}  ${f.keys.join(' → ')}  score ${f.score.toFixed(3)}${f.exact ? '' : ' (day files)'} · ${f.connections} connections, every ${intervalText(f.interval)}`;
}

/** An interval for people: seconds below 2 min, minutes below 50 min, else hours. */
export function intervalText(sec: number): string {
  if (sec >= 3000) return `${Math.round(sec / 360) / 10} h`;
  if (sec >= 120) return `${Math.round(sec / 6) / 10} min`;
  return `${Math.round(sec)} s`;
}
