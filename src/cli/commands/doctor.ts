import { randomBytes } from 'node:crypto';
import { errors } from '@elastic/elasticsearch';
import { ConfigError, DataError, EsError, ExitCode } from '../../errors.js';
import { bucketCount, dayRange, yesterday, type DayRange } from '../../time/day.js';
import { buildDayQuery, fixedPageSize } from '../../extract/query.js';

import { flattenAggregations } from '../../transform/flatten.js';
import { transformRow } from '../../transform/rows.js';
import { createPseudonymiser } from '../../transform/pseudonymise.js';
import { isTimeSeries } from '../../store/layout.js';
import { bucketMinutesOf, type Config, type TableConfig } from '../../config/schema.js';
import { readHashKey } from '../../config/hash-key.js';
import {
  PACKING_RATIO,
  buildBucketStatsQuery,
  sampleBuckets,
  estimateDaySize,
  keysPerBucket,
  megabytes,
  readBucketStats,
  assessPreset,
  diagnoseHealth,
  diagnoseTable,
  fieldsByIndex,
  fieldsNeeded,
  type FieldCaps,
  type IndexHealth,
} from '../../extract/doctor.js';
import { searchAggregations, sendJson, withEsRetry } from '../../extract/search.js';
import { PRODUCT } from '../../extract/engine.js';
import { PRESET_NAMES, type PresetName } from '../../config/presets.js';
import { validateConfig } from '../../config/validate.js';
import { checkEsReachable, openEs, type EsHandle } from '../setup.js';
import { loadCommandConfig, writeContradiction } from '../command-config.js';
import type { CommandContext } from '../context.js';
import type { DoctorOptions } from '../program.js';

/**
 * `netlog doctor`: the cluster and its engine, then every table's indices and fields, one line each,
 * then which source preset the cluster's indices and mappings fit, then the key. A table that does not
 * fit the cluster, or a missing key, is a configuration problem (exit 2); a cluster that cannot be
 * asked is a runtime one (exit 1).
 */
export async function run(options: DoctorOptions, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx, 'none');
  const es = openEs(options, config, ctx);
  try {
    await checkEsReachable(es);
    const health = await es.client.cluster.health();
    // The engine (found from the server's answers, or ES_ENGINE / es.engine) and the node's version.
    const info = await withEsRetry(es.search, { index: '_nodes' }, () => es.client.info());
    ctx.out(
      `cluster ${health.cluster_name} at ${es.endpoint}: ${PRODUCT[info.engine]} ${info.version}, status ${health.status}, ${health.number_of_nodes} node(s)`,
    );
    let problems = 0;
    if (info.engine === 'opensearch' && info.distribution !== 'opensearch') {
      ctx.out(
        `PROBLEM engine: the server does not say it is OpenSearch (distribution ${info.distribution ?? 'unknown'}): set ES_ENGINE or es.engine to the server's engine`,
      );
      problems++;
    }
    for (const table of config.tables) {
      const caps = await fieldCaps(es, table.index, [...new Set(fieldsNeeded(table).map((f) => f.field))], {
        table: table.name,
        strict: true,
      });
      if (caps === undefined) {
        ctx.out(`PROBLEM ${table.name}: index pattern "${table.index}" matches no index: fix tables[].index`);
        problems++;
        continue;
      }
      // The cluster's health of exactly the indices this table reads (needs cluster: monitor).
      const health = (await withEsRetry(es.search, { index: table.index, table: table.name }, () =>
        sendJson(es.search, {
          method: 'GET',
          path: `/_cluster/health/${encodeURIComponent(table.index)}`,
          querystring: { level: 'indices', expand_wildcards: 'open' },
        }),
      )) as { indices?: Record<string, IndexHealth> };
      const { problems: unhealthy, warnings } = diagnoseHealth(table, health.indices ?? {});
      const found = [...diagnoseTable(table, caps), ...unhealthy];
      problems += found.length;
      for (const w of warnings) ctx.out(`WARNING ${w}`);
      if (found.length === 0)
        ctx.out(
          `ok      ${table.name}: ${caps.indices.length} index(es) (${caps.indices.slice(0, 3).join(', ')}${caps.indices.length > 3 ? ', …' : ''}), fields usable`,
        );
      for (const p of found) ctx.out(`PROBLEM ${p}`);
    }
    if (options.estimate === true)
      await estimateSizes(es, config, options.date ?? yesterday(ctx.now, config.timezone), ctx);
    // The key every load needs: without it the next load-daily would exit 2.
    // (The legacy unkeyed sha1 needs none.)
    if (config.pseudonym.algorithm !== 'sha1')
      try {
        readHashKey(ctx.env);
        ctx.out('ok      pseudonymisation key: set (NETLOG_HASH_KEY or NETLOG_HASH_KEY_FILE)');
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        ctx.out(`PROBLEM ${err.message}`);
        problems++;
      }
    // The settings the data repository records: the next load-daily would refuse a config contradicting them.
    try {
      const contradiction = await writeContradiction(options, config, ctx);
      if (contradiction !== undefined) {
        ctx.out(`PROBLEM ${contradiction}`);
        problems++;
      }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      ctx.out(`PROBLEM ${err.message}`);
      problems++;
    }
    const fits = await detectSources(es, config.preset, ctx);
    const using = config.preset !== undefined && fits.includes(config.preset);
    if (problems > 0 && !using && fits.length > 0) {
      ctx.out(
        `suggest this cluster holds ${fits.join(', ')} data: put "preset: ${fits[0]}" in the config file (netlog config --preset ${fits[0]} prints it in full)`,
      );
    }
    ctx.log.info({ problems, tables: config.tables.length, sources: fits }, 'doctor finished');
    if (problems > 0) ctx.out(`${problems} problem(s): fix them before the next load-daily`);
    return problems > 0 ? ExitCode.usage : ExitCode.ok;
  } finally {
    await es.close();
  }
}

