/**
 * Elasticsearch's floor: the very requests netlog sends for every (table, day), composite pages
 * followed with after_key, one after another, by a client that only reads each answer (and parses
 * it, to find the next after_key). No transform, no files. Its wall time is what any client must
 * wait for; `took` leaves out Elasticsearch serialising the answer and sending it.
 *
 *   node --import tsx bench/es-floor.ts --es URL --config FILE --from DAY --to DAY
 * Prints one JSON line: {"tookMs": …, "requests": …, "jobs": …, "wallMs": …}, wallMs from the first
 * request to the last answer (process start excluded).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import { buildDayQuery, ROWS_AGG } from '../src/extract/query.js';
import { dayRange, daysBetween } from '../src/time/day.js';

const { values } = parseArgs({
  options: {
    es: { type: 'string' },
    config: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  },
});
if (!values.es || !values.config || !values.from || !values.to)
  throw new Error('usage: es-floor.ts --es URL --config FILE --from DAY --to DAY');
// The config as netlog reads it (JSON or YAML, validated, the preset's tables applied).
const config = await loadConfig(values.config);

const started = performance.now();
let tookMs = 0;
let requests = 0;
let jobs = 0;
for (const day of daysBetween(values.from, values.to)) {
  const range = dayRange(day, config.timezone);
  for (const table of config.tables) {
    jobs++;
    let after: Record<string, unknown> | undefined;
    do {
      const response = await fetch(
        `${values.es}/${table.index}/_search?allow_no_indices=false&ignore_unavailable=false`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(buildDayQuery(table, range, config, after)),
        },
      );
      const body = (await response.json()) as {
        took: number;
        aggregations?: Record<string, { buckets?: unknown[]; after_key?: Record<string, unknown> }>;
      };
      if (!response.ok)
        throw new Error(`${table.name} ${day}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      requests++;
      tookMs += body.took;
      const page = body.aggregations?.[ROWS_AGG];
      // As netlog does: a page with fewer buckets than asked for is the last one.
      after = page && (page.buckets?.length ?? 0) >= config.es.page_size ? page.after_key : undefined;
    } while (after !== undefined);
  }
}
console.log(JSON.stringify({ tookMs, requests, jobs, wallMs: Math.round(performance.now() - started) }));
