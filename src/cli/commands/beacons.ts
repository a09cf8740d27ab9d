import { ExitCode, UsageError } from '../../errors.js';
import { scoreExact, intervalText, type BeaconFinding, type PairDay } from '../../analysis/beacons.js';
import {
  findingsChart,
  formatFindings,
  keptFindings,
  pairId,
  scoreTable,
} from '../../analysis/beacon-findings.js';
import {
  beaconTableShape,
  fetchPairConnections,
  findSourceAddresses,
} from '../../extract/beacon-connections.js';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { dayRange } from '../../time/day.js';
import { loadForAnalysis } from '../analysis-setup.js';
import { chartFormat, writeChart } from '../../analysis/render.js';
import { checkEsReachable, openEs, openPseudonymiser } from '../setup.js';
import { loadCommandConfig } from '../command-config.js';
import { selectTables } from '../../pipeline/plan.js';
import type { StoredTable } from '../../analysis/read-series.js';
import type { Config } from '../../config/schema.js';
import type { CommandContext } from '../context.js';
import type { BeaconsOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = BeaconsOptions;

/**
 * `netlog beacons`: RITA's beacon scores for every pair of a flow table, day by day. The day files give
 * the histogram and duration scores and a bound; where the key and Elasticsearch are at hand, the
 * pairs above the first threshold get their exact timestamp and data-size scores from their
 * connections. Writes the findings above --min-score as CSV or JSON.
 */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  const minScore = options.minScore; // 0–1, checked by its commander parser
  if (!/\.(csv|json)$/.test(options.out))
    throw new UsageError(`--out ${options.out}: beacons are written as .csv or .json`);
  if (options.chart !== undefined) chartFormat(options.chart, '--chart');
  // The table's shape first: a wrong table is a usage error whatever the data directory holds.
  const [tableConfig] = selectTables(await loadCommandConfig(options, ctx), [options.table]);
  if (tableConfig!.levels.length === 0)
    throw new UsageError(
      `${options.table} is a time series: beacons need a flow table (e.g. internal_to_external)`,
    );
  if (!tableConfig!.metrics.some((m) => m.name === 'count' && m.type === 'count'))
    throw new UsageError(`${options.table} has no "count" metric: beacons need connections per bucket`);
  const { config, days, loaded } = await loadForAnalysis(options, [options.table], ctx);
  const table = loaded[0]!;

  const stage = scoreTable(table, config.timezone, minScore);
  const { pairs, candidates, prefilter } = stage;
  const skipped = exactSkipReason(options, ctx, table);
  let sorted: BeaconFinding[];
  let exactNote: string;
  if (skipped !== undefined) {
    sorted = keptFindings(stage, minScore, undefined);
    exactNote = `exact step skipped (${skipped}): scores from the day files alone, without the timestamp score`;
    ctx.log.warn({ reason: skipped }, 'beacons: exact step skipped');
  } else {
    const exact = await exactScores(
      candidates.map((c) => c.pair),
      table,
      config,
      options,
      ctx,
    );
    sorted = keptFindings(stage, minScore, exact.found);
    exactNote = `exact step: ${exact.found.size} of ${candidates.length} pair-days above the first threshold ${prefilter.toFixed(2)} re-scored from their connections in Elasticsearch${exact.missing > 0 ? `; ${exact.missing} not found there (scored from the day files)` : ''}`;
  }
  const format = options.out.endsWith('.json') ? 'json' : 'csv';
  await writeFileAtomic(options.out, formatFindings(format, sorted, table, days, minScore, exactNote));
  if (options.chart !== undefined && sorted.length > 0)
    await writeChart(options.chart, findingsChart(sorted, options.table, days, config.timezone));
  ctx.log.info(
    {
      table: options.table,
      pairs: pairs.length,
      candidates: candidates.length,
      findings: sorted.length,
      exact: skipped === undefined,
    },
    'beacon analysis done',
  );
  ctx.out(
    `${sorted.length} beacon${sorted.length === 1 ? '' : 's'} with score ≥ ${minScore} in ${options.table} from ${days[0]} to ${days.at(-1)} (${pairs.length} pair-days scored) → ${options.out}`,
  );
  ctx.out(`  ${exactNote}`);
  if (options.chart !== undefined)
    ctx.out(
      sorted.length > 0 ? `  chart ${options.chart}` : `  no beacon: no chart written to ${options.chart}`,
    );
  for (const f of sorted)
    ctx.out(
      `  ${f.day}  ${f.keys.join(' → ')}  score ${f.score.toFixed(3)}  (ts ${f.timestamp === null ? '—' : f.timestamp.toFixed(3)}, ds ${f.dataSize.toFixed(3)}, hist ${f.histogram.toFixed(3)}, dur ${f.duration.toFixed(3)})  ${f.connections} connections, every ${intervalText(f.interval)}${f.exact ? '' : ' (estimate)'}`,
    );
  return ExitCode.ok;
}

