import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { writeSampleTimeSeries } from '../helpers/sample-csv.js';
import { anomalyTimestamps } from '../../src/sample/generate.js';
import { addDays } from '../../src/time/day.js';

// The analyst's side: day files as pulled from the repository (written from the generator's exact
// counts), the report built by the CLI, and opened in a real headless Chromium.
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => spawnSync(p, ['--version']).status === 0,
);
const DAYS = Array.from({ length: 7 }, (_, i) => addDays('2026-11-18', i));
let tmp: { path: string; cleanup: () => Promise<void> };
let report: string;

before(async () => {
  tmp = await tempDir('report');
  await writeSampleTimeSeries(join(tmp.path, 'data'), DAYS, {
    seed: 42,
    docsPerDay: 20000,
    anomalyDay: '2026-11-24',
  });
  report = join(tmp.path, 'report.html');
  const result = await runCli(
    [
      'report',
      '--from',
      DAYS[0]!,
      '--to',
      DAYS.at(-1)!,
      '--tables',
      'total,dns,tls',
      '--data',
      join(tmp.path, 'data'),
      '--out',
      report,
    ],
    {
      env: { NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_NOW: '2026-11-25T06:00:00Z' },
    },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /report written to .*report\.html \(3 tables, \d+ anomalies, 7 days\)/);
});

after(async () => {
  await tmp.cleanup();
});

test('the report holds every chart, the exact anomalies and the completeness table, offline', async () => {
  const html = await readFile(report, 'utf8');
  assert.equal((html.match(/<svg/g) ?? []).length, 3);
  assert.doesNotMatch(html, /<script|src="http|<link/);
  const { spike, beacon } = anomalyTimestamps('2026-11-24');
  const dnsSection = html.slice(html.indexOf('<section id="dns">'), html.indexOf('<section id="tls">'));
  assert.deepEqual(
    [...dnsSection.matchAll(/<tr><td>(2026-[^<]+)<\/td>/g)].map((m) => m[1]),
    spike,
  );
  const tlsSection = html.slice(html.indexOf('<section id="tls">'));
  assert.deepEqual(
    [...tlsSection.matchAll(/<tr><td>(2026-[^<]+)<\/td>/g)].map((m) => m[1]),
    beacon,
  );
  assert.match(html, /<tr class="good"><td>dns<\/td><td>7<\/td><td>0<\/td>/);
});

test(
  'headless Chromium opens the report without errors and renders it',
  { skip: chromium ? false : 'chromium is not installed (apt-get install chromium)' },
  () => {
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(tmp.path, 'chromium')}`,
    ];
    const dom = execFileSync(
      chromium!,
      [...flags, '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${report}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    assert.equal((dom.match(/<svg/g) ?? []).length, 3, 'the browser parsed three inline charts');
    assert.match(dom, /<h1>netlog report 2026-11-18 – 2026-11-24<\/h1>/);
    const shot = join(tmp.path, 'report.png');
    const run = spawnSync(
      chromium!,
      [
        ...flags,
        '--enable-logging=stderr',
        '--v=0',
        '--window-size=1200,1600',
        `--screenshot=${shot}`,
        `file://${report}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /CONSOLE.*(Error|Uncaught)|Failed to load resource/i);
    const png = execFileSync('head', ['-c', '24', shot]);
    assert.equal(png.readUInt32BE(16), 1200);
    assert.equal(png.readUInt32BE(20), 1600);
  },
);
