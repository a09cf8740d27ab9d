import {
  BEACON_SITE,
  CLIENT_COUNT,
  DHCP_SERVER,
  DNS_RESOLVER,
  EXTERNAL_SITES,
  INTERNAL_SERVERS,
  PROTOCOL_WEIGHTS,
  PROTOCOLS,
  SENSORS,
  SPIKE_DOMAIN,
  externalScanner,
  internalClient,
  sampleIndex,
  type ExternalSite,
  type Protocol,
} from './catalog.js';
import { BUCKET_MINUTES, dayRange, isoUtc } from '../time/day.js';
import { plantedConnections } from './planted.js';

/**
 * A deterministic generator of ECS network logs. Pure: the same (seed, day, options) always yields the
 * same documents, so a day can be generated alone, and expectations can be computed from the documents
 * themselves without asking Elasticsearch.
 */

export interface SampleOptions {
  readonly seed: number;
  readonly docsPerDay: number;
  /** Inject the DNS spike and the night-time beacon into this day. */
  readonly anomalies: boolean;
  /** Index name prefix (default `network-`). */
  readonly indexPrefix?: string;
  /** Add the planted beacons and decoys of planted.ts to the flows (off: the day is unchanged). */
  readonly beacons?: boolean;
  /** Internal client hosts the traffic comes from (default CLIENT_COUNT, 400): a network's size. */
  readonly hosts?: number;
}

/** Where the flow tables would put a document. */
export type FlowCategory = 'internal_to_internal' | 'internal_to_external' | 'external_to_internal';

export interface SampleDoc {
  readonly id: string;
  readonly index: string;
  readonly protocol: Protocol;
  readonly timestamp: number;
  readonly bytes: number;
  readonly category: FlowCategory;
  /** For http/tls to an external server: the registrable domain the websites table should show. */
  readonly website?: string;
  /** For flows to an external server with a name: the registrable domain; otherwise undefined. */
  readonly destinationDomain?: string;
  readonly body: Record<string, unknown>;
}

const SPIKE_HOUR = 14;
const BEACON_HOURS = [0, 1, 2, 3, 4, 5] as const;
const BEACON_MINUTE = 7;

/** mulberry32: small, fast and good enough for sample data. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(seed: number, text: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Relative traffic of a 15-minute bucket: a night floor, a working-day hump, quieter weekends. */
function diurnalWeight(hourOfDay: number, weekday: number): number {
  const day = Math.max(0, Math.sin((Math.PI * (hourOfDay - 6)) / 14));
  const weekend = weekday === 0 || weekday === 6 ? 0.55 : 1;
  return 0.2 + 0.8 * weekend * day ** 1.5;
}

/** How many baseline documents fall in each of the day's 96 buckets (largest remainder, exact total). */
export function bucketBaseline(day: string, options: SampleOptions): number[] {
  const rng = createRng(hashSeed(options.seed, `${day}/buckets`));
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const weights = Array.from({ length: 96 }, (_, b) => {
    const noise = 1 + (rng() - 0.5) * 0.08;
    return diurnalWeight((b * BUCKET_MINUTES) / 60, weekday) * noise;
  });
  const total = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (w / total) * options.docsPerDay);
  const counts = exact.map(Math.floor);
  let rest = options.docsPerDay - counts.reduce((s, c) => s + c, 0);
  const order = exact
    .map((e, i) => [e - Math.floor(e), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (rest-- <= 0) break;
    counts[i]!++;
  }
  return counts;
}

const CUMULATIVE_PROTOCOLS = (() => {
  let acc = 0;
  return PROTOCOLS.map((p) => [p, (acc += PROTOCOL_WEIGHTS[p])] as const);
})();
const SITE_TOTAL = EXTERNAL_SITES.reduce((s, x) => s + x.weight, 0);

