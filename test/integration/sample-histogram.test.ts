import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deleteIndices, startTestEs, type TestEs } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import type { ExpectedFile } from '../../src/sample/expected.js';

const PREFIX = 'it-hist-';
const DAY = '2026-11-20';
let es: TestEs;
let tmp: { path: string; cleanup: () => Promise<void> };
let expected: ExpectedFile;

before(async () => {
  es = await startTestEs();
  tmp = await tempDir('hist');
  await deleteIndices(es.client, PREFIX);
  const expectedFile = join(tmp.path, 'expected.json');
  const result = await runCli(
    [
      'sample',
      'load',
      '--es',
      es.url,
      '--days',
      '1',
      '--end',
      DAY,
      '--docs-per-day',
      '6000',
      '--seed',
      '7',
      '--index-prefix',
      `${PREFIX}network-`,
      '--expected',
      expectedFile,
    ],
    { env: { NETLOG_LOG_FILE: join(tmp.path, 'elastic.log') } },
  );
  assert.equal(result.code, 0, result.stderr);
  expected = JSON.parse(await readFile(expectedFile, 'utf8')) as ExpectedFile;
});

after(async () => {
  await deleteIndices(es.client, PREFIX);
  await es.close();
  await tmp.cleanup();
});

test("a 15-minute date_histogram of a generated day has 96 buckets equal to the generator's counts", async () => {
  const response = await es.client.search({
    index: `${PREFIX}network-*`,
    size: 0,
    query: { range: { '@timestamp': { gte: `${DAY}T00:00:00Z`, lt: `${DAY}T00:00:00Z||+1d` } } },
    aggs: {
      time: {
        date_histogram: {
          field: '@timestamp',
          fixed_interval: '15m',
          min_doc_count: 0,
          extended_bounds: { min: `${DAY}T00:00:00Z`, max: `${DAY}T23:45:00Z` },
        },
        aggs: { bytes: { sum: { field: 'network.bytes' } } },
      },
    },
  });
  const buckets = (
    response.aggregations as {
      time: { buckets: { key_as_string: string; doc_count: number; bytes: { value: number } }[] };
    }
  ).time.buckets;
  assert.equal(buckets.length, 96);
  const want = expected.days[DAY]!.total;
  assert.equal(Object.keys(want).length, 96);
  for (const b of buckets) {
    const key = b.key_as_string.replace('.000Z', 'Z');
    assert.deepEqual({ count: b.doc_count, bytes: b.bytes.value }, want[key], `bucket ${key}`);
  }
  // The generator really produced the anomaly day's spike: the 14:00 bucket stands out.
  const spike = want[`${DAY}T14:00:00Z`]!.count;
  const before = want[`${DAY}T13:45:00Z`]!.count;
  assert.ok(spike > 2 * before, `spike ${spike} vs ${before}`);
});

test('per-protocol indices hold exactly the generated documents of each protocol', async () => {
  for (const [protocol, buckets] of Object.entries(expected.days[DAY]!.protocols)) {
    const { count } = await es.client.count({ index: `${PREFIX}network-${protocol}` });
    const want = Object.values(buckets).reduce((s, b) => s + b.count, 0);
    assert.equal(count, want, protocol);
    assert.ok(want > 0, `${protocol} has documents`);
  }
});
