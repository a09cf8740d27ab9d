import { generateDay, type SampleOptions } from '../../src/sample/generate.js';
import { scoreExact, scoreFromTable, type BeaconFinding, type PairDay } from '../../src/analysis/beacons.js';
import { PREFILTER_MARGIN } from '../../src/cli/commands/beacons.js';
import { dayRange } from '../../src/time/day.js';

/**
 * What `netlog beacons` reports for a generated day, computed without Elasticsearch: the
 * internal→external flows grouped as the table groups them (source, destination domain or address),
 * scored from their 15-minute buckets, and the pairs above the first threshold re-scored from the
 * documents' own timestamps and bytes (what the exact step fetches).
 */
export function sampleDayBeacons(
  day: string,
  options: SampleOptions,
  minScore = 0.7,
): { findings: BeaconFinding[]; pairs: number } {
  const { start, end } = dayRange(day);
  const pairs = new Map<string, { keys: string[]; buckets: Map<number, { t: number; count: number; bytes: number }>; conns: { sec: number; bytes: number }[] }>();
  for (const doc of generateDay(day, options)) {
    if (doc.protocol !== 'flow' || doc.category !== 'internal_to_external') continue;
    const body = doc.body as { source: { ip: string }; destination: { ip: string } };
    const keys = [body.source.ip, doc.destinationDomain ?? `ip ${body.destination.ip}`];
    const id = keys.join(' ');
    const p = pairs.get(id) ?? pairs.set(id, { keys, buckets: new Map(), conns: [] }).get(id)!;
    const t = Math.floor(doc.timestamp / 900_000) * 900_000;
    const b = p.buckets.get(t) ?? p.buckets.set(t, { t, count: 0, bytes: 0 }).get(t)!;
    b.count++;
    b.bytes += doc.bytes;
    p.conns.push({ sec: Math.floor(doc.timestamp / 1000), bytes: doc.bytes });
  }
  const findings: BeaconFinding[] = [];
  for (const p of pairs.values()) {
    const pair: PairDay = { day, start: start.getTime(), end: end.getTime(), keys: p.keys, rows: [...p.buckets.values()] };
    const table = scoreFromTable(pair);
    if (table === undefined || table.upperBound < minScore - PREFILTER_MARGIN) continue;
    const exact = scoreExact(pair, p.conns);
    if (exact !== undefined && exact.score >= minScore) findings.push(exact);
  }
  return { findings, pairs: pairs.size };
}
