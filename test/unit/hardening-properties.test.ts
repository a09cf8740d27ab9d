import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { getDomain, parse } from 'tldts';
import { flattenAggregations } from '../../src/transform/flatten.js';
import { reduceHost, isInternalName } from '../../src/transform/domain.js';
import { createPseudonymiser } from '../../src/transform/pseudonymise.js';
import { transformRow } from '../../src/transform/rows.js';
import { RowMerger } from '../../src/transform/merge.js';
import { findIpLiterals } from '../../src/net/ip.js';
import { ROWS_AGG, TIME_AGG, levelFields, sourceName } from '../../src/extract/query.js';
import { dayFilePath, dayFileRelPath, parseDayFileRelPath } from '../../src/store/layout.js';
import { defaultConfig } from '../../src/config/validate.js';
import { tableSchema, type TableConfig } from '../../src/config/schema.js';
import { DataError, StoreError } from '../../src/errors.js';
import { PageChecker } from '../../src/extract/check-page.js';
import { dayRange } from '../../src/time/day.js';

// Properties of the pure core on random input (issue 7): composite pages and terms trees of any
// shape, host names, IPv4/IPv6 literals in any spelling, and day-file paths for any table name.
// flatten.test.ts, transform.test.ts and ip.test.ts hold the first properties; these add the rest.

const internalDomains = ['lan', 'local', 'internal', 'corp'];
const KEY = Buffer.from('property-test-key-0123456789');
const pseudonymise = createPseudonymiser({ algorithm: 'hmac-sha256', length: 16 }, KEY);
const i2e = defaultConfig().tables.find((t) => t.name === 'internal_to_external')!;

/** A raw key value as Elasticsearch returns it for an IP, a host-ish keyword, or a missing field. */
const keyValue = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.webUrl(),
  fc.constantFrom('fs01.corp.example.lan', 'printer', 'mail.google.com', 'news.bbc.co.uk'),
  fc.constant(null),
);

/** Composite buckets for internal_to_external (time, source.ip, destination.domain, destination.ip),
 * with unique keys in Elasticsearch's order (time first), as one sorted list. */
const compositeBuckets = fc
  .uniqueArray(
    fc.record({
      slot: fc.nat(95),
      values: fc.tuple(fc.ipV4(), keyValue, fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant(null))),
      count: fc.integer({ min: 1, max: 10_000 }),
      bytes: fc.oneof(fc.nat(1e9), fc.constant(null)),
    }),
    { selector: (b) => JSON.stringify([b.slot, b.values]), maxLength: 60 },
  )
  .map((bs) => [...bs].sort((a, b) => a.slot - b.slot));

type CompositeBucket = {
  slot: number;
  values: readonly (string | null)[];
  count: number;
  bytes: number | null;
};

function compositePage(buckets: readonly CompositeBucket[]): Record<string, unknown> {
  const fields = levelFields(i2e.levels);
  const key = (b: CompositeBucket) => ({
    [TIME_AGG]: b.slot * 900_000,
    ...Object.fromEntries(fields.map((f, i) => [f.name, b.values[i]])),
  });
  return {
    [ROWS_AGG]: {
      buckets: buckets.map((b) => ({ key: key(b), doc_count: b.count, bytes: { value: b.bytes } })),
      // Elasticsearch sends after_key with every non-empty page, the last one included.
      ...(buckets.length > 0 && { after_key: key(buckets.at(-1)!) }),
    },
  };
}

/** Cut points splitting a list into consecutive pages. */
const pageSizes = fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 10 });
function paginate<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const pages: T[][] = [];
  for (let i = 0, k = 0; i < items.length; k++) {
    const n = sizes[k % sizes.length]!;
    pages.push(items.slice(i, i + n));
    i += n;
  }
  return pages;
}

