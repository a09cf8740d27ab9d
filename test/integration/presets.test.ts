import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEs, type TestEs } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { readCsvRecords } from '../helpers/sample.js';
import { PRESET_NAMES, type PresetName } from '../../src/config/presets.js';
import { schemaIndices } from '../../src/sample/schemas.js';
import type { CountBytes, ExpectedFile } from '../../src/sample/expected.js';

// Every preset end to end on a real node: generated documents in its source's exact shape, then
// load-backfill with only `--config` naming the preset; the files must equal the generator's counts.
const DAY = '2026-11-05';
const NAMESPACE = 'netlogtest';
const KEY = 'presets-test-key-0123456789';
const SERIES: Record<string, 'total' | 'dns' | 'dhcp' | 'http' | 'tls' | 'flow'> = {
  total: 'total',
  dns: 'dns',
  dhcp: 'dhcp',
  http: 'http',
  tls: 'tls',
  flow: 'flow',
};

let es: TestEs;
let tmp: { path: string; cleanup: () => Promise<void> };
const expected = new Map<PresetName, ExpectedFile>();
const indices = (preset: PresetName) => schemaIndices(preset, { namespace: NAMESPACE }).join(',');

const netlog = (args: string[]) =>
  runCli([...args, '--es', es.url], {
    env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_NOW: '2026-11-07T06:00:00Z' },
  });

before(async () => {
  es = await startTestEs();
  tmp = await tempDir('presets');
  for (const preset of PRESET_NAMES) {
    await es.client.indices.delete({ index: indices(preset), ignore_unavailable: true });
    const file = join(tmp.path, `expected-${preset}.json`);
    const load = await netlog([
      'sample',
      'load',
      '--schema',
      preset,
      '--namespace',
      NAMESPACE,
      '--days',
      '1',
      '--end',
      DAY,
      '--docs-per-day',
      '1500',
      '--seed',
      '5',
      '--no-anomalies',
      '--expected',
      file,
    ]);
    assert.equal(load.code, 0, load.stderr);
    expected.set(preset, JSON.parse(await readFile(file, 'utf8')) as ExpectedFile);
  }
});

after(async () => {
  for (const preset of PRESET_NAMES)
    await es.client.indices
      .delete({ index: indices(preset), ignore_unavailable: true })
      .catch(() => undefined);
  await es.close();
  await tmp.cleanup();
});

/** The summed count (and bytes, when the table has them) of a day file. */
function sums(records: Record<string, string>[], hasBytes: boolean): CountBytes {
  return {
    count: records.reduce((s, r) => s + Number(r.count), 0),
    bytes: hasBytes ? records.reduce((s, r) => s + Number(r.bytes), 0) : 0,
  };
}

for (const preset of PRESET_NAMES) {
  test(`${preset}: load-backfill with only "preset: ${preset}" writes the generator's counts`, async () => {
    const dir = join(tmp.path, preset);
    const config = join(tmp.path, `${preset}.yaml`);
    await writeFile(config, `preset: ${preset}\n`);
    const run = await netlog([
      'load-backfill',
      '--from',
      DAY,
      '--to',
      DAY,
      '--config',
      config,
      '--data',
      dir,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const want = expected.get(preset)!.days[DAY]!;
    const file = (table: string) => join(dir, table, DAY.slice(0, 4), `${DAY}.csv`);
    for (const [table, source] of Object.entries(SERIES)) {
      const { header, records } = await readCsvRecords(file(table));
      const hasBytes = header.includes('bytes');
      const buckets = source === 'total' ? want.total : want.protocols[source];
      assert.equal(records.length, 96, `${preset} ${table}`);
      for (const r of records) {
        const w = buckets[r.timestamp!]!;
        assert.equal(Number(r.count), w.count, `${preset} ${table} ${r.timestamp} count`);
        if (hasBytes) assert.equal(Number(r.bytes), w.bytes, `${preset} ${table} ${r.timestamp} bytes`);
      }
      assert.ok(
        records.some((r) => Number(r.count) > 0),
        `${preset} ${table} has data`,
      );
    }
    for (const table of ['internal_to_internal', 'internal_to_external'] as const) {
      const { header, records } = await readCsvRecords(file(table));
      const hasBytes = header.includes('bytes');
      const w = want.flows[table];
      assert.deepEqual(
        sums(records, hasBytes),
        { count: w.count, bytes: hasBytes ? w.bytes : 0 },
        `${preset} ${table}`,
      );
    }
    const { header, records } = await readCsvRecords(file('websites'));
    const hasBytes = header.includes('bytes');
    const byDomain: Record<string, CountBytes> = {};
    for (const r of records) {
      const d = (byDomain[r.domain!] ??= { count: 0, bytes: 0 });
      d.count += Number(r.count);
      if (hasBytes) d.bytes += Number(r.bytes);
    }
    const wantDomains = Object.fromEntries(
      Object.entries(want.websites).map(([d, v]) => [d, { count: v.count, bytes: hasBytes ? v.bytes : 0 }]),
    );
    assert.deepEqual(byDomain, wantDomains, `${preset} websites`);
  });
}

test("packetbeat's cumulative flow reports: the preset's bytes equal the generator's, a naive sum does not", async () => {
  const want = expected.get('packetbeat')!.days[DAY]!;
  const wantFlow = Object.values(want.protocols.flow).reduce(
    (s, b) => ({ count: s.count + b.count, bytes: s.bytes + b.bytes }),
    { count: 0, bytes: 0 },
  );
  const records = (await readCsvRecords(join(tmp.path, 'packetbeat', 'flow', DAY.slice(0, 4), `${DAY}.csv`)))
    .records;
  assert.deepEqual(sums(records, true), wantFlow);
  // Summing every flow report of the day, as a query without flow.final would:
  const naive = await es.client.search({
    index: indices('packetbeat'),
    size: 0,
    track_total_hits: true,
    query: {
      bool: {
        filter: [
          { term: { 'event.dataset': 'flow' } },
          { range: { '@timestamp': { gte: `${DAY}T00:00:00Z`, lt: `${DAY}T00:00:00Z||+1d` } } },
        ],
      },
    },
    aggs: { up: { sum: { field: 'source.bytes' } }, down: { sum: { field: 'destination.bytes' } } },
  });
  const aggs = naive.aggregations as { up: { value: number }; down: { value: number } };
  const total = naive.hits.total as { value: number };
  assert.ok(total.value > wantFlow.count * 1.5, `${total.value} reports for ${wantFlow.count} flows`);
  assert.ok(aggs.up.value + aggs.down.value > wantFlow.bytes * 1.5, 'a naive sum counts flows several times');
});
