import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCli } from '../helpers/cli.js';
import { deleteIndices, startTestEs, type TestEs } from '../helpers/es.js';
import { tempDir } from '../helpers/tmp.js';
import { CANARIES, HOSTILE_VALUES } from '../helpers/hostile-corpus.js';
import { oracleHits } from '../helpers/leak-oracle.js';
import { scanForLeaks, secretForms } from '../helpers/scan-leaks.js';
import { defaultConfig } from '../../src/config/validate.js';
import { ensureSampleIndices } from '../../src/sample/index-sample.js';

// Privacy by construction, through a real node: the hostile corpus in every name field the default
// tables read and through every transform; every CSV cell and log line judged by the independent
// oracle; every document still counted. Then the key record: another key is refused before anything
// is written, --new-key starts a new epoch.

const PREFIX = 'it-privacy-';
const DAY = '2026-11-20';
const KEY = 'privacy-test-key-4c1d9e7a2b';
const OTHER_KEY = 'privacy-other-key-8e3f0a6c5d';
const NOW = '2026-11-21T06:00:00Z';
const WEB = '93.184.216.34';

/** HMAC-SHA256 by Python's hmac module, cut to 16 hex characters: independent of node's crypto. */
function pythonHmac(key: string, message: string): string {
  return execFileSync(
    'python3',
    [
      '-c',
      'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest()[:16])',
      key,
      message,
    ],
    { encoding: 'utf8' },
  ).trim();
}

let es: TestEs;
let dir: string;
let cleanup: () => Promise<void>;
let config: string;
let data: string;
let logFile: string;
const expected: Record<string, number> = {};
const TRANSFORMS = ['ip', 'host', 'domain', 'server', 'keep', 'text'] as const;

const at = (i: number, minute = 1) =>
  new Date(Date.parse(`${DAY}T00:00:00Z`) + (i % 96) * 900_000 + minute * 60_000).toISOString();

before(async () => {
  es = await startTestEs();
  const tmp = await tempDir('privacy');
  dir = tmp.path;
  cleanup = tmp.cleanup;
  data = join(dir, 'data');
  logFile = join(dir, 'elastic.log');
  await deleteIndices(es.client, PREFIX);
  await ensureSampleIndices(es.client, `${PREFIX}network-`);
  const docs: [string, Record<string, unknown>][] = [];
  HOSTILE_VALUES.forEach((v, i) => {
    const client = `10.1.0.${(i % 200) + 1}`;
    docs.push([
      'http',
      {
        '@timestamp': at(i),
        url: { domain: v },
        source: { ip: client },
        destination: { ip: WEB },
        network: { bytes: 100 + i },
      },
    ]);
    docs.push([
      'tls',
      {
        '@timestamp': at(i, 2),
        tls: { client: { server_name: v } },
        source: { ip: client },
        destination: { ip: WEB },
        network: { bytes: 200 + i },
      },
    ]);
    docs.push([
      'flow',
      {
        '@timestamp': at(i, 3),
        source: { ip: client },
        destination: { ip: '10.0.0.9', domain: v, port: 445 },
        network: { bytes: 300 + i },
      },
    ]);
    docs.push([
      'flow',
      {
        '@timestamp': at(i, 4),
        source: { ip: client },
        destination: { ip: `93.184.217.${(i % 200) + 1}`, domain: v },
        network: { bytes: 400 + i },
      },
    ]);
    docs.push(['dns', { '@timestamp': at(i, 5), dns: { question: { name: v } }, network: { bytes: 50 } }]);
  });
  // The reverse-DNS join: 10.0.0.5 as a destination without a name (10:00), as its reverse-DNS name
  // (11:00), and as a source (12:00).
  const join1 = { source: { ip: '10.1.0.77' }, network: { bytes: 1 } };
  docs.push([
    'flow',
    { ...join1, '@timestamp': `${DAY}T10:00:00Z`, destination: { ip: '10.0.0.5', port: 22 } },
  ]);
  docs.push([
    'flow',
    {
      ...join1,
      '@timestamp': `${DAY}T11:00:00Z`,
      destination: { ip: '10.0.0.99', domain: '5.0.0.10.in-addr.arpa', port: 22 },
    },
  ]);
  docs.push([
    'flow',
    {
      '@timestamp': `${DAY}T12:00:00Z`,
      source: { ip: '10.0.0.5' },
      destination: { ip: '10.0.0.9', port: 445 },
      network: { bytes: 1 },
    },
  ]);
  const operations = docs.flatMap(([p, doc]) => [{ index: { _index: `${PREFIX}network-${p}` } }, doc]);
  const bulk = await es.client.bulk({ operations, refresh: 'wait_for' });
  const failed = bulk.items.filter((it) => it.index?.error);
  assert.deepEqual(failed, [], 'every hostile document was indexed');
  const n = HOSTILE_VALUES.length;
  Object.assign(expected, {
    total: 5 * n + 3,
    http: n,
    tls: n,
    flow: 2 * n + 3,
    dns: n,
    dhcp: 0,
    firewall: 0,
    internal_to_internal: n + 3,
    internal_to_external: n,
    websites: 2 * n,
    ...Object.fromEntries(TRANSFORMS.map((t) => [`by_${t}`, n])),
  });
  // The default tables on the prefixed indices, and one table per transform on url.domain.
  const tables = [
    ...defaultConfig().tables.map((t) => ({
      ...t,
      index: t.index
        .split(',')
        .map((i) => `${PREFIX}${i}`)
        .join(','),
    })),
    ...TRANSFORMS.map((transform) => ({
      name: `by_${transform}`,
      index: `${PREFIX}network-http`,
      levels: [{ column: transform === 'text' ? 'value_text' : 'value', fields: ['url.domain'], transform }],
    })),
  ];
  config = join(dir, 'privacy.json');
  await writeFile(config, JSON.stringify({ tables }, null, 2));
});
after(async () => {
  await deleteIndices(es.client, PREFIX);
  await es.close();
  await cleanup();
});

