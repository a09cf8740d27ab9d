import { isIP, isIPv4 } from 'node:net';
import { holdsSpelledAddress, parseAddress } from '../transform/address.js';

/**
 * IP literals: recognising them, parsing CIDRs, and scrubbing them out of free text (error messages
 * and log lines), so that no raw address ever leaves netlog except as a keyed pseudonym.
 */

/** True when `text` is exactly an IPv4 or IPv6 literal (an IPv6 zone or brackets are accepted). */
export function isIpLiteral(text: string): boolean {
  return isIP(stripIpDecorations(text)) !== 0;
}

function stripIpDecorations(text: string): string {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone > 0 && t.includes(':')) t = t.slice(0, zone);
  return t;
}

/**
 * The canonical text of an IP literal, so that the same address always gets the same pseudonym:
 * IPv6 is lower-cased and compressed (RFC 5952), IPv4-mapped IPv6 becomes its IPv4 form.
 */
export function canonicalIp(text: string): string {
  const t = stripIpDecorations(text);
  if (isIPv4(t)) return t;
  const bytes = ipv6ToBytes(t);
  if (bytes === undefined) return t;
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // The longest run of two or more zero groups collapses to "::" (the first one on a tie).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function ipv6ToBytes(text: string): number[] | undefined {
  if (isIP(text) !== 6) return undefined;
  let t = text.toLowerCase();
  const bytes: number[] = [];
  const lastColon = t.lastIndexOf(':');
  let tail: number[] = [];
  const maybeV4 = t.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    tail = maybeV4.split('.').map(Number);
    t = `${t.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = t.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  const all = [...headGroups, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...restGroups];
  for (const g of all) {
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** A parsed CIDR block. */
export interface Cidr {
  readonly text: string;
  readonly version: 4 | 6;
  readonly bytes: readonly number[];
  readonly prefix: number;
}

/** Parses `10.0.0.0/8` or `fc00::/7`; returns undefined when the text is not a valid CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const version = isIP(address);
  if (version === 4) {
    if (prefix > 32) return undefined;
    return { text, version: 4, bytes: address.split('.').map(Number), prefix };
  }
  if (version === 6) {
    if (prefix > 128) return undefined;
    const bytes = ipv6ToBytes(address);
    return bytes && { text, version: 6, bytes, prefix };
  }
  return undefined;
}

// Candidates: dotted quads (zero-padded too, a trailing dot allowed), and runs of hex digits, colons
// and dots with at least two colons (an IPv6 literal always has two), an IPv4 tail (mapped addresses
// are taken whole) and a zone id. Each candidate is confirmed by a parser, so times such as 00:15:00
// are left alone.
const ipv4Candidate = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d|\.\d)/g;
const ipv6Candidate =
  /(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8}(?:(?::|)\d{1,3}(?:\.\d{1,3}){3})?(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z:]|\.\d)/g;

/**
 * A CIDR block written right after an address (`10.0.0.0/8`, `fc00::/7`) whose host bits are all zero
 * and whose prefix leaves at least 256 hosts: a network, as netlog's own hints write it ("use e.g.
 * 10.0.0.0/8"), not a host. Left readable by the scrubber.
 */
function isNetworkBlock(text: string, offset: number, address: string): boolean {
  const m = /^\/(\d{1,3})(?!\d)/.exec(text.slice(offset + address.length));
  if (!m) return false;
  const cidr = parseCidr(`${address}/${m[1]}`);
  if (cidr === undefined || cidr.prefix > (cidr.version === 4 ? 24 : 64)) return false;
  const bits = cidr.version === 4 ? 32 : 128;
  for (let b = cidr.prefix; b < bits; b++) if ((cidr.bytes[b >> 3]! >> (7 - (b & 7))) & 1) return false;
  return true;
}

/** Replaces every IPv4/IPv6 literal in free text with what `replacement` makes of it. */
function replaceIpLiterals(text: string, replacement: (ip: string) => string): string {
  const confirm = (m: string, offset: number, whole: string): string =>
    parseAddress(m) !== undefined && !isNetworkBlock(whole, offset, m) ? replacement(m) : m;
  return text.replace(ipv6Candidate, confirm).replace(ipv4Candidate, confirm);
}

// Tokens of a log line that may hold an address spelled otherwise: inside a name (ip-10-0-0-5,
// 2001-db8--1), in hex (0xC0A80101), or a MAC address. A bare decimal number is left alone in a log
// line: it is a count or a size far more often than an address.
const token = /[0-9A-Za-z_.:%-]+/g;

/**
 * Replaces every address in free text (log lines, error messages) with `[ip]`: the usual spellings
 * (a trailing dot, a zone, an IPv4-mapped IPv6 address whole, zero-padded quads), addresses inside
 * names (ip-10-0-0-5), in hex, and MAC addresses. Network blocks written as CIDRs (netlog's own hints:
 * "use e.g. 10.0.0.0/8") stay readable.
 */
export function scrubIpLiterals(raw: string): string {
  // Fullwidth digits and dots are digits and dots to a resolver: fold them first (ASCII text is as is).
  // eslint-disable-next-line no-control-regex
  const text = /[^\u0000-\u007f]/.test(raw)
    ? raw.normalize('NFKC').replace(/[\u3002\uff0e\uff61]/g, '.')
    : raw;
  return replaceIpLiterals(text, () => '[ip]').replace(token, (t, offset: number, whole: string) =>
    holdsSpelledAddress(t) && !isNetworkBlock(whole, offset, t) ? '[ip]' : t,
  );
}

/** Every IPv4/IPv6 literal found in free text (for leak checks). */
export function findIpLiterals(text: string): string[] {
  const found: string[] = [];
  for (const re of [ipv6Candidate, ipv4Candidate]) {
    for (const m of text.matchAll(re)) if (isIpLiteral(m[0])) found.push(m[0]);
  }
  return found;
}
