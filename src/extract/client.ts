import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { DEFAULT_ES_URL, maskEsUrl, plainHttpCredentialHost, type Connection } from '../config/env.js';
import type { Config } from '../config/schema.js';
import { createEngineClient, type EngineChoice, type EngineClient, type EngineConnection } from './engine.js';

/**
 * Builds the Elasticsearch (or OpenSearch: engine.ts) client from the environment's connection
 * details. The client's own retries are switched off: netlog retries itself (search.ts) so that 429s
 * are retried too and every retry is logged with its delay.
 */
export function createEsClient(
  connection: Connection,
  config: Pick<Config, 'es'>,
  engine: EngineChoice = config.es.engine,
): EngineClient {
  const options: { -readonly [K in keyof EngineConnection]: EngineConnection[K] } = {
    requestTimeout: connection.requestTimeoutMs ?? config.es.request_timeout_ms,
  };
  if (connection.cloudId !== undefined) options.cloudId = connection.cloudId;
  else options.node = connection.url ?? config.es.url ?? DEFAULT_ES_URL;
  const exposed = plainHttpCredentialHost(connection, String(options.node ?? ''));
  if (exposed !== undefined && !connection.insecure) {
    throw new ConfigError(
      `refusing to send ${connection.apiKey !== undefined ? 'ES_API_KEY' : 'ES_PASSWORD'} over plain http:// to ${exposed}: anyone on the path could read it; use https:// in ES_URL (or --insecure to allow it, warned)`,
    );
  }
  if (connection.apiKey !== undefined) options.auth = { apiKey: connection.apiKey };
  else if (connection.username !== undefined)
    options.auth = { username: connection.username, password: connection.password ?? '' };
  const tls: { ca?: Buffer; rejectUnauthorized?: boolean } = {};
  if (connection.caFile !== undefined) {
    try {
      tls.ca = readFileSync(connection.caFile);
    } catch (cause) {
      throw new ConfigError(
        `cannot read ES_CA_CERT ${connection.caFile}: ${(cause as NodeJS.ErrnoException).code}; check the path`,
        { cause },
      );
    }
  }
  if (connection.insecure) tls.rejectUnauthorized = false;
  if (Object.keys(tls).length > 0) options.tls = tls;
  return createEngineClient(options, engine);
}

/**
 * The URL the client talks to, for messages and log lines: scheme, host and port; a path or query
 * string (which may hold a token) is masked.
 */
export function describeEndpoint(connection: Connection, config: Pick<Config, 'es'>): string {
  return connection.cloudId !== undefined
    ? 'Elastic Cloud deployment'
    : maskEsUrl(connection.url ?? config.es.url ?? DEFAULT_ES_URL);
}

/** The host an API key or password goes to over plain http:// (allowed with --insecure), if any. */
export function plainHttpCredentialsTo(
  connection: Connection,
  config: Pick<Config, 'es'>,
): string | undefined {
  return connection.cloudId !== undefined
    ? undefined
    : plainHttpCredentialHost(connection, connection.url ?? config.es.url ?? DEFAULT_ES_URL);
}
