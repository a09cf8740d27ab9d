import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildSeriesGroupQuery,
  buildSplitQuery,
  fieldsAreIntegers,
  isPlainPattern,
  planRequests,
  splitPageProblem,
  splitSeriesAnswer,
  splitValueIndex,
  tableRowOf,
  type LevelSplit,
} from '../../src/extract/plan-requests.js';
import { levelFields } from '../../src/extract/query.js';
import { defaultConfig } from '../../src/config/validate.js';
import { tableSchema, type TableConfig } from '../../src/config/schema.js';
import { bucketStarts, dayRange } from '../../src/time/day.js';
import { createPseudonymiser } from '../../src/transform/pseudonymise.js';
import { transformRow } from '../../src/transform/rows.js';
import { RowMerger } from '../../src/transform/merge.js';
import type { RawRow, RawValue } from '../../src/transform/flatten.js';

const config = defaultConfig();
const byName = (name: string) => config.tables.find((t) => t.name === name)!;
const range = dayRange('2026-11-24');
const day0 = range.start.getTime();
const Q = 15 * 60_000;

// --- the plan ---------------------------------------------------------------------------------------

test('the built-in tables: the seven time series are one group, websites and the flow tables are split', () => {
  const plan = planRequests(config.tables);
  assert.equal(plan.groups.length, 1);
  assert.deepEqual(
    plan.groups[0]!.tables.map((t) => t.name),
    ['total', 'dns', 'dhcp', 'http', 'tls', 'flow', 'firewall'],
  );
  assert.deepEqual(plan.groups[0]!.indexPatterns, [
    'network-*',
    'network-dns',
    'network-dhcp',
    'network-http',
    'network-tls',
    'network-flow',
    'network-firewall',
  ]);
  assert.deepEqual([...plan.splits.keys()], ['internal_to_internal', 'internal_to_external', 'websites']);
  assert.deepEqual(plan.splits.get('websites'), {
    level: 0,
    fields: ['url.domain', 'tls.client.server_name', 'url.full'],
  });
});

test('only series with the same filters and time field share a request; odd patterns are asked alone', () => {
  const t = (name: string, index: string, extra: Record<string, unknown> = {}): TableConfig =>
    tableSchema.parse({ name, index, ...extra });
  const plan = planRequests([
    t('a', 'x-*'),
    t('b', 'x-b'),
    t('c', 'x-c', { filters: [{ term: { field: 'k', value: 1 } }] }),
    t('d', 'x-d', { filters: [{ term: { field: 'k', value: 1 } }] }),
    t('e', 'x-e', { time_field: 'ts' }),
    t('f', 'x-*,-x-b'),
    t('g', 'remote:x-g'),
    t('h', '<x-{now/d}>'),
    t('i', 'x-i', { levels: [{ column: 'k', fields: ['k'], transform: 'keep' }] }),
  ]);
  assert.deepEqual(
    plan.groups.map((g) => g.tables.map((x) => x.name)),
    [
      ['a', 'b'],
      ['c', 'd'],
    ],
  );
  assert.equal(plan.groupOf.has('e'), false, 'alone with its time field');
  for (const odd of ['f', 'g', 'h', 'i']) assert.equal(plan.groupOf.has(odd), false, odd);
  assert.equal(isPlainPattern('a-*,b'), true);
  assert.equal(isPlainPattern('a-*,-a-b'), false);
  assert.equal(isPlainPattern('a,,b'), false);
});

test('field caps: a split or a series sum is exact only over integer fields', () => {
  const caps = (types: Record<string, string[]>) => ({
    fields: Object.fromEntries(
      Object.entries(types).map(([f, ts]) => [f, Object.fromEntries(ts.map((x) => [x, { type: x }]))]),
    ),
  });
  assert.equal(fieldsAreIntegers(caps({ 'network.bytes': ['long'] }), ['network.bytes']), true);
  assert.equal(fieldsAreIntegers(caps({}), ['network.bytes']), true, 'mapped nowhere: every sum is 0');
  assert.equal(fieldsAreIntegers(caps({ 'network.bytes': ['long', 'float'] }), ['network.bytes']), false);
  assert.equal(fieldsAreIntegers(caps({ 'network.bytes': ['unsigned_long'] }), ['network.bytes']), false);
  assert.equal(fieldsAreIntegers(undefined, ['x']), false);
});

// --- series groups ------------------------------------------------------------------------------------

const seriesGroup = () => planRequests(config.tables).groups[0]!;

