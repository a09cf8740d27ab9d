import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OTHER_KEY, boundRows, isOtherRow, rowBounder } from '../../src/transform/row-bound.js';
import { isWritableKey } from '../../src/transform/safe-value.js';
import { validateConfig, defaultConfig } from '../../src/config/validate.js';
import type { Metric } from '../../src/config/schema.js';
import type { KeyedRow } from '../../src/transform/rows.js';

const METRICS: Metric[] = [
  { name: 'count', type: 'count' },
  { name: 'bytes', type: 'sum', field: 'network.bytes' },
  { name: 'largest', type: 'max', field: 'network.bytes' },
  { name: 'smallest', type: 'min', field: 'network.bytes' },
];

/** Day rows as the merger drains them: buckets in time order, unique keys in each bucket. */
const dayRows = fc
  .array(
    fc.record({
      bucket: fc.integer({ min: 0, max: 5 }),
      keys: fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', ''), fc.constantFrom('x', 'y', 'z', '443')),
      count: fc.integer({ min: 0, max: 50 }),
      bytes: fc.integer({ min: 0, max: 1e9 }),
      max: fc.option(fc.integer({ min: 0, max: 1e6 })),
      min: fc.option(fc.integer({ min: 0, max: 1e6 })),
    }),
    { maxLength: 120 },
  )
  .map((cells) => {
    const unique = new Map<string, (typeof cells)[number]>();
    for (const c of cells) unique.set(`${c.bucket}|${c.keys.join('|')}`, c);
    return [...unique.values()]
      .sort((a, b) => a.bucket - b.bucket)
      .map((c): KeyedRow => ({
        time: 1_700_000_000_000 + c.bucket * 900_000,
        keys: c.keys,
        metrics: [c.count, c.bytes, c.max, c.min],
      }));
  });

/** Per bucket: summed count and bytes, the largest max and the smallest min; computed on its own. */
function bucketTotals(rows: readonly KeyedRow[]): Map<number, (number | null)[]> {
  const out = new Map<number, (number | null)[]>();
  for (const r of rows) {
    const t = out.get(r.time) ?? [0, 0, null, null];
    const [c, b, mx, mn] = r.metrics as [number, number, number | null, number | null];
    out.set(r.time, [
      (t[0] as number) + c,
      (t[1] as number) + b,
      mx === null ? t[2]! : t[2] === null ? mx : Math.max(t[2]!, mx),
      mn === null ? t[3]! : t[3] === null ? mn : Math.min(t[3]!, mn),
    ]);
  }
  return out;
}

