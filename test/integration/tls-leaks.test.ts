import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { listFiles, useSampleSuite } from '../helpers/sample.js';
import { makeCertificates, startTlsProxy } from '../helpers/tls.js';
import { findIpLiterals } from '../../src/transform/ip.js';

const PREFIX = 'it-tls-';
const suite = useSampleSuite({
  label: 'tls',
  prefix: PREFIX,
  sample: { days: 2, end: '2026-11-12', docsPerDay: 3000, seed: 51 },
});
const HASH_KEY = 'leak-canary-hash-key-7f3a9c';
const API_KEY = 'leak-canary-api-key-51d2e8';
const PASSWORD = 'leak-canary-password-99b1';
let tls: { url: string; close(): Promise<void> };
let certs: { ca: string; key: string; cert: string };

before(async () => {
  await suite.ready;
  certs = makeCertificates(suite.dir);
  tls = await startTlsProxy(suite.es.url, certs);
});
after(async () => {
  await tls?.close();
});

const netlog = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli([...args, '--config', suite.config], {
    env: {
      NETLOG_HASH_KEY: HASH_KEY,
      NETLOG_LOG_FILE: suite.logFile,
      NETLOG_NOW: '2026-11-13T06:00:00Z',
      ...env,
    },
  });

test('TLS verification is on by default: an untrusted certificate fails with one clear line', async () => {
  const data = join(suite.dir, 'untrusted');
  const result = await netlog(['load-daily', '--tables', 'dns', '--data', data, '--es', tls.url]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /Elasticsearch at https:\/\/localhost:\d+ presented a certificate netlog does not trust \(.+\): set ES_CA_CERT to its CA file/,
  );
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.deepEqual(await listFiles(data), []);
});

test('ES_CA_CERT makes a private CA trusted', async () => {
  const data = join(suite.dir, 'ca');
  const result = await netlog(['load-daily', '--tables', 'dns,websites', '--data', data, '--es', tls.url], {
    ES_CA_CERT: certs.ca,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-12.csv', 'websites/2026/2026-11-12.csv']);
});

test('--insecure works and is warned on the terminal and in the log', async () => {
  const data = join(suite.dir, 'insecure');
  const result = await netlog([
    'load-daily',
    '--tables',
    'dns',
    '--data',
    data,
    '--es',
    tls.url,
    '--insecure',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /netlog: warn: TLS certificate verification of Elasticsearch is OFF/);
  assert.match(
    await readFile(suite.logFile, 'utf8'),
    /"level":40,.*TLS certificate verification of Elasticsearch is OFF/,
  );
});

test('no IP literal and no secret reaches any CSV or log line, on success or failure', async () => {
  const data = join(suite.dir, 'leaks');
  const runs = [
    await netlog(['load-backfill', '--days', '2', '--data', data, '--es', suite.es.url], {
      ES_API_KEY: API_KEY,
    }),
    await netlog(['verify', '--days', '2', '--against-es', '--data', data, '--es', suite.es.url], {
      ES_USERNAME: 'netlog',
      ES_PASSWORD: PASSWORD,
    }),
    await netlog(['load-daily', '--data', join(suite.dir, 'down'), '--es', 'http://127.0.0.1:9'], {
      ES_API_KEY: API_KEY,
    }),
    await netlog(['load-daily', '--data', data, '--es', 'http://10.255.255.1:9200', '--date', 'not-a-date'], {
      ES_PASSWORD: PASSWORD,
      ES_USERNAME: 'x',
    }),
    await netlog(['doctor', '--es', suite.es.url], { ES_USERNAME: 'netlog', ES_PASSWORD: PASSWORD }),
  ];
  assert.deepEqual(
    runs.map((r) => r.code),
    [0, 0, 1, 2, 0],
  );
  const csvs = (await listFiles(data)).filter((f) => f.endsWith('.csv'));
  assert.equal(csvs.length, 20);
  const texts = [
    ...(await Promise.all(csvs.map((f) => readFile(join(data, f), 'utf8')))),
    ...(await Promise.all(
      (await readdir(suite.dir))
        .filter((f) => f.endsWith('.log'))
        .map((f) => readFile(join(suite.dir, f), 'utf8')),
    )),
    ...runs.flatMap((r) => [r.stdout, r.stderr]),
  ];
  for (const text of texts) {
    assert.deepEqual(findIpLiterals(text), []);
    for (const secret of [HASH_KEY, API_KEY, PASSWORD])
      assert.ok(!text.includes(secret), `a secret leaked: ${text.slice(0, 200)}`);
  }
});