test('the series request splits the day by concrete index, then by 15 minutes, each metric asked once', () => {
  const body = buildSeriesGroupQuery(seriesGroup(), range, config) as {
    aggs: {
      index: { terms: unknown; aggs: { time: { date_histogram: Record<string, unknown>; aggs: unknown } } };
    };
    query: unknown;
  };
  assert.deepEqual(body.aggs.index.terms, { field: '_index', size: 500 });
  assert.equal(body.aggs.index.aggs.time.date_histogram.field, '@timestamp');
  assert.equal(body.aggs.index.aggs.time.date_histogram.fixed_interval, '15m');
  assert.equal(body.aggs.index.aggs.time.date_histogram.min_doc_count, 1);
  // Seven tables summing network.bytes: one sum aggregation.
  assert.deepEqual(body.aggs.index.aggs.time.aggs, { m0: { sum: { field: 'network.bytes' } } });
  assert.deepEqual(
    body.query,
    (buildSeriesGroupQuery(seriesGroup(), range, config) as { query: unknown }).query,
  );
});

/** An index bucket of the series answer: doc counts and bytes at the given 15-minute slots. */
const indexBucket = (index: string, slots: Record<number, [number, number]>) => {
  const buckets = Object.entries(slots).map(([slot, [count, bytes]]) => ({
    key: day0 + Number(slot) * Q,
    doc_count: count,
    m0: { value: bytes },
  }));
  return { key: index, doc_count: buckets.reduce((s, b) => s + b.doc_count, 0), time: { buckets } };
};

const resolved = new Map<string, ReadonlySet<string>>([
  ['total', new Set(['network-dns', 'network-http', 'network-flow'])],
  ['dns', new Set(['network-dns'])],
  ['dhcp', new Set(['network-dhcp'])],
  ['http', new Set(['network-http'])],
  ['tls', new Set(['network-tls'])],
  ['flow', new Set(['network-flow'])],
  ['firewall', new Set(['network-firewall'])],
]);

test("each table's rows are the sum over its own indices, every bucket of the day, zeros included", () => {
  const answer = {
    index: {
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 0,
      buckets: [
        indexBucket('network-dns', { 0: [3, 300], 5: [2, 20] }),
        indexBucket('network-http', { 5: [4, 4000], 95: [1, 7] }),
        indexBucket('network-flow', { 95: [10, 1_000_000] }),
      ],
    },
  };
  const split = splitSeriesAnswer(seriesGroup(), answer, 20, resolved, range);
  assert.ok('tables' in split, JSON.stringify(split));
  const starts = bucketStarts(range).map((d) => d.getTime());
  const expect = (slots: Record<number, [number, number]>) =>
    starts.map((time, i) => ({ time, values: [], metrics: slots[i] ?? [0, 0] }));
  assert.deepEqual(
    split.tables.get('total')!.rows,
    expect({ 0: [3, 300], 5: [6, 4020], 95: [11, 1_000_007] }),
  );
  assert.equal(split.tables.get('total')!.totalHits, 20);
  assert.deepEqual(split.tables.get('dns')!.rows, expect({ 0: [3, 300], 5: [2, 20] }));
  assert.equal(split.tables.get('dns')!.totalHits, 5);
  assert.deepEqual(split.tables.get('dhcp')!.rows, expect({}), 'no document: 96 zero buckets');
  assert.equal(split.tables.get('dhcp')!.totalHits, 0);
});

test('a series answer that cannot be split exactly falls back to one request per table', () => {
  const good = () => ({
    index: { sum_other_doc_count: 0, buckets: [indexBucket('network-dns', { 0: [3, 300] })] },
  });
  assert.ok('tables' in splitSeriesAnswer(seriesGroup(), good(), 3, resolved, range));
  const cases: [string, Record<string, unknown>, number][] = [
    [
      'an index no pattern resolved to',
      { index: { buckets: [indexBucket('.ds-other-1', { 0: [3, 300] })] } },
      3,
    ],
    ['a fractional sum', { index: { buckets: [indexBucket('network-dns', { 0: [3, 0.5] })] } }, 3],
    ['documents the split lost', good(), 4],
    ['indices beyond the split', { index: { ...good().index, sum_other_doc_count: 2 } }, 5],
    ['no split at all', {}, 3],
  ];
  for (const [what, answer, hits] of cases) {
    const split = splitSeriesAnswer(seriesGroup(), answer, hits, resolved, range);
    assert.ok('fallback' in split, what);
  }
  const inconsistent = good();
  inconsistent.index.buckets[0]!.doc_count = 4;
  assert.ok('fallback' in splitSeriesAnswer(seriesGroup(), inconsistent, 4, resolved, range));
});

// --- level splits: the split walks give the one-key walk's rows ------------------------------------------