/** Every document of one day, in time order within each bucket. */
export function* generateDay(day: string, options: SampleOptions): Generator<SampleDoc> {
  const range = dayRange(day);
  const rng = createRng(hashSeed(options.seed, day));
  const baseline = bucketBaseline(day, options);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const site = (): ExternalSite => {
    let r = rng() * SITE_TOTAL;
    for (const s of EXTERNAL_SITES) if ((r -= s.weight) < 0) return s;
    return EXTERNAL_SITES[0]!;
  };
  const hosts = options.hosts ?? CLIENT_COUNT;
  const client = (): string => internalClient(Math.floor(rng() ** 1.6 * hosts));
  const siteIp = (s: ExternalSite, clientIp: string): string =>
    clientIp.includes(':') && s.ipv6 ? s.ipv6 : pick(s.ipv4);
  const payload = (median: number): number =>
    Math.max(40, Math.round(median * Math.exp((rng() - 0.5) * 2.4)));
  let serial = 0;
  const make = (
    protocol: Protocol,
    timestamp: number,
    bytes: number,
    category: FlowCategory,
    fields: Record<string, unknown>,
    extra: { website?: string; destinationDomain?: string } = {},
  ): SampleDoc => ({
    id: `s${options.seed}-${day}-${serial++}`,
    index: sampleIndex(protocol, options.indexPrefix),
    protocol,
    timestamp,
    bytes,
    category,
    ...extra,
    body: {
      '@timestamp': new Date(timestamp).toISOString(),
      event: { dataset: `network.${protocol}`, kind: 'event' },
      network: { protocol, bytes, ...(fields.network as object) },
      host: { name: pick(SENSORS) },
      ...withoutNetwork(fields),
    },
  });

  const baselineDoc = (timestamp: number): SampleDoc => {
    const r = rng();
    const protocol = CUMULATIVE_PROTOCOLS.find(([, c]) => r < c)?.[0] ?? 'flow';
    const src = client();
    switch (protocol) {
      case 'dns': {
        const internal = rng() < 0.15;
        const name = internal ? pick(INTERNAL_SERVERS).name : site().name;
        const bytes = 60 + Math.floor(rng() * 240);
        return make(protocol, timestamp, bytes, 'internal_to_internal', {
          source: { ip: src, port: 49152 + Math.floor(rng() * 16000) },
          destination: { ip: DNS_RESOLVER.ip, port: 53 },
          network: { transport: 'udp' },
          dns: { question: { name, type: rng() < 0.8 ? 'A' : 'AAAA' } },
        });
      }
      case 'dhcp': {
        const bytes = 300 + Math.floor(rng() * 300);
        return make(protocol, timestamp, bytes, 'internal_to_internal', {
          source: { ip: src.includes(':') ? internalClient(1) : src, port: 68 },
          destination: { ip: DHCP_SERVER.ip, port: 67 },
          network: { transport: 'udp' },
          dhcp: { message_type: pick(['DISCOVER', 'REQUEST', 'ACK', 'RENEW']) },
        });
      }
      case 'http':
      case 'tls': {
        const port = protocol === 'http' ? 80 : 443;
        if (rng() < 0.1) {
          const server = INTERNAL_SERVERS[3]!;
          const bytes = payload(8000);
          return make(protocol, timestamp, bytes, 'internal_to_internal', {
            source: { ip: src, port: 49152 + Math.floor(rng() * 16000) },
            destination: { ip: server.ip, port, domain: server.name },
            network: { transport: 'tcp' },
            ...webFields(protocol, server.name, rng),
          });
        }
        const s = site();
        const bytes = payload(protocol === 'http' ? 20000 : 35000);
        return make(
          protocol,
          timestamp,
          bytes,
          'internal_to_external',
          {
            source: { ip: src, port: 49152 + Math.floor(rng() * 16000) },
            destination: { ip: siteIp(s, src), port, domain: s.name },
            network: { transport: 'tcp' },
            ...webFields(protocol, s.name, rng),
          },
          { website: s.domain },
        );
      }
      case 'flow': {
        const r2 = rng();
        if (r2 < 0.3) {
          const server = pick(INTERNAL_SERVERS);
          const named = rng() < 0.85;
          return make(protocol, timestamp, payload(12000), 'internal_to_internal', {
            source: { ip: src, port: 49152 + Math.floor(rng() * 16000) },
            destination: { ip: server.ip, port: server.port, ...(named ? { domain: server.name } : {}) },
            network: { transport: server.transport },
          });
        }
        if (r2 < 0.9) {
          const s = site();
          const named = rng() < 0.8;
          const port = pick([443, 443, 443, 80, 53, 123]);
          return make(
            protocol,
            timestamp,
            payload(30000),
            'internal_to_external',
            {
              source: { ip: src, port: 49152 + Math.floor(rng() * 16000) },
              destination: { ip: siteIp(s, src), port, ...(named ? { domain: s.name } : {}) },
              network: { transport: port === 53 || port === 123 ? 'udp' : 'tcp' },
            },
            named ? { destinationDomain: s.domain } : {},
          );
        }
        const server = INTERNAL_SERVERS[3]!;
        return make(protocol, timestamp, payload(9000), 'external_to_internal', {
          source: { ip: externalScanner(Math.floor(rng() * 500)), port: 49152 + Math.floor(rng() * 16000) },
          destination: { ip: server.ip, port: 443, domain: server.name },
          network: { transport: 'tcp' },
        });
      }
      case 'firewall': {
        const target = pick(INTERNAL_SERVERS);
        return make(protocol, timestamp, 40 + Math.floor(rng() * 120), 'external_to_internal', {
          source: { ip: externalScanner(Math.floor(rng() * 500)), port: 1024 + Math.floor(rng() * 60000) },
          destination: { ip: target.ip, port: pick([22, 23, 445, 3389, 8080, target.port]) },
          network: { transport: rng() < 0.9 ? 'tcp' : 'udp' },
          event: { dataset: 'network.firewall', kind: 'event', action: rng() < 0.85 ? 'deny' : 'allow' },
          rule: { name: pick(['block-inbound-default', 'allow-web', 'geo-block']) },
        });
      }
    }
  };

  const bucketMs = BUCKET_MINUTES * 60_000;
  for (let b = 0; b < 96; b++) {
    const start = range.start.getTime() + b * bucketMs;
    const n = baseline[b]!;
    for (let i = 0; i < n; i++)
      yield baselineDoc(start + Math.floor((i / n) * bucketMs + rng() * (bucketMs / n)));
    if (!options.anomalies) continue;
    const hour = Math.floor((b * BUCKET_MINUTES) / 60);
    const minuteOfHour = (b * BUCKET_MINUTES) % 60;
    if (hour === SPIKE_HOUR && minuteOfHour === 0) {
      // A DNS tunnel: many unique subdomains of one domain within 15 minutes.
      const extra = Math.max(300, Math.round(n * PROTOCOL_WEIGHTS.dns * 6));
      const src = internalClient(42);
      for (let i = 0; i < extra; i++) {
        const label = Math.floor(rng() * 2 ** 40).toString(16);
        yield make(
          'dns',
          start + Math.floor((i / extra) * bucketMs),
          180 + Math.floor(rng() * 60),
          'internal_to_internal',
          {
            source: { ip: src, port: 53000 + (i % 1000) },
            destination: { ip: DNS_RESOLVER.ip, port: 53 },
            network: { transport: 'udp' },
            dns: { question: { name: `${label}.t.${SPIKE_DOMAIN}`, type: 'TXT' } },
          },
        );
      }
    }
    if ((BEACON_HOURS as readonly number[]).includes(hour) && minuteOfHour === 0) {
      // The beacon: a burst of short TLS sessions (and their flows) to one domain, hourly at :07.
      const burst = Math.max(40, Math.round(n * PROTOCOL_WEIGHTS.tls * 5));
      const src = internalClient(13);
      const at = start + BEACON_MINUTE * 60_000;
      for (let i = 0; i < burst; i++) {
        const fields = {
          source: { ip: src, port: 50000 + i },
          destination: { ip: BEACON_SITE.ipv4[0], port: 443, domain: BEACON_SITE.name },
          network: { transport: 'tcp' },
        };
        const tlsFields = { ...fields, tls: { client: { server_name: BEACON_SITE.name }, version: '1.3' } };
        yield make('tls', at + i * 50, 1500, 'internal_to_external', tlsFields, {
          website: BEACON_SITE.domain,
        });
        yield make('flow', at + i * 50, 1500, 'internal_to_external', fields, {
          destinationDomain: BEACON_SITE.domain,
        });
      }
    }
  }
  if (options.beacons) {
    // After the day's own documents, from a stream of their own: the baseline stays the same.
    for (const c of plantedConnections(day, options.seed)) {
      yield make(
        'flow',
        c.timestamp,
        c.bytes,
        'internal_to_external',
        {
          source: { ip: c.sourceIp, port: 49152 + (c.timestamp % 16000) },
          destination: { ip: c.pair.site.ipv4[0], port: 443, domain: c.pair.site.name },
          network: { transport: 'tcp' },
        },
        { destinationDomain: c.pair.site.domain },
      );
    }
  }
}

