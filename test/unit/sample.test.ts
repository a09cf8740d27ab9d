import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketBaseline, generateDay, anomalyTimestamps } from '../../src/sample/generate.js';
import { accumulateExpected, emptyExpectedDay } from '../../src/sample/expected.js';
import ipaddr from 'ipaddr.js';
import { findIpLiterals } from '../../src/net/ip.js';

// The generator's internal networks, judged by ipaddr.js (independent of netlog's own address code).
const internal = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'].map((c) =>
  ipaddr.parseCIDR(c),
);
const ipInNetworks = (ip: string, networks: typeof internal): boolean => {
  const address = ipaddr.parse(ip);
  return networks.some(([net, bits]) => address.kind() === net.kind() && address.match(net, bits));
};

test('the generator is deterministic and spreads exactly docsPerDay baseline documents over 96 buckets', () => {
  const options = { seed: 3, docsPerDay: 5000, anomalies: false };
  const baseline = bucketBaseline('2026-11-24', options);
  assert.equal(baseline.length, 96);
  assert.equal(
    baseline.reduce((s, n) => s + n, 0),
    5000,
  );
  const a = [...generateDay('2026-11-24', options)];
  const b = [...generateDay('2026-11-24', options)];
  assert.equal(a.length, 5000);
  assert.deepEqual(
    a.map((d) => d.body),
    b.map((d) => d.body),
  );
  // A diurnal shape: midday is busier than 3 a.m.
  assert.ok(baseline[48]! > 2 * baseline[12]!);
});

test('documents are realistic: every timestamp inside its day, flow categories match the CIDRs, IPv6 present', () => {
  const docs = [...generateDay('2026-11-24', { seed: 9, docsPerDay: 4000, anomalies: true })];
  const start = Date.parse('2026-11-24T00:00:00Z');
  let v6 = 0;
  for (const d of docs) {
    assert.ok(d.timestamp >= start && d.timestamp < start + 86_400_000);
    const body = d.body as { source: { ip: string }; destination: { ip: string } };
    if (body.source.ip.includes(':')) v6++;
    if (d.protocol === 'flow') {
      const expected =
        ipInNetworks(body.source.ip, internal) && ipInNetworks(body.destination.ip, internal)
          ? 'internal_to_internal'
          : ipInNetworks(body.source.ip, internal)
            ? 'internal_to_external'
            : 'external_to_internal';
      assert.equal(d.category, expected, JSON.stringify(body));
    }
  }
  assert.ok(v6 > 100, `${v6} IPv6 sources`);
  assert.ok(
    findIpLiterals(JSON.stringify(docs.slice(0, 50).map((d) => d.body))).length > 0,
    'the raw logs do hold addresses',
  );
});

test('anomalies add a DNS spike at 14:00 and six hourly beacon bursts', () => {
  const docs = [...generateDay('2026-11-24', { seed: 5, docsPerDay: 8000, anomalies: true })];
  const bucketOf = (t: number) =>
    new Date(Math.floor(t / 900_000) * 900_000).toISOString().replace('.000Z', 'Z');
  const tunnel = docs.filter((d) =>
    String((d.body as { dns?: { question: { name: string } } }).dns?.question.name).endsWith(
      '.t.exfil-tunnel.net',
    ),
  );
  const beaconTls = docs.filter((d) => d.protocol === 'tls' && d.website === 'beacon-c2.xyz');
  const { spike, beacon } = anomalyTimestamps('2026-11-24');
  assert.ok(tunnel.length >= 300);
  assert.deepEqual([...new Set(tunnel.map((d) => bucketOf(d.timestamp)))], spike);
  assert.deepEqual([...new Set(beaconTls.map((d) => bucketOf(d.timestamp)))], beacon);
  assert.ok(beaconTls.length >= 6 * 40);
  const expected = emptyExpectedDay('2026-11-24');
  for (const d of docs) accumulateExpected(expected, d);
  assert.equal(expected.websites['beacon-c2.xyz']!.count, beaconTls.length);
  const clean = [...generateDay('2026-11-24', { seed: 5, docsPerDay: 8000, anomalies: false })];
  assert.equal(clean.length, 8000);
  assert.equal(docs.length, 8000 + tunnel.length + 2 * beaconTls.length);
});
