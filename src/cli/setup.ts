import type { Client } from '@elastic/elasticsearch';
import { loadConfig } from '../config/load.js';
import { readConnection } from '../config/env.js';
import { createEsClient, describeEndpoint } from '../es/client.js';
import { withEsRetry, type SearchContext } from '../es/search.js';
import { readHashKey } from '../config/env.js';
import { createPseudonymiser, type Pseudonymise } from '../transform/pseudonymise.js';
import type { Config } from '../config/schema.js';
import type { CommandContext } from './context.js';
import type { GlobalOptions } from './program.js';
import { acquireRunLock } from '../schedule/lock.js';
import { publishData, type PublishResult } from '../publish/git.js';
import { ExitCode } from '../errors.js';

/** Shared first steps of the commands: config before anything else, then the Elasticsearch edge. */

export interface EsFlags {
  es?: string;
  insecure?: boolean;
}

/** Loads and validates the whole config (from --config or NETLOG_CONFIG) before any network call. */
export async function loadCommandConfig(options: GlobalOptions, ctx: CommandContext): Promise<Config> {
  return loadConfig(options.config ?? ctx.env.NETLOG_CONFIG);
}

export interface EsHandle {
  readonly client: Client;
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
  const client = createEsClient(connection, config);
  const endpoint = describeEndpoint(connection, config);
  return {
    client,
    endpoint,
    search: {
      client,
      endpoint,
      log: ctx.log.child({ module: 'es' }),
      maxRetries: config.es.max_retries,
      retryBaseMs: config.es.retry_base_ms,
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

/** The pseudonymiser from the configured algorithm and the key in the environment (refuses to run without one). */
export function openPseudonymiser(config: Config, ctx: CommandContext): Pseudonymise {
  const key = readHashKey(ctx.env);
  if (config.pseudonym.algorithm === 'sha1') {
    ctx.log.warn(
      'pseudonym.algorithm is sha1: unkeyed hashes of IP addresses can be reversed by brute force; use hmac-sha256 unless old CSVs must match',
    );
  }
  return createPseudonymiser(config.pseudonym, key);
}

/** Runs `fn` holding the data directory's run lock (two runs never write the same files at once). */
export async function withDataLock<T>(
  options: GlobalOptions,
  cmd: string,
  ctx: CommandContext,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await acquireRunLock(options.data, { cmd });
  ctx.log.debug({ lock: lock.path }, 'run lock taken');
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/**
 * `--publish` on the loading commands: commit and push after the run. A push that fails keeps the
 * commit for the next run and turns an otherwise clean exit into 1.
 */
export async function publishAfter(
  code: number,
  options: GlobalOptions & { publish?: boolean },
  config: Config,
  ctx: CommandContext,
): Promise<number> {
  if (!options.publish || code === ExitCode.interrupted) return code;
  const result = await publishData({ dataDir: options.data, config, log: ctx.log, signal: ctx.signal });
  reportPublish(result, ctx);
  return !result.pushed && code === ExitCode.ok ? ExitCode.runtime : code;
}

/** One line for the human about a publish. */
export function reportPublish(result: PublishResult, ctx: CommandContext): void {
  ctx.out(
    result.committed
      ? `committed ${result.commit?.slice(0, 10)} (${result.files} file(s))`
      : 'nothing new to commit',
  );
  if (result.pushed) ctx.out('pushed: the remote is up to date');
  else
    ctx.out(
      `push failed: ${result.pending} commit(s) kept locally; the next publish sends them (see logs/elastic.log)`,
    );
}
