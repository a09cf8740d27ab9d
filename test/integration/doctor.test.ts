import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deleteIndices, startTestEs, TEST_ENGINE, type TestEs } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { loadSampleDays, writeTestConfig } from '../helpers/sample.js';
import { loadConfig } from '../../src/config/load.js';
import { buildDataPackage, formatDataPackage, settingsOf } from '../../src/datapackage/descriptor.js';
import { createEngineClient } from '../../src/extract/engine.js';
import { requestJson } from '../../src/extract/request.js';

const KEY = 'doctor-test-key-0123456789abcdef';
const PREFIX = 'it-doctor-';
let es: TestEs;
let tmp: { path: string; cleanup: () => Promise<void> };

before(async () => {
  es = await startTestEs();
  tmp = await tempDir('doctor');
  await deleteIndices(es.client, PREFIX);
  await loadSampleDays(es.url, tmp.path, {
    prefix: PREFIX,
    days: 1,
    end: '2026-11-10',
    docsPerDay: 500,
    seed: 1,
    anomalies: false,
  });
});

after(async () => {
  await deleteIndices(es.client, PREFIX);
  await es.close();
  await tmp.cleanup();
});

test('doctor reports the cluster and every table ready', async () => {
  const config = await writeTestConfig(tmp.path, PREFIX);
  const result = await runCli(['doctor', '--config', config, '--es', es.url], {
    env: { NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_HASH_KEY: KEY },
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^ok {6}pseudonymisation key: set/m);
  const version = process.env.NETLOG_TEST_ES_VERSION;
  assert.match(
    result.stdout,
    new RegExp(
      `^cluster netlog-local at ${es.url}: ${TEST_ENGINE === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${version ?? '\\d+\\.\\d+\\.\\d+'}, status (green|yellow)`,
      'm',
    ),
  );
  assert.equal(result.stdout.split('\n').filter((l) => l.startsWith('ok ')).length, 11); // 10 tables, the key
  assert.match(
    result.stdout,
    /ok {6}websites: 2 index\(es\) \(it-doctor-network-http, it-doctor-network-tls\)/,
  );
});

test('doctor names each problem on its own line and exits 2 (a configuration problem)', async () => {
  const config = join(tmp.path, 'broken.json');
  await writeFile(
    config,
    JSON.stringify({
      tables: [
        { name: 'gone', index: `${PREFIX}nothing-here-*` },
        {
          name: 'typo',
          index: `${PREFIX}network-flow`,
          metrics: [{ name: 'bytes', type: 'sum', field: 'network.byte' }],
        },
        {
          name: 'wrong_types',
          index: `${PREFIX}network-dns`,
          time_field: 'network.protocol',
          filters: [{ internal: 'dns.question.name' }],
          metrics: [{ name: 'n', type: 'sum', field: 'host.name' }],
        },
      ],
    }),
  );
  const result = await runCli(['doctor', '--config', config, '--es', es.url], {
    env: { NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_HASH_KEY: KEY },
  });
  assert.equal(result.code, 2);
  const problems = result.stdout.split('\n').filter((l) => l.startsWith('PROBLEM'));
  assert.deepEqual(problems, [
    `PROBLEM gone: index pattern "${PREFIX}nothing-here-*" matches no index: fix tables[].index`,
    `PROBLEM typo: field network.byte (metric bytes) does not exist in ${PREFIX}network-flow: fix the field name or the mapping`,
    'PROBLEM wrong_types: network.protocol is keyword, not a date: set time_field to a date field',
    'PROBLEM wrong_types: dns.question.name is keyword, not ip: CIDR filters need an ip field',
    'PROBLEM wrong_types: host.name is keyword, not numeric: metric n needs a number field',
  ]);
});

test('the engine: found from the server, fixed by ES_ENGINE, and a wrong ES_ENGINE is a configuration error', async () => {
  const config = await writeTestConfig(tmp.path, PREFIX);
  const doctor = (engine: string) =>
    runCli(['doctor', '--config', config, '--es', es.url], {
      env: { NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_HASH_KEY: KEY, ES_ENGINE: engine },
    });
  const product = TEST_ENGINE === 'opensearch' ? 'OpenSearch' : 'Elasticsearch';
  for (const engine of ['auto', TEST_ENGINE]) {
    const result = await doctor(engine);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^cluster netlog-local at \\S+: ${product} \\d+\\.\\d+\\.\\d+,`, 'm'),
    );
  }
  const bogus = await doctor('solr');
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /ES_ENGINE=solr is not an engine: use auto, elasticsearch or opensearch/);
  // The other engine's client against this server: one clear line either way.
  const other = await doctor(TEST_ENGINE === 'opensearch' ? 'elasticsearch' : 'opensearch');
  if (TEST_ENGINE === 'opensearch') {
    assert.equal(other.code, 1, other.stdout + other.stderr);
    assert.match(other.stderr, /the server is not Elasticsearch .*: if it is OpenSearch, set ES_ENGINE/);
  } else {
    assert.equal(other.code, 2, other.stdout + other.stderr);
    assert.match(other.stdout, /^PROBLEM engine: the server does not say it is OpenSearch/m);
  }
});

// auto probes with the first request itself, through the Elasticsearch client: a search with a body
// is what OpenSearch refuses from that client (406, the content type), so on OpenSearch it must be
// asked again through the OpenSearch client, whose library an Elasticsearch run never loads.
test('auto: the first request, a search with a body, finds the engine; the OpenSearch client is loaded only for OpenSearch', async () => {
  const loaded = () =>
    Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('@opensearch-project'));
  const client = createEngineClient({ node: es.url, requestTimeout: 60_000 }, 'auto');
  try {
    const { body } = await requestJson(
      client,
      {
        method: 'POST',
        path: `/${PREFIX}*/_search`,
        body: { size: 0, track_total_hits: true, query: { match_all: {} } },
      },
      { maxBytes: 1024 * 1024 },
    );
    // The sample day of 500 documents a day, over several indices.
    assert.ok((body as { hits: { total: { value: number } } }).hits.total.value >= 500);
    assert.equal(await client.engine(), TEST_ENGINE);
    if (TEST_ENGINE === 'elasticsearch')
      assert.equal(loaded(), false, 'the OpenSearch library was loaded for Elasticsearch');
    else assert.ok(loaded());
  } finally {
    await client.close();
  }
});

test('doctor checks the key too: none set is a problem, so the next load-daily would not exit 2 first', async () => {
  const config = await writeTestConfig(tmp.path, PREFIX);
  const result = await runCli(['doctor', '--config', config, '--es', es.url], {
    env: {
      NETLOG_LOG_FILE: join(tmp.path, 'log'),
      NETLOG_HASH_KEY: undefined,
      NETLOG_HASH_KEY_FILE: undefined,
    },
  });
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.deepEqual(
    result.stdout.split('\n').filter((l) => l.startsWith('PROBLEM')),
    [
      'PROBLEM no pseudonymisation key: set NETLOG_HASH_KEY or NETLOG_HASH_KEY_FILE (e.g. openssl rand -hex 32 > /etc/netlog/hash.key)',
    ],
  );
});

test("doctor reports a config that contradicts the data repository's datapackage.json", async () => {
  const config = await writeTestConfig(tmp.path, PREFIX);
  const loaded = await loadConfig(config);
  const recordedZone = loaded.timezone === 'Europe/Zurich' ? 'America/New_York' : 'Europe/Zurich';
  const data = join(tmp.path, 'recorded');
  await mkdir(data, { recursive: true });
  // The data repository as a run with another zone (and the same tables) left it.
  const settings = settingsOf({ ...loaded, timezone: recordedZone });
  await writeFile(
    join(data, 'datapackage.json'),
    formatDataPackage(buildDataPackage({ version: '0.0.0-test', settings, files: [] })),
  );
  const result = await runCli(['doctor', '--config', config, '--data', data, '--es', es.url], {
    env: { NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_HASH_KEY: KEY },
  });
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const problems = result.stdout.split('\n').filter((l) => l.startsWith('PROBLEM'));
  assert.deepEqual(problems, [
    `PROBLEM ${join(data, 'datapackage.json')} records timezone ${recordedZone} (this run: ${loaded.timezone}), which the config ${config} (--config) contradicts: run with the config that wrote these files (--config FILE), or add --start-anew to record the new settings`,
  ]);
  assert.match(result.stdout, /^1 problem\(s\)/m);

  // The same config against a repository that records it: no problem.
  await writeFile(
    join(data, 'datapackage.json'),
    formatDataPackage(buildDataPackage({ version: '0.0.0-test', settings: settingsOf(loaded), files: [] })),
  );
  const agreeing = await runCli(['doctor', '--config', config, '--data', data, '--es', es.url], {
    env: { NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_HASH_KEY: KEY },
  });
  assert.equal(agreeing.code, 0, agreeing.stdout + agreeing.stderr);
});
