import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { listFiles, useSampleSuite } from '../helpers/sample.js';
import { makeCertificates, startTlsProxy } from '../helpers/tls.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { scanForLeaks, secretForms } from '../helpers/scan-leaks.js';
import { oracleHits } from '../helpers/leak-oracle.js';

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

const netlog = (args: string[], env: NodeJS.ProcessEnv = {}, config = suite.config) =>
  runCli([...args, '--config', config], {
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

test('no IP literal and no secret reaches any CSV, log line, stdout or stderr, on success or failure', async (t) => {
  const data = join(suite.dir, 'leaks');
  const user = { ES_USERNAME: 'netlog', ES_PASSWORD: PASSWORD };
  // Credentials the node answers 401/403 to: the error paths that hold the Authorization header.
  const refusing = await startFaultProxy(suite.es.url);
  const runs: { name: string; code: number | null; stdout: string; stderr: string }[] = [];
  // Few, quick retries: the failing runs give up in a second, not in the default's seconds.
  const config = join(suite.dir, 'leaks.json');
  const base = JSON.parse(await readFile(suite.config, 'utf8')) as Record<string, unknown>;
  await writeFile(config, JSON.stringify({ ...base, es: { max_retries: 1, retry_base_ms: 50 } }));
  const run = async (name: string, args: string[], env: NodeJS.ProcessEnv) =>
    runs.push({ name, ...(await netlog(args, env, config)) });
  try {
    await run('backfill', ['load-backfill', '--days', '2', '--data', data, '--es', suite.es.url], {
      ES_API_KEY: API_KEY,
    });
    await run(
      'load-daily',
      ['load-daily', '--tables', 'dns,websites', '--data', data, '--es', suite.es.url],
      user,
    );
    await truncate(join(data, 'internal_to_external/2026/2026-11-12.csv'), 300);
    await run(
      'verify --repair',
      ['verify', '--days', '2', '--against-es', '--repair', '--data', data, '--es', suite.es.url],
      user,
    );
    await run('doctor', ['doctor', '--es', suite.es.url], user);
    for (const status of [401, 403]) {
      refusing.after(1, { kind: 'status', status, times: 100 });
      await run(
        `${status} password`,
        ['load-daily', '--data', join(suite.dir, `r${status}`), '--es', refusing.url],
        user,
      );
      refusing.after(1, { kind: 'status', status, times: 100 });
      await run(
        `${status} api key`,
        ['load-daily', '--data', join(suite.dir, `k${status}`), '--es', refusing.url],
        { ES_API_KEY: API_KEY },
      );
      refusing.set({ kind: 'pass' });
    }
    await run('refused', ['load-daily', '--data', join(suite.dir, 'down'), '--es', 'http://127.0.0.1:9'], {
      ES_API_KEY: API_KEY,
    });
    await run(
      'bad date',
      ['load-daily', '--data', data, '--es', 'http://10.255.255.1:9200', '--date', 'not-a-date'],
      { ES_PASSWORD: PASSWORD, ES_USERNAME: 'x' },
    );
    await run('password in a malformed ES_URL', ['load-daily', '--data', data], {
      ES_URL: `http://netlog:${PASSWORD}@10.0.0.1:92OO`,
    });
  } finally {
    await refusing.close();
  }
  assert.deepEqual(
    runs.map((r) => [r.name, r.code]),
    [
      ['backfill', 0],
      ['load-daily', 0],
      ['verify --repair', 0],
      ['doctor', 0],
      ['401 password', 1],
      ['401 api key', 1],
      ['403 password', 1],
      ['403 api key', 1],
      ['refused', 1],
      ['bad date', 2],
      ['password in a malformed ES_URL', 2],
    ],
  );
  assert.match(runs[2]!.stdout, /^repaired\s+internal_to_external 2026-11-12/m);
  assert.equal((await listFiles(data)).filter((f) => f.endsWith('.csv')).length, 20);
  // Every CSV and log file this file's runs wrote, and everything they printed.
  const secrets = secretForms([HASH_KEY, API_KEY, PASSWORD], ['netlog', 'x']);
  const { files, lines, leaks } = await scanForLeaks([suite.dir], secrets);
  assert.deepEqual(leaks, []);
  assert.ok(files >= 21 && lines > 1000, `${files} files, ${lines} lines scanned`);
  for (const r of runs) {
    for (const text of [r.stdout, r.stderr]) {
      assert.deepEqual(oracleHits(text, 'log'), [], `${r.name}: ${text}`);
      for (const s of secrets) assert.ok(!text.includes(s), `${r.name} printed a secret: ${text}`);
    }
  }
  t.diagnostic(`${files} CSV and log files, ${lines} lines and ${runs.length} runs' output scanned`);
});