test('property: a composite page flattens to one row per bucket, keys and metrics intact', () => {
  fc.assert(
    fc.property(compositeBuckets, (buckets) => {
      const { rows, afterKey } = flattenAggregations(compositePage(buckets), i2e);
      assert.equal(rows.length, buckets.length);
      rows.forEach((r, i) => {
        const b = buckets[i]!;
        assert.equal(r.time, b.slot * 900_000);
        assert.deepEqual(r.values, b.values);
        // An empty sum is 0, never a hole.
        assert.deepEqual(r.metrics, [b.count, b.bytes ?? 0]);
      });
      if (buckets.length === 0) assert.equal(afterKey, undefined, 'an empty page ends the walk');
      else assert.equal(afterKey?.[TIME_AGG], buckets.at(-1)!.slot * 900_000);
    }),
    { numRuns: 500 },
  );
});

test('property: paging, transforming and merging loses no document and doubles none, however the pages fall', () => {
  const options = { pseudonymise, internalDomains };
  fc.assert(
    fc.property(compositeBuckets, pageSizes, fc.boolean(), (buckets, sizes, resend) => {
      // What load-day does: add each page, drain every bucket before the page's last one.
      const run = (pages: CompositeBucket[][]) => {
        const merger = new RowMerger(i2e.metrics);
        const checker = new PageChecker(i2e, dayRange('1970-01-01', 'UTC'));
        const out: { time: number; keys: readonly string[]; metrics: readonly (number | null)[] }[] = [];
        pages.forEach((page, p) => {
          const flat = flattenAggregations(compositePage(page), i2e);
          checker.check(flat, 0);
          const { rows } = flat;
          for (const raw of rows) merger.add(transformRow(raw, i2e.levels, options));
          // A page delivered again (a replayed answer) fails the day before any of it is merged:
          // the merger never sees a bucket twice.
          if (resend && rows.length > 0) assert.throws(() => checker.check(flat, 0), DataError);
          const last = rows.at(-1);
          if (p < pages.length - 1 && last !== undefined) out.push(...merger.drainBefore(last.time));
        });
        out.push(...merger.finish());
        return out;
      };
      const paged = run(paginate(buckets, sizes));
      const whole = run([buckets]);
      assert.deepEqual(paged, whole, 'the same rows whatever the page boundaries');
      const docs = buckets.reduce((s, b) => s + b.count, 0);
      assert.equal(
        paged.reduce((s, r) => s + r.metrics[0]!, 0),
        docs,
      );
      assert.equal(
        paged.reduce((s, r) => s + r.metrics[1]!, 0),
        buckets.reduce((s, b) => s + (b.bytes ?? 0), 0),
      );
      // One row per (bucket, keys): a bucket is never split over two drains.
      const seen = new Set(paged.map((r) => `${r.time}|${r.keys.join('|')}`));
      assert.equal(seen.size, paged.length);
      // Sorted by time, and no address left in any key.
      assert.ok(paged.every((r, i) => i === 0 || paged[i - 1]!.time <= r.time));
      for (const r of paged) assert.deepEqual(findIpLiterals(r.keys.join(' ')), []);
    }),
    { numRuns: 400 },
  );
});

