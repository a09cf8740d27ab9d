import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { listFiles, useSampleSuite } from '../helpers/sample.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

const PREFIX = 'it-fault-';
const suite = useSampleSuite({
  label: 'faults',
  prefix: PREFIX,
  sample: { days: 4, end: '2026-11-12', docsPerDay: 2000, seed: 41, anomalies: false },
});
let proxy: FaultProxy;
let config: string;

// Short timeouts and backoff so that every retry path runs in a second or two.
before(async () => {
  await suite.ready;
  proxy = await startFaultProxy(suite.es.url);
  const base = JSON.parse(await readFile(suite.config, 'utf8')) as Record<string, unknown>;
  config = join(suite.dir, 'faults.json');
  await writeFile(
    config,
    JSON.stringify({ ...base, es: { max_retries: 2, retry_base_ms: 50, request_timeout_ms: 800 } }),
  );
});
after(async () => {
  await proxy?.close();
});

const netlog = (args: string[], es = proxy.url) =>
  runCli([...args, '--config', config, '--es', es], {
    env: {
      NETLOG_HASH_KEY: 'fault-test-key-0123456789',
      NETLOG_LOG_FILE: suite.logFile,
      NETLOG_NOW: '2026-11-13T06:00:00Z',
    },
  });
const logLines = async () =>
  (await readFile(suite.logFile, 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('429 answers are retried with backoff, then the day loads', async () => {
  const data = join(suite.dir, 'd429');
  const before = (await logLines()).length;
  proxy.seen.length = 0;
  proxy.after(1, { kind: 'status', status: 429, times: 2 }); // the health check passes, the search is refused twice
  const result = await netlog(['load-daily', '--tables', 'dns', '--data', data]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    proxy.seen.map((s) => s.outcome),
    ['pass', 'status 429', 'status 429', 'pass'],
  );
  const retries = (await logLines())
    .slice(before)
    .filter((l) => l.msg === 'elasticsearch request failed, retrying');
  assert.deepEqual(
    retries.map((r) => [r.statusCode, r.attempt]),
    [
      [429, 1],
      [429, 2],
    ],
  );
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-12.csv']);
});

test('a persistent 503 fails with one clear line after the retries, writing nothing', async () => {
  const data = join(suite.dir, 'd503');
  proxy.after(1, { kind: 'status', status: 503, times: 100 });
  const result = await netlog(['load-daily', '--tables', 'dns', '--data', data]);
  proxy.set({ kind: 'pass' });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /Elasticsearch at http:\/\/\[ip\]:\d+ answered 503 \(injected_fault\) for "it-fault-network-dns" \(gave up after 3 attempts\)/,
  );
  assert.deepEqual(await listFiles(data), []);
});

test('a stalling node times out, is retried, and fails clearly', async () => {
  const data = join(suite.dir, 'stall');
  proxy.after(1, { kind: 'stall', ms: 3000 });
  const started = Date.now();
  const result = await netlog(['load-daily', '--tables', 'dns', '--data', data]);
  proxy.set({ kind: 'pass' });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /did not answer in time for "it-fault-network-dns": raise es\.request_timeout_ms or ES_TIMEOUT_MS.*gave up after 3 attempts/,
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 3 * 800 && elapsed < 20_000, `${elapsed} ms: three timed-out attempts`);
  assert.deepEqual(await listFiles(data), []);
});

