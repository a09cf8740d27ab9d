import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { run as plot } from '../../src/cli/commands/plot.js';
import { run as wavelet } from '../../src/cli/commands/wavelet.js';
import { run as report } from '../../src/cli/commands/report.js';
import { UsageError } from '../../src/errors.js';
import { parseCsv } from '../../src/store/csv.js';
import { dayFilePath } from '../../src/store/layout.js';
import { anomalyTimestamps } from '../../src/sample/generate.js';
import { pngSize } from '../helpers/png.js';
import { tempDir } from '../helpers/tmp.js';
import { writeSampleTimeSeries } from '../helpers/sample-csv.js';
import { dayList } from '../helpers/sample-series.js';
import type { CommandContext } from '../../src/cli/context.js';

// The analysis commands called as functions, on day files as an analyst pulls them: a week of sample
// data with the anomalies on its last day and one dns day missing.
const DAYS = dayList('2026-11-18', 7);
const ANOMALY_DAY = '2026-11-24';
let tmp: { path: string; cleanup: () => Promise<void> };
let data: string;

before(async () => {
  tmp = await tempDir('analysis-commands');
  data = join(tmp.path, 'data');
  await writeSampleTimeSeries(data, DAYS, { seed: 42, docsPerDay: 20000, anomalyDay: ANOMALY_DAY });
  await rm(dayFilePath(data, 'dns', '2026-11-20'));
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

const range = { from: DAYS[0]!, to: DAYS.at(-1)! };

test('plot: PNG lines with the gap named, and the plotted numbers as CSV', async () => {
  const ctx = context();
  const out = join(tmp.path, 'plot.png');
  const csv = join(tmp.path, 'plot.csv');
  const code = await plot(
    { data, ...range, tables: ['total', 'dns'], resample: '1h', metric: 'count', out, csv },
    ctx,
  );
  assert.equal(code, 0);
  const { width, height } = pngSize(await readFile(out));
  assert.ok(width > 1300 && height > 400, `${width}×${height}`);
  assert.deepEqual(ctx.lines, [
    `chart written to ${out}, numbers to ${csv}`,
    '  gap 2026-11-20: missing (dns)',
  ]);

  const { header, rows } = parseCsv(await readFile(csv, 'utf8'));
  assert.deepEqual(header, ['timestamp', 'total', 'dns']);
  assert.equal(rows.length, 7 * 24);
  // The first hour is the sum of the first four buckets of the day file.
  const day1 = parseCsv(await readFile(dayFilePath(data, 'total', DAYS[0]!), 'utf8')).rows;
  assert.deepEqual(rows[0], [
    '2026-11-18T00:00:00Z',
    String(day1.slice(0, 4).reduce((s, r) => s + Number(r[1]), 0)),
    rows[0]![2],
  ]);
  const gapRows = rows.filter((r) => r[0]!.startsWith('2026-11-20'));
  assert.equal(gapRows.length, 24);
  assert.ok(
    gapRows.every((r) => r[2] === '' && r[1] !== ''),
    'dns is empty (not 0) on its missing day',
  );
});

test('plot --top: the top domains of a flow table', async () => {
  const ctx = context();
  const out = join(tmp.path, 'top.svg');
  const csv = join(tmp.path, 'top.csv');
  assert.equal(
    await plot(
      { data, ...range, tables: ['websites'], resample: '15m', metric: 'bytes', top: 5, out, csv },
      ctx,
    ),
    0,
  );
  const svg = await readFile(out, 'utf8');
  const { rows } = parseCsv(await readFile(csv, 'utf8'));
  assert.equal(rows.length, 5);
  assert.ok(rows.every(([domain]) => svg.includes(`>${domain}<`)));
  assert.match(svg, /websites: top 5 domains by bytes, 2026-11-18 – 2026-11-24/);
});

test('wavelet: the beacon in tls, exactly, as CSV and JSON, with a chart', async () => {
  const { beacon, spike } = anomalyTimestamps(ANOMALY_DAY);
  const ctx = context();
  const out = join(tmp.path, 'tls.csv');
  const chart = join(tmp.path, 'tls.png');
  const base = { data, ...range, table: 'tls', metric: 'count', wavelet: 'db4', threshold: 5 };
  assert.equal(await wavelet({ ...base, out, chart }, ctx), 0);
  const { header, rows } = parseCsv(await readFile(out, 'utf8'));
  assert.deepEqual(header, ['timestamp', 'value', 'expected', 'score']);
  assert.deepEqual(
    rows.map((r) => r[0]),
    beacon,
  );
  assert.ok(rows.every((r) => Number(r[1]) > 2 * Number(r[2]) && Number(r[3]) > 5));
  assert.ok(pngSize(await readFile(chart)).width > 1500);
  assert.match(ctx.lines[0]!, /^6 anomalies in tls count from 2026-11-18 to 2026-11-24/);
  assert.match(
    ctx.lines.join('\n'),
    /analysed 2026-11-18T00:00:00Z – 2026-11-24T23:45:00Z: 672 points, db4 level 4, anscombe scale, reconstruction error \d/,
  );

  // dns has a missing day: two stretches are analysed, the spike is found in the second.
  const json = join(tmp.path, 'dns.json');
  assert.equal(await wavelet({ ...base, table: 'dns', out: json }, context()), 0);
  const result = JSON.parse(await readFile(json, 'utf8'));
  assert.deepEqual(
    result.anomalies.map((a: { timestamp: string }) => a.timestamp),
    spike,
  );
  assert.deepEqual(result.gaps, ['2026-11-20: missing (dns)']);
  assert.deepEqual(result.notAnalysed, []);
  assert.deepEqual(
    result.analysed.map((s: { from: string; points: number }) => [s.from, s.points]),
    [
      ['2026-11-18T00:00:00Z', 192],
      ['2026-11-21T00:00:00Z', 384],
    ],
  );
  assert.equal(result.stabilise, 'anscombe');
});

test('report: every configured table, flow tables without files included, anomalies and completeness', async () => {
  const ctx = context();
  const out = join(tmp.path, 'report.html');
  assert.equal(await report({ data, ...range, out }, ctx), 0);
  assert.deepEqual(ctx.lines, [`report written to ${out} (10 tables, 20 anomalies, 7 days)`]);
  const html = await readFile(out, 'utf8');
  for (const t of [
    'total',
    'dns',
    'dhcp',
    'http',
    'tls',
    'flow',
    'firewall',
    'internal_to_internal',
    'internal_to_external',
    'websites',
  ])
    assert.match(html, new RegExp(`<section id="t-${t}">`));
  assert.match(
    html,
    /<section id="t-internal_to_external">[^]*?No complete day file from 2026-11-18 to 2026-11-24/,
  );
  assert.match(html, /<td class="missing" title="2026-11-20 missing: no file">M<\/td>/);
  assert.equal((html.match(/<svg/g) ?? []).length, 7 + 2, 'a chart per time series, two for websites');
});

test('bad flags are usage errors that name the fix, before anything is read or written', async () => {
  const out = join(tmp.path, 'never.png');
  const cases: [() => Promise<number>, RegExp][] = [
    [
      () =>
        plot({ data, ...range, tables: ['dns'], resample: '1h', metric: 'count', out: 'x.gif' }, context()),
      /--out x.gif: charts are written as .svg or .png/,
    ],
    [
      () =>
        plot(
          { data, ...range, tables: ['dns'], resample: '1h', metric: 'count', out, csv: 'x.txt' },
          context(),
        ),
      /--csv x.txt/,
    ],
    [
      () => plot({ data, ...range, tables: ['dns'], resample: '1h', metric: 'latency', out }, context()),
      /dns has no metric "latency": it has count, bytes/,
    ],
    [
      () =>
        plot(
          { data, ...range, tables: ['dns', 'tls'], resample: '1h', metric: 'count', top: 3, out },
          context(),
        ),
      /--top charts one flow table/,
    ],
    [
      () =>
        plot({ data, ...range, tables: ['dns'], resample: '1h', metric: 'count', top: 3, out }, context()),
      /dns is a time series without keys/,
    ],
    [
      () => plot({ data, ...range, tables: ['nope'], resample: '1h', metric: 'count', out }, context()),
      /unknown table\(s\) nope/,
    ],
    [
      () =>
        plot(
          { data, ...range, tables: ['internal_to_external'], resample: '1h', metric: 'count', out },
          context(),
        ),
      /internal_to_external: no complete day file from 2026-11-18 to 2026-11-24/,
    ],
    [
      () =>
        plot(
          {
            data,
            from: '2026-11-24',
            to: '2026-11-25',
            tables: ['dns'],
            resample: '1h',
            metric: 'count',
            out,
          },
          context(),
        ),
      /2026-11-25 is not over yet/,
    ],
    [
      () =>
        plot(
          {
            data,
            from: '2026-11-24',
            to: '2026-11-20',
            tables: ['dns'],
            resample: '1h',
            metric: 'count',
            out,
          },
          context(),
        ),
      /--from 2026-11-24 is after --to 2026-11-20/,
    ],
    [
      () =>
        wavelet(
          { data, ...range, table: 'tls', metric: 'count', wavelet: 'db9', threshold: 5, out: 'a.csv' },
          context(),
        ),
      /--wavelet db9: use one of haar, db1, db2, db3, db4/,
    ],
    [
      () =>
        wavelet(
          { data, ...range, table: 'tls', metric: 'count', wavelet: 'db4', threshold: 5, out: 'a.txt' },
          context(),
        ),
      /--out a.txt: anomalies are written as .csv or .json/,
    ],
    [
      () =>
        wavelet(
          {
            data,
            ...range,
            table: 'tls',
            metric: 'count',
            wavelet: 'db4',
            threshold: 5,
            out: 'a.csv',
            chart: 'c.jpg',
          },
          context(),
        ),
      /--chart c.jpg/,
    ],
    [
      () => report({ data: join(tmp.path, 'empty'), ...range, out: 'r.html' }, context()),
      /no complete day file from 2026-11-18 to 2026-11-24 in .*empty/,
    ],
  ];
  for (const [call, message] of cases) {
    await assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n/, 'one line');
      return true;
    });
  }
  await assert.rejects(readFile(out), { code: 'ENOENT' });
});
