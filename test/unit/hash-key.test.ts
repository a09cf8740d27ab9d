import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readHashKey, weakKeyReason } from '../../src/config/hash-key.js';
import { createPseudonymiser, keyFingerprint } from '../../src/transform/pseudonymise.js';
import { decideRecord, formatRecord, parseRecord } from '../../src/store/pseudonym-record.js';
import { tempDir } from '../helpers/tmp.js';
import { createHash } from 'node:crypto';
import { openPseudonymiser } from '../../src/cli/setup.js';
import { defaultConfig } from '../../src/config/validate.js';
import type { CommandContext } from '../../src/cli/context.js';

const KEY = 'unit-hash-key-5f0e2c9a1b7d';

/** HMAC-SHA256 by Python's hmac module: an implementation independent of node's crypto. */
function pythonHmac(key: string, message: string): string {
  return execFileSync(
    'python3',
    [
      '-c',
      'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())',
      key,
      message,
    ],
    { encoding: 'utf8' },
  ).trim();
}

test('one normalisation: the key in the environment and in a file (trailing newline) give the same pseudonyms', async (t) => {
  const dir = await tempDir('hashkey');
  t.after(dir.cleanup);
  const file = join(dir.path, 'hash.key');
  await writeFile(file, `${KEY}\n`, { mode: 0o600 });
  const fromFile = readHashKey({ NETLOG_HASH_KEY_FILE: file });
  assert.deepEqual(fromFile.warnings, []);
  for (const env of [KEY, `${KEY}\n`, `  ${KEY}\r\n`]) {
    const fromEnv = readHashKey({ NETLOG_HASH_KEY: env });
    assert.equal(fromEnv.key.toString(), KEY);
    const p = createPseudonymiser({ algorithm: 'hmac-sha256', length: 16 }, fromEnv.key);
    const q = createPseudonymiser({ algorithm: 'hmac-sha256', length: 16 }, fromFile.key);
    assert.equal(p('10.1.0.10'), q('10.1.0.10'));
    assert.equal(p('10.1.0.10'), pythonHmac(KEY, '10.1.0.10').slice(0, 16));
  }
});