test('property: a random terms tree of 1 to 3 levels keeps every leaf and every document', () => {
  const leafCount = fc.integer({ min: 0, max: 1000 });
  type Node = { key: string; n?: number; sub?: Node[] };
  const tree = (depth: number): fc.Arbitrary<Node[]> =>
    fc.uniqueArray<Node, string>(
      depth === 1
        ? fc.record({ key: fc.string({ minLength: 1, maxLength: 4 }), n: leafCount })
        : fc.record({ key: fc.string({ minLength: 1, maxLength: 4 }), sub: tree(depth - 1) }),
      { selector: (b) => b.key, maxLength: 4 },
    );
  const shape = fc.integer({ min: 1, max: 3 }).chain((depth) =>
    fc.tuple(
      fc.constant(depth),
      fc
        .uniqueArray(fc.nat(95), { maxLength: 4 })
        .chain((slots) => fc.tuple(...slots.map((s) => fc.tuple(fc.constant(s), tree(depth))))),
    ),
  );
  fc.assert(
    fc.property(shape, ([depth, times]) => {
      const table: TableConfig = tableSchema.parse({
        name: 't',
        index: 'i',
        aggregation: 'terms',
        levels: Array.from({ length: depth }, (_, i) => ({
          column: `c${i}`,
          fields: [`f${i}`],
          transform: 'keep',
        })),
        metrics: [{ name: 'count', type: 'count' }],
      });
      const expected: { time: number; path: string[]; n: number }[] = [];
      const build = (
        nodes: Node[],
        level: number,
        time: number,
        path: string[],
      ): Record<string, unknown> => ({
        sum_other_doc_count: 0,
        buckets: nodes.map((node) => {
          const { key, n, sub } = node;
          if (level + 1 === depth) {
            expected.push({ time, path: [...path, key], n: n! });
            return { key, doc_count: n };
          }
          return {
            key,
            doc_count: 0,
            [sourceName(level + 1, 0)]: build(sub!, level + 1, time, [...path, key]),
          };
        }),
      });
      const aggregations = {
        [TIME_AGG]: {
          buckets: (times as [number, Node[]][]).map(([slot, nodes]) => ({
            key: slot * 900_000,
            doc_count: 0,
            [sourceName(0, 0)]: build(nodes, 0, slot * 900_000, []),
          })),
        },
      };
      const { rows } = flattenAggregations(aggregations, table);
      assert.deepEqual(
        rows.map((r) => [r.time, ...r.values, r.metrics[0]]),
        expected.map((e) => [e.time, ...e.path, e.n]),
      );
    }),
    { numRuns: 300 },
  );
});

test('property: host reduction of random names is a label suffix (or the short name inside), stable and idempotent; a name without an ICANN public suffix is pseudonymised', () => {
  const host = fc.oneof(
    fc.domain(),
    fc.tuple(fc.domain(), fc.constantFrom(...internalDomains)).map(([d, s]) => `${d}.${s}`),
    fc.constantFrom('mail.google.com', 'a.b.c.bbc.co.uk', 'fs01.corp', 'printer'),
    fc
      .tuple(fc.domain(), fc.constantFrom('com', 'de', 'co.uk', 'org', 'net'))
      .map(([d, s]) => `${d.split('.')[0]}.${s}`),
  );
  let shown = 0;
  fc.assert(
    fc.property(
      host,
      fc.constantFrom('', 'https://', 'http://user@'),
      fc.constantFrom('', ':8443', '/a?b=1#c'),
      fc.boolean(),
      (h, prefix, suffix, upper) => {
        const name = h.toLowerCase();
        const reduced = reduceHost(h, 'host', internalDomains);
        assert.notEqual(reduced.kind, 'ip');
        if (isInternalName(name, internalDomains)) {
          const short = name.split('.')[0];
          assert.equal(reduced.kind === 'name' ? reduced.name : (reduced as { text: string }).text, short);
        } else {
          // tldts's own answer: a registrable domain under an ICANN public suffix, or nothing to show.
          const parsed = parse(name, { allowPrivateDomains: false });
          if (parsed.isIcann !== true || !parsed.domain) {
            assert.deepEqual(reduced, { kind: 'pseudonymise', text: name });
          } else if (reduced.kind === 'pseudonymise') {
            assert.equal(reduced.text, parsed.domain);
          } else {
            const r = (reduced as { name: string }).name;
            shown++;
            assert.equal(r, parsed.domain);
            assert.ok(name === r || name.endsWith(`.${r}`), `${r} is not a suffix of ${name}`);
            assert.deepEqual(reduceHost(r, 'host', internalDomains), reduced, 'idempotent');
            if (getDomain(name) !== null) {
              assert.deepEqual(
                reduceHost(`www.${name}`, 'host', internalDomains),
                reduced,
                'a subdomain reduces alike',
              );
            }
          }
        }
        // The same name inside a URL, with a port or a path, in capitals: the same result.
        const decorated = `${prefix}${upper ? h.toUpperCase() : h}${suffix}`;
        assert.deepEqual(reduceHost(decorated, 'host', internalDomains), reduced, decorated);
        if (reduced.kind === 'name') assert.deepEqual(findIpLiterals(reduced.name), []);
      },
    ),
    { numRuns: 2000 },
  );
  assert.ok(shown > 100, `only ${shown} names were shown: the property tested little`);
});

