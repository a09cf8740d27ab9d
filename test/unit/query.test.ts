import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDayQuery, buildFilterClause } from '../../src/extract/query.js';
import { defaultConfig } from '../../src/config/validate.js';
import { tableSchema } from '../../src/config/schema.js';
import { dayRange } from '../../src/time/day.js';

const config = defaultConfig();
const table = (name: string) => config.tables.find((t) => t.name === name)!;
const range = dayRange('2026-11-24');

test('a time series is one bounded 15-minute date_histogram over the UTC day', () => {
  assert.deepEqual(buildDayQuery(table('dns'), range, config), {
    size: 0,
    track_total_hits: true,
    query: {
      bool: {
        filter: [
          {
            range: {
              '@timestamp': {
                gte: '2026-11-24T00:00:00.000Z',
                lt: '2026-11-25T00:00:00.000Z',
                format: 'strict_date_optional_time',
              },
            },
          },
        ],
      },
    },
    aggs: {
      time: {
        date_histogram: {
          field: '@timestamp',
          fixed_interval: '15m',
          min_doc_count: 0,
          extended_bounds: {
            min: Date.parse('2026-11-24T00:00:00Z'),
            max: Date.parse('2026-11-25T00:00:00Z') - 1,
          },
        },
        aggs: { bytes: { sum: { field: 'network.bytes' } } },
      },
    },
  });
});

test('a zone with daylight saving passes time_zone and the local day bounds', () => {
  const body = buildDayQuery(table('total'), dayRange('2026-10-25', 'Europe/Berlin'), config) as {
    aggs: { time: { date_histogram: Record<string, unknown> } };
  };
  assert.equal(body.aggs.time.date_histogram.time_zone, 'Europe/Berlin');
  assert.deepEqual(body.aggs.time.date_histogram.extended_bounds, {
    min: Date.parse('2026-10-24T22:00:00Z'),
    max: Date.parse('2026-10-25T23:00:00Z') - 1,
  });
});

test('flow tables page a composite: time, then one terms source per level field, missing buckets kept', () => {
  // The page's size is the walk's (page-size.ts); without one, es.page_size (auto: the first page).
  assert.equal(
    (
      buildDayQuery(table('internal_to_external'), range, config) as {
        aggs: { rows: { composite: { size: number } } };
      }
    ).aggs.rows.composite.size,
    25_000,
  );
  const body = buildDayQuery(table('internal_to_external'), range, config, { time: 1, l0f0: 'a' }, 5000) as {
    query: unknown;
    aggs: { rows: { composite: Record<string, unknown> } };
  };
  assert.deepEqual(body.aggs.rows.composite, {
    size: 5000,
    sources: [
      { time: { date_histogram: { field: '@timestamp', fixed_interval: '15m' } } },
      { l0f0: { terms: { field: 'source.ip', missing_bucket: true } } },
      { l1f0: { terms: { field: 'destination.domain', missing_bucket: true } } },
      { l1f1: { terms: { field: 'destination.ip', missing_bucket: true } } },
    ],
    after: { time: 1, l0f0: 'a' },
  });
  const filters = (body.query as { bool: { filter: unknown[] } }).bool.filter;
  assert.deepEqual(filters.slice(1), [
    { terms: { 'source.ip': config.internal_networks } },
    {
      bool: {
        filter: [{ exists: { field: 'destination.ip' } }],
        must_not: [{ terms: { 'destination.ip': config.internal_networks } }],
      },
    },
  ]);
});

test('terms mode nests one terms aggregation per level with terms_size', () => {
  const t = tableSchema.parse({
    name: 'x',
    index: 'i',
    aggregation: 'terms',
    terms_size: 7,
    levels: [
      { column: 'a', fields: ['f1'], transform: 'keep' },
      { column: 'b', fields: ['f2'], transform: 'ip' },
    ],
  });
  const body = buildDayQuery(t, range, config) as { aggs: { time: { aggs: unknown } } };
  assert.deepEqual(body.aggs.time.aggs, {
    l0f0: {
      terms: { field: 'f1', size: 7 },
      aggs: {
        l1f0: { terms: { field: 'f2', size: 7 }, aggs: { bytes: { sum: { field: 'network.bytes' } } } },
      },
    },
  });
});

test('filter clauses', () => {
  assert.deepEqual(buildFilterClause({ term: { field: 'event.dataset', value: 'dns' } }, []), {
    term: { 'event.dataset': 'dns' },
  });
  assert.deepEqual(buildFilterClause({ missing: 'url.domain' }, []), {
    bool: { must_not: [{ exists: { field: 'url.domain' } }] },
  });
  assert.deepEqual(buildFilterClause({ raw: { match_all: {} } }, []), { match_all: {} });
});
