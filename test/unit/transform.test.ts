import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractHost, reduceHost } from '../../src/transform/domain.js';
import { createPseudonymiser } from '../../src/transform/pseudonymise.js';
import { rowTransformer, transformRow, transformValue } from '../../src/transform/rows.js';
import { RowMerger } from '../../src/transform/merge.js';
import { findIpLiterals } from '../../src/net/ip.js';
import { EXTERNAL_SITES, INTERNAL_SERVERS } from '../../src/sample/catalog.js';
import type { Metric } from '../../src/config/schema.js';

const internalDomains = ['lan', 'local', 'internal', 'corp'];
const key = Buffer.from('test-key-0123456789');
const pseudonymise = createPseudonymiser({ algorithm: 'hmac-sha256', length: 16 }, key);
const options = { pseudonymise, internalDomains };

test('HMAC-SHA256 pseudonyms match an independent implementation and are stable', () => {
  // Values from Python's hmac module with the same key.
  assert.equal(pseudonymise('10.1.0.10'), '27c29c139bc4eaf7');
  assert.equal(pseudonymise('2001:db8::1'), '4532857a3b3c5f57');
  assert.equal(pseudonymise('2001:0db8:0:0::1'), '4532857a3b3c5f57', 'same address, other spelling');
  assert.equal(createPseudonymiser({ algorithm: 'sha1', length: 16 }, key)('10.1.0.10'), '1290fcaf029e59ac');
  assert.notEqual(
    createPseudonymiser(
      { algorithm: 'hmac-sha256', length: 16 },
      Buffer.from('another-key-456789'),
    )('10.1.0.10'),
    '27c29c139bc4eaf7',
  );
});

test('host reduction: registrable domains outside, short names inside, IPs pseudonymised', () => {
  const host = (v: string) => reduceHost(v, 'host', internalDomains);
  assert.deepEqual(host('mail.google.com'), { kind: 'name', name: 'google.com' });
  assert.deepEqual(host('news.bbc.co.uk'), { kind: 'name', name: 'bbc.co.uk' });
  assert.deepEqual(host('bbc.co.uk'), { kind: 'name', name: 'bbc.co.uk' });
  assert.deepEqual(host('https://user@WWW.Example.COM:8443/a/b?c=1#d'), {
    kind: 'name',
    name: 'example.com',
  });
  assert.deepEqual(host('fs01.corp.example.lan'), { kind: 'name', name: 'fs01' });
  assert.deepEqual(host('printer'), { kind: 'name', name: 'printer' });
  assert.deepEqual(host('http://10.0.0.5:8080/x'), { kind: 'ip', ip: '10.0.0.5' });
  assert.deepEqual(host('[2001:db8::7]:443'), { kind: 'ip', ip: '2001:db8::7' });
  assert.deepEqual(host('2001:db8::7'), { kind: 'ip', ip: '2001:db8::7' });
  assert.equal(extractHost('example.org.'), 'example.org');
  // `domain` of an internal name: .lan is no public suffix, so there is no registrable domain to show.
  assert.deepEqual(reduceHost('fs01.corp.example.lan', 'domain', internalDomains), {
    kind: 'pseudonymise',
    text: 'fs01.corp.example.lan',
  });
});

test("the sample catalog's hand-written domains agree with the reducer", () => {
  for (const site of EXTERNAL_SITES)
    assert.deepEqual(
      reduceHost(site.name, 'host', internalDomains),
      { kind: 'name', name: site.domain },
      site.name,
    );
  for (const server of INTERNAL_SERVERS)
    assert.deepEqual(
      reduceHost(server.name, 'host', internalDomains),
      { kind: 'name', name: server.short },
      server.name,
    );
});

test('the first field with a value wins; keep pseudonymises what is not a plain token, text scrubs it', () => {
  const levels = [
    { column: 'source', fields: ['source.ip'], transform: 'ip' as const },
    { column: 'destination', fields: ['destination.domain', 'destination.ip'], transform: 'host' as const },
  ];
  const named = transformRow(
    { time: 0, values: ['10.1.0.10', 'api.github.com', '140.82.121.6'], metrics: [1] },
    levels,
    options,
  );
  assert.deepEqual(named.keys, ['27c29c139bc4eaf7', 'github.com']);
  const unnamed = transformRow(
    { time: 0, values: ['10.1.0.10', null, '2001:db8::1'], metrics: [1] },
    levels,
    options,
  );
  assert.deepEqual(unnamed.keys, ['27c29c139bc4eaf7', '4532857a3b3c5f57']);
  // Python: hmac.new(b'test-key-0123456789', b'get http://10.1.0.10/x', sha256).hexdigest()[:16]
  assert.equal(transformValue('GET http://10.1.0.10/x', { transform: 'keep' }, options), '67d7f5000b5240a0');
  assert.equal(
    transformValue('GET http://10.1.0.10/x', { transform: 'text' }, options),
    'GET http://27c29c139bc4eaf7/x',
  );
  assert.equal(transformValue(443, { transform: 'keep' }, options), '443');
  assert.equal(transformValue('allowed_by-rule.7', { transform: 'keep' }, options), 'allowed_by-rule.7');
});

