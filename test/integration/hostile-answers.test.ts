import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli.js';
import { listFiles, useSampleSuite } from '../helpers/sample.js';
import { rewriteJson, startFaultProxy, type FaultProxy, type Rewrite } from '../helpers/fault-proxy.js';

/**
 * Faulty and hostile answers (issue #12 item 3, issue #19 item 1): a real node behind a proxy that
 * rewrites its answers. Each must fail the (table, day) with one line naming what came back, keep the
 * previous file, and never write a wrong one.
 */

const PREFIX = 'it-hostile-';
const suite = useSampleSuite({
  label: 'hostile',
  prefix: PREFIX,
  sample: { days: 2, end: '2026-11-12', docsPerDay: 1500, seed: 43, anomalies: false },
});
let proxy: FaultProxy;
let config: string;
/** The same, one composite walk per table (the flow tables' split walks are tested on their own). */
let oneWalk: string;
const KEY = 'hostile-test-key-0123456789';

before(async () => {
  await suite.ready;
  proxy = await startFaultProxy(suite.es.url);
  const base = JSON.parse(await readFile(suite.config, 'utf8')) as Record<string, unknown>;
  config = join(suite.dir, 'hostile.json');
  // Small pages, so that a flow day takes several composite requests; few fast retries.
  const es = { max_retries: 1, retry_base_ms: 20, page_size: 50, max_response_mb: 4 };
  await writeFile(config, JSON.stringify({ ...base, es }));
  oneWalk = join(suite.dir, 'hostile-one-walk.json');
  await writeFile(oneWalk, JSON.stringify({ ...base, es: { ...es, query_plan: 'per-table' } }));
});
after(async () => {
  await proxy?.close();
});

const PREVIOUS = 'the previous file\n';

