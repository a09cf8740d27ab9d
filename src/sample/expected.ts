import { PROTOCOLS, type Protocol } from './catalog.js';
import type { FlowCategory, SampleDoc } from './generate.js';
import { BUCKET_MINUTES, isoUtc } from '../time/day.js';

/**
 * What Elasticsearch should answer for the generated documents, computed from the documents
 * themselves: counts and byte sums per protocol per 15-minute bucket, flow-category totals and
 * per-domain website totals. Tests compare netlog's CSVs with these numbers.
 */

export interface CountBytes {
  count: number;
  bytes: number;
}

export interface ExpectedDay {
  /** Per protocol: bucket start (ISO UTC) → count and bytes, all 96 buckets present. */
  protocols: Record<Protocol, Record<string, CountBytes>>;
  total: Record<string, CountBytes>;
  flows: Record<FlowCategory, CountBytes>;
  /** Flow documents per category per hour (ISO UTC hour start): what an hourly flow table must sum to. */
  flowHours: Record<FlowCategory, Record<string, CountBytes>>;
  /** Flow documents from internal to external per registrable destination domain (named ones only). */
  externalDomains: Record<string, CountBytes>;
  /** http + tls to external servers, per registrable domain. */
  websites: Record<string, CountBytes>;
}

export interface ExpectedFile {
  seed: number;
  docsPerDay: number;
  days: Record<string, ExpectedDay>;
  anomalies: { day: string; spike: string[]; beacon: string[] }[];
  /** With planted beacons (`sample load --beacons`): what `netlog beacons` must and must not report. */
  beacons?: { name: string; kind: 'beacon' | 'decoy'; destination: string; periodSec?: number }[];
}

const BUCKET_MS = BUCKET_MINUTES * 60_000;
const HOUR_MS = 3_600_000;

/** An empty expectation for a UTC day, with every bucket at zero. */
export function emptyExpectedDay(day: string): ExpectedDay {
  const start = Date.parse(`${day}T00:00:00Z`);
  const zeroBuckets = (): Record<string, CountBytes> =>
    Object.fromEntries(
      Array.from({ length: 96 }, (_, b) => [isoUtc(start + b * BUCKET_MS), { count: 0, bytes: 0 }]),
    );
  return {
    protocols: Object.fromEntries(PROTOCOLS.map((p) => [p, zeroBuckets()])) as Record<
      Protocol,
      Record<string, CountBytes>
    >,
    total: zeroBuckets(),
    flows: {
      internal_to_internal: { count: 0, bytes: 0 },
      internal_to_external: { count: 0, bytes: 0 },
      external_to_internal: { count: 0, bytes: 0 },
    },
    flowHours: { internal_to_internal: {}, internal_to_external: {}, external_to_internal: {} },
    externalDomains: {},
    websites: {},
  };
}

function add(target: CountBytes, bytes: number): void {
  target.count += 1;
  target.bytes += bytes;
}

function addTo(map: Record<string, CountBytes>, key: string, bytes: number): void {
  add((map[key] ??= { count: 0, bytes: 0 }), bytes);
}

/** Folds one generated document into the day's expectation. */
export function accumulateExpected(expected: ExpectedDay, doc: SampleDoc): void {
  const bucket = isoUtc(Math.floor(doc.timestamp / BUCKET_MS) * BUCKET_MS);
  add(expected.protocols[doc.protocol][bucket]!, doc.bytes);
  add(expected.total[bucket]!, doc.bytes);
  if (doc.protocol === 'flow') {
    add(expected.flows[doc.category], doc.bytes);
    addTo(expected.flowHours[doc.category], isoUtc(Math.floor(doc.timestamp / HOUR_MS) * HOUR_MS), doc.bytes);
    if (doc.destinationDomain !== undefined)
      addTo(expected.externalDomains, doc.destinationDomain, doc.bytes);
  }
  if (doc.website !== undefined) addTo(expected.websites, doc.website, doc.bytes);
}
