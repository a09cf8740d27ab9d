import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { ConfigError } from '../errors.js';
import { DEFAULT_ES_URL, type Connection } from '../config/env.js';
import type { Config } from '../config/schema.js';

/**
 * Builds the Elasticsearch client from the environment's connection details. The client's own retries
 * are switched off: netlog retries itself (search.ts) so that 429s are retried too and every retry is
 * logged with its delay.
 */
export function createEsClient(connection: Connection, config: Pick<Config, 'es'>): Client {
  const options: ClientOptions = {
    requestTimeout: connection.requestTimeoutMs ?? config.es.request_timeout_ms,
    maxRetries: 0,
    compression: false,
    name: 'netlog',
  };
  if (connection.cloudId !== undefined) options.cloud = { id: connection.cloudId };
  else options.node = connection.url ?? config.es.url ?? DEFAULT_ES_URL;
  if (connection.apiKey !== undefined) options.auth = { apiKey: connection.apiKey };
  else if (connection.username !== undefined)
    options.auth = { username: connection.username, password: connection.password ?? '' };
  const tls: NonNullable<ClientOptions['tls']> = {};
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
  return new Client(options);
}

/** The URL the client talks to, for messages (no credentials are ever part of it). */
export function describeEndpoint(connection: Connection, config: Pick<Config, 'es'>): string {
  return connection.cloudId !== undefined
    ? 'Elastic Cloud deployment'
    : (connection.url ?? config.es.url ?? DEFAULT_ES_URL);
}
