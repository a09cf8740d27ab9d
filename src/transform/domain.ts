import { parse } from 'tldts';
import { normaliseText, parseAddress, parseReverseDns } from './address.js';
import {
  DEFAULT_NAME_POLICY,
  isLdhHostname,
  isSafeName,
  isShownInternalName,
  type InternalNamePolicy,
} from './safe-value.js';

/**
 * Reducing what a host field holds (a URL, a host name, host:port, or an IP literal) to what the
 * tables show: the registrable domain of an external name (`mail.google.com` → `google.com`,
 * `news.bbc.co.uk` → `bbc.co.uk`), the short name of an internal server (`fs01.corp.example.lan` →
 * `fs01`). Addresses in any spelling and reverse-DNS names are never treated as names: the caller
 * pseudonymises the address. What may be shown is an allowlist (safe-value.ts): a registrable domain
 * under an ICANN public suffix or an internal short name, either passing the identifier check; any
 * other value comes back as `pseudonymise` with the normalised text to hash. Pure.
 */

export type HostValue =
  { kind: 'ip'; ip: string } | { kind: 'name'; name: string } | { kind: 'pseudonymise'; text: string };

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
function shortName(host: string): string {
  return host.split('.')[0] ?? host;
}

/** The registrable domain under an ICANN public suffix, or undefined (an unknown suffix is not public). */
function icannDomain(host: string): string | undefined {
  const parsed = parse(host, { allowPrivateDomains: false });
  return parsed.isIcann === true && parsed.domain ? parsed.domain : undefined;
}

// A day repeats the same few hundred names tens of thousands of times, and parsing each (URL, IP
// literal check, public suffix lookup) cost more than everything else done to a row. Results are
// remembered per list of internal domains (the config's own array), and never mutated by callers.
const reduced = new WeakMap<readonly string[], WeakMap<InternalNamePolicy, Map<string, HostValue>>>();
const MAX_REMEMBERED = 100_000;

/**
 * Reduces a host-field value for the `host`, `domain` or `server` transforms. `host` picks short name
 * or registrable domain by whether the name is internal.
 */
export function reduceHost(
  value: string,
  mode: 'host' | 'domain' | 'server',
  internalDomains: readonly string[],
  names: InternalNamePolicy = DEFAULT_NAME_POLICY,
): HostValue {
  let byPolicy = reduced.get(internalDomains);
  if (byPolicy === undefined) reduced.set(internalDomains, (byPolicy = new WeakMap()));
  let memo = byPolicy.get(names);
  if (memo === undefined) byPolicy.set(names, (memo = new Map()));
  const key = `${mode}\u0000${value}`;
  let result = memo.get(key);
  if (result === undefined) {
    result = reduceHostOnce(value, mode, internalDomains, names);
    if (memo.size >= MAX_REMEMBERED) memo.clear();
    memo.set(key, result);
  }
  return result;
}

function reduceHostOnce(
  value: string,
  mode: 'host' | 'domain' | 'server',
  internalDomains: readonly string[],
  names: InternalNamePolicy,
): HostValue {
  const host = extractHost(normaliseText(value));
  if (host === '') return { kind: 'name', name: '' };
  const ip = parseAddress(host);
  if (ip !== undefined) return { kind: 'ip', ip };
  const reverse = parseReverseDns(host);
  if (reverse !== undefined)
    return 'address' in reverse ? { kind: 'ip', ip: reverse.address } : { kind: 'pseudonymise', text: host };
  // Not a host name at all (user@host, a formula, a MAC in brackets, free text): nothing of it is shown.
  if (!isLdhHostname(host)) return { kind: 'pseudonymise', text: host };
  const internal = mode === 'server' || (mode === 'host' && isInternalName(host, internalDomains));
  if (internal) {
    const name = shortName(host);
    return isShownInternalName(name, names) ? { kind: 'name', name } : { kind: 'pseudonymise', text: name };
  }
  const domain = icannDomain(host);
  if (domain === undefined) return { kind: 'pseudonymise', text: host };
  return isSafeName(domain) ? { kind: 'name', name: domain } : { kind: 'pseudonymise', text: domain };
}
