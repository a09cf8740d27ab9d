import { InterruptedError } from '../errors.js';
import type { RawRow } from '../transform/flatten.js';
import { PageChecker } from './check-page.js';
import type { QueryClause } from './query.js';
import {
  searchAggregations,
  sendJson,
  withEsRetry,
  type SearchContext,
  type SearchResult,
} from './search.js';
import { balancedPage, PageSizer } from './page-size.js';
import { pageDay, type DayPage } from './page-day.js';
import {
  buildSeriesGroupQuery,
  buildSplitQuery,
  fieldsAreIntegers,
  planRequests,
  rowSumsExact,
  splitPageProblem,
  splitSeriesAnswer,
  splitTable,
  splitValueIndex,
  summedFields,
  tableRowOf,
  type LevelSplit,
  type RequestPlan,
  type SeriesGroup,
  type SeriesTableAnswer,
} from './plan-requests.js';
import { bucketMinutesOf, type Config, type TableConfig } from '../config/schema.js';
import type { DayRange } from '../time/day.js';

/**
 * The edge of the query planner (plan-requests.ts): it sends the planned requests, pages composite
 * walks (page-day.ts) with a page size chosen for the answers (page-size.ts), and hands the rows of one (table, day)
 * to the caller in time order, exactly as one walk per table would give them. The caller merges,
 * transforms and writes; every page is checked (check-page.ts) before any row of it is used.
 */

/** A split walk found a document it could count differently: the table-day is loaded again, unsplit. */
export class PlanFallbackError extends Error {
  constructor(
    readonly table: string,
    reason: string,
  ) {
    super(`${table}: the split plan cannot give the same rows (${reason}); loading it with one walk`);
    this.name = 'PlanFallbackError';
  }
}

export interface WalkStats {
  readonly buckets: number;
  readonly requests: number;
  readonly tookMs: number;
  readonly totalHits: number;
}

/** Receives checked rows in time order; every bucket before `completeBefore` is complete. */
export type RowsSink = (rows: RawRow[], completeBefore: number | undefined) => Promise<void> | void;

interface SeriesEntry {
  readonly answer: Promise<{ tables: Map<string, SeriesTableAnswer>; tookMs: number } | undefined>;
  /** The tables that have not taken their rows yet: the entry is dropped when none is left. */
  readonly waiting: Set<string>;
  charged: boolean;
}

/**
 * One per run: the plan for the run's tables, what Elasticsearch said about their indices (resolved
 * once per run), the answers of series groups shared by the tables of a day, and the cluster's bucket
 * limit once learned.
 */
export class LoadPlanner {
  readonly plan: RequestPlan;
  private readonly resolved = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  private readonly integerSums = new Map<string, Promise<boolean>>();
  private readonly series = new Map<string, SeriesEntry>();
  private readonly unsplit = new Set<string>();
  private readonly jobDays = new Map<string, Set<string>>();
  maxBuckets = Number.POSITIVE_INFINITY;

  constructor(
    jobs: readonly { table: TableConfig; day: string }[],
    private readonly config: Config,
    private readonly es: SearchContext,
  ) {
    const tables = [...new Map(jobs.map((j) => [j.table.name, j.table])).values()];
    this.plan = planRequests(tables);
    for (const j of jobs) {
      const names = this.jobDays.get(j.day) ?? new Set<string>();
      names.add(j.table.name);
      this.jobDays.set(j.day, names);
    }
  }

  /** After a PlanFallbackError: this table is walked whole for the rest of the run. */
  disableSplit(table: string): void {
    this.unsplit.add(table);
  }

  /** The split of the table's fallback level, when planned and exact for its sums. */
  async splitOf(table: TableConfig): Promise<LevelSplit | undefined> {
    const split = this.plan.splits.get(table.name);
    if (split === undefined || this.unsplit.has(table.name)) return undefined;
    const fields = summedFields(table.metrics);
    if (fields.length === 0) return split;
    let exact = this.integerSums.get(table.name);
    if (exact === undefined) {
      exact = this.ask(`/${encodeURIComponent(table.index)}/_field_caps`, {
        fields: fields.join(','),
        allow_no_indices: false,
        ignore_unavailable: false,
      }).then((answer) => answer !== undefined && fieldsAreIntegers(answer, fields));
      this.integerSums.set(table.name, exact);
    }
    return (await exact) ? split : undefined;
  }

