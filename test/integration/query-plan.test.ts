import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { listFiles, useSampleSuite } from '../helpers/sample.js';

/**
 * The query planner (src/extract/plan-requests.ts) against a real node: time series over an alias, a
 * filtered alias and a pattern that matches nothing beside the built-in tables. The planned run must
 * write exactly the files of one request walk per table with small pages, each table failing or
 * succeeding as it would alone; the series that can share a request do.
 */

const PREFIX = 'it-plan-';
const FROM = '2026-11-23';
const DAY = '2026-11-24';
const KEY = 'integration-test-key-0123456789';

const suite = useSampleSuite({
  label: 'plan',
  prefix: PREFIX,
  sample: { days: 2, end: DAY, docsPerDay: 6000, seed: 23 },
});

const netlog = (args: string[], log: string) =>
  runCli(args, { env: { NETLOG_HASH_KEY: KEY, NETLOG_LOG_FILE: log, NETLOG_NOW: '2026-11-25T06:00:00Z' } });

let planned: string;
let perTable: string;
let plannedLog: string;
let results: { code: number | null; stderr: string }[];

before(async () => {
  await suite.ready;
  const aliases = await fetch(`${suite.es.url}/_aliases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      actions: [
        { add: { index: `${PREFIX}network-dns`, alias: `${PREFIX}alias-dns` } },
        {
          add: {
            index: `${PREFIX}network-http`,
            alias: `${PREFIX}filtered-http`,
            filter: { range: { '@timestamp': { lt: `${DAY}T12:00:00Z` } } },
          },
        },
      ],
    }),
  });
  assert.equal(aliases.status, 200, await aliases.text());
  const base = JSON.parse(await readFile(suite.config, 'utf8')) as { tables: Record<string, unknown>[] };
  const tables = [
    ...base.tables,
    { name: 'dns_alias', index: `${PREFIX}alias-dns` },
    { name: 'http_filtered', index: `${PREFIX}filtered-http` },
    { name: 'nothing', index: `${PREFIX}nothing-*` },
  ];
  const write = async (name: string, es: Record<string, unknown>) => {
    const path = join(suite.dir, name);
    await writeFile(path, JSON.stringify({ tables, es }));
    return path;
  };
  const plannedConfig = await write('planned.json', {});
  const perTableConfig = await write('per-table.json', { query_plan: 'per-table', page_size: 50 });
  planned = join(suite.dir, 'planned');
  perTable = join(suite.dir, 'per-table');
  plannedLog = join(suite.dir, 'planned.log');
  results = [];
  for (const [config, data, log] of [
    [plannedConfig, planned, plannedLog],
    [perTableConfig, perTable, join(suite.dir, 'per-table.log')],
  ] as const) {
    results.push(
      await netlog(
        [
          'load-backfill',
          '--from',
          FROM,
          '--to',
          DAY,
          '--config',
          config,
          '--data',
          data,
          '--es',
          suite.es.url,
        ],
        log,
      ),
    );
  }
});

test('the table whose pattern matches nothing fails alone, as it would without the plan', () => {
  for (const r of results) {
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`index pattern "${PREFIX}nothing-\\*" matches no index`));
    assert.doesNotMatch(r.stderr, /FAILED (total|dns|dns_alias|http_filtered)/);
  }
});

test('the planned requests write the bytes of one request walk per table with pages of 50', async () => {
  const files = await listFiles(planned);
  assert.deepEqual(files, await listFiles(perTable));
  // Twelve tables and two days; `nothing` wrote none.
  assert.equal(files.filter((f) => f.endsWith('.csv')).length, 24);
  for (const f of files)
    assert.equal(await readFile(join(planned, f), 'utf8'), await readFile(join(perTable, f), 'utf8'), f);
  // An alias reads its index: the same rows as the index's own table.
  assert.equal(
    await readFile(join(planned, 'dns_alias/2026', `${DAY}.csv`), 'utf8'),
    await readFile(join(planned, 'dns/2026', `${DAY}.csv`), 'utf8'),
  );
  // A filtered alias reads fewer documents than its index (so it was not summed as the whole index).
  const sum = async (table: string) =>
    (await readFile(join(planned, table, '2026', `${DAY}.csv`), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .reduce((s, line) => s + Number(line.split(',')[1]), 0);
  const filtered = await sum('http_filtered');
  assert.ok(filtered > 0 && filtered < (await sum('http')), `${filtered} of ${await sum('http')}`);
});

test('the series that can share a request do: one a day for the seven and the alias', async () => {
  const lines = (await readFile(plannedLog, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'table day loaded');
  const shared = ['total', 'dns', 'dhcp', 'http', 'tls', 'flow', 'firewall', 'dns_alias'];
  for (const day of [FROM, DAY]) {
    const ofDay = lines.filter((l) => l.day === day);
    const requests = (names: string[]) =>
      ofDay.filter((l) => names.includes(String(l.table))).reduce((s, l) => s + Number(l.requests), 0);
    assert.equal(requests(shared), 1, day);
    assert.equal(requests(['http_filtered']), 1, `${day}: a filtered alias is asked alone`);
    assert.equal(requests(['websites']), 3, `${day}: one walk per fallback field`);
  }
});
