import { errors } from '@elastic/elasticsearch';
import { buildDayQuery, ROWS_AGG, TIME_AGG, type QueryClause } from './query.js';
import { searchAggregations, type SearchContext, type SearchResult } from './search.js';
import { PageChecker } from './check-page.js';
import { AnswerTooLargeError } from './request.js';
import { PageSizer } from './page-size.js';
import { flattenAggregations, type RawRow } from '../transform/flatten.js';
import { EsError, InterruptedError } from '../errors.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { DayRange } from '../time/day.js';

/**
 * Pages a table's day out of Elasticsearch: composite pages in time order, each flattened and checked
 * (check-page.ts) before it is handed on. The next page is asked for before this one is handed on,
 * so Elasticsearch computes it while the caller transforms and writes this one; at most two pages
 * are held at once (one, with `prefetch: false`). Stopping the iteration early drops the page in
 * flight. Each page's size is the PageSizer's (page-size.ts): es.page_size, or sized for the answers
 * so far with `auto`.
 */

export interface DayPage {
  /** The page's buckets, checked: inside the day, in time order, metrics well-formed. */
  readonly rows: readonly RawRow[];
  /** True when another page follows: every bucket before this page's last one is complete. */
  readonly more: boolean;
  readonly took: number;
  readonly totalHits: number;
  /**
   * The answer's aggregations but the rows' or the histogram's (a split walk's first page carries its
   * checks beside them; the parsed buckets are not kept, so that no page holds its answer twice).
   */
  readonly aggregations: Record<string, unknown>;
}

export interface PageDayOptions {
  /**
   * The request of a page of `size` buckets after `after`; `table` is then the shape of its answers
   * (a split walk's table). Default: the table's own request (buildDayQuery).
   */
  readonly body?: (size: number, after?: Record<string, unknown>) => QueryClause;
  /** The configured table, named in errors (default: `table`). */
  readonly what?: Pick<TableConfig, 'index' | 'name'>;
  /** Sizes the pages; default: a new one from es.page_size and es.max_response_mb. */
  readonly sizer?: PageSizer;
  /**
   * false: the next page is asked for only when the caller asks for it (walks side by side, which
   * choose themselves which one reads ahead, so that one page is in flight in all, not one each).
   */
  readonly prefetch?: boolean;
}

export async function* pageDay(
  es: SearchContext,
  table: TableConfig,
  range: DayRange,
  config: Config,
  options: PageDayOptions = {},
): AsyncGenerator<DayPage, void, undefined> {
  const checker = new PageChecker(table, range);
  const named = options.what ?? table;
  const what = { index: named.index, table: named.name, day: range.day };
  const sizer = options.sizer ?? new PageSizer(config.es.page_size, config.es.max_response_mb * 1024 * 1024);
  const body =
    options.body ??
    ((size: number, after?: Record<string, unknown>) => buildDayQuery(table, range, config, after, size));
  const paged = table.levels.length > 0;

  const fetchSized = async (
    after: Record<string, unknown> | undefined,
  ): Promise<{ result: SearchResult; size: number }> => {
    for (;;) {
      const size = sizer.next();
      try {
        return { result: await searchAggregations(es, what, body(size, after)), size };
      } catch (err) {
        const smaller = paged ? resize(err, size) : undefined;
        if (smaller === undefined) throw err;
        es.log.info(
          { table: what.table, day: what.day, pageSize: size, nextPageSize: smaller },
          'composite page too large for the answer bounds: asking it again smaller',
        );
      }
    }
  };
  /** The smaller page to ask again after `err`, or undefined to let the error stand. */
  const resize = (err: unknown, size: number): number | undefined => {
    if (!(err instanceof EsError)) return undefined;
    if (err.cause instanceof AnswerTooLargeError) return sizer.shrinkAfterTooLarge();
    const limit = tooManyBucketsLimit(err.cause);
    if (limit === undefined) return undefined;
    const smaller = sizer.limitBuckets(limit);
    if (smaller === undefined && !sizer.auto)
      throw new EsError(
        `Elasticsearch refused a composite page of ${size} buckets for "${what.index}": es.page_size is more than the cluster's search.max_buckets (${limit}); lower es.page_size, or set it to auto`,
        { table: what.table, day: what.day, cause: err },
      );
    return smaller;
  };
  const fetchPage = (after?: Record<string, unknown>): Promise<{ result: SearchResult; size: number }> => {
    const pending = es.signal?.aborted ? Promise.reject(new InterruptedError()) : fetchSized(after);
    // Awaited on the next turn of the loop; if this page fails first, its outcome is dropped.
    pending.catch(() => undefined);
    return pending;
  };
  const prefetch = options.prefetch ?? true;
  let pending: Promise<{ result: SearchResult; size: number }> | undefined = fetchPage();
  let after: Record<string, unknown> | undefined;
  /**
   * The page of an answer, with the next page asked for (when prefetching). A function, so that the
   * generator keeps no reference to the parsed answer while it waits at `yield`: the caller's
   * memory is then the page it holds and the one in flight.
   */
  const read = ({ result, size }: { result: SearchResult; size: number }): DayPage => {
    const page = flattenAggregations(result.aggregations, table);
    // Nothing of a page is used before it is checked: inside the day, in order, after_key advancing.
    checker.check(page, result.totalHits);
    sizer.observe(page.rows.length, result.answerBytes);
    // A composite page holding fewer buckets than asked for is the last: Elasticsearch fills a page
    // before it stops. It still sends an after_key, but following it would cost one more pass over
    // the day's documents for an empty page. (Should that ever be wrong, the caller's totals check
    // fails the day instead of writing it short, for every table with a count metric.)
    const more: boolean = page.afterKey !== undefined && page.rows.length >= size;
    after = more ? page.afterKey : undefined;
    pending = more && prefetch ? fetchPage(after) : undefined;
    const { [ROWS_AGG]: _rows, [TIME_AGG]: _time, ...others } = result.aggregations;
    return { rows: page.rows, more, took: result.took, totalHits: result.totalHits, aggregations: others };
  };
  while (pending !== undefined) {
    yield read(await pending);
    if (pending === undefined && after !== undefined) pending = fetchPage(after);
  }
}

/** The cluster's search.max_buckets from its refusal of a page (too_many_buckets_exception). */
export function tooManyBucketsLimit(err: unknown): number | undefined {
  if (!(err instanceof errors.ResponseError)) return undefined;
  const error = (err.body as { error?: unknown } | undefined)?.error;
  const candidates: unknown[] = [];
  let node: unknown = error;
  for (let depth = 0; typeof node === 'object' && node !== null && depth < 20; depth++) {
    candidates.push(node);
    const root = (node as { root_cause?: unknown }).root_cause;
    if (Array.isArray(root)) candidates.push(...root);
    node = (node as { caused_by?: unknown }).caused_by;
  }
  for (const c of candidates) {
    const { type, max_buckets: max } = c as { type?: unknown; max_buckets?: unknown };
    if (type === 'too_many_buckets_exception' && typeof max === 'number' && Number.isSafeInteger(max))
      return max;
  }
  return undefined;
}
