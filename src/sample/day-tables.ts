import { generateDay, type SampleOptions } from './generate.js';
import { accumulateExpected, emptyExpectedDay } from './expected.js';
import { PROTOCOLS } from './catalog.js';
import { BUCKET_MINUTES, isoUtc } from '../time/day.js';
import type { Cell } from '../store/csv.js';

/**
 * The day files netlog would write for a generated day, computed from the generator alone (no
 * Elasticsearch): the time series `total` and one per protocol, and `websites`. Analysts and tests use
 * them to try the analysis side. The flow tables are left out on purpose: their `source` column is a
 * keyed pseudonym that only the loader (with its key) may compute. Pure.
 */

export interface SampleDayTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

const BUCKET_MS = BUCKET_MINUTES * 60_000;

/** Every sample table of one UTC day, by table name, with the rows in file order. */
export function sampleDayTables(
  day: string,
  options: Pick<SampleOptions, 'seed' | 'docsPerDay' | 'anomalies'>,
): Record<string, SampleDayTable> {
  const expected = emptyExpectedDay(day);
  // websites per bucket: the expectation only keeps day totals per domain.
  const websites = new Map<string, Map<string, { count: number; bytes: number }>>();
  for (const doc of generateDay(day, options)) {
    accumulateExpected(expected, doc);
    if (doc.website === undefined) continue;
    const bucket = isoUtc(Math.floor(doc.timestamp / BUCKET_MS) * BUCKET_MS);
    const perDomain = websites.get(bucket) ?? websites.set(bucket, new Map()).get(bucket)!;
    const cell =
      perDomain.get(doc.website) ?? perDomain.set(doc.website, { count: 0, bytes: 0 }).get(doc.website)!;
    cell.count++;
    cell.bytes += doc.bytes;
  }
  const series = (buckets: Record<string, { count: number; bytes: number }>): SampleDayTable => ({
    header: ['timestamp', 'count', 'bytes'],
    rows: Object.entries(buckets).map(([t, b]) => [t, b.count, b.bytes]),
  });
  return {
    total: series(expected.total),
    ...Object.fromEntries(PROTOCOLS.map((p) => [p, series(expected.protocols[p])])),
    websites: {
      header: ['timestamp', 'domain', 'count', 'bytes'],
      rows: [...websites.keys()]
        .sort()
        .flatMap((t) =>
          [...websites.get(t)!]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([domain, b]) => [t, domain, b.count, b.bytes]),
        ),
    },
  };
}
