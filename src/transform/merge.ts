import { InternalError } from '../errors.js';
import { aggregateOf, combine, isAdditive, type Aggregate } from '../config/metric-rules.js';
import type { Metric } from '../config/schema.js';
import type { KeyedRow } from './rows.js';
import type { RawRow } from './flatten.js';

/**
 * Merging rows whose keys collapse after reduction (two subdomains → one domain, two addresses of one
 * server): counts and sums are added, max and min combined, nothing is dropped. A raw bucket seen twice
 * (the same page delivered again) is an exact duplicate and is counted once. Pure.
 *
 * Rows are kept per 15-minute bucket. A caller that receives rows in time order (composite pages are
 * sorted by time first) drains each bucket once it is complete, so memory holds one bucket, not a day.
 */
export class RowMerger {
  private readonly buckets = new Map<
    number,
    { merged: Map<string, { keys: readonly string[]; metrics: (number | null)[] }>; seen: Set<string> }
  >();
  private readonly added: number[];
  private readonly drained: number[];
  private readonly additive: readonly boolean[];
  private readonly aggregates: readonly Aggregate[];
  /** Buckets received and exact duplicates dropped. */
  readonly stats = { raw: 0, duplicates: 0, rows: 0 };

  constructor(private readonly metrics: readonly Metric[]) {
    this.added = metrics.map(() => 0);
    this.drained = metrics.map(() => 0);
    this.additive = metrics.map(isAdditive);
    this.aggregates = metrics.map(aggregateOf);
  }

  /** Adds one raw row (for the duplicate check) and its transformed form. */
  add(raw: RawRow, row: KeyedRow): void {
    let bucket = this.buckets.get(row.time);
    if (bucket === undefined) this.buckets.set(row.time, (bucket = { merged: new Map(), seen: new Set() }));
    const rawKey = JSON.stringify(raw.values);
    if (bucket.seen.has(rawKey)) {
      this.stats.duplicates++;
      return;
    }
    bucket.seen.add(rawKey);
    this.stats.raw++;
    row.metrics.forEach((v, i) => {
      if (v !== null && this.additive[i]) this.added[i]! += v;
    });
    const key = row.keys.join('\u0001');
    const existing = bucket.merged.get(key);
    if (existing === undefined) {
      bucket.merged.set(key, { keys: row.keys, metrics: [...row.metrics] });
      return;
    }
    this.aggregates.forEach((aggregate, i) => {
      existing.metrics[i] = combine(aggregate, existing.metrics[i] ?? null, row.metrics[i] ?? null);
    });
  }

  /** Removes and returns the merged rows of every bucket before `time`, sorted by time, then keys. */
  drainBefore(time: number): KeyedRow[] {
    const times = [...this.buckets.keys()].filter((t) => t < time).sort((a, b) => a - b);
    const out: KeyedRow[] = [];
    for (const t of times) {
      const rows = [...this.buckets.get(t)!.merged.values()].sort((a, b) => compareKeys(a.keys, b.keys));
      for (const r of rows) {
        out.push({ time: t, keys: r.keys, metrics: r.metrics });
        r.metrics.forEach((v, i) => {
          if (v !== null && this.additive[i]) this.drained[i]! += v;
        });
      }
      this.buckets.delete(t);
    }
    this.stats.rows += out.length;
    return out;
  }

  /** Drains everything left and checks that the additive totals survived merging. */
  finish(): KeyedRow[] {
    const rows = this.drainBefore(Infinity);
    this.metrics.forEach((m, i) => {
      if (this.additive[i] && this.drained[i] !== this.added[i]) {
        throw new InternalError(
          `merge changed the total of metric ${m.name}: ${this.added[i]} → ${this.drained[i]}`,
        );
      }
    });
    return rows;
  }

  /** Totals of the additive metrics (count, sums) over everything added. */
  totals(): Record<string, number> {
    return Object.fromEntries(
      this.metrics.flatMap((m, i) => (this.additive[i] ? [[m.name, this.added[i]!]] : [])),
    );
  }
}

export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