test('weak keys are refused: one character repeated, fewer than 128 bits of hex or base64', () => {
  assert.equal(weakKeyReason('a'.repeat(100)), 'it is one character repeated');
  assert.match(weakKeyReason('0123456789abcdef0123456789abcde')!, /31 hex digits/);
  assert.equal(weakKeyReason('0123456789abcdef0123456789abcdef'), undefined);
  assert.match(weakKeyReason('c2hvcnQta2V5LTEyMzQ1')!, /20 base64 characters/);
  assert.equal(weakKeyReason('c2hvcnQta2V5LTEyMzQ1Ng=='), undefined);
  assert.match(weakKeyReason('a pass phrase')!, /13 characters/);
  assert.equal(weakKeyReason('correct horse battery staple'), undefined);
  for (const key of ['zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'deadbeef'])
    assert.throws(() => readHashKey({ NETLOG_HASH_KEY: key }), /weak/);
  assert.throws(() => readHashKey({ NETLOG_HASH_KEY: '   \n' }), /no pseudonymisation key/);
});

test('a key file: /dev/zero, a huge file, a directory, a missing file → one line; readable by others → a warning', async (t) => {
  const dir = await tempDir('hashkey');
  t.after(dir.cleanup);
  assert.throws(
    () => readHashKey({ NETLOG_HASH_KEY_FILE: '/dev/zero' }),
    /\/dev\/zero is larger than 4096 bytes/,
  );
  const huge = join(dir.path, 'huge.key');
  await writeFile(huge, 'k'.repeat(5 << 20));
  assert.throws(() => readHashKey({ NETLOG_HASH_KEY_FILE: huge }), /huge\.key is larger than 4096 bytes/);
  assert.throws(() => readHashKey({ NETLOG_HASH_KEY_FILE: dir.path }), /is a directory/);
  assert.throws(() => readHashKey({ NETLOG_HASH_KEY_FILE: join(dir.path, 'nope') }), /ENOENT/);
  const bin = join(dir.path, 'bin.key');
  await writeFile(bin, Buffer.from([0x61, 0, 0x62, ...Buffer.from(KEY)]));
  assert.throws(() => readHashKey({ NETLOG_HASH_KEY_FILE: bin }), /binary data/);
  const open = join(dir.path, 'open.key');
  await writeFile(open, KEY);
  await chmod(open, 0o644);
  const read = readHashKey({ NETLOG_HASH_KEY_FILE: open });
  assert.equal(read.key.toString(), KEY);
  assert.equal(read.warnings.length, 1);
  assert.match(read.warnings[0]!, /can be read by other users \(mode 644\).*chmod 600/);
  assert.ok(!read.warnings[0]!.includes(KEY));
  assert.throws(
    () => readHashKey({ NETLOG_HASH_KEY: KEY, NETLOG_HASH_KEY_FILE: open }),
    /both NETLOG_HASH_KEY and NETLOG_HASH_KEY_FILE are set/,
  );
});

test('the key fingerprint is HMAC-SHA256(key, fixed label), never the key or a pseudonym', () => {
  const key = Buffer.from(KEY);
  const fp = keyFingerprint({ algorithm: 'hmac-sha256', length: 16 }, key);
  assert.equal(fp, pythonHmac(KEY, 'netlog pseudonym key fingerprint v1').slice(0, 16));
  assert.ok(!fp.includes(KEY));
  assert.notEqual(fp, keyFingerprint({ algorithm: 'hmac-sha256', length: 16 }, Buffer.from(`${KEY}x`)));
  assert.notEqual(fp, keyFingerprint({ algorithm: 'sha1', length: 16 }, key));
});

test('the pseudonym record: first epoch, same key, refused key, --new-key epochs, corrupt files', () => {
  const scheme = { algorithm: 'hmac-sha256' as const, length: 16, fingerprint: '0123456789abcdef' };
  const now = new Date('2026-11-25T06:00:00.123Z');
  const first = decideRecord(undefined, scheme, { newKey: false, now });
  assert.equal(first.kind, 'write');
  const record = (first as { record: Parameters<typeof formatRecord>[0] }).record;
  assert.deepEqual(JSON.parse(formatRecord(record)), {
    algorithm: 'hmac-sha256',
    length: 16,
    fingerprint: '0123456789abcdef',
    epochs: [{ epoch: 1, fingerprint: '0123456789abcdef', from: '2026-11-25T06:00:00Z' }],
  });
  assert.deepEqual(parseRecord(formatRecord(record)), { record });
  assert.deepEqual(decideRecord(record, scheme, { newKey: false, now }), { kind: 'same' });
  const other = { ...scheme, fingerprint: 'fedcba9876543210' };
  const refused = decideRecord(record, other, { newKey: false, now });
  assert.equal(refused.kind, 'refuse');
  assert.match(
    (refused as { message: string }).message,
    /key fingerprint fedcba9876543210\) is not the one this data was written with \(.*0123456789abcdef, epoch 1 since 2026-11-25T06:00:00Z\).*--new-key/,
  );
  assert.equal(decideRecord(record, { ...scheme, length: 20 }, { newKey: false, now }).kind, 'refuse');
  assert.match(
    (decideRecord(record, scheme, { newKey: true, now }) as { message: string }).message,
    /already those of pseudonym epoch 1.*drop --new-key/,
  );
  const later = new Date('2026-12-01T06:00:00Z');
  const second = decideRecord(record, other, { newKey: true, now: later });
  assert.equal(second.kind, 'write');
  assert.deepEqual((second as { record: unknown }).record, {
    ...other,
    epochs: [
      { epoch: 1, fingerprint: '0123456789abcdef', from: '2026-11-25T06:00:00Z' },
      { epoch: 2, fingerprint: 'fedcba9876543210', from: '2026-12-01T06:00:00Z' },
    ],
  });
  for (const bad of ['', '{', '[]', '{"algorithm":"md5"}', JSON.stringify({ ...record, length: 8 })])
    assert.ok('problem' in parseRecord(bad), bad);
  assert.ok('problem' in parseRecord(JSON.stringify({ ...record, fingerprint: 'fedcba9876543210' })));
});

test('the legacy sha1 mode needs no key (and says the one given is not used); hmac-sha256 needs one', () => {
  const lines: string[] = [];
  const log = { warn: (msg: string) => lines.push(msg) } as unknown as CommandContext['log'];
  const ctx = (env: NodeJS.ProcessEnv) => ({ log, env }) as unknown as CommandContext;
  const sha1 = { ...defaultConfig(), pseudonym: { algorithm: 'sha1' as const, length: 16 } };
  const handle = openPseudonymiser(sha1, ctx({}));
  assert.equal(
    handle.pseudonymise('10.1.0.10'),
    createHash('sha1').update('10.1.0.10').digest('hex').slice(0, 16),
  );
  assert.match(lines[0]!, /sha1: unkeyed hashes .* can be reversed/);
  openPseudonymiser(sha1, ctx({ NETLOG_HASH_KEY: KEY }));
  assert.match(lines.at(-1)!, /uses no key: the key in the environment is not used/);
  assert.throws(() => openPseudonymiser(defaultConfig(), ctx({})), /no pseudonymisation key/);
});
