import { buildDayQuery } from './query.js';
import { searchAggregations, type SearchContext, type SearchResult } from './search.js';
import { PageChecker } from './check-page.js';
import { flattenAggregations, type RawRow } from '../transform/flatten.js';
import { InterruptedError } from '../errors.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { DayRange } from '../time/day.js';

/**
 * Pages a table's day out of Elasticsearch: composite pages in time order, each flattened and checked
 * (check-page.ts) before it is handed on. The next page is asked for before this one is handed on,
 * so Elasticsearch computes it while the caller transforms and writes this one; at most two pages
 * are held at once. Stopping the iteration early drops the page in flight.
 */

interface DayPage {
  /** The page's buckets, checked: inside the day, in time order, metrics well-formed. */
  readonly rows: readonly RawRow[];
  /** True when another page follows: every bucket before this page's last one is complete. */
  readonly more: boolean;
  readonly took: number;
  readonly totalHits: number;
}

export async function* pageDay(
  es: SearchContext,
  table: TableConfig,
  range: DayRange,
  config: Config,
): AsyncGenerator<DayPage, void, undefined> {
  const checker = new PageChecker(table, range);
  const fetchPage = (after?: Record<string, unknown>): Promise<SearchResult> => {
    const pending = es.signal?.aborted
      ? Promise.reject(new InterruptedError())
      : searchAggregations(
          es,
          { index: table.index, table: table.name, day: range.day },
          buildDayQuery(table, range, config, after),
        );
    // Awaited on the next turn of the loop; if this page fails first, its outcome is dropped.
    pending.catch(() => undefined);
    return pending;
  };
  let next: Promise<SearchResult> | undefined = fetchPage();
  while (next !== undefined) {
    const result = await next;
    const page = flattenAggregations(result.aggregations, table);
    // Nothing of a page is used before it is checked: inside the day, in order, after_key advancing.
    checker.check(page, result.totalHits);
    // A composite page holding fewer buckets than asked for is the last: Elasticsearch fills a page
    // before it stops. It still sends an after_key, but following it would cost one more pass over
    // the day's documents for an empty page. (Should that ever be wrong, the caller's totals check
    // fails the day instead of writing it short, for every table with a count metric.)
    const more = page.afterKey !== undefined && page.rows.length >= config.es.page_size;
    next = more ? fetchPage(page.afterKey) : undefined;
    yield { rows: page.rows, more, took: result.took, totalHits: result.totalHits };
  }
}
