import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { pngSize } from '../helpers/png.js';
import { useSampleSuite } from '../helpers/sample.js';
import { internalClient } from '../../src/sample/catalog.js';
import { PLANTED_PAIRS } from '../../src/sample/planted.js';

// `netlog beacons` against a real node: a generated day with the planted beacons (60 s, 5 min, 1 h)
// and decoys (a busy irregular pair, a nightly backup) is loaded, its internal_to_external day file
// written, and the beacons found again — exactly, through the key, from Elasticsearch.

const DAY = '2026-11-24';
const KEY = 'beacons-test-key-0123456789';
const suite = useSampleSuite({
  label: 'beacons',
  prefix: 'it-beacons-',
  sample: { days: 1, end: DAY, docsPerDay: 20_000, seed: 42, anomalies: true, beacons: true },
});

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli([...args, '--config', suite.config, '--data', join(suite.dir, 'data')], {
    env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: suite.logFile, NETLOG_NOW: '2026-11-25T08:00:00Z', ...env },
  });

interface Finding {
  day: string;
  source: string;
  destination: string;
  score: number;
  timestamp_score: number | null;
  connections: number;
  interval_s: number;
  exact: boolean;
  hourly: number[];
}

const readFindings = async (path: string): Promise<Finding[]> =>
  (JSON.parse(await readFile(path, 'utf8')) as { beacons: Finding[] }).beacons;

before(async () => {
  await suite.ready;
  const r = await cli([
    'load-backfill',
    '--es',
    suite.es.url,
    '--from',
    DAY,
    '--to',
    DAY,
    '--tables',
    'internal_to_external',
  ]);
  assert.equal(r.code, 0, r.stderr);
});

test('finds every planted beacon with its period and source, and none of the decoys', async () => {
  const expected = suite.expected.beacons;
  assert.ok(
    expected && expected.length === PLANTED_PAIRS.length,
    'the expected file lists the planted pairs',
  );
  const out = join(suite.dir, 'beacons.json');
  const chart = join(suite.dir, 'beacons.png');
  const r = await cli([
    'beacons',
    '--es',
    suite.es.url,
    '--from',
    DAY,
    '--to',
    DAY,
    '--out',
    out,
    '--chart',
    chart,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /exact step: (\d+) of \1 pair-days/, 'every flagged pair found in Elasticsearch');
  assert.ok(pngSize(await readFile(chart)).height > 300, 'the strip chart');
  const findings = await readFindings(out);
  for (const e of expected) {
    const hits = findings.filter((f) => f.destination === e.destination);
    if (e.kind === 'decoy') {
      assert.deepEqual(hits, [], `decoy ${e.name} reported`);
      continue;
    }
    assert.equal(hits.length, 1, `beacon ${e.name}: ${hits.length} findings`);
    const f = hits[0]!;
    const planted = PLANTED_PAIRS.find((p) => p.name === e.name)!;
    // The source column is the pseudonym of the planted client, computed here with node's HMAC.
    const ip = internalClient(planted.client);
    assert.equal(f.source, createHmac('sha256', KEY).update(ip).digest('hex').slice(0, 16));
    assert.equal(f.exact, true);
    assert.ok(f.timestamp_score !== null && f.timestamp_score > 0.8, `${e.name}: ts ${f.timestamp_score}`);
    assert.ok(f.score >= 0.9, `${e.name}: score ${f.score}`);
    assert.ok(
      Math.abs(f.interval_s - e.periodSec!) <= e.periodSec! * 0.02,
      `${e.name}: every ${f.interval_s} s`,
    );
    assert.equal(f.connections, 86_400 / e.periodSec!, `${e.name}: one connection per period`);
    assert.equal(f.hourly.length, 24);
  }
  // The exact step saw exactly the connections the day file counted (no "another number" warning).
  assert.doesNotMatch(await readFile(suite.logFile, 'utf8'), /another number of connections/);
  // The report shows these exact findings in its Beacons section.
  const html = join(suite.dir, 'report.html');
  const rep = await cli([
    'report',
    '--from',
    DAY,
    '--to',
    DAY,
    '--tables',
    'internal_to_external',
    '--beacons',
    out,
    '--out',
    html,
  ]);
  assert.equal(rep.code, 0, rep.stderr);
  const section = (await readFile(html, 'utf8')).split('<section id="beacons">')[1]!;
  for (const e of expected.filter((x) => x.kind === 'beacon'))
    assert.match(section, new RegExp(e.destination));
  assert.doesNotMatch(section, /day files<\/td>/, 'every row scored exactly');
  // No IP literal in what it wrote or printed.
  const text = `${await readFile(out, 'utf8')}${r.stdout}${r.stderr}`;
  assert.doesNotMatch(text, /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
});

test('without the exact step (--no-exact) it scores from the day files and says so', async () => {
  const out = join(suite.dir, 'beacons-table.csv');
  const r = await cli(['beacons', '--no-exact', '--from', DAY, '--to', DAY, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /exact step skipped \(--no-exact\)/);
  const csv = await readFile(out, 'utf8');
  assert.match(csv.split('\n')[0]!, /^day,source,destination,score,timestamp_score,/);
  for (const p of PLANTED_PAIRS.filter((x) => x.kind === 'beacon'))
    assert.match(csv, new RegExp(`,${p.site.domain.replace('.', '\\.')},[0-9.]+,,.*,false\\n`), p.name);
});

test('with another key the pairs are not found in Elasticsearch, and it says so', async () => {
  const out = join(suite.dir, 'beacons-wrong-key.json');
  const r = await cli(['beacons', '--es', suite.es.url, '--from', DAY, '--to', DAY, '--out', out], {
    NETLOG_HASH_KEY: 'another-key-0123456789',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /exact step: 0 of \d+ .*not found there/);
  assert.ok((await readFindings(out)).every((f) => !f.exact));
});

test('bad flags: one line, exit 2', async () => {
  for (const [args, message] of [
    [['--min-score', '1.5'], /--min-score 1\.5: give a score from 0 to 1/],
    [['--out', 'x.txt'], /--out x\.txt: beacons are written as \.csv or \.json/],
    [['--table', 'dns'], /dns is a time series: beacons need a flow table/],
  ] as const) {
    const r = await cli(['beacons', '--no-exact', '--from', DAY, '--to', DAY, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
