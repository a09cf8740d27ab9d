import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deleteIndices, startTestEs, type TestEs } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { loadSampleDays, writeTestConfig } from '../helpers/sample.js';

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
      `^cluster netlog-local at ${es.url}: Elasticsearch ${version ?? '\\d+\\.\\d+\\.\\d+'}, status (green|yellow)`,
      'm',
    ),
  );
  assert.equal(result.stdout.split('\n').filter((l) => l.startsWith('ok ')).length, 11); // 10 tables, the key
  assert.match(
    result.stdout,
    /ok {6}websites: 2 index\(es\) \(it-doctor-network-http, it-doctor-network-tls\)/,
  );
});

test('doctor names each problem on its own line and exits 1', async () => {
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
  assert.equal(result.code, 1);
  const problems = result.stdout.split('\n').filter((l) => l.startsWith('PROBLEM'));
  assert.deepEqual(problems, [
    `PROBLEM gone: index pattern "${PREFIX}nothing-here-*" matches no index: fix tables[].index`,
    `PROBLEM typo: field network.byte (metric bytes) does not exist in ${PREFIX}network-flow: fix the field name or the mapping`,
    'PROBLEM wrong_types: network.protocol is keyword, not a date: set time_field to a date field',
    'PROBLEM wrong_types: dns.question.name is keyword, not ip: CIDR filters need an ip field',
    'PROBLEM wrong_types: host.name is keyword, not numeric: metric n needs a number field',
  ]);
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
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.deepEqual(
    result.stdout.split('\n').filter((l) => l.startsWith('PROBLEM')),
    [
      'PROBLEM no pseudonymisation key: set NETLOG_HASH_KEY or NETLOG_HASH_KEY_FILE (e.g. openssl rand -hex 32 > /etc/netlog/hash.key)',
    ],
  );
});