const websites = byName('websites');
const split: LevelSplit = { level: 0, fields: ['url.domain', 'tls.client.server_name', 'url.full'] };

test('split k asks for field k among the documents that lack the earlier fields', () => {
  const body = (k: number, after?: Record<string, unknown>) =>
    buildSplitQuery(websites, split, k, range, config, 1000, after) as {
      query: { bool: { filter: unknown[] } };
      aggs: Record<string, { composite?: { sources: Record<string, unknown>[]; size: number } }>;
    };
  const extra = (k: number) => body(k).query.bool.filter.slice(2);
  const exists = (field: string) => ({ exists: { field } });
  const lacks = (field: string) => ({ bool: { must_not: [exists(field)] } });
  assert.deepEqual(extra(0), [exists('url.domain')]);
  assert.deepEqual(extra(1), [exists('tls.client.server_name'), lacks('url.domain')]);
  assert.deepEqual(extra(2), [lacks('url.domain'), lacks('tls.client.server_name')]);
  assert.deepEqual(body(1).aggs.rows!.composite!.sources[1], {
    l0f0: { terms: { field: 'tls.client.server_name', missing_bucket: true } },
  });
  assert.equal(body(1).aggs.rows!.composite!.size, 1000);
  // The first page checks that the later fields hold one value a document; later pages do not.
  assert.deepEqual(Object.keys(body(0).aggs).sort(), ['docs0', 'docs1', 'rows', 'values0', 'values1']);
  assert.deepEqual(Object.keys(body(0, { time: 1 }).aggs), ['rows']);
  assert.deepEqual(Object.keys(body(2).aggs), ['rows']);
});

/** A document: per (level, field) of the table, in levelFields order, its values (undefined: none). */
type Doc = { time: number; fields: (readonly string[] | undefined)[]; bytes: number };

/** A table and the split of its fallback level, as the planner plans them. */
interface SplitCase {
  readonly table: TableConfig;
  readonly split: LevelSplit;
}

const websitesCase: SplitCase = { table: websites, split };

/** Every combination of one value per field (a field without values is one missing, null, value). */
function combinations(fields: readonly (readonly string[] | undefined)[]): RawValue[][] {
  let combos: RawValue[][] = [[]];
  for (const values of fields) {
    const distinct = values && values.length > 0 ? [...new Set(values)] : [null];
    combos = combos.flatMap((c) => distinct.map((v) => [...c, v]));
  }
  return combos;
}

/** Count and bytes per composite key, as Elasticsearch's composite aggregation sums them. */
function bucketRows(entries: Iterable<{ time: number; values: RawValue[]; bytes: number }>): RawRow[] {
  const buckets = new Map<string, RawRow>();
  for (const e of entries) {
    const key = JSON.stringify([e.time, e.values]);
    const b = buckets.get(key);
    if (b) buckets.set(key, { ...b, metrics: [b.metrics[0]! + 1, b.metrics[1]! + e.bytes] });
    else buckets.set(key, { time: e.time, values: e.values, metrics: [1, e.bytes] });
  }
  return [...buckets.values()];
}

/** A tiny Elasticsearch: the one-key composite of today's plan over `docs`, as raw rows. */
function oneKeyRows(docs: Doc[]): RawRow[] {
  return bucketRows(
    docs.flatMap((d) => combinations(d.fields).map((values) => ({ time: d.time, values, bytes: d.bytes }))),
  );
}

/** Where each field of the split level sits among a document's fields. */
function splitPositions({ table, split }: SplitCase): number[] {
  return levelFields(table.levels).flatMap((f, i) => (f.level === split.level ? [i] : []));
}

/** The documents split k asks for: field k present (any, for the last) and none of the earlier ones. */
function splitDocs(c: SplitCase, docs: Doc[], k: number): Doc[] {
  const at = splitPositions(c);
  const has = (d: Doc, f: number) => (d.fields[at[f]!]?.length ?? 0) > 0;
  const last = c.split.fields.length - 1;
  return docs.filter((d) => (k === last || has(d, k)) && [...Array(k).keys()].every((j) => !has(d, j)));
}

/** A document as split k's key sees it: the split level holds field k alone. */
function splitFields(c: SplitCase, d: Doc, k: number): (readonly string[] | undefined)[] {
  const at = splitPositions(c);
  return d.fields.filter((_, i) => !at.includes(i) || i === at[k]);
}

