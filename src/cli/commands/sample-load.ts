import { indexSample, writeExpected } from '../../sample/index-sample.js';
import { withEsRetry } from '../../extract/search.js';
import { ExitCode, UsageError } from '../../errors.js';
import { PRESET_NAMES, isPresetName } from '../../config/presets.js';
import { openEs } from '../setup.js';
import { loadCommandConfig } from '../command-config.js';
import type { CommandContext } from '../context.js';
import type { SampleLoadOptions } from '../program.js';

/** Exactly what commander parses for this command (declared in program.ts). */
type Options = SampleLoadOptions;

/** `netlog sample load`: generated network logs into Elasticsearch, and optionally their expected counts. */
export async function run(options: Options, ctx: CommandContext): Promise<number> {
  if (!isPresetName(options.schema))
    throw new UsageError(
      `--schema ${options.schema.slice(0, 40)} is not a source: use one of ${PRESET_NAMES.join(', ')}`,
    );
  if (!/^[a-z0-9_]{1,40}$/.test(options.namespace))
    throw new UsageError('--namespace: lower-case letters, digits and _ only (a data stream namespace)');
  const config = await loadCommandConfig(options, ctx, 'none');
  const es = openEs(options, config, ctx);
  try {
    // One cheap request first, so that a wrong URL fails with one clear line before generating anything.
    await withEsRetry(es.search, { index: '_cluster' }, () => es.client.cluster.health());
    const expected = await indexSample(
      es.client,
      {
        days: options.days,
        end: options.end,
        docsPerDay: options.docsPerDay,
        seed: options.seed,
        anomalyDays: options.anomalies ? [options.anomalyDay ?? options.end] : [],
        indexPrefix: options.indexPrefix,
        schema: options.schema,
        namespace: options.namespace,
        force: options.force === true,
        beacons: options.beacons === true,
        hosts: options.hosts,
      },
      ctx.log.child({ module: 'sample' }),
    );
    if (options.expected !== undefined) {
      await writeExpected(options.expected, expected);
      ctx.out(`expected counts written to ${options.expected}`);
    }
    const docs = Object.values(expected.days).reduce(
      (s, d) => s + Object.values(d.total).reduce((t, b) => t + b.count, 0),
      0,
    );
    ctx.out(`loaded ${docs} documents over ${options.days} day(s) ending ${options.end} into ${es.endpoint}`);
    return ExitCode.ok;
  } finally {
    await es.close();
  }
}