test('property: every bucket keeps the unbounded totals, with at most top + 1 rows', () => {
  fc.assert(
    fc.property(
      dayRows,
      fc.integer({ min: 1, max: 8 }),
      fc.constantFrom('count', 'bytes'),
      (rows, top, by) => {
        const bounded = boundRows(rows, METRICS, { top, by }, 2);
        assert.deepEqual(bucketTotals(bounded), bucketTotals(rows));
        const perBucket = new Map<number, KeyedRow[]>();
        for (const r of bounded) perBucket.set(r.time, [...(perBucket.get(r.time) ?? []), r]);
        for (const [time, bucket] of perBucket) {
          const input = rows.filter((r) => r.time === time);
          assert.ok(bucket.length <= top + 1);
          const others = bucket.filter((r) => isOtherRow(r.keys));
          // Folded only when there is more than fits, then once, last.
          assert.equal(others.length, input.length > top ? 1 : 0);
          if (others.length === 1) assert.equal(bucket.at(-1), others[0]);
          // The kept rows are real rows, unchanged, and none folded outranks a kept one.
          const kept = bucket.filter((r) => !isOtherRow(r.keys));
          const i = by === 'count' ? 0 : 1;
          const keptSet = new Set(kept.map((r) => r.keys.join('|')));
          for (const r of kept)
            assert.ok(input.some((x) => x.keys.join('|') === r.keys.join('|') && x.metrics === r.metrics));
          const folded = input.filter((r) => !keptSet.has(r.keys.join('|')));
          const lowestKept = Math.min(...kept.map((r) => r.metrics[i] as number));
          for (const f of folded) assert.ok((f.metrics[i] as number) <= lowestKept);
        }
        // Times stay in order.
        assert.deepEqual(
          bounded.map((r) => r.time),
          [...bounded.map((r) => r.time)].sort((a, b) => a - b),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('ties are broken by the keys, whatever order the rows came in', () => {
  const row = (keys: string[], count: number): KeyedRow => ({
    time: 0,
    keys,
    metrics: [count, 10, null, null],
  });
  const rows = [row(['c', 'x'], 5), row(['a', 'x'], 5), row(['b', 'x'], 5), row(['d', 'x'], 9)];
  const expected = [
    ['a', 'x'],
    ['d', 'x'],
    [OTHER_KEY, OTHER_KEY],
  ];
  for (const order of [rows, [...rows].reverse(), [rows[2]!, rows[0]!, rows[3]!, rows[1]!]]) {
    const out = boundRows(order, METRICS, { top: 2, by: 'count' }, 2);
    assert.deepEqual(
      out.map((r) => r.keys),
      expected,
    );
    assert.deepEqual(out.at(-1)!.metrics, [10, 20, null, null]);
  }
});

test('the other row: bytes rank too, max and min of the folded rows, never a writable key', () => {
  const rows: KeyedRow[] = [
    { time: 0, keys: ['a'], metrics: [100, 1, 7, 7] },
    { time: 0, keys: ['b'], metrics: [1, 900, 3, 2] },
    { time: 0, keys: ['c'], metrics: [2, 5, 50, null] },
  ];
  const out = boundRows(rows, METRICS, { top: 1, by: 'bytes' }, 1);
  assert.deepEqual(out, [
    { time: 0, keys: ['b'], metrics: [1, 900, 3, 2] },
    { time: 0, keys: [OTHER_KEY], metrics: [102, 6, 50, 7] },
  ]);
  // No transform but text can write it, so no real row collides with it.
  assert.equal(isWritableKey(OTHER_KEY), false);
  assert.ok(!/^[=+\-@\t\r]/.test(OTHER_KEY));
});

test('without a bound the rows pass unchanged (the files keep their bytes)', () => {
  const i2e = defaultConfig().tables.find((t) => t.name === 'internal_to_external')!;
  const rows: KeyedRow[] = [{ time: 0, keys: ['a', 'b'], metrics: [1, 2] }];
  assert.equal(rowBounder(i2e)(rows), rows);
  assert.equal(i2e.row_bound, undefined);
  assert.equal(i2e.interval, undefined);
});

test('config: row_bound and interval are checked with one line each', () => {
  const base = defaultConfig().tables.find((t) => t.name === 'internal_to_external')!;
  const total = defaultConfig().tables.find((t) => t.name === 'total')!;
  const check = (tables: unknown[], timezone = 'UTC') => validateConfig({ timezone, tables }).errors;
  assert.deepEqual(check([{ ...base, row_bound: { top: 500 } }]), []);
  assert.deepEqual(check([{ ...base, row_bound: { top: 500, by: 'bytes' }, interval: '1h' }]), []);
  assert.match(
    check([{ ...base, row_bound: { top: 5, by: 'nope' } }]).join(),
    /row_bound\.by must name a count or sum metric/,
  );
  assert.match(check([{ ...base, row_bound: { top: 0 } }]).join(), /row_bound\.top/);
  assert.match(check([{ ...total, row_bound: { top: 5 } }]).join(), /row_bound is for tables with levels/);
  assert.match(check([{ ...total, interval: '1h' }]).join(), /interval 1h is for tables with levels/);
  assert.match(check([{ ...base, interval: '30m' }]).join(), /interval/);
  assert.deepEqual(check([{ ...base, interval: '1h' }], 'Europe/Berlin'), []);
  assert.deepEqual(check([{ ...base, interval: '1h' }], 'Asia/Kolkata'), []);
  assert.match(
    check([{ ...base, interval: '1h' }], 'Australia/Lord_Howe').join(),
    /interval 1h needs a time zone .* Australia\/Lord_Howe/,
  );
  const textOnly = {
    ...base,
    levels: [{ column: 'agent', fields: ['user_agent.original'], transform: 'text' }],
  };
  assert.match(
    check([{ ...textOnly, row_bound: { top: 5 } }]).join(),
    /at least one level whose transform is not text/,
  );
});
