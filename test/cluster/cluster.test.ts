import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ROOT } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { listFiles, loadSampleDays, readCsvRecords, writeTestConfig } from '../helpers/sample.js';
import { rewriteJson, startFaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { PROTOCOLS, sampleIndex } from '../../src/sample/catalog.js';
import { SAMPLE_MAPPING } from '../../src/sample/mapping.js';
import type { ExpectedFile } from '../../src/sample/expected.js';

/**
 * A real 3-node cluster (scripts/es-cluster.sh; scripts/test.sh starts it once and passes
 * NETLOG_TEST_CLUSTER=1, a file run on its own starts and stops it itself). A node is killed in the
 * middle of a backfill: no day file may ever differ from the generator's counts.
 */

const SCRIPT = `${ROOT}scripts/es-cluster.sh`;
const cluster = (...args: string[]): string =>
  execFileSync('bash', [SCRIPT, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ES_VERSION: process.env.NETLOG_TEST_ES_VERSION ?? '9.5.4' },
  });

let ownCluster = false;
let urls: Record<number, string>;
let client: Client;
let dir: string;
let cleanupDir: () => Promise<void> = async () => undefined;
const TABLES = 'dns,total';
const DAYS = ['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12'];
const env = {
  NETLOG_HASH_KEY: 'cluster-test-key-0123456789',
  NETLOG_NOW: '2026-11-13T06:00:00Z',
};

before(async () => {
  if (process.env.NETLOG_TEST_CLUSTER !== '1') {
    cluster('start');
    ownCluster = true;
  }
  urls = Object.fromEntries(
    cluster('urls')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([n, url]) => [Number(n), url!]),
  );
  client = new Client({ node: urls[1]!, requestTimeout: 120_000 });
  const tmp = await tempDir('cluster');
  dir = tmp.path;
  cleanupDir = tmp.cleanup;
});
after(async () => {
  try {
    // Whatever happened, every node runs again for the next test file (or is stopped with ours).
    if (ownCluster) cluster('stop');
    await client?.close();
  } finally {
    await cleanupDir();
  }
});

/** Creates the sample indices with 3 shards (one a node) and `replicas`, loads 4 days into them. */
async function loadSpread(prefix: string, replicas: number): Promise<ExpectedFile> {
  await client.indices.delete({ index: `${prefix}*`, allow_no_indices: true, expand_wildcards: 'all' });
  for (const p of PROTOCOLS)
    await client.indices.create({
      index: sampleIndex(p, `${prefix}network-`),
      settings: { number_of_shards: 3, number_of_replicas: replicas },
      mappings: SAMPLE_MAPPING as never,
      wait_for_active_shards: 'all',
    });
  await client.cluster.health({ index: `${prefix}*`, wait_for_status: 'green', timeout: '120s' });
  return loadSampleDays(urls[1]!, dir, {
    prefix,
    days: DAYS.length,
    end: DAYS.at(-1)!,
    docsPerDay: 1500,
    seed: 47,
    anomalies: false,
  });
}

/** A node to kill: not node 1 (netlog talks to it) and not the elected master (no election needed). */
async function victim(): Promise<number> {
  const master = (await client.cat.master({ format: 'json' })) as unknown as { node: string }[];
  const name = master[0]!.node;
  return name === 'netlog-node-3' ? 2 : 3;
}

/** The node names holding a shard of `index`. */
async function shardNodes(index: string): Promise<string[]> {
  const shards = (await client.cat.shards({ index, format: 'json' })) as unknown as { node: string }[];
  return shards.map((s) => s.node);
}

/** Every day file present has exactly the generator's counts and bytes, bucket by bucket. */
async function assertExact(data: string, expected: ExpectedFile): Promise<number> {
  const files = await listFiles(data);
  for (const f of files) {
    const m = /^(dns|total)\/\d{4}\/(\d{4}-\d{2}-\d{2})\.csv$/.exec(f);
    assert.ok(m, `unexpected file ${f}`);
    const [, table, day] = m;
    const day_ = expected.days[day!]!;
    const want = table === 'dns' ? day_.protocols.dns : day_.total;
    const { records } = await readCsvRecords(join(data, f));
    assert.equal(records.length, 96, f);
    for (const r of records) {
      const w = want[r.timestamp!]!;
      assert.deepEqual([Number(r.count), Number(r.bytes)], [w.count, w.bytes], `${f} ${r.timestamp}`);
    }
  }
  return files.length;
}

/** A config for the prefixed indices with the given retry policy (and a timeout longer than a hold). */
async function config(prefix: string, es: Record<string, number>): Promise<string> {
  const path = await writeTestConfig(dir, prefix);
  const base = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const out = join(dir, `${prefix}cluster.json`);
  await writeFile(out, JSON.stringify({ ...base, es: { request_timeout_ms: 60_000, ...es } }));
  return out;
}

/**
 * A backfill of 4 days through a proxy that, once the first day is written, holds the next request
 * while `victimNode` is killed and the cluster has noticed, then lets it go on.
 */