test('property: an IP literal in a host field is always recognised as an address, however it is written', () => {
  const ip = fc.oneof(
    fc.ipV4().map((a) => ({ text: a, forms: [a, `http://${a}:8080/x`, `${a}:443`] })),
    fc.ipV6().map((a) => ({ text: a, forms: [a, `[${a}]:443`, `https://[${a}]/p?q=1`] })),
  );
  fc.assert(
    fc.property(ip, ({ forms }) => {
      for (const f of forms) assert.equal(reduceHost(f, 'host', internalDomains).kind, 'ip', f);
    }),
    { numRuns: 1000 },
  );
});

/** An independent canonical form: the WHATWG URL parser's, with IPv4-mapped IPv6 as dotted IPv4. */
function urlCanonical(ip: string): string {
  if (!ip.includes(':')) return new URL(`http://${ip}/`).hostname;
  const h = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (!mapped) return h;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Other spellings of the same IPv6 address: fully expanded, upper case, bracketed, with a zone. */
function spellings(ip: string): string[] {
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head = '', tail = ''] = canonical.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = canonical.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const expanded = groups.map((g: string) => g.padStart(4, '0')).join(':');
  return [ip, canonical, expanded, expanded.toUpperCase(), `[${ip}]`, `${canonical}%eth0`];
}

test('property: pseudonyms are HMAC-SHA256 of the canonical address, equal for every spelling, distinct per address', () => {
  const hmac = (text: string) => createHmac('sha256', KEY).update(text).digest('hex').slice(0, 16);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.oneof(fc.ipV4(), fc.ipV6()), { minLength: 1, maxLength: 20, selector: urlCanonical }),
      (ips) => {
        const out = ips.map((ip) => pseudonymise(ip));
        ips.forEach((ip, i) => {
          assert.match(out[i]!, /^[0-9a-f]{16}$/);
          assert.equal(out[i], hmac(urlCanonical(ip)), ip);
          if (ip.includes(':'))
            for (const s of spellings(ip)) assert.equal(pseudonymise(s), out[i], `${s} (${ip})`);
          assert.deepEqual(findIpLiterals(out[i]!), []);
        });
        assert.equal(new Set(out).size, out.length, 'distinct addresses, distinct pseudonyms');
        const other = createPseudonymiser(
          { algorithm: 'hmac-sha256', length: 16 },
          Buffer.from('another-key-0123456789'),
        );
        ips.forEach((ip, i) => assert.notEqual(other(ip), out[i], 'another key, another pseudonym'));
      },
    ),
    { numRuns: 500 },
  );
});

test('property: a day file path never leaves the data directory, whatever the table name', () => {
  const root = resolve('/srv/netlog-data');
  const day = fc
    .date({ min: new Date('1990-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const name = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '..',
      '../..',
      '../../etc',
      '/etc',
      'dns/../../x',
      'dns\\..\\..',
      '.',
      '',
      'DNS',
      'dns\u0000',
    ),
    fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/),
  );
  fc.assert(
    fc.property(name, day, fc.boolean(), (table, d, partial) => {
      let path: string;
      try {
        path = dayFilePath(root, table, d, partial);
      } catch (err) {
        assert.ok(err instanceof StoreError, String(err));
        assert.doesNotMatch(table, /^[a-z][a-z0-9_]{0,63}$/, 'a valid name is never refused');
        return;
      }
      const rel = relative(root, path);
      assert.ok(!rel.startsWith('..') && !isAbsolute(rel), `${table} → ${path}`);
      assert.deepEqual(parseDayFileRelPath(dayFileRelPath(table, d, partial)), { table, day: d, partial });
    }),
    { numRuns: 3000 },
  );
});
