import { getDomain } from 'tldts';
import { isIpLiteral } from './ip.js';

/**
 * Reducing what a host field holds (a URL, a host name, host:port, or an IP literal) to what the
 * tables show: the registrable domain of an external name (`mail.google.com` → `google.com`,
 * `news.bbc.co.uk` → `bbc.co.uk`), the short name of an internal server (`fs01.corp.example.lan` →
 * `fs01`). IP literals are never treated as names: the caller pseudonymises them. Pure.
 */

export type HostValue = { kind: 'ip'; ip: string } | { kind: 'name'; name: string };

/** The host part of a URL, `host:port`, `[v6]:port` or bare host; lower-cased, no trailing dot. */
export function extractHost(value: string): string {
  let v = value.trim();
  if (v.includes('://')) {
    try {
      v = new URL(v).hostname;
    } catch {
      v = v.slice(v.indexOf('://') + 3).split(/[/?#]/)[0] ?? '';
      v = v.slice(v.lastIndexOf('@') + 1);
    }
  } else {
    v = v.split(/[/?#]/)[0] ?? '';
  }
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']') > 0 ? v.indexOf(']') : undefined).toLowerCase();
  // host:port, but not a bare IPv6 literal (several colons).
  if (v.split(':').length === 2) v = v.slice(0, v.indexOf(':'));
  return v.toLowerCase().replace(/\.+$/, '');
}

/** True when `host` ends in one of the internal suffixes, or has no dot at all (a bare server name). */
export function isInternalName(host: string, internalDomains: readonly string[]): boolean {
  if (!host.includes('.')) return true;
  return internalDomains.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}

/** The first label of a name: the server's short name. */
export function shortName(host: string): string {
  return host.split('.')[0] ?? host;
}

/** The registrable domain by the public suffix list (ICANN section), or the host itself if it has none. */
export function registrableDomain(host: string): string {
  return getDomain(host, { allowPrivateDomains: false }) ?? host;
}

// A day repeats the same few hundred names tens of thousands of times, and parsing each (URL, IP
// literal check, public suffix lookup) cost more than everything else done to a row. Results are
// remembered per list of internal domains (the config's own array), and never mutated by callers.
const reduced = new WeakMap<readonly string[], Map<string, HostValue>>();
const MAX_REMEMBERED = 100_000;

/**
 * Reduces a host-field value for the `host`, `domain` or `server` transforms. `host` picks short name
 * or registrable domain by whether the name is internal.
 */
export function reduceHost(
  value: string,
  mode: 'host' | 'domain' | 'server',
  internalDomains: readonly string[],
): HostValue {
  let memo = reduced.get(internalDomains);
  if (memo === undefined) reduced.set(internalDomains, (memo = new Map()));
  const key = `${mode}\u0000${value}`;
  let result = memo.get(key);
  if (result === undefined) {
    result = reduceHostOnce(value, mode, internalDomains);
    if (memo.size >= MAX_REMEMBERED) memo.clear();
    memo.set(key, result);
  }
  return result;
}

function reduceHostOnce(
  value: string,
  mode: 'host' | 'domain' | 'server',
  internalDomains: readonly string[],
): HostValue {
  const host = extractHost(value);
  if (isIpLiteral(host)) return { kind: 'ip', ip: host };
  if (host === '') return { kind: 'name', name: '' };
  if (mode === 'server') return { kind: 'name', name: shortName(host) };
  if (mode === 'domain') return { kind: 'name', name: registrableDomain(host) };
  return {
    kind: 'name',
    name: isInternalName(host, internalDomains) ? shortName(host) : registrableDomain(host),
  };
}
