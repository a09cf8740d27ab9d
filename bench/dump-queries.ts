/**
 * Writes the first-page request body of every (table, day) as netlog builds them, so the Python
 * baseline sends exactly the same queries (it adds `after` itself when paging composites).
 *   node --import tsx bench/dump-queries.ts <config.json> <from> <to> <out.json>
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/load.js';
import { buildDayQuery } from '../src/es/query.js';
import { dayRange, daysBetween } from '../src/time/day.js';

const [configPath, from, to, out] = process.argv.slice(2) as [string, string, string, string];
const config = await loadConfig(configPath);
const jobs = daysBetween(from, to).flatMap((day) =>
  config.tables.map((t) => ({
    table: t.name,
    day,
    index: t.index,
    body: buildDayQuery(t, dayRange(day, config.timezone), config),
    levels: t.levels,
    metrics: t.metrics,
  })),
);
await writeFile(out, JSON.stringify({ internal_domains: config.internal_domains, length: config.pseudonym.length, jobs }));
