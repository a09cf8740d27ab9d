import { generateDay, type SampleOptions } from '../../src/sample/generate.js';
import { scoreExact, scoreFromTable, type BeaconFinding, type PairDay } from '../../src/analysis/beacons.js';
import { PREFILTER_MARGIN } from '../../src/analysis/beacon-findings.js';
import { dayRange, isoUtc } from '../../src/time/day.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createPseudonymiser } from '../../src/transform/pseudonymise.js';
import { formatCsv } from '../../src/store/csv.js';
import { dayFilePath } from '../../src/store/layout.js';

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
  const pairs = new Map<
    string,
    {
      keys: string[];
      buckets: Map<number, { t: number; count: number; bytes: number }>;
      conns: { sec: number; bytes: number }[];
    }
  >();
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
    const pair: PairDay = {
      day,
      start: start.getTime(),
      end: end.getTime(),
      keys: p.keys,
      rows: [...p.buckets.values()],
    };
    const table = scoreFromTable(pair);
    if (table === undefined || table.upperBound < minScore - PREFILTER_MARGIN) continue;
    const exact = scoreExact(pair, p.conns);
    if (exact !== undefined && exact.score >= minScore) findings.push(exact);
  }
  return { findings, pairs: pairs.size };
}

/**
 * An internal_to_external day file as netlog would write it for a generated day (the source
 * pseudonymised with `key`, the destination its registrable domain or its address's pseudonym), for
 * tests of the analyst's side that need a flow table without Elasticsearch.
 */
export async function writeSampleExternalFlows(
  dataDir: string,
  days: readonly string[],
  options: SampleOptions,
  key: string,
): Promise<void> {
  const pseudonymise = createPseudonymiser({ algorithm: 'hmac-sha256', length: 16 }, Buffer.from(key));
  for (const day of days) {
    const cells = new Map<
      string,
      { t: string; source: string; destination: string; count: number; bytes: number }
    >();
    for (const doc of generateDay(day, options)) {
      if (doc.protocol !== 'flow' || doc.category !== 'internal_to_external') continue;
      const body = doc.body as { source: { ip: string }; destination: { ip: string } };
      const t = isoUtc(Math.floor(doc.timestamp / 900_000) * 900_000);
      const source = pseudonymise(body.source.ip);
      const destination = doc.destinationDomain ?? pseudonymise(body.destination.ip);
      const id = `${t} ${source} ${destination}`;
      const c = cells.get(id) ?? cells.set(id, { t, source, destination, count: 0, bytes: 0 }).get(id)!;
      c.count++;
      c.bytes += doc.bytes;
    }
    const rows = [...cells.values()]
      .sort((a, b) => (a.t + a.source + a.destination < b.t + b.source + b.destination ? -1 : 1))
      .map((c) => [c.t, c.source, c.destination, c.count, c.bytes]);
    const path = dayFilePath(dataDir, 'internal_to_external', day);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, formatCsv(['timestamp', 'source', 'destination', 'count', 'bytes'], rows));
  }
}