/**
 * `doctor --estimate`: per table, the day's rows (a flow table's from the cluster's cardinalities per
 * bucket and an exact count of its busiest bucket: approximate) and file size, the packed repository's
 * yearly growth at that rate, and a warning for a day file that would pass 50 MB. A table the cluster
 * cannot answer for gets one warning line instead of an estimate.
 */
async function estimateSizes(es: EsHandle, config: Config, day: string, ctx: CommandContext): Promise<void> {
  const range = dayRange(day, config.timezone);
  let yearly = 0;
  for (const table of config.tables) {
    let keys: number[];
    try {
      keys = isTimeSeries(table)
        ? Array.from({ length: bucketCount(range) }, () => 1)
        : await flowTableKeys(es, config, table, range);
    } catch (err) {
      if (!(err instanceof EsError || err instanceof DataError)) throw err;
      ctx.out(`WARNING ${table.name}: no size estimate (${err.message})`);
      continue;
    }
    const e = estimateDaySize(table, keys, config.pseudonym.length);
    yearly += e.yearlyPackedBytes;
    const bound =
      table.row_bound !== undefined && e.unboundedRows !== e.rows
        ? ` (${e.unboundedRows.toLocaleString('en-US')} without the row bound)`
        : '';
    ctx.out(
      `size    ${table.name} ${day}: ~${e.rows.toLocaleString('en-US')} rows${bound}, a day file of ~${megabytes(e.dayFileBytes)}; ~${megabytes(e.yearlyPackedBytes)} a year in the packed repository`,
    );
    if (e.warning !== undefined) ctx.out(`WARNING ${e.warning}`);
  }
  ctx.out(
    `size    all tables: ~${megabytes(yearly)} a year in the packed repository (approximate: rows from cardinality aggregations; git packs day files to ${PACKING_RATIO} of their size, as measured in issue 18)`,
  );
}

