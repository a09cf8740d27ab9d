import { internalClient, type ExternalSite } from './catalog.js';
import { dayRange } from '../time/day.js';

/**
 * Beacons and decoys planted in the sample's flows when `beacons` is on: three command-and-control
 * beacons of different periods (60 s, 5 min, 1 h, each with jitter and near-constant sizes) and two
 * pairs that must not be reported — a busy but irregular pair and a nightly backup. Each uses its own
 * source and destination, so its (source, destination) pair in `internal_to_external` holds only its
 * own connections. Pure and seeded per day, from a random stream of its own: the baseline documents
 * of a day are the same with or without them.
 */

export interface PlantedPair {
  readonly name: string;
  /** A beacon must be found; a decoy must not be reported. */
  readonly kind: 'beacon' | 'decoy';
  /** The internal client (its index in the sample's address plan, beyond the baseline clients). */
  readonly client: number;
  readonly site: ExternalSite;
  /** A beacon's period in seconds. */
  readonly periodSec?: number;
  readonly description: string;
}

const site = (name: string, domain: string, ip: string): ExternalSite => ({
  name,
  domain,
  weight: 0,
  ipv4: [ip],
});

export const PLANTED_PAIRS: readonly PlantedPair[] = [
  {
    name: 'beacon-60s',
    kind: 'beacon',
    client: 410,
    site: site('sync.telemetry-relay.net', 'telemetry-relay.net', '45.137.22.60'),
    periodSec: 60,
    description: 'every 60 s ± 2 s, 600–640 bytes',
  },
  {
    name: 'beacon-5min',
    kind: 'beacon',
    client: 420,
    site: site('api.weather-widget.io', 'weather-widget.io', '45.137.22.61'),
    periodSec: 300,
    description: 'every 5 min ± 10 s, 1,800–1,880 bytes',
  },
  {
    name: 'beacon-1h',
    kind: 'beacon',
    client: 430,
    site: site('update.pixel-metrics.com', 'pixel-metrics.com', '45.137.22.62'),
    periodSec: 3600,
    description: 'every hour ± 2 min, 4,340–4,460 bytes',
  },
  {
    name: 'busy-irregular',
    kind: 'decoy',
    client: 440,
    site: site('stream.video-cdn.tv', 'video-cdn.tv', '45.137.22.63'),
    description:
      'about 2,000 connections a day at random times, mostly working hours, sizes from 1 kB to 50 MB',
  },
  {
    name: 'daily-backup',
    kind: 'decoy',
    client: 450,
    site: site('vault.offsite-backup.com', 'offsite-backup.com', '45.137.22.64'),
    description: 'a burst of 40 connections at about 02:00 every day, 5–500 MB each',
  },
];

/** One planted connection: when, how big, between whom. */
export interface PlantedConnection {
  readonly pair: PlantedPair;
  readonly timestamp: number;
  readonly bytes: number;
  readonly sourceIp: string;
}

/** A random stream of its own (xorshift32), so the generator's streams are untouched. */
function stream(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function textSeed(seed: number, text: string): number {
  let h = (0x9e3779b9 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Every planted connection of a UTC day, in time order. */
export function plantedConnections(day: string, seed: number): PlantedConnection[] {
  const { start, end } = dayRange(day);
  const t0 = start.getTime();
  const t1 = end.getTime();
  const out: PlantedConnection[] = [];
  for (const pair of PLANTED_PAIRS) {
    const rng = stream(textSeed(seed, `${day}/${pair.name}`));
    const sourceIp = internalClient(pair.client);
    const push = (timestamp: number, bytes: number): void => {
      if (timestamp >= t0 && timestamp < t1) out.push({ pair, timestamp, bytes, sourceIp });
    };
    const jitter = (maxMs: number): number => Math.round((rng() * 2 - 1) * maxMs);
    switch (pair.name) {
      case 'beacon-60s':
        for (let t = t0 + 13_000; t < t1; t += 60_000) push(t + jitter(2_000), 600 + Math.floor(rng() * 41));
        break;
      case 'beacon-5min':
        for (let t = t0 + 97_000; t < t1; t += 300_000)
          push(t + jitter(10_000), 1800 + Math.floor(rng() * 81));
        break;
      case 'beacon-1h':
        for (let t = t0 + 1_830_000; t < t1; t += 3_600_000)
          push(t + jitter(120_000), 4340 + Math.floor(rng() * 121));
        break;
      case 'busy-irregular': {
        // A Poisson process whose rate follows the working day (and a trickle at night).
        for (let t = t0; t < t1;) {
          const hour = (t - t0) / 3_600_000;
          const busy = hour >= 8 && hour < 18 ? 1 : 0.05;
          t += Math.max(1000, Math.round((-Math.log(1 - rng()) * 20_000) / busy));
          push(t, Math.round(1000 * Math.exp(rng() * Math.log(50_000))));
        }
        break;
      }
      case 'daily-backup': {
        let t = t0 + 2 * 3_600_000 + jitter(300_000);
        for (let i = 0; i < 40; i++) {
          push(t, Math.round(5e6 * Math.exp(rng() * Math.log(100))));
          t += 5_000 + Math.floor(rng() * 40_000);
        }
        break;
      }
    }
  }
  return out.sort((a, b) => a.timestamp - b.timestamp);
}

/** What the beacon detection should report for planted days: every beacon with its period, no decoy. */
export function expectedBeacons(): {
  destination: string;
  kind: 'beacon' | 'decoy';
  periodSec?: number;
  name: string;
}[] {
  return PLANTED_PAIRS.map((p) => ({
    name: p.name,
    kind: p.kind,
    destination: p.site.domain,
    ...(p.periodSec !== undefined && { periodSec: p.periodSec }),
  }));
}
