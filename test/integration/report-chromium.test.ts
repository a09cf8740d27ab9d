import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { writeSampleTimeSeries } from '../helpers/sample-csv.js';
import { findChromium, visitPage } from '../helpers/chromium.js';
import { countInkPixels, decodePng } from '../helpers/png.js';
import { dayList } from '../helpers/sample-series.js';
import { anomalyTimestamps } from '../../src/sample/generate.js';
import { dayFilePath } from '../../src/store/layout.js';
import { writeSampleExternalFlows } from '../helpers/sample-beacons.js';
import { PLANTED_PAIRS } from '../../src/sample/planted.js';

// The analyst's side end to end: day files as pulled from the repository (written from the sample
// generator, no Elasticsearch), the report built by the netlog binary, and opened offline in a real
// headless Chromium that must report no error of any kind. NETLOG_TEST_ARTIFACTS=<dir> keeps the
// screenshot for a human to look at.
const chromium = findChromium();
const DAYS = dayList('2026-11-18', 7);
const ANOMALY_DAY = '2026-11-24';
const WIDTH = 1400;
let tmp: { path: string; cleanup: () => Promise<void> };
let report: string;

before(async () => {
  tmp = await tempDir('report');
  const data = join(tmp.path, 'data');
  await writeSampleTimeSeries(data, DAYS, { seed: 42, docsPerDay: 20000, anomalyDay: ANOMALY_DAY });
  // The last two days of internal_to_external, with the sample's planted beacons: the Beacons section.
  await writeSampleExternalFlows(
    data,
    DAYS.slice(-2),
    { seed: 42, docsPerDay: 20000, anomalies: false, beacons: true },
    'report-test-key',
  );
  // A day written before it was over: reported and drawn as a gap.
  await rename(dayFilePath(data, 'http', '2026-11-21'), dayFilePath(data, 'http', '2026-11-21', true));
  report = join(tmp.path, 'report.html');
  const result = await runCli(
    ['report', '--from', DAYS[0]!, '--to', DAYS.at(-1)!, '--data', data, '--out', report],
    { env: { NETLOG_LOG_FILE: join(tmp.path, 'log'), NETLOG_NOW: '2026-11-25T06:00:00Z' } },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /report written to .*report\.html \(10 tables, 20 anomalies, 7 days\)/);
});

after(() => tmp.cleanup());