/** A flow table's keys per bucket over the day (see keysPerBucket). */
async function flowTableKeys(
  es: EsHandle,
  config: Config,
  table: TableConfig,
  range: DayRange,
): Promise<number[]> {
  const target = { index: table.index, table: table.name, day: range.day };
  const answer = await searchAggregations(es.search, target, buildBucketStatsQuery(table, range, config));
  const stats = readBucketStats(answer.aggregations, table.levels.length);
  // The sampled buckets' keys, exactly: the load's own composite walk, over each of those buckets alone.
  // The sampled buckets' rows, exactly: the load's own composite walk over each of those buckets alone,
  // through the table's transforms (addresses and names reduced, so keys that collapse count once).
  // The pseudonyms come from a throw-away random key: only how many distinct ones there are is used.
  const transform = {
    pseudonymise: createPseudonymiser({ algorithm: 'hmac-sha256', length: 16 }, randomBytes(32)),
    internalDomains: config.internal_domains,
    internalNames: config.internal_names,
  };
  const sampled = new Map<number, number>();
  for (const b of sampleBuckets(stats)) {
    const bucket = {
      ...range,
      start: new Date(b.time),
      end: new Date(b.time + bucketMinutesOf(table) * 60_000),
    };
    const keys = new Set<string>();
    let after: Record<string, unknown> | undefined;
    do {
      const answer = await searchAggregations(es.search, target, buildDayQuery(table, bucket, config, after));
      const page = flattenAggregations(answer.aggregations, table);
      for (const raw of page.rows) keys.add(transformRow(raw, table.levels, transform).keys.join('\u0001'));
      after = page.rows.length >= fixedPageSize(config.es.page_size) ? page.afterKey : undefined;
    } while (after !== undefined);
    sampled.set(b.time, keys.size);
  }
  return keysPerBucket(stats, sampled);
}

/**
 * `_field_caps` of `fields` in `index`. Strict: a pattern that matches nothing is `undefined` (the
 * table's problem); otherwise it is an answer with no indices.
 */
async function fieldCaps(
  es: EsHandle,
  index: string,
  fields: string[],
  how: { table?: string; strict: boolean },
): Promise<FieldCaps | undefined> {
  try {
    const response = await withEsRetry(es.search, { index, ...(how.table && { table: how.table }) }, () =>
      es.client.fieldCaps({
        index,
        fields,
        allow_no_indices: !how.strict,
        ignore_unavailable: !how.strict,
      }),
    );
    return {
      fields: (response.fields ?? {}) as FieldCaps['fields'],
      indices: [response.indices ?? []].flat(),
    };
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof errors.ResponseError && cause.statusCode === 404) {
      if (how.strict) return undefined;
      return { fields: {}, indices: [] };
    }
    throw err;
  }
}

/**
 * One line per source preset: whether the cluster's indices and mappings fit it, and what is missing.
 * Returns the presets that fit, the configured one first.
 */
async function detectSources(
  es: EsHandle,
  configured: PresetName | undefined,
  ctx: CommandContext,
): Promise<PresetName[]> {
  const tablesOf = (name: PresetName) => validateConfig({ preset: name }).config!.tables;
  const wanted = new Map<string, Set<string>>();
  for (const name of PRESET_NAMES)
    for (const [index, fields] of fieldsByIndex(tablesOf(name))) {
      const set = wanted.get(index) ?? wanted.set(index, new Set()).get(index)!;
      for (const f of fields) set.add(f);
    }
  const caps = new Map<string, FieldCaps>();
  for (const [index, fields] of wanted)
    caps.set(index, (await fieldCaps(es, index, [...fields].sort(), { strict: false }))!);
  const fits: PresetName[] = [];
  for (const name of PRESET_NAMES) {
    const fit = assessPreset(tablesOf(name), caps);
    const inUse = name === configured ? ' (in use)' : '';
    if (fit.status === 'fits') {
      fits.push(name);
      ctx.out(`source  ${name}: fits${inUse}`);
    } else if (fit.status === 'absent') {
      ctx.out(`source  ${name}: no data${inUse}`);
    } else {
      const missing = [
        ...fit.missingIndices.map((i) => `no index matches ${i}`),
        ...(fit.missingFields.length > 0 ? [`missing fields ${fit.missingFields.join(', ')}`] : []),
        ...fit.otherProblems,
      ];
      ctx.out(`source  ${name}: partly${inUse}: ${missing.join('; ')}`);
    }
  }
  return configured !== undefined && fits.includes(configured)
    ? [configured, ...fits.filter((f) => f !== configured)]
    : fits;
}