function withoutNetwork(fields: Record<string, unknown>): Record<string, unknown> {
  const { network: _network, ...rest } = fields;
  return rest;
}

function webFields(protocol: 'http' | 'tls', host: string, rng: () => number): Record<string, unknown> {
  if (protocol === 'tls')
    return { tls: { client: { server_name: host }, version: rng() < 0.8 ? '1.3' : '1.2' } };
  const path = ['/', '/index.html', '/api/v1/items', '/static/app.js', '/login', '/search'][
    Math.floor(rng() * 6)
  ]!;
  const query = rng() < 0.3 ? `?q=${Math.floor(rng() * 1e6)}` : '';
  return {
    url: { full: `http://${host}${path}${query}`, domain: host, path },
    http: {
      request: { method: rng() < 0.8 ? 'GET' : 'POST' },
      response: { status_code: rng() < 0.95 ? 200 : 404 },
    },
  };
}

/** When the anomalies of an anomalous day happen (UTC bucket starts), for tests and analysis checks. */
export function anomalyTimestamps(day: string): { spike: string[]; beacon: string[] } {
  const start = dayRange(day).start.getTime();
  return {
    spike: [isoUtc(start + SPIKE_HOUR * 3_600_000)],
    beacon: BEACON_HOURS.map((h) => isoUtc(start + h * 3_600_000)),
  };
}