test('the report holds every chart, the exact anomalies and the completeness grid', async () => {
  const html = await readFile(report, 'utf8');
  const section = (table: string) =>
    html.slice(html.indexOf(`<section id="t-${table}">`)).split('</section>')[0]!;
  const timestamps = (table: string) =>
    [...section(table).matchAll(/<tr><td>(2026-[^<]+)<\/td>/g)].map((m) => m[1]);
  const { spike, beacon } = anomalyTimestamps(ANOMALY_DAY);
  assert.deepEqual(timestamps('dns'), spike);
  assert.deepEqual(timestamps('tls'), beacon);
  assert.deepEqual(timestamps('flow'), beacon);
  assert.deepEqual(timestamps('total'), [...beacon, ...spike]);
  assert.match(section('http'), /No anomalies/);
  // The Beacons section: the planted beacons of both days at the top, each with its strip.
  const beacons = html.slice(html.indexOf('<section id="beacons">')).split('</section>')[0]!;
  const ranked = [...beacons.matchAll(/<td class="key">([^<]+)<\/td><td class="num/g)].map((m) => m[1]);
  const planted = PLANTED_PAIRS.filter((p) => p.kind === 'beacon').map((p) => p.site.domain);
  assert.deepEqual(new Set(ranked.slice(0, 6)), new Set(planted));
  assert.match(beacons, /<svg role="img" aria-label="internal_to_external beacons: connections per hour"/);
  assert.match(html, /<td class="partial" title="2026-11-21 partial: only a partial file[^"]*">P<\/td>/);
  // SVG namespace names look like URLs but are never fetched; anything else that does is refused.
  assert.doesNotMatch(html.replace(/ xmlns(:\w+)?="[^"]*"/g, ''), /<script|<link|<img|src=|https?:\/\//i);
});

test(
  'headless Chromium opens the report offline without a single error, request or overflow',
  { skip: chromium ? false : 'chromium is not installed (.ci/run installs it: apt-get install chromium)' },
  async () => {
    const visit = await visitPage(chromium!, pathToFileURL(report).href, {
      width: WIDTH,
      height: 1000,
      fullPage: true,
      evaluate: `(() => {
        const svgs = [...document.querySelectorAll('svg')].map((s) => s.getBoundingClientRect());
        return {
          h1: document.querySelector('h1').textContent,
          svgs: svgs.length,
          smallestSvg: Math.min(...svgs.map((r) => Math.min(r.width, r.height))),
          widestSvg: Math.max(...svgs.map((r) => r.right)),
          scrollWidth: document.documentElement.scrollWidth,
          sections: document.querySelectorAll('section').length,
          gridCells: document.querySelectorAll('table.grid td.ok, table.grid td.missing, table.grid td.partial, table.grid td.bad').length,
        };
      })()`,
    });
    assert.deepEqual(visit.console, [], 'console messages');
    assert.deepEqual(visit.exceptions, [], 'uncaught exceptions');
    assert.deepEqual(visit.logErrors, [], 'browser log errors');
    assert.deepEqual(visit.failedRequests, [], 'failed requests');
    assert.deepEqual(visit.requests, [pathToFileURL(report).href], 'the report loads nothing but itself');
    const page = visit.evaluated as Record<string, number | string>;
    assert.equal(page.h1, 'netlog report 2026-11-18 – 2026-11-24');
    assert.equal(page.sections, 10 + 1, 'a section per table, and the Beacons section');
    assert.equal(
      page.svgs,
      7 + 2 + 2 + 1,
      'a chart per time series, two for websites and internal_to_external, the beacon strips',
    );
    assert.equal(page.gridCells, 10 * 7, 'one completeness cell per table and day');
    assert.ok(
      Number(page.smallestSvg) > 100,
      `every chart is laid out (smallest side ${page.smallestSvg}px)`,
    );
    assert.ok(
      Number(page.widestSvg) <= WIDTH && Number(page.scrollWidth) <= WIDTH,
      'nothing overflows sideways',
    );

    const shot = decodePng(visit.screenshot);
    assert.equal(shot.width, WIDTH);
    assert.ok(shot.height > 4000, `the whole page: ${shot.height}px`);
    assert.ok(countInkPixels(shot) > 0.02 * shot.width * shot.height, 'the page is not blank');
    const keep = process.env.NETLOG_TEST_ARTIFACTS;
    if (keep) {
      await mkdir(keep, { recursive: true });
      await writeFile(join(keep, 'report-chromium.png'), visit.screenshot);
      await copyFile(report, join(keep, 'report.html'));
    }
  },
);

test(
  'the Chromium check itself fails on a broken page (console error, exception, missing and remote resources)',
  { skip: chromium ? false : 'chromium is not installed (.ci/run installs it: apt-get install chromium)' },
  async () => {
    const page = join(tmp.path, 'broken.html');
    await writeFile(
      page,
      '<!doctype html><title>broken</title><img src="missing.png"><img src="http://example.invalid/x.png">' +
        '<script>console.error("boom"); throw new Error("uncaught")</script>',
    );
    const visit = await visitPage(chromium!, pathToFileURL(page).href, { width: 800, height: 600 });
    assert.deepEqual(visit.console, [{ type: 'error', text: 'boom' }]);
    assert.match(visit.exceptions.join('\n'), /uncaught/);
    assert.equal(visit.requests.length, 3, 'the page and its two images');
    assert.equal(visit.failedRequests.length, 2);
    assert.ok(visit.logErrors.length >= 1);
  },
);