test('connections reset by the node are retried and reported', async () => {
  const data = join(suite.dir, 'reset');
  proxy.after(1, { kind: 'reset' });
  const result = await netlog(['load-daily', '--tables', 'dns', '--data', data]);
  proxy.set({ kind: 'pass' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /could not be reached.*is it running\? check ES_URL/);
  assert.deepEqual(await listFiles(data), []);
});

test('401 and 403 are one clear line each, exit 1, not retried', async () => {
  for (const [status, message] of [
    [401, /rejected the credentials \(401\): check ES_API_KEY or ES_USERNAME\/ES_PASSWORD/],
    [
      403,
      /denied access to "it-fault-network-dns" \(403\): grant the user read and view_index_metadata on it/,
    ],
  ] as const) {
    const data = join(suite.dir, `auth${status}`);
    proxy.seen.length = 0;
    proxy.after(1, { kind: 'status', status, times: 10 });
    const result = await netlog(['load-daily', '--tables', 'dns', '--data', data]);
    proxy.set({ kind: 'pass' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, message);
    assert.equal(proxy.seen.filter((s) => s.outcome === `status ${status}`).length, 1, 'not retried');
    assert.deepEqual(await listFiles(data), []);
  }
});

test('an index pattern that matches nothing: one line naming it, exit 1', async () => {
  const missing = join(suite.dir, 'missing.json');
  await writeFile(missing, JSON.stringify({ tables: [{ name: 'ghost', index: `${PREFIX}no-such-index` }] }));
  const data = join(suite.dir, 'missing');
  const result = await runCli(['load-daily', '--config', missing, '--data', data, '--es', suite.es.url], {
    env: {
      NETLOG_HASH_KEY: 'fault-test-key-0123456789',
      NETLOG_LOG_FILE: suite.logFile,
      NETLOG_NOW: '2026-11-13T06:00:00Z',
    },
  });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /index pattern "it-fault-no-such-index" matches no index on .*: check the table's index \(netlog doctor lists what exists\)/,
  );
  assert.deepEqual(await listFiles(data), []);
});

test('the node going away in the middle of a backfill: finished days kept, the rest failed, the re-run completes them', async () => {
  const data = join(suite.dir, 'cut');
  const cut = await startFaultProxy(suite.es.url);
  cut.after(3, 'refuse'); // the health check and two days pass, then the node is gone
  const result = await netlog(
    ['load-backfill', '--days', '4', '--tables', 'dns', '--concurrency', '1', '--data', data],
    cut.url,
  );
  await cut.close();
  assert.equal(result.code, 3, result.stderr);
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-09.csv', 'dns/2026/2026-11-10.csv']);
  assert.match(result.stdout, /FAILED dns 2026-11-11: .*refused the connection/);
  assert.match(result.stdout, /^dns\s+2\s+0\s+2$/m);
  const rerun = await netlog(
    ['load-backfill', '--days', '4', '--tables', 'dns', '--data', data],
    suite.es.url,
  );
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, /^dns\s+2\s+2\s+0$/m);
  assert.equal((await listFiles(data)).length, 4);
});

// Filesystem faults need a mount of our own: root in this sandbox may mount a tmpfs; skip otherwise.
function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const canMount =
  process.getuid?.() === 0 &&
  (() => {
    const probe = execFileSync('mktemp', ['-d']).toString().trim();
    const ok = tryMount(probe, 'size=64k');
    if (ok) execFileSync('umount', [probe]);
    return ok;
  })();

test(
  'disk full: the previous file is intact, a clear error, no temp file left',
  { skip: canMount ? false : 'needs root and permission to mount a tmpfs' },
  async () => {
    const data = join(suite.dir, 'full');
    await mkdir(data, { recursive: true });
    assert.ok(tryMount(data, 'size=8k'));
    try {
      const previous =
        'timestamp,source,destination,count,bytes\n2026-11-12T00:00:00Z,aaaa,example.com,1,1\n';
      await mkdir(join(data, 'internal_to_external/2026'), { recursive: true });
      await writeFile(join(data, 'internal_to_external/2026/2026-11-12.csv'), previous);
      const result = await netlog(
        ['load-daily', '--tables', 'internal_to_external', '--data', data],
        suite.es.url,
      );
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /cannot write .*2026-11-12\.csv \(ENOSPC\): the disk is full: free space and re-run; the previous file is unchanged/,
      );
      assert.equal(await readFile(join(data, 'internal_to_external/2026/2026-11-12.csv'), 'utf8'), previous);
      assert.deepEqual(await listFiles(data), ['internal_to_external/2026/2026-11-12.csv']);
    } finally {
      execFileSync('umount', [data]);
    }
  },
);

test(
  'a read-only data directory: the previous file is intact, a clear error',
  { skip: canMount ? false : 'needs root and permission to mount a tmpfs' },
  async () => {
    const data = join(suite.dir, 'readonly');
    await mkdir(data, { recursive: true });
    assert.ok(tryMount(data, 'size=1m'));
    try {
      await mkdir(join(data, 'dns/2026'), { recursive: true });
      await writeFile(join(data, 'dns/2026/2026-11-12.csv'), 'old\n');
      execFileSync('mount', ['-o', 'remount,ro', data]);
      const result = await netlog(['load-daily', '--tables', 'dns', '--data', data], suite.es.url);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /\(EROFS\): the data directory is not writable: check its permissions or mount; the previous file is unchanged|cannot create the lock .*\(EROFS\)/,
      );
      assert.equal(await readFile(join(data, 'dns/2026/2026-11-12.csv'), 'utf8'), 'old\n');
    } finally {
      execFileSync('umount', [data]);
    }
  },
);