  /**
   * The table's rows from its series group's shared request, or undefined when the table is asked
   * alone (no group, or the group's answer could not be split exactly). The first table of the group
   * to take its rows is charged the request.
   */
  async seriesRows(
    table: TableConfig,
    range: DayRange,
  ): Promise<(SeriesTableAnswer & { requests: number; tookMs: number }) | undefined> {
    const group = this.plan.groupOf.get(table.name);
    if (group === undefined) return undefined;
    const key = `${group.key}\u0000${range.day}`;
    let entry = this.series.get(key);
    if (entry === undefined) {
      const waiting = new Set(
        group.tables.map((t) => t.name).filter((n) => this.jobDays.get(range.day)?.has(n)),
      );
      entry = { answer: this.fetchSeries(group, range), waiting, charged: false };
      this.series.set(key, entry);
    }
    const answer = await entry.answer;
    entry.waiting.delete(table.name);
    if (entry.waiting.size === 0 && this.series.get(key) === entry) this.series.delete(key);
    const mine = answer?.tables.get(table.name);
    if (answer === undefined || mine === undefined) return undefined;
    const charge = !entry.charged;
    entry.charged = true;
    return { ...mine, requests: charge ? 1 : 0, tookMs: charge ? answer.tookMs : 0 };
  }

  private async fetchSeries(
    group: SeriesGroup,
    range: DayRange,
  ): Promise<{ tables: Map<string, SeriesTableAnswer>; tookMs: number } | undefined> {
    const log = this.es.log.child({ day: range.day, tables: group.tables.map((t) => t.name).join(',') });
    // Each table's own pattern, resolved as its search would resolve it; a table whose pattern
    // matches nothing (or an alias with a filter) is asked alone, and fails alone, as before.
    const indicesOf = new Map<string, ReadonlySet<string>>();
    for (const t of group.tables) {
      const indices = await this.resolve(t.index);
      if (indices !== undefined) indicesOf.set(t.name, indices);
    }
    const members = group.tables.filter((t) => indicesOf.has(t.name));
    if (members.length < 2) return undefined;
    const sub: SeriesGroup = {
      key: group.key,
      tables: members,
      indexPatterns: [...new Set(members.flatMap((t) => t.index.split(',')))],
    };
    let result: SearchResult;
    try {
      result = await searchAggregations(
        this.es,
        { index: sub.indexPatterns.join(','), table: members.map((t) => t.name).join(','), day: range.day },
        buildSeriesGroupQuery(sub, range, this.config),
      );
    } catch (err) {
      if (err instanceof InterruptedError || this.es.signal?.aborted) throw new InterruptedError();
      // Each table asks alone: one red index fails only the tables that read it.
      log.info({ err }, 'series group request failed: each table asks alone');
      return undefined;
    }
    const split = splitSeriesAnswer(sub, result.aggregations, result.totalHits, indicesOf, range);
    if ('fallback' in split) {
      log.info({ reason: split.fallback }, 'series group answer not split exactly: each table asks alone');
      // Indices may have appeared since they were resolved: resolve again for the next day.
      this.resolved.clear();
      return undefined;
    }
    return { tables: split.tables, tookMs: result.took };
  }

  /** The concrete indices a search on `pattern` reads, or undefined when that cannot be known. */
  private resolve(pattern: string): Promise<ReadonlySet<string> | undefined> {
    let indices = this.resolved.get(pattern);
    if (indices === undefined) {
      indices = this.ask(`/${encodeURIComponent(pattern)}/_search_shards`, {
        allow_no_indices: false,
        ignore_unavailable: false,
      }).then((answer) => {
        const listed = (answer as { indices?: unknown } | undefined)?.indices;
        if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) return undefined;
        const entries = Object.entries(listed as Record<string, unknown>);
        // An alias with a filter: its documents are not all of its indices' documents.
        if (
          entries.length === 0 ||
          entries.some(([, v]) => (v as { filter?: unknown } | null)?.filter !== undefined)
        )
          return undefined;
        return new Set(entries.map(([name]) => name));
      });
      this.resolved.set(pattern, indices);
    }
    return indices;
  }

  /**
   * One metadata request, retried as every request is (a busy cluster's 429 passes); undefined when it
   * still fails (the plan then falls back to one walk per table).
   */
  private async ask(path: string, querystring: Record<string, string | boolean>): Promise<unknown> {
    try {
      return await withEsRetry(this.es, { index: decodeURIComponent(path.split('/')[1] ?? '') }, () =>
        sendJson(this.es, { method: 'GET', path, querystring }),
      );
    } catch (err) {
      if (this.es.signal?.aborted) throw new InterruptedError();
      this.es.log.debug({ err, path: path.split('/').at(-1) }, 'planner metadata request failed: no plan');
      return undefined;
    }
  }
}

