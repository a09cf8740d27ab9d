import { EsError } from '../errors.js';
import { buildDayFilter, fixedPageSize, levelFields } from './query.js';
import { searchAggregations, type SearchContext } from './search.js';
import { transformRow } from '../transform/rows.js';
import type { Pseudonymise } from '../transform/pseudonymise.js';
import type { Connection } from '../analysis/beacons.js';
import type { Config, TableConfig } from '../config/schema.js';
import type { DayRange } from '../time/day.js';

/**
 * The exact step of beacon detection (the Elasticsearch edge): the connections of the pairs the day
 * file flagged. The day file holds pseudonyms only, so the pairs are found again the only way the key
 * allows: every source address Elasticsearch holds for the day is pseudonymised with the key and
 * matched; then the matching sources' documents are fetched as one composite aggregation per second
 * × (the table's key fields) × bytes, and each bucket is keyed through the table's own transforms, so
 * a document lands on exactly the pair the day file put it in. Addresses stay in memory: never
 * logged, never written.
 */

export interface BeaconTableShape {
  /** The field of the pseudonymised source level (its first field). */
  readonly sourceField: string;
  /** The field summed into the table's `bytes`. */
  readonly bytesField: string;
}

/** Whether a table allows the exact step, and why not. */
export function beaconTableShape(table: TableConfig): BeaconTableShape | { reason: string } {
  const source = table.levels.find((l) => l.transform === 'ip');
  if (source === undefined)
    return { reason: `${table.name} has no level with transform "ip" (a pseudonymised source)` };
  const bytes = table.metrics.find((m) => m.name === 'bytes' && m.type === 'sum');
  if (bytes === undefined || bytes.type !== 'sum' || !('field' in bytes))
    return { reason: `${table.name} has no "bytes" metric summing one field` };
  return { sourceField: source.fields[0]!, bytesField: bytes.field };
}

interface CompositeAgg {
  buckets?: { key?: Record<string, unknown>; doc_count?: unknown }[];
  after_key?: Record<string, unknown>;
}

/** Pages through a composite aggregation named `pairs`, checking that every page moves on. */
async function* compositePages(
  search: SearchContext,
  what: { index: string; table: string; day: string },
  body: (after?: Record<string, unknown>) => Record<string, unknown>,
): AsyncGenerator<{ key: Record<string, unknown>; count: number }[]> {
  let after: Record<string, unknown> | undefined;
  for (;;) {
    const result = await searchAggregations(search, what, body(after));
    const agg = result.aggregations.pairs as CompositeAgg | undefined;
    if (agg === undefined || !Array.isArray(agg.buckets))
      throw new EsError(
        `Elasticsearch at ${search.endpoint} answered without the composite aggregation for ${what.table} ${what.day}`,
        what,
      );
    const page = agg.buckets.map((b) => {
      const count = b.doc_count;
      if (b.key === undefined || typeof count !== 'number' || !Number.isInteger(count) || count < 0)
        throw new EsError(
          `Elasticsearch at ${search.endpoint} answered a malformed bucket for ${what.table} ${what.day}`,
          what,
        );
      return { key: b.key, count };
    });
    yield page;
    if (page.length === 0 || agg.after_key === undefined) return;
    if (after !== undefined && JSON.stringify(agg.after_key) === JSON.stringify(after))
      throw new EsError(
        `Elasticsearch at ${search.endpoint} repeated a page of ${what.table} ${what.day} (after_key did not move)`,
        what,
      );
    after = agg.after_key;
  }
}

/** The day's source addresses whose pseudonym is one of `wanted`. */
export async function findSourceAddresses(
  search: SearchContext,
  table: TableConfig,
  shape: BeaconTableShape,
  range: DayRange,
  config: Pick<Config, 'internal_networks' | 'es'>,
  wanted: ReadonlySet<string>,
  pseudonymise: Pseudonymise,
): Promise<string[]> {
  const found: string[] = [];
  const what = { index: table.index, table: table.name, day: range.day };
  const body = (after?: Record<string, unknown>) => ({
    size: 0,
    query: buildDayFilter(table, range, config),
    aggs: {
      pairs: {
        composite: {
          size: fixedPageSize(config.es.page_size),
          sources: [{ source: { terms: { field: shape.sourceField } } }],
          ...(after !== undefined && { after }),
        },
      },
    },
  });
  for await (const page of compositePages(search, what, body)) {
    for (const b of page) {
      const ip = b.key.source;
      if ((typeof ip === 'string' || typeof ip === 'number') && wanted.has(pseudonymise(String(ip))))
        found.push(String(ip));
    }
  }
  return found;
}

/**
 * The connections (whole seconds, bytes) of the wanted pairs of the day, by pair id
 * (`JSON.stringify(keys)`), among the documents of the given source addresses.
 */
export async function fetchPairConnections(
  search: SearchContext,
  table: TableConfig,
  shape: BeaconTableShape,
  range: DayRange,
  config: Pick<Config, 'internal_networks' | 'internal_domains' | 'es'>,
  addresses: readonly string[],
  wantedPairs: ReadonlySet<string>,
  pseudonymise: Pseudonymise,
): Promise<Map<string, Connection[]>> {
  const out = new Map<string, Connection[]>();
  if (addresses.length === 0) return out;
  const fields = levelFields(table.levels);
  const what = { index: table.index, table: table.name, day: range.day };
  const filter = buildDayFilter(table, range, config) as { bool: { filter: unknown[] } };
  const body = (after?: Record<string, unknown>) => ({
    size: 0,
    query: { bool: { filter: [...filter.bool.filter, { terms: { [shape.sourceField]: [...addresses] } }] } },
    aggs: {
      pairs: {
        composite: {
          size: fixedPageSize(config.es.page_size),
          sources: [
            { second: { date_histogram: { field: table.time_field, fixed_interval: '1s' } } },
            ...fields.map((f) => ({ [f.name]: { terms: { field: f.path, missing_bucket: true } } })),
            { bytes: { terms: { field: shape.bytesField, missing_bucket: true } } },
          ],
          ...(after !== undefined && { after }),
        },
      },
    },
  });
  const start = range.start.getTime();
  const end = range.end.getTime();
  const transform = { pseudonymise, internalDomains: config.internal_domains };
  for await (const page of compositePages(search, what, body)) {
    for (const b of page) {
      const t = b.key.second;
      if (typeof t !== 'number' || t < start || t >= end)
        throw new EsError(
          `Elasticsearch at ${search.endpoint} answered a second outside ${range.day} for ${table.name}`,
          what,
        );
      const values = fields.map((f) => {
        const v = b.key[f.name];
        return typeof v === 'string' || typeof v === 'number' ? v : null;
      });
      const keys = transformRow({ time: t, values, metrics: [] }, table.levels, transform).keys;
      const id = JSON.stringify(keys);
      if (!wantedPairs.has(id)) continue;
      // A document without the field adds nothing to the day file's sum either: 0 bytes.
      const bytes = typeof b.key.bytes === 'number' ? b.key.bytes : 0;
      const list = out.get(id) ?? out.set(id, []).get(id)!;
      for (let i = 0; i < b.count; i++) list.push({ sec: Math.floor(t / 1000), bytes });
    }
  }
  return out;
}
