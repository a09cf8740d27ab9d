import type { Metric } from './schema.js';

/**
 * How a metric's values combine, decided once for every part of netlog: merging rows whose keys
 * collapse (transform/merge.ts), the totals of a day file and of Elasticsearch (store/check-day.ts,
 * extract/day-totals.ts), and series over keys and time (analysis/). Pure.
 */

/** How values combine over keys and over time: counts and sums add up, maxima and minima do not. */
export type Aggregate = 'sum' | 'max' | 'min';

/** A count or a sum: its values add up, so a day, a bucket and a merged row have a total. */
export function isAdditive(metric: Pick<Metric, 'type'>): boolean {
  return metric.type === 'count' || metric.type === 'sum';
}

export function aggregateOf(metric: Pick<Metric, 'type'>): Aggregate {
  return isAdditive(metric) ? 'sum' : metric.type === 'max' ? 'max' : 'min';
}

/** Combines two values of an aggregate; null means "no value yet" (an empty max or min). */
export function combine(aggregate: Aggregate, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return aggregate === 'sum' ? a + b : aggregate === 'max' ? Math.max(a, b) : Math.min(a, b);
}
