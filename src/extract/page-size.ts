/**
 * How many composite buckets a page asks for. Pure.
 *
 * Every composite page is another pass over the day's documents in Elasticsearch, so fewer, larger
 * pages cost the cluster less (issue #18: pages of 50,000 took 0.40× the time of pages of 5,000 for
 * the flow tables of a day of 1M documents; bench/notes.md). What bounds a page is the answer: its bytes (read
 * whole, parsed whole, at most two pages of a walk held at once) and the cluster's
 * `search.max_buckets` (a larger page fails).
 *
 * `es.page_size: auto` (the default) asks for AUTO_MAX_PAGE buckets (never more than the cluster's
 * max_buckets), then sizes every next page so that its answer stays near AUTO_TARGET_BYTES (or a
 * quarter of es.max_response_mb if that is smaller), from the largest bytes per bucket seen so far in
 * the walk. An answer larger than es.max_response_mb is asked again with a quarter of the buckets; a
 * page over the cluster's max_buckets is asked again at that limit. A number is the operator's fixed
 * size: it is used as given, and an answer over either bound fails the table-day with a line saying
 * so.
 */

/**
 * The first page of an automatic walk, and the largest. With AUTO_TARGET_BYTES, what bounds peak
 * memory: an answer is held as bytes, text and parsed objects at once, two pages a walk, two walks at
 * the default concurrency. Measured on a 1M-document day (bench/notes.md, "Page size and memory"):
 * pages of 50,000 / 6 MB peaked at 330–370 MB RSS (over the 300 MB target), 25,000 / 3 MB at
 * 230–250 MB for 14 % more Elasticsearch CPU.
 */
export const AUTO_MAX_PAGE = 25_000;
/** The answer size an automatic page aims at (a page of flows is about 150 bytes a bucket). */
export const AUTO_TARGET_BYTES = 3 * 1024 * 1024;
/** An automatic page never asks for fewer buckets than this (a tiny page is a pass for nothing). */
export const AUTO_MIN_PAGE = 500;
/** After an answer too large to read, the smallest page asked again. */
const AUTO_MIN_RETRY_PAGE = 10;

export type PageSizeSetting = number | 'auto';

export class PageSizer {
  private size: number;
  /** A bound on the next page only (capNext). */
  private cap = Number.POSITIVE_INFINITY;
  private bytesPerBucket = 0;
  private maxBuckets: number;

  constructor(
    private readonly setting: PageSizeSetting,
    /** es.max_response_mb in bytes. */
    private readonly maxResponseBytes: number,
    /** The cluster's search.max_buckets when known (learned from an earlier refusal in this run). */
    maxBuckets: number = Number.POSITIVE_INFINITY,
  ) {
    this.maxBuckets = maxBuckets;
    this.size = setting === 'auto' ? Math.max(1, Math.min(AUTO_MAX_PAGE, maxBuckets)) : setting;
  }

  get auto(): boolean {
    return this.setting === 'auto';
  }

  /** The size of the next page to ask for. */
  next(): number {
    return Math.min(this.size, this.cap);
  }

  /**
   * At most `buckets` in the next page (automatic pages only: a fixed es.page_size is used as given).
   * Walks side by side use it to keep pace with each other (balancedPage).
   */
  capNext(buckets: number): void {
    if (this.setting === 'auto') this.cap = Math.max(1, Math.floor(buckets));
  }

  /** After an answer: `buckets` came back in `bytes` (decompressed). Sizes the next page. */
  observe(buckets: number, bytes: number): void {
    this.cap = Number.POSITIVE_INFINITY;
    if (this.setting !== 'auto' || buckets <= 0 || !(bytes > 0)) return;
    this.bytesPerBucket = Math.max(this.bytesPerBucket, bytes / buckets);
    const target = Math.min(AUTO_TARGET_BYTES, this.maxResponseBytes / 4);
    const fit = Math.floor(target / this.bytesPerBucket);
    this.size = Math.max(1, Math.min(AUTO_MAX_PAGE, this.maxBuckets, Math.max(AUTO_MIN_PAGE, fit)));
  }

  /**
   * The answer of a page of `size` buckets was larger than es.max_response_mb. Returns the smaller size
   * to ask the same page again with, or undefined when the size is fixed or already at its minimum.
   */
  shrinkAfterTooLarge(): number | undefined {
    if (this.setting !== 'auto' || this.size <= AUTO_MIN_RETRY_PAGE) return undefined;
    this.size = Math.max(AUTO_MIN_RETRY_PAGE, Math.floor(this.size / 4));
    // What the answer held is unknown (it was not read): assume at least the bytes a bucket that
    // would have made it just fit, so the next pages do not grow back.
    this.bytesPerBucket = Math.max(this.bytesPerBucket, this.maxResponseBytes / (this.size * 4));
    return this.size;
  }

  /**
   * The cluster refused a page over its `search.max_buckets` of `limit`. Returns the size to ask the
   * same page again with, or undefined when the size is fixed (the operator's setting is not
   * silently lowered) or the limit is not below the page asked for.
   */
  limitBuckets(limit: number): number | undefined {
    if (this.setting !== 'auto' || !Number.isSafeInteger(limit) || limit < 1 || limit >= this.size)
      return undefined;
    this.maxBuckets = limit;
    this.size = limit;
    return this.size;
  }

  /** The cluster's bucket limit learned so far (for the next walk of the run). */
  get learnedMaxBuckets(): number {
    return this.maxBuckets;
  }
}

/**
 * The page of a walk that runs beside others (a level split, planned-fetch.ts): a bucket is handed on
 * only once every walk has passed it, so a walk whose pages cover more of the day than the others'
 * holds its rows in memory until they catch up (the flow tables' second walk, the flows without a
 * domain, covered 17 hours a page against the first walk's 5; balancing its pages took 10 MB off
 * netlog's live heap at 1M documents a day). Sized by its density of buckets in time against the
 * densest walk's, its page covers about as much of the day as the densest walk's page of `full`
 * buckets.
 * `density`: buckets per millisecond of the day so far; undefined before the walk's first page, which
 * is then `full` divided among the walks.
 */
export function balancedPage(
  full: number,
  walks: number,
  density: number | undefined,
  densest: number,
): number {
  if (density === undefined) return Math.max(AUTO_MIN_PAGE, Math.ceil(full / walks));
  if (!(densest > 0) || !(density < densest)) return full;
  return Math.min(full, Math.max(AUTO_MIN_PAGE, Math.ceil((full * density) / densest)));
}
