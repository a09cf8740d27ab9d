import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli.js';
import { killChild } from '../helpers/children.js';
import { listFiles, useSampleSuite } from '../helpers/sample.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { waitFor } from '../helpers/wait.js';
import { keyFingerprint } from '../../src/transform/pseudonymise.js';
import { decideRecord, formatRecord } from '../../src/store/pseudonym-record.js';

/** The pseudonym.json a run with `key` writes (default scheme). */
function keyRecord(key: string): string {
  const scheme = { algorithm: 'hmac-sha256', length: 16 } as const;
  const fingerprint = keyFingerprint(scheme, Buffer.from(key));
  const decision = decideRecord(undefined, { ...scheme, fingerprint }, { newKey: false, now: new Date() });
  if (decision.kind !== 'write') throw new Error('a first record is always written');
  return formatRecord(decision.record);
}

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

const env = () => ({
  NETLOG_HASH_KEY: 'fault-test-key-0123456789',
  NETLOG_LOG_FILE: suite.logFile,
  NETLOG_NOW: '2026-11-13T06:00:00Z',
});
/** Runs netlog through the proxy (or `es`) with the fault config, unless `args` name another. */
const netlog = (args: string[], es = proxy.url, extraEnv: NodeJS.ProcessEnv = {}) =>
  runCli([...args, ...(args.includes('--config') ? [] : ['--config', config]), '--es', es], {
    env: { ...env(), ...extraEnv },
  });
