import { InternalError } from '../errors.js';
import { aggregateOf, combine, isAdditive, type Aggregate } from '../config/metric-rules.js';
import type { Metric } from '../config/schema.js';
import type { KeyedRow } from './rows.js';

interface MergedRow {
  readonly time: number;
  readonly keys: readonly string[];
  readonly metrics: (number | null)[];
  /**
   * The keys joined by U+0001. No key holds U+0000 or U+0001 (a keyed cell is a pseudonym, a name, a
   * number or empty, and free text has its control characters replaced: transform/safe-value.ts),
   * so two rows have the same joined keys only when they have the same keys, and joined keys sort
   * as compareKeys sorts the keys (a key that is a prefix of another sorts first either way).
   */
  readonly joined: string;
}

/**
 * Merging rows whose keys collapse after reduction (two subdomains → one domain, two addresses of one
 * server): counts and sums are added, max and min combined, nothing is dropped. Pure.
 *
 * Every row added is a distinct bucket: a bucket sent twice never gets here (extract/check-page.ts
 * fails the page; the walks of a split hold disjoint documents, planned-fetch.ts), so a second row
 * of one key is a collapse and is added up.
 *
 * Rows are kept per 15-minute bucket. A caller that receives rows in time order (composite pages are
 * sorted by time first) drains each bucket once it is complete, so memory holds one bucket, not a day.
 */
export class RowMerger {
  /** Per bucket time, the merged rows by their joined keys (handed out as they are when drained). */
  private readonly buckets = new Map<number, Map<string, MergedRow>>();
  private readonly added: number[];
  private readonly drained: number[];
  private readonly additive: readonly boolean[];
  private readonly aggregates: readonly Aggregate[];

  constructor(private readonly metrics: readonly Metric[]) {
    this.added = metrics.map(() => 0);
    this.drained = metrics.map(() => 0);
    this.additive = metrics.map(isAdditive);
    this.aggregates = metrics.map(aggregateOf);
  }

  /** Adds one transformed row. */
  add(row: KeyedRow): void {
    let bucket = this.buckets.get(row.time);
    if (bucket === undefined) this.buckets.set(row.time, (bucket = new Map()));
    const n = this.metrics.length;
    for (let i = 0; i < n; i++) {
      const v = row.metrics[i];
      if (v !== null && v !== undefined && this.additive[i]) this.added[i]! += v;
    }
    const joined = row.keys.join('\u0001');
    const existing = bucket.get(joined);
    if (existing === undefined) {
      bucket.set(joined, { time: row.time, keys: row.keys, metrics: row.metrics.slice(), joined });
      return;
    }
    for (let i = 0; i < n; i++)
      existing.metrics[i] = combine(this.aggregates[i]!, existing.metrics[i] ?? null, row.metrics[i] ?? null);
  }

  /** Removes and returns the merged rows of every bucket before `time`, sorted by time, then keys. */
  drainBefore(time: number): KeyedRow[] {
    const times = [...this.buckets.keys()].filter((t) => t < time).sort((a, b) => a - b);
    const out: KeyedRow[] = [];
    for (const t of times) {
      const rows = [...this.buckets.get(t)!.values()].sort(byJoinedKeys);
      for (const r of rows) {
        out.push(r);
        for (let i = 0; i < r.metrics.length; i++) {
          const v = r.metrics[i];
          if (v !== null && v !== undefined && this.additive[i]) this.drained[i]! += v;
        }
      }
      this.buckets.delete(t);
    }
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

function byJoinedKeys(a: MergedRow, b: MergedRow): number {
  return a.joined < b.joined ? -1 : a.joined > b.joined ? 1 : 0;
}

export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
