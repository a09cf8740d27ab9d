import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, TEST_ENGINE } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { onAbort } from '../helpers/children.js';
import { tempDir } from '../helpers/tmp.js';
import { listFiles, writeTestConfig } from '../helpers/sample.js';

// A real node with security on (scripts/es-local.sh ES_SECURITY=1): file-realm users netlog
// (superuser) and monitor (cluster monitor only), plain HTTP on loopback.
const SCRIPT = `${ROOT}scripts/es-local.sh`;
const env = {
  ...process.env,
  ES_SECURITY: '1',
  ES_VERSION: process.env.NETLOG_TEST_ES_VERSION ?? process.env.ES_VERSION ?? '8.19.21',
};
// OpenSearch's integ-test zip ships no security plugin: there are no users to check against.
const skip =
  TEST_ENGINE === 'opensearch'
    ? 'the OpenSearch integ-test zip has no security plugin (no users, no 401/403)'
    : false;
let url: string;
let tmp: { path: string; cleanup: () => Promise<void> };
let config: string;

// The secured node is this file's own: stopped in `after`, or if the runner stops the file first.
const stopNode = () => execFileSync('bash', [SCRIPT, 'stop'], { env, stdio: 'ignore' });
const unregister = onAbort(stopNode);

before(async () => {
  if (skip) return;
  url = execFileSync('bash', [SCRIPT, 'start'], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  tmp = await tempDir('auth');
  config = await writeTestConfig(tmp.path, 'it-auth-');
  const load = await runCli(
    [
      'sample',
      'load',
      '--es',
      url,
      '--days',
      '1',
      '--end',
      '2026-11-12',
      '--docs-per-day',
      '1000',
      '--index-prefix',
      'it-auth-network-',
    ],
    {
      env: {
        NETLOG_LOG_FILE: join(tmp.path, 'log'),
        ES_USERNAME: 'netlog',
        ES_PASSWORD: 'netlog-test-password',
      },
    },
  );
  assert.equal(load.code, 0, load.stderr);
});

after(async () => {
  if (skip) return;
  stopNode();
  unregister();
  await tmp?.cleanup();
});

const netlog = (data: string, credentials: NodeJS.ProcessEnv) =>
  runCli(['load-daily', '--tables', 'dns', '--config', config, '--data', data, '--es', url], {
    env: {
      NETLOG_HASH_KEY: 'auth-test-key-0123456789',
      NETLOG_LOG_FILE: join(tmp.path, 'log'),
      NETLOG_NOW: '2026-11-13T06:00:00Z',
      ...credentials,
    },
  });

test('the right credentials load the day', { skip }, async () => {
  const data = join(tmp.path, 'ok');
  const result = await netlog(data, { ES_USERNAME: 'netlog', ES_PASSWORD: 'netlog-test-password' });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-12.csv']);
});

test(
  'a wrong password, no credentials or a bogus API key: 401 in one line, exit 1, nothing written',
  { skip },
  async () => {
    for (const credentials of [
      { ES_USERNAME: 'netlog', ES_PASSWORD: 'wrong-password' },
      {},
      { ES_API_KEY: 'bm90LWEta2V5OmF0LWFsbA==' },
    ]) {
      const data = join(tmp.path, `401-${Object.keys(credentials).join('-') || 'none'}`);
      const result = await netlog(data, credentials);
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /rejected the credentials \(401\): check ES_API_KEY or ES_USERNAME\/ES_PASSWORD/,
      );
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.deepEqual(await listFiles(data), []);
    }
  },
);

test(
  'a user without read privilege on the index: 403 in one line naming the grant, exit 1',
  { skip },
  async () => {
    const data = join(tmp.path, '403');
    const result = await netlog(data, { ES_USERNAME: 'monitor', ES_PASSWORD: 'monitor-test-password' });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /denied access to "it-auth-network-dns" \(403\): grant the user read and view_index_metadata on it/,
    );
    assert.deepEqual(await listFiles(data), []);
    assert.ok(
      !(await readFile(join(tmp.path, 'log'), 'utf8')).includes('monitor-test-password'),
      'no password in the log',
    );
  },
);
