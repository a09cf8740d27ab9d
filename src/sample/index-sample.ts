import { writeFile } from 'node:fs/promises';
import type { EngineClient } from '../extract/engine.js';
import { schemaIndices, schemaMapping, shapeDoc, type SampleSchema, type SchemaTarget } from './schemas.js';
import { anomalyTimestamps, generateDay, type SampleOptions } from './generate.js';
import { expectedBeacons } from './planted.js';
import { accumulateExpected, emptyExpectedDay, type ExpectedFile } from './expected.js';
import { addDays } from '../time/day.js';
import { EsError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Bulk-loads generated days into the per-protocol sample indices. Documents have deterministic ids,
 * so loading the same days twice leaves the same data. Expectations are accumulated from the very
 * documents sent, streaming, without keeping them in memory.
 */

export interface IndexSampleOptions {
  readonly days: number;
  readonly end: string;
  readonly docsPerDay: number;
  readonly seed: number;
  /** Days that get the spike and the beacon (default: the last day). */
  readonly anomalyDays?: readonly string[];
  /** Index name prefix of the netlog-sample schema (default `network-`). */
  readonly indexPrefix?: string;
  /** The source whose shape the documents take (default netlog-sample). */
  readonly schema?: SampleSchema;
  /** The data stream namespace of the other schemas (default `default`). */
  readonly namespace?: string;
  /** Add generated documents to indices that hold documents the sample did not write. */
  readonly force?: boolean;
  /** Plant the beacons and decoys of planted.ts in every day's flows. */
  readonly beacons?: boolean;
  /** Internal client hosts (default 400). */
  readonly hosts?: number;
}

/** The mark in a sample index's mapping (`_meta`): the index was made by `sample load`. */
const SAMPLE_META = { netlog_sample: true } as const;

function targetOf(options: Pick<IndexSampleOptions, 'indexPrefix' | 'namespace'>): SchemaTarget {
  return {
    namespace: options.namespace ?? 'default',
    ...(options.indexPrefix !== undefined && { prefix: options.indexPrefix }),
  };
}

/** Creates the netlog-sample indices (`<prefix><protocol>`) with their explicit mapping where missing. */
export async function ensureSampleIndices(
  client: EngineClient,
  prefix?: string,
  force = false,
): Promise<void> {
  await ensureSchemaIndices(
    client,
    'netlog-sample',
    { namespace: 'default', ...(prefix !== undefined && { prefix }) },
    force,
  );
}

/**
 * Creates the schema's indices with their explicit mapping and the sample's mark where missing. An
 * existing index without the mark that holds documents is someone's real logs: refused unless
 * `force`, so that generated traffic never mixes into production indices by a default prefix.
 */
async function ensureSchemaIndices(
  client: EngineClient,
  schema: SampleSchema,
  target: SchemaTarget,
  force = false,
): Promise<void> {
  for (const index of schemaIndices(schema, target)) {
    if (await client.indices.exists({ index })) {
      if (force) continue;
      const mappings = await client.indices.getMapping({ index });
      const marked = Object.values(mappings).every(
        (m) => (m.mappings as { _meta?: { netlog_sample?: unknown } })._meta?.netlog_sample === true,
      );
      if (marked) continue;
      const { count } = await client.count({ index });
      if (count === 0) continue;
      throw new UsageError(
        `index ${index} holds ${count} documents that sample load did not write: use another --index-prefix (e.g. demo-network-), or --force to add generated documents to it`,
      );
    }
    await client.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { ...schemaMapping(schema), _meta: SAMPLE_META },
    });
  }
}

/** The days covered: `days` days ending on `end`, in order. */
function sampleDays(options: Pick<IndexSampleOptions, 'days' | 'end'>): string[] {
  return Array.from({ length: options.days }, (_, i) => addDays(options.end, i - options.days + 1));
}

export async function indexSample(
  client: EngineClient,
  options: IndexSampleOptions,
  log: Logger,
): Promise<ExpectedFile> {
  const schema = options.schema ?? 'netlog-sample';
  const target = targetOf(options);
  await ensureSchemaIndices(client, schema, target, options.force === true);
  const days = sampleDays(options);
  const anomalyDays = new Set(options.anomalyDays ?? [options.end]);
  const expected: ExpectedFile = {
    seed: options.seed,
    docsPerDay: options.docsPerDay,
    days: {},
    anomalies: [],
    ...(options.beacons === true && { beacons: expectedBeacons() }),
  };
  for (const day of days) {
    const dayExpected = (expected.days[day] = emptyExpectedDay(day));
    const dayOptions: SampleOptions = {
      seed: options.seed,
      docsPerDay: options.docsPerDay,
      anomalies: anomalyDays.has(day),
      ...(options.indexPrefix !== undefined && { indexPrefix: options.indexPrefix }),
      ...(options.beacons === true && { beacons: true }),
      ...(options.hosts !== undefined && { hosts: options.hosts }),
    };
    if (dayOptions.anomalies) expected.anomalies.push({ day, ...anomalyTimestamps(day) });
    async function* docs(): AsyncGenerator<{ index: string; id: string; body: Record<string, unknown> }> {
      for (const doc of generateDay(day, dayOptions)) {
        const shaped = shapeDoc(schema, doc, target);
        // Only what the source writes is expected (no firewall log in Zeek, for instance).
        if (shaped.length > 0) accumulateExpected(dayExpected, doc);
        yield* shaped;
      }
    }
    const started = Date.now();
    const stats = await client.bulkIndex(docs(), (status, error) =>
      log.error({ status, error }, 'sample document dropped'),
    );
    if (stats.failed > 0) throw new EsError(`bulk load of ${day} failed for ${stats.failed} documents`);
    const total = Object.values(dayExpected.total).reduce((s, b) => s + b.count, 0);
    log.info({ day, docs: total, ms: Date.now() - started }, 'sample day loaded');
  }
  await client.indices.refresh({ index: schemaIndices(schema, target).join(',') });
  return expected;
}

/** Writes the expectations as JSON (atomically is not needed: tests create it fresh). */
export async function writeExpected(path: string, expected: ExpectedFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(expected)}\n`);
}