const netlog = (args: string[], key = KEY) =>
  runCli([...args, '--config', config, '--data', data, '--es', es.url], {
    env: { NETLOG_HASH_KEY: key, NETLOG_LOG_FILE: logFile, NETLOG_NOW: NOW },
  });

async function csvFiles(): Promise<string[]> {
  return (await readdir(data, { recursive: true })).filter((f) => f.endsWith('.csv')).sort();
}

async function records(table: string): Promise<Record<string, string>[]> {
  const text = await readFile(join(data, table, DAY.slice(0, 4), `${DAY}.csv`), 'utf8');
  return parse(text, { columns: true }) as Record<string, string>[];
}

async function fingerprints(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(data, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const path = join(f.parentPath, f.name);
    out.set(
      path,
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
  }
  return out;
}

test(`the hostile corpus (${HOSTILE_VALUES.length} values) through a real node: no leak in any cell or log line, every document counted`, async (t) => {
  const result = await netlog(['load-daily', '--date', DAY]);
  assert.equal(result.code, 0, result.stderr);
  const tables = Object.keys(expected).sort();
  assert.deepEqual(
    await csvFiles(),
    tables.map((tb) => `${tb}/2026/${DAY}.csv`),
  );
  for (const table of tables) {
    const sum = (await records(table)).reduce((s, r) => s + Number(r.count), 0);
    assert.equal(sum, expected[table], `${table}: documents counted`);
  }
  // The independent oracle over every cell (by its column's role) and every log line.
  const { files, lines, leaks } = await scanForLeaks([data, logFile], secretForms([KEY]));
  assert.deepEqual(leaks, []);
  assert.ok(files >= tables.length + 1 && lines > 1000, `${files} files, ${lines} lines`);
  for (const text of [result.stdout, result.stderr]) assert.deepEqual(oracleHits(text, 'log'), []);
  // No hostile value appears anywhere as it is (free text keeps escaped formulas: not judged here).
  const everything = [
    await readFile(logFile, 'utf8'),
    result.stdout,
    result.stderr,
    ...(await Promise.all(
      (await csvFiles()).filter((f) => !f.startsWith('by_text/')).map((f) => readFile(join(data, f), 'utf8')),
    )),
  ].join('\n');
  const survived = CANARIES.filter((c) => everything.includes(c));
  assert.deepEqual(survived, []);
  // What stays visible: public registrable domains and internal server names.
  const websites = new Set((await records('websites')).map((r) => r.domain));
  for (const d of ['google.com', 'bbc.co.uk', 'nip.io']) assert.ok(websites.has(d), d);
  const servers = new Set((await records('internal_to_internal')).map((r) => r.destination));
  for (const s of ['fs01', 'printer']) assert.ok(servers.has(s), s);
  t.diagnostic(`${files} files, ${lines} lines judged; ${tables.length} tables`);
});

test('a reverse-DNS name joins with the pseudonym of its address, as destination and as source', async () => {
  const rows = await records('internal_to_internal');
  const client = pythonHmac(KEY, '10.1.0.77');
  const byTime = (time: string) => rows.filter((r) => r.timestamp === time && r.source === client);
  const asIp = byTime(`${DAY}T10:00:00Z`);
  const asName = byTime(`${DAY}T11:00:00Z`);
  assert.equal(asIp.length, 1);
  assert.equal(asName.length, 1);
  assert.equal(asIp[0]!.destination, pythonHmac(KEY, '10.0.0.5'));
  assert.equal(asName[0]!.destination, asIp[0]!.destination);
  // The flow from 10.0.0.5 itself (12:00): its source is the same pseudonym.
  const asSource = rows.filter(
    (r) => r.timestamp === `${DAY}T12:00:00Z` && r.source === asIp[0]!.destination,
  );
  assert.equal(asSource.length, 1);
  assert.equal(asSource[0]!.destination_port, '445');
});

test('the key record: fingerprint recorded; another key refused before anything is written; --new-key starts an epoch', async () => {
  const recordPath = join(data, 'pseudonym.json');
  const first = JSON.parse(await readFile(recordPath, 'utf8')) as Record<string, unknown>;
  const fp = pythonHmac(KEY, 'netlog pseudonym key fingerprint v1');
  assert.deepEqual(first, {
    algorithm: 'hmac-sha256',
    length: 16,
    fingerprint: fp,
    epochs: [{ epoch: 1, fingerprint: fp, from: NOW }],
  });
  assert.ok(!(await readFile(recordPath, 'utf8')).includes(KEY));

  const before = await fingerprints();
  const refused = await netlog(['load-daily', '--date', DAY], OTHER_KEY);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /is not the one this data was written with \(hmac-sha256, 16 characters, key fingerprint [0-9a-f]{16}, epoch 1 since 2026-11-21T06:00:00Z\).*--new-key/,
  );
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.deepEqual(await fingerprints(), before, 'nothing written, nothing touched');
  const backfill = await netlog(['load-backfill', '--from', DAY, '--to', DAY, '--force'], OTHER_KEY);
  assert.equal(backfill.code, 2, backfill.stderr);
  assert.deepEqual(await fingerprints(), before);

  // verify (no writing) names the mismatch instead of saying all is well.
  const verify = await netlog(['verify', '--from', DAY, '--to', DAY, '--against-es'], OTHER_KEY);
  assert.equal(verify.code, 3, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^key +the pseudonymisation key or scheme .* is not the one/m);
  const fine = await netlog(['verify', '--from', DAY, '--to', DAY, '--against-es']);
  assert.equal(fine.code, 0, fine.stdout + fine.stderr);

  // --new-key: a new epoch, pseudonyms of the new key from then on.
  const rotated = await netlog(
    ['load-daily', '--date', DAY, '--tables', 'internal_to_internal', '--new-key'],
    OTHER_KEY,
  );
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stderr, /a new pseudonym epoch starts/);
  const second = JSON.parse(await readFile(recordPath, 'utf8')) as { fingerprint: string; epochs: unknown[] };
  const fp2 = pythonHmac(OTHER_KEY, 'netlog pseudonym key fingerprint v1');
  assert.equal(second.fingerprint, fp2);
  assert.deepEqual(second.epochs, [
    { epoch: 1, fingerprint: fp, from: NOW },
    { epoch: 2, fingerprint: fp2, from: NOW },
  ]);
  const rows = await records('internal_to_internal');
  assert.ok(rows.some((r) => r.source === pythonHmac(OTHER_KEY, '10.1.0.77')));
  assert.ok(!rows.some((r) => r.source === pythonHmac(KEY, '10.1.0.77')));
  // The old key is now the other one: refused the same way.
  const old = await netlog(['load-daily', '--date', DAY, '--tables', 'dns']);
  assert.equal(old.code, 2, old.stderr);
  const again = await netlog(['load-daily', '--date', DAY, '--tables', 'dns', '--new-key'], OTHER_KEY);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already those of pseudonym epoch 2.*drop --new-key/);
});