/** The same tiny Elasticsearch answering the split walks: rows, and the first page's checks. */
function splitRows(c: SplitCase, docs: Doc[]): { rows: RawRow[]; problem?: string } {
  const { table, split } = c;
  const at = splitPositions(c);
  const rows: RawRow[] = [];
  const last = split.fields.length - 1;
  for (let k = 0; k <= last; k++) {
    const mine = splitDocs(c, docs, k);
    const page = bucketRows(
      mine.flatMap((d) =>
        combinations(splitFields(c, d, k)).map((values) => ({ time: d.time, values, bytes: d.bytes })),
      ),
    );
    const aggregations: Record<string, unknown> = {};
    for (let i = 0; i < last - k; i++) {
      const f = at[k + 1 + i]!;
      aggregations[`values${i}`] = { value: mine.reduce((s, d) => s + new Set(d.fields[f] ?? []).size, 0) };
      aggregations[`docs${i}`] = { doc_count: mine.filter((d) => (d.fields[f]?.length ?? 0) > 0).length };
    }
    const problem = splitPageProblem(split, k, page, splitValueIndex(table, split), aggregations, true);
    if (problem) return { rows: [], problem };
    rows.push(...page.map(tableRowOf(table, split, k)));
  }
  return { rows };
}

const pseudonymise = createPseudonymiser(
  { algorithm: 'hmac-sha256', length: 16 },
  Buffer.from('plan-requests-test-key-0123456789abcdef'),
);

/** Rows as the day file holds them: transformed, merged, sorted. */
function dayFile(table: TableConfig, raw: RawRow[]): string {
  const merger = new RowMerger(table.metrics);
  for (const r of raw)
    merger.add(transformRow(r, table.levels, { pseudonymise, internalDomains: config.internal_domains }));
  return merger
    .finish()
    .map((r) => `${r.time},${r.keys.join(',')},${r.metrics.join(',')}`)
    .join('\n');
}

/** A seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  'www.example.com',
  'mail.example.com',
  'example.org',
  'news.bbc.co.uk',
  'fs01.corp',
  '10.0.0.5',
];
const URLS = [
  'http://a.example.com/x?1',
  'http://a.example.com/x?2',
  'https://b.example.net/',
  'http://10.1.1.1/p',
];

const SOURCES = ['10.0.0.1', '10.0.0.2', 'fd00::1'];
const ADDRESSES = ['10.1.1.1', '192.168.0.9', '10.0.0.5', 'fd00::2'];
const PORTS = ['53', '443', '8080'];

/** Per field of the case's table, the values a document draws from and how often it has one. */
const POOLS = new Map<string, readonly { pool: readonly string[]; chance: number }[]>([
  [
    'websites',
    [
      { pool: NAMES, chance: 0.4 },
      { pool: NAMES, chance: 0.4 },
      { pool: URLS, chance: 0.7 },
    ],
  ],
  [
    'internal_to_internal',
    [
      { pool: SOURCES, chance: 0.95 },
      { pool: NAMES, chance: 0.5 },
      { pool: ADDRESSES, chance: 0.9 },
      { pool: PORTS, chance: 0.9 },
    ],
  ],
]);

/** clean: single non-empty values; empty: some values are ""; multi: some fields hold two values. */
type Kind = 'clean' | 'empty' | 'multi';

function generate(c: SplitCase, rand: () => number, kind: Kind): Doc[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const values = (pool: readonly string[], chance: number): string[] | undefined => {
    if (rand() > chance) return undefined;
    const n = kind === 'multi' && rand() < 0.03 ? 2 : 1;
    return Array.from({ length: n }, () => (kind === 'empty' && rand() < 0.01 ? '' : pick(pool)));
  };
  return Array.from({ length: 60 + Math.floor(rand() * 60) }, () => ({
    time: day0 + Math.floor(rand() * 3) * Q,
    fields: POOLS.get(c.table.name)!.map((f) => values(f.pool, f.chance)),
    bytes: Math.floor(rand() * 5000),
  }));
}

const flows = byName('internal_to_internal');
const flowCase: SplitCase = {
  table: flows,
  split: { level: 1, fields: ['destination.domain', 'destination.ip'] },
};

test('the flow tables split their destination level (domain, else address) beside their other levels', () => {
  assert.deepEqual(planRequests(config.tables).splits.get('internal_to_internal'), flowCase.split);
  assert.equal(splitValueIndex(flows, flowCase.split), 1);
  const body = buildSplitQuery(flows, flowCase.split, 1, range, config, 1000) as {
    aggs: { rows: { composite: { sources: Record<string, unknown>[] } } };
  };
  assert.deepEqual(
    body.aggs.rows.composite.sources.map((s) => Object.keys(s)[0]),
    ['time', 'l0f0', 'l1f0', 'l2f0'],
  );
  assert.deepEqual(body.aggs.rows.composite.sources[2], {
    l1f0: { terms: { field: 'destination.ip', missing_bucket: true } },
  });
  // A row of split 1 goes back to the one-key layout: source, (no domain, the address), port.
  assert.deepEqual(
    tableRowOf(
      flows,
      flowCase.split,
      1,
    )({
      time: day0,
      values: ['10.0.0.1', '10.1.1.1', 53],
      metrics: [1, 2],
    }).values,
    ['10.0.0.1', null, '10.1.1.1', 53],
  );
});