async function backfillKillingANode(cfg: string, data: string, victimNode: number) {
  // How many requests a run makes up to and including one day (the health check, the query planner's
  // index lookups, the day's requests): counted on a one-day run, not assumed, so the hold below lands
  // on the second day's first request whatever the plan.
  const probe = await startFaultProxy(urls[1]!);
  let oneDay: number;
  try {
    const counted = await runCli(
      [
        'load-backfill',
        '--days',
        '1',
        '--tables',
        TABLES,
        '--concurrency',
        '1',
        '--data',
        `${data}-probe`,
      ].concat(['--config', cfg, '--es', probe.url]),
      { env: { ...env, NETLOG_LOG_FILE: join(dir, 'cluster.log') }, timeoutMs: 300_000 },
    );
    assert.equal(counted.code, 0, counted.stdout + counted.stderr);
    oneDay = probe.seen.length;
  } finally {
    await probe.close();
  }
  const proxy = await startFaultProxy(urls[1]!);
  try {
    // The run's first day passes; the next request (the second day's first) waits.
    proxy.after(oneDay, { kind: 'hold' });
    const run = runCli(
      [
        'load-backfill',
        '--days',
        '4',
        '--tables',
        TABLES,
        '--concurrency',
        '1',
        '--data',
        data,
        '--config',
        cfg,
        '--es',
        proxy.url,
      ],
      { env: { ...env, NETLOG_LOG_FILE: join(dir, 'cluster.log') }, timeoutMs: 300_000 },
    );
    try {
      assert.ok(
        await waitFor(() => proxy.seen.some((s) => s.outcome === 'hold'), {
          timeoutMs: 120_000,
          everyMs: 50,
        }),
        'the backfill reached its second day',
      );
      cluster('kill-node', String(victimNode));
      const left = await waitFor(async () => (await client.cluster.health()).number_of_nodes === 2, {
        timeoutMs: 60_000,
        everyMs: 200,
      });
      assert.ok(left, 'the cluster noticed the node had gone');
    } finally {
      proxy.release();
    }
    return await run;
  } finally {
    await proxy.close();
  }
}

test('no replicas, a node killed mid-backfill: the days it holds fail naming the shard, nothing short is written; the re-run completes them exactly', async () => {
  const prefix = 'it-cl0-';
  const expected = await loadSpread(prefix, 0);
  const node = await victim();
  // Three shards over three nodes: the victim holds one of every index.
  assert.ok((await shardNodes(`${prefix}network-dns`)).includes(`netlog-node-${node}`));
  const cfg = await config(prefix, { max_retries: 1, retry_base_ms: 50 });
  const data = join(dir, 'no-replica');
  const result = await backfillKillingANode(cfg, data, node);
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    /FAILED dns 2026-11-1\d: Elasticsearch at .* could not search every shard of "it-cl0-network-dns" \(503\): .*missing shards \[\[it-cl0-network-dns\]\[\d\]\]/,
  );
  const written = await assertExact(data, expected);
  assert.equal(written, 2, 'the first day of both tables, written before the node died');
  // doctor sees the red indices before the next run would fail.
  const doctor = await runCli(['doctor', '--config', cfg, '--es', urls[1]!], {
    env: { ...env, NETLOG_LOG_FILE: join(dir, 'cluster.log') },
  });
  assert.equal(doctor.code, 2, doctor.stdout + doctor.stderr);
  assert.match(
    doctor.stdout,
    /PROBLEM dns: index "it-cl0-network-dns" is red: 1 of 3 primary shards unassigned/,
  );

  cluster('start-node', String(node));
  await client.cluster.health({ index: `${prefix}*`, wait_for_status: 'green', timeout: '120s' });
  const rerun = await runCli(
    ['load-backfill', '--days', '4', '--tables', TABLES, '--data', data, '--config', cfg, '--es', urls[1]!],
    { env: { ...env, NETLOG_LOG_FILE: join(dir, 'cluster.log') } },
  );
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.equal(await assertExact(data, expected), 8, 'every day of both tables, each exact');
});

test('a timed-out search on the cluster fails the day, nothing written', async () => {
  const cfg = await config('it-cl0-', { max_retries: 1, retry_base_ms: 50 });
  const proxy = await startFaultProxy(urls[1]!);
  try {
    proxy.set({ kind: 'rewrite', rewrite: rewriteJson((json) => ({ ...json, timed_out: true })) });
    const data = join(dir, 'timed-out');
    const result = await runCli(
      ['load-daily', '--tables', 'dns', '--data', data, '--config', cfg, '--es', proxy.url],
      { env: { ...env, NETLOG_LOG_FILE: join(dir, 'cluster.log') } },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /the search on "it-cl0-network-dns" timed out \(timed_out: true\)/);
    assert.deepEqual(await listFiles(data), []);
  } finally {
    await proxy.close();
  }
});

test('one replica, a node killed mid-backfill: every day complete and exact', async () => {
  const prefix = 'it-cl1-';
  const expected = await loadSpread(prefix, 1);
  const node = await victim();
  const cfg = await config(prefix, { max_retries: 4, retry_base_ms: 300 });
  const data = join(dir, 'one-replica');
  const result = await backfillKillingANode(cfg, data, node);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(await assertExact(data, expected), 8);
  // (The node stays down: `es-cluster.sh start` brings it back before another run, `stop` ends all.)
});
