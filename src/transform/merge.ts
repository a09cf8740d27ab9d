import { InternalError } from '../errors.js';
import type { Metric } from '../config/schema.js';
import type { KeyedRow } from './rows.js';
import type { RawRow } from './flatten.js';

/**
 * Merging rows whose keys collapse after reduction (two subdomains → one domain, two ports of one
 * server): counts and sums are added, max and min combined, nothing is dropped. A raw bucket seen twice
 * (a page fetched again after a retry) is an exact duplicate and is counted once. Pure.
 */
export class RowMerger {
  private readonly merged = new Map<string, { time: number; keys: readonly string[]; metrics: (number | null)[] }>();
  private readonly seenRaw = new Set<string>();
  private rawTotals: number[];
  /** Buckets received, exact duplicates dropped, rows after merging. */
  readonly stats = { raw: 0, duplicates: 0 };

  constructor(private readonly metrics: readonly Metric[]) {
    this.rawTotals = metrics.map(() => 0);
  }

  /** Adds one raw row (for the duplicate check) and its transformed form. */
  add(raw: RawRow, row: KeyedRow): void {
    const rawKey = `${raw.time}\u0001${JSON.stringify(raw.values)}`;
    if (this.seenRaw.has(rawKey)) {
      this.stats.duplicates++;
      return;
    }
    this.seenRaw.add(rawKey);
    this.stats.raw++;
    row.metrics.forEach((v, i) => {
      if (v !== null && this.isAdditive(i)) this.rawTotals[i]! += v;
    });
    const key = `${row.time}\u0001${row.keys.join('\u0001')}`;
    const existing = this.merged.get(key);
    if (existing === undefined) {
      this.merged.set(key, { time: row.time, keys: row.keys, metrics: [...row.metrics] });
      return;
    }
    this.metrics.forEach((m, i) => {
      const a = existing.metrics[i] ?? null;
      const b = row.metrics[i] ?? null;
      existing.metrics[i] = combine(m, a, b);
    });
  }

  private isAdditive(i: number): boolean {
    const t = this.metrics[i]!.type;
    return t === 'count' || t === 'sum';
  }

  /** The merged rows sorted by time, then keys; checks that additive totals survived the merge. */
  rows(): KeyedRow[] {
    const rows = [...this.merged.values()].sort((a, b) => a.time - b.time || compareKeys(a.keys, b.keys));
    this.metrics.forEach((_, i) => {
      if (!this.isAdditive(i)) return;
      const after = rows.reduce((s, r) => s + (r.metrics[i] ?? 0), 0);
      if (after !== this.rawTotals[i]) {
        throw new InternalError(`merge changed the total of metric ${this.metrics[i]!.name}: ${this.rawTotals[i]} → ${after}`);
      }
    });
    return rows;
  }

  /** Totals of the additive metrics (count, sums) over everything added. */
  totals(): Record<string, number> {
    return Object.fromEntries(this.metrics.flatMap((m, i) => (this.isAdditive(i) ? [[m.name, this.rawTotals[i]!]] : [])));
  }
}

function combine(metric: Metric, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  switch (metric.type) {
    case 'count':
    case 'sum':
      return a + b;
    case 'max':
      return Math.max(a, b);
    case 'min':
      return Math.min(a, b);
  }
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