test('a table with two fallback levels, or a field twice in its fallback, keeps one walk', () => {
  const level = (column: string, fields: string[]) => ({ column, fields, transform: 'host' });
  const t = (name: string, levels: unknown[]) => tableSchema.parse({ name, index: 'x', levels });
  const plan = planRequests([
    t('two', [level('a', ['a1', 'a2']), level('b', ['b1', 'b2'])]),
    t('one', [level('a', ['a1']), level('b', ['b1', 'b2', 'b3'])]),
    t('same', [level('a', ['a1', 'a1'])]),
  ]);
  assert.deepEqual([...plan.splits.entries()], [['one', { level: 1, fields: ['b1', 'b2', 'b3'] }]]);
});

for (const c of [websitesCase, flowCase]) {
  test(`${c.table.name}: wherever the split walks raise no doubt, they write the one-key walk’s exact rows`, () => {
    const checked = { clean: 0, empty: 0, multi: 0 };
    const doubted = { clean: 0, empty: 0, multi: 0 };
    const kinds: Kind[] = ['clean', 'empty', 'multi'];
    for (let seed = 1; seed <= 600; seed++) {
      const kind = kinds[seed % 3]!;
      const docs = generate(c, random(seed), kind);
      const planned = splitRows(c, docs);
      if (planned.problem !== undefined) {
        doubted[kind]++;
        continue;
      }
      assert.equal(
        dayFile(c.table, planned.rows),
        dayFile(c.table, oneKeyRows(docs)),
        `seed ${seed} (${kind})`,
      );
      checked[kind]++;
    }
    // Every branch was taken: clean days are never doubted; hostile days are doubted or compared.
    assert.equal(doubted.clean, 0);
    assert.equal(checked.clean, 200);
    for (const kind of ['empty', 'multi'] as const) {
      assert.ok(doubted[kind] >= 20, `${kind}: ${doubted[kind]} doubted`);
      assert.ok(checked[kind] >= 1, `${kind}: ${checked[kind]} compared`);
    }
  });
}

test('the doubts are real: an empty earlier name or a later field with two values changes the one-key rows', () => {
  const t = day0;
  const w = websitesCase;
  const differs = (c: SplitCase, docs: Doc[]) =>
    assert.notEqual(dayFile(c.table, splitRowsUnchecked(c, docs)), dayFile(c.table, oneKeyRows(docs)));
  // An empty url.domain: the one-key walk takes the TLS name.
  differs(w, [{ time: t, fields: [[''], ['example.org'], undefined], bytes: 5 }]);
  // Two URLs with one name: the one-key walk counts the document twice.
  differs(w, [{ time: t, fields: [['example.org'], undefined, ['http://a/1', 'http://a/2']], bytes: 5 }]);
  // A flow to a named server with two addresses: the one-key walk counts it twice too.
  const twoAddresses = {
    time: t,
    fields: [['10.0.0.1'], ['example.org'], ['10.1.1.1', '10.1.1.2'], ['443']],
    bytes: 5,
  };
  differs(flowCase, [twoAddresses]);
  assert.match(
    splitRows(w, [{ time: t, fields: [[''], ['example.org'], undefined], bytes: 5 }]).problem!,
    /empty url\.domain/,
  );
  assert.match(
    splitRows(w, [{ time: t, fields: [['example.org'], undefined, ['http://a/1', 'http://a/2']], bytes: 5 }])
      .problem!,
    /url\.full has several values/,
  );
  assert.match(splitRows(flowCase, [twoAddresses]).problem!, /destination\.ip has several values/);
});

/** The split walks' rows without their checks (to show what the checks prevent). */
function splitRowsUnchecked(c: SplitCase, docs: Doc[]): RawRow[] {
  return c.split.fields.flatMap((_, k) =>
    splitDocs(c, docs, k).flatMap((d) =>
      combinations(splitFields(c, d, k)).map((values) =>
        tableRowOf(c.table, c.split, k)({ time: d.time, values, metrics: [1, d.bytes] }),
      ),
    ),
  );
}
