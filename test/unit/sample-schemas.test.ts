import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateDay } from '../../src/sample/generate.js';
import { shapeDoc } from '../../src/sample/schemas.js';
import { PRESET_NAMES } from '../../src/config/presets.js';

const docs = [...generateDay('2026-11-05', { seed: 3, docsPerDay: 400, anomalies: false })];
const target = { namespace: 'default' };
const get = (body: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], body);

test('every schema keeps one counted document per generated event (firewall only in the sample)', () => {
  for (const schema of PRESET_NAMES) {
    for (const doc of docs) {
      const shaped = shapeDoc(schema, doc, target);
      const counted = shaped.filter((s) => s.counted);
      if (doc.protocol === 'firewall' && schema !== 'netlog-sample') assert.equal(shaped.length, 0);
      else assert.equal(counted.length, 1, `${schema} ${doc.protocol}`);
      assert.equal(new Set(shaped.map((s) => s.id)).size, shaped.length, 'distinct ids');
    }
  }
});

test("packetbeat: cumulative interim reports before the final one, whose bytes are the flow's", () => {
  const flow = docs.find((d) => d.protocol === 'flow')!;
  const reports = shapeDoc('packetbeat', flow, target);
  assert.ok(reports.length >= 2);
  const bytes = reports.map(
    (r) => Number(get(r.body, 'source.bytes')) + Number(get(r.body, 'destination.bytes')),
  );
  assert.deepEqual(
    reports.map((r) => get(r.body, 'flow.final')),
    [...reports.slice(1).map(() => false), true],
  );
  assert.equal(bytes.at(-1), flow.bytes);
  for (let i = 1; i < bytes.length; i++) assert.ok(bytes[i]! >= bytes[i - 1]!, 'reports are cumulative');
  assert.equal(get(reports.at(-1)!.body, '@timestamp'), new Date(flow.timestamp).toISOString());
});

test('zeek puts the SNI in zeek.ssl.server.name and splits connection bytes; suricata adds DNS answers', () => {
  const tls = docs.find((d) => d.protocol === 'tls')!;
  const [zeekTls] = shapeDoc('elastic-zeek', tls, target);
  assert.equal(get(zeekTls!.body, 'zeek.ssl.server.name'), get(tls.body, 'tls.client.server_name'));
  assert.equal(get(zeekTls!.body, 'tls.client'), undefined);
  const flow = docs.find((d) => d.protocol === 'flow')!;
  const [conn] = shapeDoc('elastic-zeek', flow, target);
  assert.equal(
    Number(get(conn!.body, 'source.bytes')) + Number(get(conn!.body, 'destination.bytes')),
    flow.bytes,
  );
  assert.equal(get(conn!.body, 'network.bytes'), flow.bytes);
  const dns = docs.find((d) => d.protocol === 'dns')!;
  const eve = shapeDoc('suricata', dns, target);
  assert.deepEqual(
    eve.map((e) => [get(e.body, 'dns.type'), e.counted]),
    [
      ['query', true],
      ['answer', false],
    ],
  );
});
