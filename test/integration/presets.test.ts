import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestEs, type TestEs } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { listFiles, readCsvRecords } from '../helpers/sample.js';
import { PRESET_NAMES, type PresetName } from '../../src/config/presets.js';
import { schemaIndices } from '../../src/sample/schemas.js';
import type { CountBytes, ExpectedDay, ExpectedFile } from '../../src/sample/expected.js';

// Every preset end to end on a real node: generated documents in its source's exact shape (and no
// other source's), `doctor` with the built-in tables names that source and suggests its preset, and
// load-backfill with only `--config` naming the preset writes files equal to the generator's counts.
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
const indices = (preset: PresetName) => schemaIndices(preset, { namespace: NAMESPACE }).join(',');

const netlog = (args: string[], now = '2026-11-07T06:00:00Z') =>
  runCli([...args, '--es', es.url], {
    env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_NOW: now },
  });

async function deleteAll(): Promise<void> {
  for (const p of PRESET_NAMES)
    await es.client.indices.delete({ index: indices(p), ignore_unavailable: true });
}

before(async () => {
  es = await startTestEs();
  tmp = await tempDir('presets');
});

after(async () => {
  await deleteAll().catch(() => undefined);
  await es.close();
  await tmp.cleanup();
});

/** Only `preset`'s source on the node: every preset's indices deleted, then its own loaded. */
async function loadOnly(preset: PresetName): Promise<ExpectedDay> {
  await deleteAll();
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
  return (JSON.parse(await readFile(file, 'utf8')) as ExpectedFile).days[DAY]!;
}

/** The summed count (and bytes, when the table has them) of a day file. */
function sums(records: Record<string, string>[], hasBytes: boolean): CountBytes {
  return {
    count: records.reduce((s, r) => s + Number(r.count), 0),
    bytes: hasBytes ? records.reduce((s, r) => s + Number(r.bytes), 0) : 0,
  };
}

for (const preset of PRESET_NAMES) {
  test(`${preset}: doctor suggests it, and load-backfill with only "preset: ${preset}" writes the generator's counts`, async () => {
    const want = await loadOnly(preset);
    const dir = join(tmp.path, preset);
    const config = join(tmp.path, `${preset}.yaml`);
    await writeFile(config, `preset: ${preset}\n`);

    // doctor with the built-in tables (netlog-sample's): this source alone fits, and is suggested.
    const plain = await netlog(['doctor']);
    assert.deepEqual(
      plain.stdout.split('\n').filter((l) => l.startsWith('source ')),
      PRESET_NAMES.map((p) => `source  ${p}: ${p === preset ? 'fits' : 'no data'}`),
      plain.stdout,
    );
    if (preset === 'netlog-sample') assert.equal(plain.code, 0, plain.stdout);
    else {
      assert.equal(plain.code, 2, plain.stdout);
      assert.match(
        plain.stdout,
        new RegExp(
          `^suggest this cluster holds ${preset} data: put "preset: ${preset}" in the config file`,
          'm',
        ),
      );
    }
    const doctor = await netlog(['doctor', '--config', config]);
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, new RegExp(`^source  ${preset}: fits \\(in use\\)$`, 'm'));
    assert.equal(
      // One ok line per table (the sample has a firewall table, the others not), then the key's.
      doctor.stdout.split('\n').filter((l) => l.startsWith('ok ')).length,
      (preset === 'netlog-sample' ? 10 : 9) + 1,
      doctor.stdout,
    );

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
    if (preset === 'packetbeat') await cumulativeTrap(want, file('flow'));
  });
}

/**
 * Packetbeat's cumulative flow reports: the preset's flow bytes equal the generator's, while summing
 * every flow report of the day (a query without flow.final) counts each flow several times.
 */
async function cumulativeTrap(want: ExpectedDay, flowFile: string): Promise<void> {
  const wantFlow = Object.values(want.protocols.flow).reduce(
    (s, b) => ({ count: s.count + b.count, bytes: s.bytes + b.bytes }),
    { count: 0, bytes: 0 },
  );
  assert.deepEqual(sums((await readCsvRecords(flowFile)).records, true), wantFlow);
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
  assert.ok(
    aggs.up.value + aggs.down.value > wantFlow.bytes * 1.5,
    `a naive sum (${aggs.up.value + aggs.down.value}) counts flows several times (${wantFlow.bytes})`,
  );
}

test("late data: load-daily refuses a day inside the preset's settle window unless --partial", async () => {
  // The last test left security-onion's data (settle_hours 6) on the node. 3 hours after the day's end:
  const config = join(tmp.path, 'security-onion.yaml');
  const threeHoursLater = '2026-11-06T03:00:00Z';
  const dir = join(tmp.path, 'settle');
  const daily = (extra: string[]) =>
    netlog(
      ['load-daily', '--date', DAY, '--tables', 'dns', '--config', config, '--data', dir, ...extra],
      threeHoursLater,
    );
  const refused = await daily([]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /2026-11-05 ended 3\.0 h ago, within the settle window of 6 h \(--settle or settle_hours\): late logs may still arrive; load it after 2026-11-06T06:00:00\.000Z, or add --partial for a partial file/,
  );
  assert.deepEqual(await listFiles(dir), []);
  const partial = await daily(['--partial']);
  assert.equal(partial.code, 0, partial.stderr);
  assert.deepEqual(await listFiles(dir), ['dns/2026/2026-11-05.partial.csv']);
  // --settle overrides the preset's window: 2 hours have passed, the day is complete.
  const settled = await daily(['--settle', '2']);
  assert.equal(settled.code, 0, settled.stderr);
  assert.deepEqual(await listFiles(dir), ['dns/2026/2026-11-05.csv']);
});