/**
 * Every row of one (table, day), checked, in time order, through `sink`: from the table's series
 * group, its level split, or one composite walk, as planned.
 */
export async function walkTableDay(ctx: WalkContext, range: DayRange, sink: RowsSink): Promise<WalkStats> {
  const { table, planner } = ctx;
  if (planner !== undefined) {
    const series = await planner.seriesRows(table, range);
    if (series !== undefined) {
      new PageChecker(table, range).check({ rows: series.rows }, series.totalHits);
      await sink(series.rows, undefined);
      return {
        buckets: series.rows.length,
        requests: series.requests,
        tookMs: series.tookMs,
        totalHits: series.totalHits,
      };
    }
    const split = await planner.splitOf(table);
    if (split !== undefined) return walkSplit(ctx, split, range, sink);
  }
  const walk = new Walk(ctx, table, range);
  for (;;) {
    const page = await walk.next();
    // Composite pages are sorted by time first: every bucket before the page's last one is complete.
    await sink([...page.rows], page.more ? page.rows.at(-1)?.time : undefined);
    if (!page.more) break;
  }
  walk.end();
  return walk.stats();
}

export interface WalkContext {
  readonly table: TableConfig;
  readonly config: Config;
  readonly es: SearchContext;
  readonly planner?: LoadPlanner;
}

/**
 * The split walks of a fallback level side by side: pages are asked of the walk that is furthest
 * behind in time, and a bucket is handed on once every walk has passed it. Only that walk reads
 * ahead (the walks do not prefetch on their own), so memory holds one page in flight, the page
 * being handed on and the open buckets, as a single walk does. (What held the flow tables' split at
 * 1M documents a day to 27 MB more live heap than one walk were a walk running ahead in time and
 * parsed answers kept by waiting walks: balancedPage and pageDay, bench/notes.md.)
 */
