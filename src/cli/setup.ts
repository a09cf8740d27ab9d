import { readConnection } from '../config/env.js';
import { createEsClient, describeEndpoint, plainHttpCredentialsTo } from '../extract/client.js';
import { parseEngineChoice, type EngineClient } from '../extract/engine.js';
import { withEsRetry, type SearchContext } from '../extract/search.js';
import { readHashKey } from '../config/hash-key.js';
import { createPseudonymiser, keyFingerprint, type Pseudonymise } from '../transform/pseudonymise.js';
import { checkPseudonymRecord } from '../store/pseudonym-file.js';
import type { PseudonymScheme } from '../store/pseudonym-record.js';
import type { Config } from '../config/schema.js';
import type { CommandContext } from './context.js';
import type { GlobalOptions } from './program.js';
import { ConfigError, ExitCode } from '../errors.js';
import { recordDataPackage } from './command-config.js';
import type { JobParams } from '../pipeline/run-jobs.js';

/**
 * The commands' Elasticsearch edge (client, reachability), pseudonymisation key and `--publish`. The
 * config is loaded by command-config.ts and the run lock taken by data-lock.ts, which import no client.
 */

export interface EsFlags {
  es?: string;
  insecure?: boolean;
}

export interface EsHandle {
  readonly client: EngineClient;
  readonly search: SearchContext;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The client and retry context for a command; warns loudly when TLS verification is off. */
export function openEs(options: EsFlags, config: Config, ctx: CommandContext): EsHandle {
  const connection = readConnection(ctx.env, {
    ...(options.es !== undefined && { url: options.es }),
    ...(options.insecure === true && { insecure: true }),
  });
  if (connection.insecure) {
    ctx.log.warn(
      'TLS certificate verification of Elasticsearch is OFF (--insecure / ES_INSECURE): anyone on the path can read and alter the data',
    );
  }
  const engine = parseEngineChoice(ctx.env.ES_ENGINE);
  if (engine === undefined && ctx.env.ES_ENGINE !== undefined && ctx.env.ES_ENGINE !== '')
    throw new ConfigError(
      `ES_ENGINE=${ctx.env.ES_ENGINE.slice(0, 40)} is not an engine: use auto, elasticsearch or opensearch`,
    );
  const client = createEsClient(connection, config, engine ?? config.es.engine);
  const endpoint = describeEndpoint(connection, config);
  const exposedTo = plainHttpCredentialsTo(connection, config);
  if (exposedTo !== undefined) {
    ctx.log.warn(
      { host: exposedTo },
      'the Elasticsearch credentials go over plain http:// (allowed by --insecure / ES_INSECURE): anyone on the path can read them',
    );
  }
  return {
    client,
    endpoint,
    search: {
      client,
      endpoint,
      log: ctx.log.child({ module: 'es' }),
      maxRetries: config.es.max_retries,
      retryBaseMs: config.es.retry_base_ms,
      maxResponseBytes: config.es.max_response_mb * 1024 * 1024,
      signal: ctx.signal,
    },
    close: () => client.close(),
  };
}

/**
 * One cheap request before any table: a cluster that is down or refuses us fails once, with one line
 * naming the URL, instead of once per table.
 */
export async function checkEsReachable(es: EsHandle): Promise<void> {
  await withEsRetry(es.search, { index: '_cluster/health' }, () =>
    es.client.cluster.health({ timeout: '10s' }),
  );
}

/** What every load job of a run shares: the config, the cluster, the data folder, the key and the clock. */
export function jobParams(
  config: Config,
  es: EsHandle,
  keyed: PseudonymHandle,
  dataDir: string,
  ctx: CommandContext,
): Pick<JobParams, 'config' | 'es' | 'dataDir' | 'pseudonymise' | 'now' | 'log'> {
  return { config, es: es.search, dataDir, pseudonymise: keyed.pseudonymise, now: ctx.now, log: ctx.log };
}

/** The flag of the commands that write pseudonyms. */
export interface KeyFlags {
  /** Start a new pseudonym epoch: the key (or scheme) differs from the data's on purpose. */
  newKey?: boolean;
}

export interface PseudonymHandle {
  readonly pseudonymise: Pseudonymise;
  readonly scheme: PseudonymScheme;
}

/**
 * The pseudonymiser from the configured algorithm and the key in the environment (refuses to run
 * without one, or with a weak one). The legacy sha1 mode is unkeyed and needs none.
 */
export function openPseudonymiser(config: Config, ctx: CommandContext): PseudonymHandle {
  let key: Buffer = Buffer.alloc(0);
  if (config.pseudonym.algorithm === 'sha1') {
    ctx.log.warn(
      'pseudonym.algorithm is sha1: unkeyed hashes of IP addresses can be reversed by brute force; use hmac-sha256 unless old CSVs must match',
    );
    if (ctx.env.NETLOG_HASH_KEY || ctx.env.NETLOG_HASH_KEY_FILE)
      ctx.log.warn('pseudonym.algorithm is sha1, which uses no key: the key in the environment is not used');
  } else {
    const read = readHashKey(ctx.env);
    for (const w of read.warnings) ctx.log.warn(w);
    key = read.key;
  }
  return {
    pseudonymise: createPseudonymiser(config.pseudonym, key),
    scheme: { ...config.pseudonym, fingerprint: keyFingerprint(config.pseudonym, key) },
  };
}

/**
 * Checks the key against the data's pseudonym record (`<data>/pseudonym.json`): a different key is
 * refused (exit 2) before anything is written, unless `--new-key` starts a new epoch. With `write`
 * (inside the run lock, before the first day file) the record is created or the new epoch recorded.
 */
export async function checkKeyRecord(
  handle: PseudonymHandle,
  options: GlobalOptions & KeyFlags,
  ctx: CommandContext,
  write: boolean,
): Promise<void> {
  const outcome = await checkPseudonymRecord(options.data, handle.scheme, {
    newKey: options.newKey === true,
    now: ctx.now,
    write,
  });
  if (outcome.started?.first === false)
    ctx.log.warn(
      { epoch: outcome.started.epoch, fingerprint: handle.scheme.fingerprint },
      'a new pseudonym epoch starts: pseudonyms written from now on do not join with earlier ones',
    );
  else if (outcome.started)
    ctx.log.info(
      { epoch: outcome.started.epoch, fingerprint: handle.scheme.fingerprint },
      'pseudonym record created',
    );
}

/**
 * `--publish` on the loading commands: datapackage.json and README.md are brought up to date, then
 * everything is committed and pushed. A push that fails keeps the commit for the next run and turns an
 * otherwise clean exit into 1.
 */
export async function publishAfter(
  code: number,
  options: GlobalOptions & { publish?: boolean },
  config: Config,
  ctx: CommandContext,
): Promise<number> {
  if (!options.publish || code === ExitCode.interrupted) return code;
  await recordDataPackage(options.data, config, ctx);
  // Loaded only when asked for: git's modules are a share of a load command's start-up otherwise.
  const [{ publishData }, { describePublish }] = await Promise.all([
    import('../publish/publish.js'),
    import('../publish/publish-result.js'),
  ]);
  const result = await publishData({ dataDir: options.data, config, log: ctx.log, signal: ctx.signal });
  for (const line of describePublish(result)) ctx.out(line);
  return !result.pushed && code === ExitCode.ok ? ExitCode.runtime : code;
}
