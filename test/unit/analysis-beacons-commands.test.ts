import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { run as beacons } from '../../src/cli/commands/beacons.js';
import { run as report } from '../../src/cli/commands/report.js';
import { UsageError } from '../../src/errors.js';
import { PLANTED_PAIRS } from '../../src/sample/planted.js';
import { tempDir } from '../helpers/tmp.js';
import { writeSampleExternalFlows } from '../helpers/sample-beacons.js';
import type { CommandContext } from '../../src/cli/context.js';

// `netlog beacons` and the report's Beacons section on day files alone (no key, no Elasticsearch), as
// an analyst who pulled the repository runs them; the exact step runs in test/integration/beacons.test.ts.
const DAYS = ['2026-11-23', '2026-11-24'];
let tmp: { path: string; cleanup: () => Promise<void> };
let data: string;

before(async () => {
  tmp = await tempDir('beacons-commands');
  data = join(tmp.path, 'data');
  await writeSampleExternalFlows(
    data,
    DAYS,
    { seed: 42, docsPerDay: 20_000, anomalies: false, beacons: true },
    'k',
  );
});

after(() => tmp.cleanup());

function context(): CommandContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: pino({ level: 'silent' }),
    now: new Date('2026-11-25T06:00:00Z'),
    env: {},
    signal: new AbortController().signal,
    out: (line) => lines.push(line),
    isTTY: false,
  };
}

const base = { from: DAYS[0]!, to: DAYS[1]!, table: 'internal_to_external', minScore: 0.7, exact: true };

test('without a key the exact step is skipped, said so, and the beacons are scored from the day files', async () => {
  const ctx = context();
  const out = join(tmp.path, 'b.json');
  assert.equal(await beacons({ data, ...base, out }, ctx), 0);
  assert.match(ctx.lines[1]!, /exact step skipped \(no key: set NETLOG_HASH_KEY/);
  const found = (
    JSON.parse(await readFile(out, 'utf8')) as {
      beacons: { day: string; destination: string; exact: boolean; timestamp_score: null }[];
    }
  ).beacons;
  for (const p of PLANTED_PAIRS.filter((x) => x.kind === 'beacon'))
    for (const day of DAYS)
      assert.ok(
        found.some(
          (f) => f.day === day && f.destination === p.site.domain && !f.exact && f.timestamp_score === null,
        ),
        `${day} ${p.name}`,
      );
  // The report shows them from the file, and refuses a file that is not netlog beacons JSON.
  const html = join(tmp.path, 'r.html');
  assert.equal(
    await report(
      { data, from: DAYS[0]!, to: DAYS[1]!, tables: ['internal_to_external'], out: html, beacons: out },
      context(),
    ),
    0,
  );
  const section = (await readFile(html, 'utf8')).split('<section id="beacons">')[1]!;
  assert.match(section, /telemetry-relay\.net/);
  assert.match(section, /<svg role="img"/);
  const bad = join(tmp.path, 'bad.json');
  await writeFile(
    bad,
    JSON.stringify({ table: 'internal_to_external', beacons: [{ day: DAYS[0], score: 7 }] }),
  );
  const html2 = join(tmp.path, 'r2.html');
  await assert.rejects(
    report(
      { data, from: DAYS[0]!, to: DAYS[1]!, tables: ['internal_to_external'], out: html2, beacons: bad },
      context(),
    ),
    (e: unknown) => e instanceof UsageError && /--beacons .*bad\.json: beacon 1 is malformed/.test(e.message),
  );
  await assert.rejects(access(html2), 'no report written');
});

test('without Elasticsearch configured the exact step is skipped too; bad flags are usage errors', async () => {
  const ctx = context();
  const out = join(tmp.path, 'b.csv');
  assert.equal(await beacons({ data, ...base, out }, { ...ctx, env: { NETLOG_HASH_KEY: 'k' } }), 0);
  assert.match(ctx.lines[1]!, /exact step skipped \(no Elasticsearch: give --es, ES_URL or ES_CLOUD_ID\)/);
  for (const [flags, message] of [
    [{ out: 'b.txt' }, /--out b\.txt/],
    [{ chart: 'b.gif' }, /--chart/],
    [{ table: 'dns' }, /dns is a time series/],
  ] as const)
    await assert.rejects(
      beacons(Object.assign({ data, ...base, out }, flags), context()),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
});
