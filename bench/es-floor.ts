/**
 * Elasticsearch's floor: the requests of a plan for every (table, day), sent one job after another
 * by a client that only reads each answer (parses and checks it, to find the next after_key). No
 * transform, no files. Its wall time is what any client of that plan must wait for; `took` leaves out
 * Elasticsearch serialising the answer and sending it.
 *
 * It speaks netlog's own protocol: netlog's client (src/extract/engine.ts), which asks for no gzip
 * (an earlier floor sent by `fetch` asked for gzip answers, and was 1.12–1.24× slower for it), the
 * same query string, the same answer reading (src/extract/request.ts).
 *
 *   node --import tsx bench/es-floor.ts --es URL --config FILE --from DAY --to DAY [--plan per-table|best]
 *
 * --plan per-table (default): the requests netlog sent before the query planner (#18), which the
 *   Python baseline still sends: one walk per table, composite pages of BASELINE_PAGE_SIZE.
 * --plan best: the planner's requests (src/extract/plan-requests.ts): the time series of a day in one
 *   request, websites split per fallback field, composite pages sized for the answer (es.page_size auto
 *   unless the config fixes it).
 * Prints one JSON line: {"tookMs": …, "requests": …, "jobs": …, "wallMs": …}, wallMs from the first
 * request to the last answer (process start excluded).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import { createEsClient } from '../src/extract/client.js';
import { LoadPlanner, walkTableDay } from '../src/extract/planned-fetch.js';
import { pino } from 'pino';
import { dayRange, daysBetween } from '../src/time/day.js';
import type { Config } from '../src/config/schema.js';
import type { SearchContext } from '../src/extract/search.js';
import { BASELINE_PAGE_SIZE } from './baseline-page.js';

const { values } = parseArgs({
  options: {
    es: { type: 'string' },
    config: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    plan: { type: 'string', default: 'per-table' },
  },
});
if (
  !values.es ||
  !values.config ||
  !values.from ||
  !values.to ||
  !['per-table', 'best'].includes(values.plan!)
)
  throw new Error('usage: es-floor.ts --es URL --config FILE --from DAY --to DAY [--plan per-table|best]');
// The config as netlog reads it (JSON or YAML, validated, the preset's tables applied).
const loaded = await loadConfig(values.config);
const best = values.plan === 'best';
const config: Config = best
  ? { ...loaded, es: { ...loaded.es, query_plan: 'auto' } }
  : {
      ...loaded,
      es: { ...loaded.es, query_plan: 'per-table', page_size: BASELINE_PAGE_SIZE },
    };

const client = createEsClient({ url: values.es, insecure: false }, config);
const es: SearchContext = {
  client,
  endpoint: values.es,
  log: pino({ level: 'silent' }),
  maxRetries: 0,
  retryBaseMs: config.es.retry_base_ms,
  maxResponseBytes: config.es.max_response_mb * 1024 * 1024,
};
const days = daysBetween(values.from, values.to);
const jobs = days.flatMap((day) => config.tables.map((table) => ({ table, day })));
const planner = best ? new LoadPlanner(jobs, config, es) : undefined;

const started = performance.now();
let tookMs = 0;
let requests = 0;
for (const { table, day } of jobs) {
  const stats = await walkTableDay(
    { table, config, es, ...(planner && { planner }) },
    dayRange(day, config.timezone),
    () => undefined,
  );
  requests += stats.requests;
  tookMs += stats.tookMs;
}
const wallMs = Math.round(performance.now() - started);
await client.close();
console.log(JSON.stringify({ tookMs, requests, jobs: jobs.length, wallMs }));
