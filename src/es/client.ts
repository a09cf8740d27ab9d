import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { DEFAULT_ES_URL, type Connection } from '../config/env.js';
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

/** The URL the client talks to, for messages (no credentials are ever part of it). */
export function describeEndpoint(connection: Connection, config: Pick<Config, 'es'>): string {
  return connection.cloudId !== undefined
    ? 'Elastic Cloud deployment'
    : (connection.url ?? config.es.url ?? DEFAULT_ES_URL);
}
