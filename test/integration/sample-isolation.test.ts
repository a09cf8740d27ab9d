import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { deleteIndices, startTestEs, type TestEs } from '../helpers/es.js';
import { tempDir } from '../helpers/tmp.js';

// Generated documents never mix into real indices: `sample load` marks the indices it creates
// (`_meta.netlog_sample`) and refuses an existing index that holds documents it did not write.

const PREFIX = 'it-isolation-';
let es: TestEs;
let tmp: { path: string; cleanup: () => Promise<void> };
before(async () => {
  es = await startTestEs();
  tmp = await tempDir('isolation');
  await deleteIndices(es.client, PREFIX);
});
after(async () => {
  await deleteIndices(es.client, PREFIX);
  await es.close();
  await tmp.cleanup();
});

const sampleLoad = (extra: string[] = [], prefix = `${PREFIX}network-`) =>
  runCli(
    [
      'sample',
      'load',
      '--es',
      es.url,
      '--days',
      '1',
      '--end',
      '2026-11-24',
      '--docs-per-day',
      '500',
      '--index-prefix',
      prefix,
      ...extra,
    ],
    { env: { NETLOG_LOG_FILE: join(tmp.path, 'elastic.log') } },
  );

test('sample load refuses an index holding documents it did not write, unless --force', async () => {
  // A "production" index: someone's real DNS logs.
  const index = `${PREFIX}network-dns`;
  await es.client.bulk({
    operations: [{ index: { _index: index } }, { '@timestamp': '2026-11-24T10:00:00Z', note: 'real' }],
    refresh: true,
  });
  const refused = await sampleLoad();
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(
    refused.stderr,
    new RegExp(`index ${index} holds 1 documents that sample load did not write: use another --index-prefix`),
  );
  assert.equal((await es.client.count({ index })).count, 1, 'nothing added');

  const forced = await sampleLoad(['--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok((await es.client.count({ index })).count > 1);
});

test('indices sample load created are marked, and loading into them again is allowed', async () => {
  const prefix = `${PREFIX}own-network-`;
  assert.equal((await sampleLoad([], prefix)).code, 0);
  const again = await sampleLoad([], prefix);
  assert.equal(again.code, 0, again.stderr);
  const mapping = await es.client.indices.getMapping({ index: `${prefix}tls` });
  assert.deepEqual((Object.values(mapping)[0]!.mappings as { _meta?: unknown })._meta, {
    netlog_sample: true,
  });
});
