import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalIp, findIpLiterals, isIpLiteral, parseCidr, scrubIpLiterals } from '../../src/net/ip.js';

test('canonicalIp compresses IPv6 (RFC 5952) and unmaps IPv4-mapped addresses', () => {
  assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canonicalIp('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(canonicalIp('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(canonicalIp('[fe80::1%eth0]'), 'fe80::1');
  assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
});

test('parseCidr reads a network and its prefix, and refuses what is not one', () => {
  assert.deepEqual(parseCidr('172.16.0.0/12'), {
    text: '172.16.0.0/12',
    version: 4,
    bytes: [172, 16, 0, 0],
    prefix: 12,
  });
  assert.deepEqual(parseCidr('fc00::/7'), {
    text: 'fc00::/7',
    version: 6,
    bytes: [0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    prefix: 7,
  });
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.0'), undefined);
  assert.equal(parseCidr('fc00::/129'), undefined);
  assert.equal(parseCidr('10.0.0.0/8x'), undefined);
});

test('scrubIpLiterals removes addresses but leaves times, versions and timestamps', () => {
  assert.equal(
    scrubIpLiterals(
      'connect ECONNREFUSED 127.0.0.1:9200 or [::1]:9200 at 2026-11-24T00:15:00Z (v1.2.3, 00:15:00)',
    ),
    'connect ECONNREFUSED [ip]:9200 or [[ip]]:9200 at 2026-11-24T00:15:00Z (v1.2.3, 00:15:00)',
  );
  assert.deepEqual(findIpLiterals('a 10.0.0.1 b 2001:db8::1 c 12:30:45 d 1.2.3.4.5'), [
    '2001:db8::1',
    '10.0.0.1',
  ]);
});

test('property: any IPv4 or IPv6 literal embedded in text is scrubbed', () => {
  const ip = fc.oneof(fc.ipV4(), fc.ipV6());
  const filler = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '-', '/', '=', ',', 'x', '(', ')') });
  fc.assert(
    fc.property(filler, ip, filler, (before, address, after) => {
      const text = `${before} ${address} ${after}`;
      const scrubbed = scrubIpLiterals(text);
      assert.deepEqual(findIpLiterals(scrubbed), [], `${text} → ${scrubbed}`);
      assert.ok(!scrubbed.includes(address) || !isIpLiteral(address));
    }),
    { numRuns: 2000 },
  );
});
