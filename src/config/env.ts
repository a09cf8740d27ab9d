import { ConfigError } from '../errors.js';

/**
 * Connection details and secrets, from the environment only (never from the config file, which is
 * often committed). Nothing here is ever logged: the logger redacts these keys.
 */

export interface Connection {
  readonly url?: string;
  readonly cloudId?: string;
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
  readonly caFile?: string;
  readonly insecure: boolean;
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_ES_URL = 'http://localhost:9200';

/**
 * A malformed URL as given, with anything before its last `@` masked: such a URL may still carry a
 * password (e.g. a typo in the port), and the message is printed and logged.
 */
function maskCredentials(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  return `${scheme}[credentials]${url.slice(at)}`;
}

/** Reads ES_URL, ES_CLOUD_ID, ES_API_KEY, ES_USERNAME/ES_PASSWORD, ES_CA_CERT, ES_TIMEOUT_MS, ES_INSECURE. */
export function readConnection(
  env: NodeJS.ProcessEnv,
  overrides: { url?: string; insecure?: boolean } = {},
): Connection {
  const url = overrides.url ?? env.ES_URL;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(
        `ES_URL "${maskCredentials(url)}" is not a URL: use e.g. https://es.example.org:9200`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigError(`ES_URL must start with http:// or https://, not ${parsed.protocol}`);
    }
    if (parsed.username || parsed.password) {
      throw new ConfigError(
        'ES_URL must not carry credentials: set ES_USERNAME/ES_PASSWORD or ES_API_KEY instead',
      );
    }
  }
  if ((env.ES_USERNAME === undefined) !== (env.ES_PASSWORD === undefined)) {
    throw new ConfigError('ES_USERNAME and ES_PASSWORD go together: set both or neither');
  }
  if (env.ES_API_KEY !== undefined && env.ES_USERNAME !== undefined) {
    throw new ConfigError('set either ES_API_KEY or ES_USERNAME/ES_PASSWORD, not both');
  }
  let requestTimeoutMs: number | undefined;
  if (env.ES_TIMEOUT_MS !== undefined) {
    requestTimeoutMs = Number(env.ES_TIMEOUT_MS);
    if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 100) {
      throw new ConfigError(
        `ES_TIMEOUT_MS "${env.ES_TIMEOUT_MS}" must be a whole number of milliseconds >= 100`,
      );
    }
  }
  const insecure = overrides.insecure === true || env.ES_INSECURE === '1' || env.ES_INSECURE === 'true';
  return {
    ...(url !== undefined && { url }),
    ...(env.ES_CLOUD_ID !== undefined && { cloudId: env.ES_CLOUD_ID }),
    ...(env.ES_API_KEY !== undefined && { apiKey: env.ES_API_KEY }),
    ...(env.ES_USERNAME !== undefined && { username: env.ES_USERNAME, password: env.ES_PASSWORD }),
    ...(env.ES_CA_CERT !== undefined && { caFile: env.ES_CA_CERT }),
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
    insecure,
  };
}
