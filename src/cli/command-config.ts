import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadConfig } from '../config/load.js';
import { locateConfig, type ConfigLocation } from '../config/locate.js';
import { readRecorded, writeDataPackage } from '../datapackage/files.js';
import {
  DATA_PACKAGE_FILE,
  settingsDifferences,
  settingsOf,
  tablesFromRecord,
  type RecordedSettings,
} from '../datapackage/descriptor.js';
import type { Config } from '../config/schema.js';
import type { CommandContext } from './context.js';
import type { GlobalOptions } from './program.js';

/**
 * The config a command runs with, checked against the settings the data repository records
 * (`datapackage.json`). No imports of the Elasticsearch side: publish and init-data use it too.
 *
 * - `write` (load, repair, publish, anything that queries Elasticsearch): the config file (or the
 *   built-in defaults); when it contradicts the recorded zone, pseudonym scheme or a table's columns
 *   the command refuses (exit 2, one line naming the differences), unless `--start-anew`.
 * - `read` (plot, wavelet, report, verify without Elasticsearch): without a config file, the recorded
 *   zone and tables, so a plain clone of the data repository reads right; with one that contradicts
 *   the record, the same refusal (its days would be cut in the wrong place).
 * - `none` (config, doctor, sample load: nothing read from or written to the data directory): the
 *   config alone.
 */
export type ConfigUse = 'read' | 'write' | 'none';

export interface ConfigFlags {
  /** Record this run's settings in place of the ones the data repository holds. */
  startAnew?: boolean;
}

/**
 * The one home of a command's config: every command loads it here (locate → read → validate, presets
 * applied → checked against the data repository's record), with the same messages and exit codes.
 * Connection details and secrets come from the environment at the edge that uses them (config/env.ts,
 * config/hash-key.ts), never from the file.
 */

/** Which config file this command line names (see locateConfig: --config, NETLOG_CONFIG, beside the data folder, /etc/netlog). */
export function locateCommandConfig(options: GlobalOptions, ctx: CommandContext): ConfigLocation {
  return locateConfig({ flag: options.config, env: ctx.env, dataDir: options.data });
}

/** Loads and validates the whole config before any network call. */
export async function loadCommandConfig(
  options: GlobalOptions & ConfigFlags,
  ctx: CommandContext,
  use: ConfigUse = 'write',
): Promise<Config> {
  const { path, source } = locateCommandConfig(options, ctx);
  const hasFile = path !== undefined && path !== '';
  ctx.log.debug({ config: path ?? null, from: source }, 'config');
  const config = await loadConfig(path);
  if (use === 'none') return config;
  const recorded = await readRecorded(options.data);
  if (recorded === undefined) return config;
  const where = join(options.data, DATA_PACKAGE_FILE);
  if (!hasFile && use === 'read') {
    ctx.log.info(
      { timezone: recorded.timezone, tables: recorded.tables.length, from: where },
      'no config file: the time zone and tables recorded in the data repository apply',
    );
    return {
      ...config,
      timezone: recorded.timezone,
      pseudonym: { ...recorded.pseudonym },
      tables: tablesFromRecord(recorded),
    };
  }
  const contradiction = describeContradiction(recorded, config, where, configOrigin(path, source));
  if (contradiction === undefined) return config;
  if (use === 'write' && options.startAnew) {
    ctx.log.warn(
      { differences: settingsDifferences(recorded, settingsOf(config)), from: where },
      "--start-anew: this run's settings replace the ones the data repository records; files written before keep their old meaning",
    );
    return config;
  }
  const fix =
    use === 'write' ? WRITE_FIX : `drop --config to read with the recorded settings, or fix the config`;
  throw new ConfigError(`${contradiction}: ${fix}`);
}

const WRITE_FIX =
  'run with the config that wrote these files (--config FILE), or add --start-anew to record the new settings';

const configOrigin = (path: string | undefined, source: string): string =>
  path !== undefined && path !== '' ? `the config ${path} (${source})` : source;

/** The one rule: where the config contradicts the recorded zone, pseudonym scheme or tables, said in a line. */
function describeContradiction(
  recorded: RecordedSettings,
  config: Config,
  where: string,
  by: string,
): string | undefined {
  const differences = settingsDifferences(recorded, settingsOf(config));
  if (differences.length === 0) return undefined;
  return `${where} records ${differences.join('; ')}, which ${by} contradicts`;
}

/**
 * For `netlog doctor`: the refusal the next writing run (load-daily, backfill, publish) would meet with
 * `config`, as one line with its fix, or undefined when the data repository records nothing or agrees.
 */
export async function writeContradiction(
  options: GlobalOptions,
  config: Config,
  ctx: CommandContext,
): Promise<string | undefined> {
  const recorded = await readRecorded(options.data);
  if (recorded === undefined) return undefined;
  const { path, source } = locateCommandConfig(options, ctx);
  const contradiction = describeContradiction(
    recorded,
    config,
    join(options.data, DATA_PACKAGE_FILE),
    configOrigin(path, source),
  );
  return contradiction === undefined ? undefined : `${contradiction}: ${WRITE_FIX}`;
}

/**
 * Before a publish: datapackage.json and the analysts' README.md describe the day files there now
 * (written atomically; only when they change).
 */
export async function recordDataPackage(dataDir: string, config: Config, ctx: CommandContext): Promise<void> {
  await writeDataPackage({ dataDir, config, log: ctx.log });
}
