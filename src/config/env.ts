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
 * An Elasticsearch URL as netlog shows it in messages and log lines: scheme, host and port only.
 * Credentials, a path and a query string may carry a token (a proxy's `?token=…`, `/t/<secret>/`),
 * so each is replaced by a marker that says it was there. A URL that does not parse is cut at its
 * host the same way (everything before an `@`, after the first `/` past the scheme, after `?`/`#`).
 */
export function maskEsUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    const creds = parsed.username || parsed.password ? '[credentials]@' : '';
    const path = parsed.pathname !== '/' && parsed.pathname !== '' ? '/[path]' : '';
    const query = parsed.search !== '' ? '?[query]' : '';
    const hash = parsed.hash !== '' ? '#[fragment]' : '';
    return `${parsed.protocol}//${creds}${parsed.host}${path}${query}${hash}`;
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  let rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const creds = at >= 0 ? '[credentials]@' : '';
  if (at >= 0) rest = rest.slice(at + 1);
  const cut = rest.search(/[/?#]/);
  return `${scheme}${creds}${cut >= 0 ? `${rest.slice(0, cut)}[…]` : rest}`;
}

/** True for localhost, 127.0.0.0/8 and ::1: credentials sent there in plain HTTP never leave the host. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1';
}

/**
 * The host that would receive an API key or a password over plain HTTP across the network, or
 * undefined when there is none (https, loopback, no credentials, Elastic Cloud).
 */
export function plainHttpCredentialHost(connection: Connection, url: string): string | undefined {
  if (connection.cloudId !== undefined) return undefined;
  if (connection.apiKey === undefined && connection.username === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' || isLoopbackHost(parsed.hostname)) return undefined;
  return parsed.host;
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
      throw new ConfigError(`ES_URL "${maskEsUrl(url)}" is not a URL: use e.g. https://es.example.org:9200`);
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