/** Runs load-daily for `table` through the proxy with `rewrite` on its searches, over a previous file. */
async function loadThrough(
  name: string,
  table: string,
  rewrite: Rewrite,
  extra: string[] = [],
  configFile = config,
) {
  const data = join(suite.dir, name);
  const file = join(data, `${table}/2026/2026-11-12.csv`);
  await mkdir(join(data, `${table}/2026`), { recursive: true });
  await writeFile(file, PREVIOUS);
  proxy.seen.length = 0;
  proxy.set({ kind: 'rewrite', rewrite });
  const result = await runCli(
    ['load-daily', '--tables', table, '--data', data, '--config', configFile, '--es', proxy.url, ...extra],
    { env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-13T06:00:00Z' } },
  );
  proxy.set({ kind: 'pass' });
  const errors = result.stderr.split('\n').filter((l) => l.startsWith('netlog: error:'));
  return { result, errors, file, data };
}

/** The failure is one line matching `pattern`, exit 1, no stack, the previous file untouched. */
async function assertFailedCleanly(
  outcome: Awaited<ReturnType<typeof loadThrough>>,
  pattern: RegExp,
): Promise<void> {
  const { result, errors, file, data } = outcome;
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.equal(errors.length, 1, result.stderr);
  assert.match(errors[0]!, pattern);
  assert.doesNotMatch(result.stderr, /unexpected error|a bug|\n\s+at /);
  assert.equal(await readFile(file, 'utf8'), PREVIOUS, 'the previous file is kept');
  assert.equal((await listFiles(data)).length, 1, 'no temp file left');
}

const isPageRequest = (body: string): boolean => body.includes('"after"');

test('a composite page sent again (the same page for every after_key) ends the walk with an error', async () => {
  let first: Buffer | undefined;
  const outcome = await loadThrough(
    'repeat',
    'internal_to_external',
    (answer, req) => {
      if (!isPageRequest(req.body)) first = answer.body;
      return isPageRequest(req.body) && first ? { ...answer, body: first } : answer;
    },
    [],
    oneWalk,
  );
  await assertFailedCleanly(
    outcome,
    /internal_to_external 2026-11-12: the answer of page 2 goes back in time/,
  );
  assert.ok(proxy.seen.length <= 3, `${proxy.seen.length} requests: the walk stopped at once`);
});

test('the split walks check every page too: the flows with a domain sent again end the day with an error', async () => {
  // The planned walk of the flows that have a destination.domain (the first of the split), keyed on it.
  const named = (body: string) => body.includes('"l1f0":{"terms":{"field":"destination.domain"');
  let first: Buffer | undefined;
  const outcome = await loadThrough('repeat-split', 'internal_to_external', (answer, req) => {
    if (!named(req.body)) return answer;
    if (!isPageRequest(req.body)) first = answer.body;
    return isPageRequest(req.body) && first ? { ...answer, body: first } : answer;
  });
  assert.ok(first !== undefined, 'the day was split');
  await assertFailedCleanly(
    outcome,
    /internal_to_external 2026-11-12: the answer of page 2 goes back in time/,
  );
  // The field caps, each walk's first page, and at most one page of each walk after it.
  assert.ok(proxy.seen.length <= 5, `${proxy.seen.length} requests: the walks stopped at once`);
});

test('a repeated after_key (new rows, the same key) is an error, not an endless walk', async () => {
  let firstKey: unknown;
  const outcome = await loadThrough(
    'repeat-after',
    'internal_to_external',
    rewriteJson((json, body) => {
      const rows = (json.aggregations as { rows: { after_key?: unknown } }).rows;
      if (!isPageRequest(body)) firstKey = rows.after_key;
      else rows.after_key = firstKey;
      return json;
    }),
    [],
    oneWalk,
  );
  await assertFailedCleanly(outcome, /the answer of page 2 repeats the after_key of an earlier page/);
  assert.ok(proxy.seen.length <= 3, `${proxy.seen.length} requests`);
});

test('an after_key that goes backwards is an error', async () => {
  const outcome = await loadThrough(
    'backwards-after',
    'internal_to_external',
    rewriteJson((json, body) => {
      const rows = (json.aggregations as { rows: { after_key?: { time: number } } }).rows;
      if (isPageRequest(body) && rows.after_key) rows.after_key.time = Date.parse('2026-11-12T00:00:00Z');
      return json;
    }),
  );
  await assertFailedCleanly(
    outcome,
    /the answer of page 2 has an after_key (that goes backwards|\(2026-11-12T00:00:00Z\) before its own last bucket)/,
  );
});

test('a bucket outside the requested day is an error', async () => {
  const outcome = await loadThrough(
    'outside',
    'internal_to_external',
    rewriteJson((json) => {
      const buckets = (json.aggregations as { rows: { buckets: { key: { time: number } }[] } }).rows.buckets;
      buckets[0]!.key.time = Date.parse('2026-11-13T00:00:00Z');
      return json;
    }),
  );
  await assertFailedCleanly(outcome, /a bucket at 2026-11-13T00:00:00Z, outside the requested day/);
});

test('a doc_count of "10.0.0.1" is an error naming its kind, never written, never echoed', async () => {
  const outcome = await loadThrough(
    'bad-count',
    'dns',
    rewriteJson((json) => {
      (json.aggregations as { time: { buckets: { doc_count: unknown }[] } }).time.buckets[3]!.doc_count =
        '10.0.0.1';
      return json;
    }),
  );
  await assertFailedCleanly(
    outcome,
    /dns 2026-11-12: the answer of page 1 has a document count that is not a non-negative integer \(a string of 8 characters\) at 2026-11-12T00:45:00Z/,
  );
  assert.doesNotMatch(outcome.result.stderr + outcome.result.stdout, /10\.0\.0\.1/);
});

test('a bytes sum of "=1+1" (a spreadsheet formula) is an error, never written', async () => {
  const outcome = await loadThrough(
    'bad-bytes',
    'dns',
    rewriteJson((json) => {
      const b = (json.aggregations as { time: { buckets: { bytes: { value: unknown } }[] } }).time
        .buckets[0]!;
      b.bytes.value = '=1+1';
      return json;
    }),
  );
  await assertFailedCleanly(
    outcome,
    /has a sum "bytes" that is not a finite number \(a string of 4 characters\)/,
  );
});

test('a negative count is an error', async () => {
  const outcome = await loadThrough(
    'negative',
    'dns',
    rewriteJson((json) => {
      (json.aggregations as { time: { buckets: { doc_count: number }[] } }).time.buckets[0]!.doc_count = -5;
      return json;
    }),
  );
  await assertFailedCleanly(outcome, /a document count that is not a non-negative integer \(-5\)/);
});

test('a redirect (302) is one line naming it, its query string masked', async () => {
  const outcome = await loadThrough('redirect', 'dns', () => ({
    status: 302,
    headers: { location: 'https://sso.example.org/login?token=s3cr3t-token', 'content-type': 'text/html' },
    body: Buffer.from('<html>moved</html>'),
  }));
  await assertFailedCleanly(
    outcome,
    /answered a redirect \(302 to https:\/\/sso\.example\.org\/login\): netlog does not follow redirects; set ES_URL/,
  );
  assert.doesNotMatch(outcome.result.stderr, /s3cr3t/);
});

test('a 200 whose body is an error names its deepest reason', async () => {
  const outcome = await loadThrough('error-200', 'dns', (answer) => ({
    ...answer,
    body: Buffer.from(
      JSON.stringify({
        error: {
          type: 'search_phase_execution_exception',
          reason: '',
          caused_by: { type: 'illegal_state_exception', reason: 'the deepest reason' },
        },
        status: 200,
      }),
    ),
  }));
  await assertFailedCleanly(
    outcome,
    /is an error although its status says success: illegal_state_exception: the deepest reason/,
  );
});

test("a 200 HTML page with Elasticsearch's product header is named, not a bug", async () => {
  const outcome = await loadThrough('html-200', 'dns', (answer) => ({
    ...answer,
    headers: { ...answer.headers, 'content-type': 'text/html' },
    body: Buffer.from('<html><body>Please log in</body></html>'),
  }));
  await assertFailedCleanly(
    outcome,
    /answered 200 with "text\/html", not Elasticsearch's JSON \(starting "<html><body>Please log in/,
  );
});

test('an error whose reason is only in its caused_by chain prints the deepest reason', async () => {
  const outcome = await loadThrough('caused-by', 'dns', (answer) => ({
    ...answer,
    status: 400,
    body: Buffer.from(
      JSON.stringify({
        error: {
          root_cause: [],
          type: 'search_phase_execution_exception',
          reason: '',
          caused_by: {
            type: 'illegal_argument_exception',
            reason: '',
            caused_by: { type: 'number_format_exception', reason: 'For input string: "abc"' },
          },
        },
        status: 400,
      }),
    ),
  }));
  await assertFailedCleanly(
    outcome,
    /rejected the query on "it-hostile-network-dns" \(400 search_phase_execution_exception\): number_format_exception: For input string: "abc"/,
  );
  assert.equal(proxy.seen.filter((s) => s.outcome === 'rewrite').length, 1, 'a 400 is not retried');
});

test('a huge gzip answer stops at es.max_response_mb after decompression, memory bounded', async () => {
  // 64 MB of JSON that compresses to about 64 kB: the cap (4 MB) is reached only when inflating.
  const bomb = gzipSync(Buffer.from(`{"a":"${' '.repeat(64 * 1024 * 1024)}"}`));
  assert.ok(bomb.length < 1024 * 1024, `${bomb.length} bytes compressed`);
  const outcome = await loadThrough('gzip-bomb', 'dns', (answer) => ({
    ...answer,
    headers: { ...answer.headers, 'content-encoding': 'gzip' },
    body: bomb,
  }));
  await assertFailedCleanly(
    outcome,
    /sent an answer for "it-hostile-network-dns" larger than 4 MB \(es\.max_response_mb\)/,
  );
});

test('failed shards in a 200 answer fail the day, naming index, shard and reason; retried, then given up', async () => {
  const outcome = await loadThrough(
    'shards-failed',
    'dns',
    rewriteJson((json) => ({
      ...json,
      _shards: {
        total: 3,
        successful: 2,
        skipped: 0,
        failed: 1,
        failures: [
          {
            shard: 1,
            index: 'it-hostile-network-dns',
            node: 'node-2',
            reason: {
              type: 'search_phase_execution_exception',
              reason: '',
              caused_by: { type: 'no_shard_available_action_exception', reason: 'shard is relocating' },
            },
          },
        ],
      },
    })),
  );
  await assertFailedCleanly(
    outcome,
    /1 of 3 shards of "it-hostile-network-dns" failed: index "it-hostile-network-dns" shard 1 \(node node-2\): no_shard_available_action_exception: shard is relocating/,
  );
  // Retried (the reason may pass), and bounded: max_retries 1 → 2 attempts, twice (the day once more).
  assert.equal(proxy.seen.filter((s) => s.outcome === 'rewrite').length, 4);
});

test('a timed-out search (timed_out: true) fails the day; the other day of the backfill is written', async () => {
  const data = join(suite.dir, 'timed-out');
  proxy.seen.length = 0;
  proxy.set({
    kind: 'rewrite',
    rewrite: rewriteJson((json, body) =>
      body.includes('"gte":"2026-11-12T00:00:00') ? { ...json, timed_out: true } : json,
    ),
  });
  const result = await runCli(
    [
      'load-backfill',
      '--days',
      '2',
      '--tables',
      'dns',
      '--data',
      data,
      '--config',
      config,
      '--es',
      proxy.url,
    ],
    { env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-13T06:00:00Z' } },
  );
  proxy.set({ kind: 'pass' });
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    /FAILED dns 2026-11-12: .*the search on "it-hostile-network-dns" timed out \(timed_out: true\): its answer covers only part of the data/,
  );
  assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-11.csv']);
});

test('a cross-cluster answer with a skipped remote cluster fails the day, naming the cluster', async () => {
  const outcome = await loadThrough(
    'ccs-skipped',
    'dns',
    rewriteJson((json) => ({
      ...json,
      _clusters: {
        total: 2,
        successful: 1,
        skipped: 1,
        running: 0,
        partial: 0,
        failed: 0,
        details: {
          '(local)': { status: 'successful' },
          remote_a: {
            status: 'skipped',
            failures: [
              {
                shard: -1,
                index: null,
                reason: { type: 'connect_transport_exception', reason: 'connect refused' },
              },
            ],
          },
        },
      },
    })),
  );
  await assertFailedCleanly(
    outcome,
    /remote clusters of "it-hostile-network-dns" were not all searched \(skipped 1\): remote_a skipped: .*connect_transport_exception: connect refused/,
  );
});

test('verify --against-es does not trust a partial totals answer', async () => {
  const data = join(suite.dir, 'verify-partial');
  const env = { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-13T06:00:00Z' };
  const load = await runCli(
    ['load-daily', '--tables', 'dns', '--data', data, '--config', config, '--es', suite.es.url],
    { env },
  );
  assert.equal(load.code, 0, load.stderr);
  proxy.set({
    kind: 'rewrite',
    rewrite: rewriteJson((json) => ({
      ...json,
      _shards: { total: 2, successful: 1, skipped: 0, failed: 1 },
    })),
  });
  const verify = await runCli(
    [
      'verify',
      '--from',
      '2026-11-12',
      '--to',
      '2026-11-12',
      '--tables',
      'dns',
      '--against-es',
      '--data',
      data,
      '--config',
      config,
      '--es',
      proxy.url,
    ],
    { env },
  );
  proxy.set({ kind: 'pass' });
  assert.equal(verify.code, 1, verify.stdout + verify.stderr);
  assert.match(verify.stderr, /1 of 2 shards of "it-hostile-network-dns" failed: no details given/);
  assert.doesNotMatch(verify.stdout, /match Elasticsearch/);
});

test("a red index in a table's pattern: load-daily fails naming index and shard, writes nothing; doctor reports it", async () => {
  // An index matching total's pattern whose shard can never be allocated: the cluster is red.
  const red = `${PREFIX}network-zred`;
  await suite.es.client.indices.create({
    index: red,
    settings: {
      number_of_shards: 1,
      number_of_replicas: 0,
      'index.routing.allocation.require._name': 'no-such-node',
      // Creating it must not wait for a shard that never starts.
      'index.write.wait_for_active_shards': 0,
    },
  });
  const env = { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-13T06:00:00Z' };
  try {
    const data = join(suite.dir, 'red');
    const load = await runCli(
      ['load-daily', '--tables', 'total,dns', '--data', data, '--config', config, '--es', suite.es.url],
      { env },
    );
    assert.equal(load.code, 3, load.stdout + load.stderr);
    assert.match(
      load.stdout,
      /FAILED total 2026-11-12: Elasticsearch at .* could not search every shard of "it-hostile-network-\*" \(503\): .*missing shards \[\[it-hostile-network-zred\]\[0\]\]/,
    );
    assert.deepEqual(await listFiles(data), ['dns/2026/2026-11-12.csv'], 'dns does not read the red index');
    const doctor = await runCli(['doctor', '--config', config, '--es', suite.es.url], { env });
    assert.equal(doctor.code, 2, doctor.stdout + doctor.stderr);
    assert.match(
      doctor.stdout,
      /^PROBLEM total: index "it-hostile-network-zred" is red: 1 of 1 primary shards unassigned/m,
    );
    assert.match(doctor.stdout, /^ok {6}dns: /m);
  } finally {
    await suite.es.client.indices.delete({ index: red });
  }
});