async function walkSplit(
  ctx: WalkContext,
  split: LevelSplit,
  range: DayRange,
  sink: RowsSink,
): Promise<WalkStats> {
  const { table, config } = ctx;
  const valueIndex = splitValueIndex(table, split);
  const walks = split.fields.map(
    (_, k) =>
      new Walk(
        ctx,
        splitTable(table, split, k),
        range,
        (size, after) => buildSplitQuery(table, split, k, range, config, size, after),
        false,
      ),
  );
  const tableRows = split.fields.map((_, k) => tableRowOf(table, split, k));
  const frontier = walks.map(() => Number.NEGATIVE_INFINITY);
  const taken = walks.map(() => 0);
  const start = range.start.getTime();
  const width = bucketMinutesOf(table) * 60_000;
  /** Walk k's buckets per millisecond of the day it has covered (after its first page). */
  const densityOf = (k: number): number => walks[k]!.buckets / (frontier[k]! - start + width);
  /** Walk j's next page, sized to keep pace with the densest walk still going (balancedPage). */
  const ask = (j: number): Promise<DayPage> => {
    if (taken.some((n) => n > 0)) {
      let densest = 0;
      let full = walks[j]!.pageSize();
      walks.forEach((w, k) => {
        if (taken[k] === 0 || frontier[k] === Number.POSITIVE_INFINITY) return;
        if (densityOf(k) > densest) [densest, full] = [densityOf(k), w.pageSize()];
      });
      const density = taken[j] === 0 ? undefined : densityOf(j);
      walks[j]!.capNext(balancedPage(full, walks.length, density, densest));
    }
    return walks[j]!.next();
  };
  /** The page asked ahead, of the walk that was furthest behind after the last page. */
  let ahead: { k: number; page: Promise<DayPage> } | undefined;
  const take = async (k: number): Promise<void> => {
    let pending: Promise<DayPage>;
    if (ahead?.k === k) {
      pending = ahead.page;
      ahead = undefined;
    } else pending = ask(k);
    const page = await pending;
    const problem =
      splitPageProblem(split, k, page.rows, valueIndex, page.aggregations, taken[k] === 0) ??
      (page.rows.every((r) => rowSumsExact(table.metrics, r)) ? undefined : 'a sum is not an integer');
    taken[k]!++;
    if (problem !== undefined) throw new PlanFallbackError(table.name, problem);
    frontier[k] = page.more ? (page.rows.at(-1)?.time ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    // Elasticsearch computes the next page while this one is handed on.
    const behind = Math.min(...frontier);
    if (behind !== Number.POSITIVE_INFINITY) {
      const j = frontier.indexOf(behind);
      ahead = { k: j, page: ask(j) };
      // Awaited when walk j is taken; if this walk fails first, its outcome is dropped.
      ahead.page.catch(() => undefined);
    }
    await sink(page.rows.map(tableRows[k]!), undefined);
  };
  try {
    for (let k = 0; k < walks.length; k++) await take(k);
    for (;;) {
      const behind = Math.min(...frontier);
      if (behind === Number.POSITIVE_INFINITY) break;
      await sink([], behind);
      await take(frontier.indexOf(behind));
    }
  } finally {
    // A walk left early (a failure, a fallback) drops the page it has in flight.
    for (const w of walks) w.end();
  }
  const stats = walks.map((w) => w.stats());
  return {
    buckets: stats.reduce((s, x) => s + x.buckets, 0),
    requests: stats.reduce((s, x) => s + x.requests, 0),
    tookMs: stats.reduce((s, x) => s + x.tookMs, 0),
    totalHits: stats.reduce((s, x) => s + x.totalHits, 0),
  };
}

/** One composite walk (pageDay) with its counts; its page sizes start from what the run learned. */
class Walk {
  requests = 0;
  buckets = 0;
  private tookMs = 0;
  private totalHits = 0;
  private readonly sizer: PageSizer;
  private readonly pages: AsyncGenerator<DayPage, void, undefined>;

  constructor(
    private readonly ctx: WalkContext,
    /** The shape of this walk's answers (a split's table for a split walk). */
    shape: TableConfig,
    range: DayRange,
    body?: (size: number, after?: Record<string, unknown>) => QueryClause,
    /** false: the next page is asked for only when next() is called (walkSplit reads ahead itself). */
    prefetch = true,
  ) {
    const { config } = ctx;
    this.sizer = new PageSizer(
      config.es.page_size,
      config.es.max_response_mb * 1024 * 1024,
      ctx.planner?.maxBuckets,
    );
    this.pages = pageDay(ctx.es, shape, range, config, {
      sizer: this.sizer,
      what: ctx.table,
      ...(body !== undefined && { body }),
      prefetch,
    });
  }

  async next(): Promise<DayPage> {
    const next = await this.pages.next();
    // pageDay ends after a page with `more: false`; next() is not called again after it.
    if (next.done) throw new Error('a composite walk was asked for a page after its last one');
    const page = next.value;
    if (this.requests === 0) this.totalHits = page.totalHits;
    this.requests++;
    this.tookMs += page.took;
    this.buckets += page.rows.length;
    return page;
  }

  /** The size of the walk's next page, as its sizer has it. */
  pageSize(): number {
    return this.sizer.next();
  }

  /** At most `buckets` in the walk's next page (automatic page sizes only). */
  capNext(buckets: number): void {
    this.sizer.capNext(buckets);
  }

  /** Ends the walk (dropping a page in flight) and keeps the bucket limit it learned for the run. */
  end(): void {
    void this.pages.return(undefined);
    if (this.ctx.planner)
      this.ctx.planner.maxBuckets = Math.min(this.ctx.planner.maxBuckets, this.sizer.learnedMaxBuckets);
  }

  stats(): WalkStats {
    return { buckets: this.buckets, requests: this.requests, tookMs: this.tookMs, totalHits: this.totalHits };
  }
}