test('property: no transform lets an IP literal through', () => {
  const value = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.domain(),
    fc.webUrl(),
    fc.ipV4().map((ip) => `http://${ip}:8080/p`),
    fc.ipV6().map((ip) => `https://[${ip}]/`),
  );
  fc.assert(
    fc.property(
      value,
      fc.constantFrom('ip', 'host', 'domain', 'server', 'keep', 'text') as fc.Arbitrary<
        'ip' | 'host' | 'domain' | 'server' | 'keep' | 'text'
      >,
      (v, transform) => {
        const out = transformValue(v, { transform }, options);
        assert.deepEqual(findIpLiterals(out), [], `${transform}(${v}) = ${out}`);
      },
    ),
    { numRuns: 3000 },
  );
});

test('rows that collapse to one key are summed, not dropped', () => {
  const metrics: Metric[] = [
    { name: 'count', type: 'count' },
    { name: 'bytes', type: 'sum', field: 'b' },
    { name: 'biggest', type: 'max', field: 'b' },
  ];
  const merger = new RowMerger(metrics);
  const level = [{ column: 'domain', fields: ['d'], transform: 'host' as const }];
  const add = (d: string, c: number, b: number, mx: number) => {
    const raw = { time: 900_000, values: [d], metrics: [c, b, mx] };
    merger.add(transformRow(raw, level, options));
  };
  add('mail.google.com', 3, 300, 200);
  add('www.google.com', 2, 50, 40);
  add('github.com', 1, 10, 10);
  const rows = merger.finish();
  assert.deepEqual(
    rows.map((r) => [r.keys[0], ...r.metrics]),
    [
      ['github.com', 1, 10, 10],
      ['google.com', 5, 350, 200],
    ],
  );
  assert.deepEqual(merger.totals(), { count: 6, bytes: 360 });
});

test('property: merged rows come out sorted key by key, a key that is a prefix of another first', () => {
  const metrics: Metric[] = [{ name: 'count', type: 'count' }];
  // Keys as a keyed cell can hold them, and free text (its control characters already replaced),
  // short and from few letters, so that equal keys and keys that are prefixes of others are common.
  const cell = fc.oneof(
    fc.stringMatching(/^[a-c0-9._-]{0,3}$/),
    fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', 'é', '\u{1f600}'), maxLength: 3 }),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(cell, cell, fc.nat(5)), { maxLength: 40 }), (rows) => {
      const merger = new RowMerger(metrics);
      for (const [a, b, n] of rows) merger.add({ time: 0, keys: [a, b], metrics: [n] });
      const out = merger.finish();
      // The oracle: unique key pairs, compared element by element with plain string order.
      const expected = [...new Map(rows.map(([a, b]) => [JSON.stringify([a, b]), [a, b]])).values()].sort(
        ([a1, b1], [a2, b2]) => (a1 !== a2 ? (a1! < a2! ? -1 : 1) : b1 === b2 ? 0 : b1! < b2! ? -1 : 1),
      );
      assert.deepEqual(
        out.map((r) => r.keys),
        expected,
      );
      assert.equal(
        out.reduce((s, r) => s + r.metrics[0]!, 0),
        rows.reduce((s, [, , n]) => s + n, 0),
      );
    }),
    { numRuns: 500 },
  );
});

test('property: the remembering row transformer gives transformRow’s keys, also once its memory is full', () => {
  const levels = [
    { column: 'source', fields: ['s'], transform: 'ip' as const },
    { column: 'destination', fields: ['d', 'i'], transform: 'host' as const },
    { column: 'note', fields: ['n'], transform: 'text' as const },
  ];
  const value = fc.oneof(
    fc.constantFrom('10.0.0.1', '::ffff:10.0.0.1', 'www.example.com', 'printer.corp', '', '5'),
    fc.ipV4(),
    fc.domain(),
    fc.constant(null),
    fc.integer({ min: 0, max: 3 }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.array(value, { minLength: 4, maxLength: 4 }), { maxLength: 30 }),
      fc.integer({ min: 1, max: 5 }),
      (rows, limit) => {
        const remembering = rowTransformer(levels, options, limit);
        for (const values of rows) {
          const raw = { time: 0, values, metrics: [1] };
          assert.deepEqual(remembering(raw), transformRow(raw, levels, options));
        }
      },
    ),
    { numRuns: 300 },
  );
});
