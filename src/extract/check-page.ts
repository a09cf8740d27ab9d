import { DataError } from '../errors.js';
import { TIME_AGG } from './query.js';
import { isCount } from './answer.js';
import { isoUtc, type DayRange } from '../time/day.js';
import type { FlattenResult, RawValue } from '../transform/flatten.js';
import type { Metric, TableConfig } from '../config/schema.js';

/**
 * Distrust of the answer, page by page, before any row of it is written: every bucket lies inside
 * the requested day and comes in time order, never twice; counts are non-negative integers and
 * metrics finite numbers; a composite walk's after_key moves strictly forward (a repeated or
 * backward key would page for ever or count buckets twice). A faulty page fails the (table, day);
 * the previous file is kept. Pure.
 */
export class PageChecker {
  private lastTime = Number.NEGATIVE_INFINITY;
  /** Raw keys of the buckets seen at `lastTime`: one bucket sent twice is an error, not a merge. */
  private keysAtLastTime = new Set<string>();
  private lastAfter: { time: number; key: string } | undefined;
  private readonly seenAfter = new Set<string>();
  private pages = 0;

  constructor(
    private readonly table: Pick<TableConfig, 'name' | 'metrics'>,
    private readonly range: DayRange,
  ) {}

  /** Throws a DataError naming the first problem of this page. */
  check(page: FlattenResult, totalHits: number): void {
    this.pages++;
    const where = `${this.table.name} ${this.range.day}: the answer of page ${this.pages}`;
    if (!isCount(totalHits))
      throw new DataError(`${where} has an invalid hit count (${describe(totalHits)})`);
    for (const row of page.rows) {
      const t = row.time;
      if (!Number.isSafeInteger(t))
        throw new DataError(`${where} has a bucket whose time is not a timestamp (${describe(t)})`);
      if (t < this.range.start.getTime() || t >= this.range.end.getTime())
        throw new DataError(
          `${where} has a bucket at ${isoUtc(t)}, outside the requested day ${isoUtc(this.range.start.getTime())} – ${isoUtc(this.range.end.getTime())}`,
        );
      if (t < this.lastTime)
        throw new DataError(
          `${where} goes back in time: a bucket at ${isoUtc(t)} after one at ${isoUtc(this.lastTime)} (a page sent again?)`,
        );
      if (t > this.lastTime) {
        this.lastTime = t;
        this.keysAtLastTime = new Set();
      }
      const key = rawKey(row.values);
      if (this.keysAtLastTime.has(key))
        throw new DataError(`${where} sends the bucket ${isoUtc(t)} of one key twice (a page sent again?)`);
      this.keysAtLastTime.add(key);
      const metrics = this.table.metrics;
      for (let i = 0; i < metrics.length; i++) checkMetric(metrics[i]!, row.metrics[i], where, t);
    }
    if (page.afterKey !== undefined) this.checkAfterKey(page.afterKey, where);
  }

  private checkAfterKey(after: unknown, where: string): void {
    if (typeof after !== 'object' || after === null || Array.isArray(after))
      throw new DataError(`${where} has an after_key that is not an object (${describe(after)})`);
    const time = (after as Record<string, unknown>)[TIME_AGG];
    if (typeof time !== 'number' || !Number.isSafeInteger(time))
      throw new DataError(`${where} has an after_key without a time (${describe(after)})`);
    const key = JSON.stringify(after);
    if (this.seenAfter.has(key))
      throw new DataError(
        `${where} repeats the after_key of an earlier page: Elasticsearch (or a proxy) is sending the same page again`,
      );
    if (this.lastAfter !== undefined && time < this.lastAfter.time)
      throw new DataError(
        `${where} has an after_key that goes backwards (${isoUtc(time)} after ${isoUtc(this.lastAfter.time)})`,
      );
    if (time < this.lastTime)
      throw new DataError(
        `${where} has an after_key (${isoUtc(time)}) before its own last bucket (${isoUtc(this.lastTime)})`,
      );
    this.seenAfter.add(key);
    this.lastAfter = { time, key };
  }
}

function checkMetric(metric: Metric, value: unknown, where: string, time: number): void {
  if (metric.type === 'count') {
    if (!isCount(value))
      throw new DataError(
        `${where} has a document count that is not a non-negative integer (${describe(value)}) at ${isoUtc(time)}`,
      );
    return;
  }
  // max and min of an empty bucket are null; a sum of nothing is 0 (flatten maps its null).
  if (value === null && metric.type !== 'sum') return;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new DataError(
      `${where} has a ${metric.type} "${metric.name}" that is not a finite number (${describe(value)}) at ${isoUtc(time)}`,
    );
}

/**
 * One bucket's raw values as a text that no other values give: each value tagged with its kind and
 * a string with its length, so that no string can pass for the end of one value and the start of
 * the next. (JSON.stringify would do, at twice the cost, on a path taken once per bucket.)
 */
export function rawKey(values: readonly RawValue[]): string {
  let key = '';
  for (const v of values)
    key += v === null ? '\u0000n' : typeof v === 'number' ? `\u0000d${v}` : `\u0000s${v.length}:${v}`;
  return key;
}

/**
 * What a value from the answer is, for a message: numbers as they are, anything else by its kind
 * only (a faulty answer's text may hold an address or a secret; it is never echoed).
 */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

/**
 * No silent loss: every document the day's query matched must be in some bucket. More is possible
 * when logs arrive between composite pages; fewer never is. Tables without a count metric cannot be
 * checked this way.
 */
export function checkAllBucketed(
  table: Pick<TableConfig, 'name' | 'metrics'>,
  day: string,
  totals: Readonly<Record<string, number>>,
  totalHits: number,
): void {
  const count = table.metrics.find((m) => m.type === 'count');
  if (count && (totals[count.name] ?? 0) < totalHits) {
    throw new DataError(
      `${table.name} ${day}: ${totalHits} documents matched but only ${totals[count.name]} are in buckets (a multi-valued or unmapped level field?)`,
    );
  }
}