/** Why the exact step cannot run here, or undefined when it can. */
function exactSkipReason(options: Options, ctx: CommandContext, table: StoredTable): string | undefined {
  if (!options.exact) return '--no-exact';
  if (!ctx.env.NETLOG_HASH_KEY && !ctx.env.NETLOG_HASH_KEY_FILE)
    return 'no key: set NETLOG_HASH_KEY or NETLOG_HASH_KEY_FILE on the host that wrote the files';
  if (options.es === undefined && !ctx.env.ES_URL && !ctx.env.ES_CLOUD_ID)
    return 'no Elasticsearch: give --es, ES_URL or ES_CLOUD_ID';
  const shape = beaconTableShape(table.table);
  return 'reason' in shape ? shape.reason : undefined;
}

/** Stage 2: the candidates' connections from Elasticsearch, scored exactly. */
async function exactScores(
  candidates: readonly PairDay[],
  table: StoredTable,
  config: Config,
  options: Options,
  ctx: CommandContext,
): Promise<{ found: Map<string, BeaconFinding>; missing: number }> {
  const found = new Map<string, BeaconFinding>();
  if (candidates.length === 0) return { found, missing: 0 };
  const shape = beaconTableShape(table.table);
  if ('reason' in shape) throw new Error(shape.reason);
  const { pseudonymise } = openPseudonymiser(config, ctx);
  const es = openEs(options, config, ctx);
  let missing = 0;
  try {
    await checkEsReachable(es);
    const byDay = new Map<string, PairDay[]>();
    for (const c of candidates) (byDay.get(c.day) ?? byDay.set(c.day, []).get(c.day)!).push(c);
    const sourceIndex = table.table.levels.findIndex((l) => l.transform === 'ip');
    for (const [day, dayPairs] of byDay) {
      const range = dayRange(day, config.timezone);
      const sources = new Set(dayPairs.map((p) => p.keys[sourceIndex]!));
      const addresses = await findSourceAddresses(
        es.search,
        table.table,
        shape,
        range,
        config,
        sources,
        pseudonymise,
      );
      const wanted = new Set(dayPairs.map((p) => JSON.stringify(p.keys)));
      const connections = await fetchPairConnections(
        es.search,
        table.table,
        shape,
        range,
        config,
        addresses,
        wanted,
        pseudonymise,
      );
      for (const p of dayPairs) {
        const list = connections.get(JSON.stringify(p.keys));
        const expected = p.rows.reduce((s, r) => s + r.count, 0);
        if (list === undefined) {
          missing++;
          continue;
        }
        if (list.length !== expected)
          ctx.log.warn(
            { day, table: table.table.name, inFile: expected, inElasticsearch: list.length },
            'a pair has another number of connections in Elasticsearch than in the day file (late logs? netlog verify --against-es)',
          );
        const f = scoreExact(p, list);
        if (f !== undefined) found.set(pairId(p), f);
        else missing++;
      }
    }
    if (missing > 0)
      ctx.log.warn(
        { missing, table: table.table.name },
        'some flagged pairs were not found in Elasticsearch: is the key the one the files were written with?',
      );
  } finally {
    await es.close();
  }
  return { found, missing };
}
