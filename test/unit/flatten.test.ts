import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { flattenAggregations } from '../../src/transform/flatten.js';
import { defaultConfig } from '../../src/config/validate.js';
import { tableSchema } from '../../src/config/schema.js';
import { DataError } from '../../src/errors.js';

// Responses recorded from the real local Elasticsearch by scripts/record-fixtures.ts.
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as {
    response: { hits: { total: { value: number } }; aggregations: Record<string, unknown> };
  };
const config = defaultConfig();
const table = (name: string) => config.tables.find((t) => t.name === name)!;

test('a recorded time series flattens to 96 rows whose counts add up to the hits', () => {
  const { response } = fixture('dns-timeseries.json');
  const { rows, afterKey } = flattenAggregations(response.aggregations, table('dns'));
  assert.equal(rows.length, 96);
  assert.equal(afterKey, undefined);
  assert.equal(
    rows.reduce((s, r) => s + r.metrics[0]!, 0),
    response.hits.total.value,
  );
  assert.equal(rows[0]!.time, Date.parse('2026-11-24T00:00:00Z'));
  assert.equal(rows[56]!.time, Date.parse('2026-11-24T14:00:00Z'));
  // The injected DNS tunnel makes 14:00 the largest bucket.
  const max = Math.max(...rows.map((r) => r.metrics[0]!));
  assert.equal(rows[56]!.metrics[0], max);
});

test('recorded composite pages flatten with one value per level field and an after_key', () => {
  const p1 = flattenAggregations(
    fixture('i2e-composite-page1.json').response.aggregations,
    table('internal_to_external'),
  );
  const p2 = flattenAggregations(
    fixture('i2e-composite-page2.json').response.aggregations,
    table('internal_to_external'),
  );
  assert.equal(p1.rows.length, 25);
  assert.equal(p2.rows.length, 25);
  assert.ok(p1.afterKey);
  for (const r of p1.rows) assert.equal(r.values.length, 3);
  // Pages continue where the previous one stopped: strictly increasing keys across pages.
  const last = p1.rows.at(-1)!;
  const next = p2.rows[0]!;
  assert.ok(
    next.time > last.time || (next.time === last.time && String(next.values[0]) >= String(last.values[0])),
  );
});

test('recorded nested terms flatten to (time, source, destination) rows', () => {
  const beacon = tableSchema.parse({
    name: 'beacon',
    index: 'network-flow',
    aggregation: 'terms',
    levels: [
      { column: 'source', fields: ['source.ip'], transform: 'ip' },
      { column: 'destination', fields: ['destination.domain'], transform: 'host' },
    ],
  });
  const { response } = fixture('beacon-terms.json');
  const { rows } = flattenAggregations(response.aggregations, beacon);
  assert.equal(rows.length, 6, 'one row per hourly beacon burst');
  assert.deepEqual(
    rows.map((r) => new Date(r.time).toISOString().slice(11, 16)),
    ['00:00', '01:00', '02:00', '03:00', '04:00', '05:00'],
  );
  assert.ok(rows.every((r) => r.values[1] === 'cdn-check.beacon-c2.xyz'));
  assert.equal(
    rows.reduce((s, r) => s + r.metrics[0]!, 0),
    response.hits.total.value,
  );
});

test('a terms level that would drop buckets is an error, never silent', () => {
  const overflow = tableSchema.parse({
    name: 'overflow',
    index: 'network-flow',
    aggregation: 'terms',
    terms_size: 2,
    levels: [
      { column: 'source', fields: ['source.ip'], transform: 'ip' },
      { column: 'destination', fields: ['destination.domain'], transform: 'host' },
    ],
  });
  assert.throws(
    () => flattenAggregations(fixture('overflow-terms.json').response.aggregations, overflow),
    (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.match((err as Error).message, /level "source" would drop \d+ documents/);
      return true;
    },
  );
});

test('property: flattening a random terms tree keeps every document and every leaf', () => {
  const twoLevels = tableSchema.parse({
    name: 't',
    index: 'i',
    aggregation: 'terms',
    levels: [
      { column: 'a', fields: ['a'], transform: 'keep' },
      { column: 'b', fields: ['b'], transform: 'keep' },
    ],
    metrics: [
      { name: 'count', type: 'count' },
      { name: 'bytes', type: 'sum', field: 'x' },
    ],
  });
  const leaf = fc.record({
    key: fc.string({ minLength: 1, maxLength: 5 }),
    doc_count: fc.nat(1000),
    bytes: fc.nat(1e6).map((value) => ({ value })),
  });
  const inner = fc.record({
    key: fc.string({ minLength: 1, maxLength: 5 }),
    leaves: fc.array(leaf, { maxLength: 5 }),
  });
  const timeBucket = fc.record({
    key: fc.nat(95).map((i) => i * 900_000),
    inners: fc.array(inner, { maxLength: 4 }),
  });
  fc.assert(
    fc.property(fc.array(timeBucket, { maxLength: 6 }), (times) => {
      const aggregations = {
        time: {
          buckets: times.map((t) => ({
            key: t.key,
            doc_count: 0,
            l0f0: {
              sum_other_doc_count: 0,
              buckets: t.inners.map((i) => ({
                key: i.key,
                doc_count: i.leaves.reduce((s, l) => s + l.doc_count, 0),
                l1f0: { sum_other_doc_count: 0, buckets: i.leaves },
              })),
            },
          })),
        },
      };
      const { rows } = flattenAggregations(aggregations, twoLevels);
      const leaves = times.flatMap((t) => t.inners.flatMap((i) => i.leaves.map((l) => ({ t, i, l }))));
      assert.equal(rows.length, leaves.length);
      assert.equal(
        rows.reduce((s, r) => s + r.metrics[0]!, 0),
        leaves.reduce((s, x) => s + x.l.doc_count, 0),
      );
      assert.equal(
        rows.reduce((s, r) => s + r.metrics[1]!, 0),
        leaves.reduce((s, x) => s + x.l.bytes.value, 0),
      );
      rows.forEach((r, k) =>
        assert.deepEqual([r.time, ...r.values], [leaves[k]!.t.key, leaves[k]!.i.key, leaves[k]!.l.key]),
      );
    }),
    { numRuns: 300 },
  );
});