const logLines = async () =>
  (await readFile(suite.logFile, 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('429 and 503 answers are retried with a growing, jittered backoff, then the day loads intact', async (t) => {
  // A config of its own with a larger retry base, so that the waits are measurable.
  const slow = join(suite.dir, 'backoff.json');
  const base = JSON.parse(await readFile(config, 'utf8')) as Record<string, unknown>;
  await writeFile(
    slow,
    JSON.stringify({ ...base, es: { max_retries: 3, retry_base_ms: 200, request_timeout_ms: 5000 } }),
  );
  let reference: string | undefined;
  for (const status of [429, 503]) {
    const data = join(suite.dir, `d${status}`);
    const before = (await logLines()).length;
    proxy.seen.length = 0;
    proxy.after(1, { kind: 'status', status, times: 3 }); // the health check passes, the search is refused 3 times
    const result = await netlog(['load-daily', '--tables', 'dns', '--data', data, '--config', slow]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      proxy.seen.map((s) => s.outcome),
      ['pass', `status ${status}`, `status ${status}`, `status ${status}`, 'pass'],
    );
    const retries = (await logLines())
      .slice(before)
      .filter((l) => l.msg === 'elasticsearch request failed, retrying');
    assert.deepEqual(
      retries.map((r) => [r.statusCode, r.attempt]),
      [
        [status, 1],
        [status, 2],
        [status, 3],
      ],
    );
    // Full jitter under an exponential ceiling (200, 400, 800 ms), and the proxy saw each retry
    // only after the logged wait.
    retries.forEach((r, i) => {
      const delay = r.delayMs as number;
      assert.ok(delay >= 0 && delay < 200 * 2 ** i, `retry ${i + 1} waited ${delay} ms`);
      const gap = proxy.seen[i + 2]!.at - proxy.seen[i + 1]!.at;
      assert.ok(gap >= delay - 2, `retry ${i + 1}: ${gap} ms between requests, ${delay} ms logged`);
      t.diagnostic(
        `${status} retry ${i + 1}: backoff ${delay} ms (ceiling ${200 * 2 ** i}), ${gap} ms between requests`,
      );
    });
    const file = await readFile(join(data, 'dns/2026/2026-11-12.csv'), 'utf8');
    reference ??= file;
    assert.equal(file, reference, 'the same day file whatever was retried');
    assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-12.csv']);
  }
});

test("a node that keeps refusing (429, 503, a load balancer's 502 page) fails with one clear line, writing nothing", async () => {
  const html = '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>';
  for (const [status, body, message] of [
    [
      429,
      undefined,
      /answered 429 \(es_rejected_execution_exception\) for "it-fault-network-dns" \(gave up after 3 attempts\)/,
    ],
    [
      503,
      undefined,
      /answered 503 \(injected_fault\) for "it-fault-network-dns" \(gave up after 3 attempts\)/,
    ],
    [502, html, /answered 502 \(busy\) for "it-fault-network-dns" \(gave up after 3 attempts\)/],
  ] as const) {
    const data = join(suite.dir, `persistent${status}`);
    proxy.seen.length = 0;
    proxy.after(1, { kind: 'status', status, times: 100, ...(body && { body, contentType: 'text/html' }) });
    const result = await netlog(['load-daily', '--tables', 'dns', '--data', data]);
    proxy.set({ kind: 'pass' });
    assert.equal(result.code, 1);
    const errors = result.stderr.split('\n').filter((l) => l.startsWith('netlog: error:'));
    assert.equal(errors.length, 1, result.stderr);
    assert.match(
      errors[0]!,
      new RegExp(`^netlog: error: Elasticsearch at http://\\[ip\\]:\\d+ ${message.source}`),
    );
    // max_retries 2: three attempts per try of the (table, day).
    assert.ok(proxy.seen.filter((s) => s.outcome === `status ${status}`).length % 3 === 0);
    assert.deepEqual(await listFiles(data), []);
  }
});

test('a stalling node times out, is retried, and fails clearly', async (t) => {
  const data = join(suite.dir, 'stall');
  proxy.seen.length = 0;
  proxy.after(1, { kind: 'stall', ms: 3000 });
  const started = Date.now();
  // ES_TIMEOUT_MS overrides the config's request_timeout_ms (800).
  const result = await netlog(['load-daily', '--tables', 'dns', '--data', data], proxy.url, {
    ES_TIMEOUT_MS: '300',
  });
  proxy.set({ kind: 'pass' });
  assert.equal(result.code, 1);
  const errors = result.stderr.split('\n').filter((l) => l.startsWith('netlog: error:'));
  assert.equal(errors.length, 1, result.stderr);
  assert.match(
    errors[0]!,
    /did not answer in time for "it-fault-network-dns": raise es\.request_timeout_ms or ES_TIMEOUT_MS.*gave up after 3 attempts/,
  );
  // Every attempt was given up by netlog while the proxy still held it (its timeout, not the 3 s
  // stall, ended it), and the next one came only after that: one attempt at a time.
  const stalled = proxy.seen.filter((s) => s.outcome === 'stall');
  assert.ok(stalled.length >= 3 && stalled.length % 3 === 0, `${stalled.length} attempts`);
  for (const [i, s] of stalled.entries()) {
    assert.ok(s.abandonedAt !== undefined, `attempt ${i + 1} was given up by netlog`);
    if (i > 0)
      assert.ok(s.at >= stalled[i - 1]!.abandonedAt!, `attempt ${i + 1} came after the previous ended`);
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 3 * 300, `${elapsed} ms: three timed-out attempts`);
  const held = stalled.map((s) => s.abandonedAt! - s.at);
  t.diagnostic(
    `${stalled.length} timed-out attempts, held ${held.join('/')} ms at the proxy, ${elapsed} ms in all`,
  );
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

test('a request that stalls once times out, is retried, and the day loads', async () => {
  const data = join(suite.dir, 'stall-once');
  proxy.seen.length = 0;
  proxy.after(1, { kind: 'stall', ms: 1500, times: 1 });
  const result = await netlog(['load-daily', '--tables', 'dns', '--data', data]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    proxy.seen.map((s) => s.outcome),
    ['pass', 'stall', 'pass'],
  );
  assert.match(result.stderr, /retrying .*did not answer in time/);
  // Retried once netlog had given the stalled request up (its 800 ms timeout), not beside it.
  assert.ok(proxy.seen[1]!.abandonedAt !== undefined, 'netlog gave up the stalled request');
  assert.ok(proxy.seen[2]!.at >= proxy.seen[1]!.abandonedAt!, 'retried after the timeout, not before');
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-12.csv']);
});

test('an answer cut off in the middle of its body is retried: the file equals an uncut run', async () => {
  const clean = join(suite.dir, 'uncut');
  const cut = join(suite.dir, 'cut-body');
  const tables = ['--tables', 'dns,internal_to_external'];
  assert.equal((await netlog(['load-daily', ...tables, '--data', clean], suite.es.url)).code, 0);
  proxy.seen.length = 0;
  proxy.after(1, { kind: 'truncate', bytes: 300, times: 2 });
  const result = await netlog(['load-daily', ...tables, '--data', cut]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(proxy.seen.filter((s) => s.outcome === 'truncate').length, 2);
  assert.deepEqual(await listFiles(cut), await listFiles(clean));
  for (const f of await listFiles(clean)) {
    assert.equal(await readFile(join(cut, f), 'utf8'), await readFile(join(clean, f), 'utf8'), f);
  }
});

test('a backfill where every request fails once loses nothing: files identical to an undisturbed run', async (t) => {
  // Small composite pages, so that each flow day takes several requests, each refused once.
  const paged = join(suite.dir, 'paged.json');
  const base = JSON.parse(await readFile(config, 'utf8')) as Record<string, unknown>;
  await writeFile(
    paged,
    JSON.stringify({ ...base, es: { max_retries: 2, retry_base_ms: 20, page_size: 50 } }),
  );
  const args = (data: string) => [
    'load-backfill',
    '--days',
    '4',
    '--tables',
    'dns,internal_to_external,websites',
    '--concurrency',
    '2',
    '--data',
    data,
    '--config',
    paged,
  ];
  const clean = join(suite.dir, 'steady');
  assert.equal((await netlog(args(clean), suite.es.url)).code, 0);
  const flaky = await startFaultProxy(suite.es.url);
  flaky.set({ kind: 'first-attempt', status: 429 });
  const before = (await logLines()).length;
  const result = await netlog(args(join(suite.dir, 'flaky')), flaky.url);
  await flaky.close();
  assert.equal(result.code, 0, result.stderr);
  const refused = flaky.seen.filter((s) => s.outcome === 'status 429').length;
  const retries = (await logLines())
    .slice(before)
    .filter((l) => l.msg === 'elasticsearch request failed, retrying');
  assert.ok(refused > 12, `${refused} requests refused once`);
  assert.equal(retries.length, refused, 'every refusal was retried once');
  t.diagnostic(`${refused} requests refused once and retried, ${flaky.seen.length} requests in all`);
  const files = await listFiles(clean);
  assert.equal(files.length, 12);
  assert.deepEqual(await listFiles(join(suite.dir, 'flaky')), files);
  for (const f of files) {
    assert.equal(
      await readFile(join(suite.dir, 'flaky', f), 'utf8'),
      await readFile(join(clean, f), 'utf8'),
      f,
    );
  }
});

test('a day that fails after some of its pages were written keeps the previous file and leaves no temp file', async () => {
  const paged = join(suite.dir, 'paged.json'); // written by the test above
  const data = join(suite.dir, 'half');
  const file = join(data, 'internal_to_external/2026/2026-11-12.csv');
  await mkdir(join(data, 'internal_to_external/2026'), { recursive: true });
  await writeFile(file, 'the previous file\n');
  proxy.seen.length = 0;
  proxy.after(4, { kind: 'status', status: 503, times: 1000 }); // the health check and three pages pass
  const result = await netlog([
    'load-daily',
    '--tables',
    'internal_to_external',
    '--data',
    data,
    '--config',
    paged,
  ]);
  proxy.set({ kind: 'pass' });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /answered 503 .*gave up after 3 attempts/);
  assert.equal(await readFile(file, 'utf8'), 'the previous file\n');
  assert.deepEqual(await listFiles(data), ['internal_to_external/2026/2026-11-12.csv']);
});

test('SIGTERM while a request hangs stops at once: exit 130, no file, the lock released', async (t) => {
  const data = join(suite.dir, 'term');
  proxy.seen.length = 0;
  // The answer would come after 120 s and the request timeout is 120 s: only aborting the request on
  // SIGTERM ends the run well before either.
  proxy.after(1, { kind: 'stall', ms: 120_000 });
  const run = startCli(
    ['load-daily', '--tables', 'dns', '--data', data, '--config', config, '--es', proxy.url],
    {
      env: { ...env(), ES_TIMEOUT_MS: '120000' },
    },
  );
  t.after(() => killChild(run.child));
  assert.ok(
    await waitFor(() => proxy.seen.some((s) => s.outcome === 'stall'), { timeoutMs: 180_000, everyMs: 20 }),
    `the request reached the stalling proxy: ${run.stderr()}`,
  );
  const signalled = Date.now();
  run.child.kill('SIGTERM');
  const { code, stderr } = await run.exit;
  proxy.set({ kind: 'pass' });
  assert.equal(code, 130, stderr);
  const stopMs = Date.now() - signalled;
  assert.ok(stopMs < 60_000, `stopped ${stopMs} ms after the signal, before the stall or timeout ended`);
  t.diagnostic(`exited ${stopMs} ms after SIGTERM`);
  assert.match(stderr, /interrupted: finished files were kept, the unfinished one was discarded/);
  assert.deepEqual(await listFiles(data), [], 'no file, no temp file, no lock');
});

test('a temp file left by a killed writer is listed by verify and removed by verify --repair', async () => {
  const data = join(suite.dir, 'leftover');
  assert.equal((await netlog(['load-daily', '--tables', 'dns', '--data', data], suite.es.url)).code, 0);
  // What a write killed before its rename leaves: a hidden temp file beside the day file.
  const leftover = 'dns/2026/.2026-11-11.csv.424242.0badf00d.tmp';
  await writeFile(join(data, leftover), 'timestamp,count,bytes\n2026-11-11T00:00:00Z,1,1\n');
  const args = ['verify', '--from', '2026-11-12', '--to', '2026-11-12', '--tables', 'dns', '--data', data];
  const verify = await netlog(args, suite.es.url);
  assert.equal(verify.code, 3, verify.stdout + verify.stderr);
  assert.match(
    verify.stdout,
    /^leftover\s+.*\.2026-11-11\.csv\.424242\.0badf00d\.tmp: temporary file of an interrupted write$/m,
  );
  const repair = await netlog([...args, '--repair'], suite.es.url);
  assert.equal(repair.code, 0, repair.stdout + repair.stderr);
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-12.csv']);
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
    execFileSync('rmdir', [probe]);
    return ok;
  })();

test(
  'disk full: the previous file is intact, a clear error, no temp file left',
  { skip: canMount ? false : 'needs root and permission to mount a tmpfs' },
  async () => {
    const data = join(suite.dir, 'full');
    await mkdir(data, { recursive: true });
    // A page each for the previous file, the key record and the run lock: the day file finds no room.
    assert.ok(tryMount(data, 'size=12k'));
    try {
      const previous =
        'timestamp,source,destination,count,bytes\n2026-11-12T00:00:00Z,aaaa,example.com,1,1\n';
      await mkdir(join(data, 'internal_to_external/2026'), { recursive: true });
      await writeFile(join(data, 'internal_to_external/2026/2026-11-12.csv'), previous);
      // The key record of an installation that has run before: the full disk hits the day file.
      await writeFile(join(data, 'pseudonym.json'), keyRecord('fault-test-key-0123456789'));
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
  'a read-only data directory or table folder: the previous file is intact, a clear error',
  { skip: canMount ? false : 'needs root and permission to mount a tmpfs' },
  async () => {
    // The whole data directory: refused before any query, when the run lock cannot be created.
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
        /cannot create the lock .*\.netlog\.lock \(EROFS\): the data directory is not writable: check its permissions or mount/,
      );
      assert.equal(await readFile(join(data, 'dns/2026/2026-11-12.csv'), 'utf8'), 'old\n');
    } finally {
      execFileSync('umount', [data]);
    }
    // One table's folder: the other tables are written, this one fails in the atomic writer.
    const mixed = join(suite.dir, 'readonly-table');
    await mkdir(join(mixed, 'dns'), { recursive: true });
    assert.ok(tryMount(join(mixed, 'dns'), 'size=1m'));
    try {
      await mkdir(join(mixed, 'dns/2026'), { recursive: true });
      await writeFile(join(mixed, 'dns/2026/2026-11-12.csv'), 'old\n');
      execFileSync('mount', ['-o', 'remount,ro', join(mixed, 'dns')]);
      const result = await netlog(['load-daily', '--tables', 'dns,total', '--data', mixed], suite.es.url);
      assert.equal(result.code, 3, result.stderr);
      assert.match(
        result.stdout,
        /FAILED dns 2026-11-12: cannot write .*2026-11-12\.csv \(EROFS\): the data directory is not writable: check its permissions or mount; the previous file is unchanged/,
      );
      assert.equal(await readFile(join(mixed, 'dns/2026/2026-11-12.csv'), 'utf8'), 'old\n');
      assert.deepEqual(await listFiles(mixed), ['dns/2026/2026-11-12.csv', 'total/2026/2026-11-12.csv']);
    } finally {
      execFileSync('umount', [join(mixed, 'dns')]);
    }
  },
);
