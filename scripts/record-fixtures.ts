/**
 * Records real Elasticsearch aggregation responses for the unit tests (test/fixtures/*.json).
 * Run against a node that holds the sample day:
 *   U=$(scripts/es-local.sh start | tail -1)
 *   node dist/... sample load --es $U --days 1 --end 2026-11-24 --docs-per-day 20000 --seed 42
 *   node --import tsx scripts/record-fixtures.ts $U
 */
import { writeFile } from 'node:fs/promises';
import { Client } from '@elastic/elasticsearch';
import { buildDayQuery } from '../src/extract/query.js';
import { defaultConfig } from '../src/config/validate.js';
import { tableSchema } from '../src/config/schema.js';
import { dayRange } from '../src/time/day.js';

const url = process.argv[2] ?? 'http://localhost:9200';
const client = new Client({ node: url });
const config = defaultConfig();
const range = dayRange('2026-11-24');
const table = (name: string) => config.tables.find((t) => t.name === name)!;

async function record(file: string, index: string, body: Record<string, unknown>): Promise<void> {
  const response = await client.search({ index, ...body });
  const { aggregations, hits, took } = response;
  await writeFile(
    `test/fixtures/${file}`,
    `${JSON.stringify({ request: body, response: { took, hits: { total: hits.total }, aggregations } }, null, 1)}\n`,
  );
  console.log(file);
}

const smallPages = { ...config, es: { ...config.es, page_size: 25 } };
const beaconOnly = tableSchema.parse({
  ...table('internal_to_external'),
  name: 'beacon_terms',
  aggregation: 'terms',
  filters: [{ term: { field: 'destination.domain', value: 'cdn-check.beacon-c2.xyz' } }],
  levels: [
    { column: 'source', fields: ['source.ip'], transform: 'ip' },
    { column: 'destination', fields: ['destination.domain'], transform: 'host' },
  ],
});
const overflowing = tableSchema.parse({ ...beaconOnly, name: 'overflow', filters: [], terms_size: 2 });

await record('dns-timeseries.json', 'network-dns', buildDayQuery(table('dns'), range, config));
const first = buildDayQuery(table('internal_to_external'), range, smallPages);
await record('i2e-composite-page1.json', 'network-flow', first);
const page1 = (await client.search({ index: 'network-flow', ...first })).aggregations as {
  rows: { after_key: Record<string, unknown> };
};
await record(
  'i2e-composite-page2.json',
  'network-flow',
  buildDayQuery(table('internal_to_external'), range, smallPages, page1.rows.after_key),
);
await record(
  'websites-composite-page1.json',
  'network-http,network-tls',
  buildDayQuery(table('websites'), range, smallPages),
);
await record('beacon-terms.json', 'network-flow', buildDayQuery(beaconOnly, range, config));
await record('overflow-terms.json', 'network-flow', buildDayQuery(overflowing, range, config));
await client.close();
