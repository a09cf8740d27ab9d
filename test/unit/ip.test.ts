import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  canonicalIp,
  findIpLiterals,
  ipInNetworks,
  isIpLiteral,
  parseCidr,
  scrubIpLiterals,
} from '../../src/net/ip.js';

const networks = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'].map((c) => parseCidr(c)!);

test('canonicalIp compresses IPv6 (RFC 5952) and unmaps IPv4-mapped addresses', () => {
  assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canonicalIp('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(canonicalIp('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(canonicalIp('[fe80::1%eth0]'), 'fe80::1');
  assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
});

test('CIDR membership: RFC 1918 and ULA inside, their neighbours outside', () => {
  assert.equal(ipInNetworks('172.31.255.255', networks), true);
  assert.equal(ipInNetworks('172.32.0.0', networks), false);
  assert.equal(ipInNetworks('192.168.0.1', networks), true);
  assert.equal(ipInNetworks('192.169.0.1', networks), false);
  assert.equal(ipInNetworks('fd00:10::1', networks), true);
  assert.equal(ipInNetworks('fe00::1', networks), false);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.0'), undefined);
  assert.equal(parseCidr('fc00::/129'), undefined);
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
