import { isIP, isIPv4 } from 'node:net';
import { canonicalIp } from '../net/ip.js';

/**
 * Addresses in every spelling a host field or free text may hold them: what a resolver, a browser or
 * a log shipper accepts as an address, not only the dotted quad. Used to decide what a keyed cell may
 * show (safe-value.ts) and what the log scrubber hides. Pure.
 *
 * - whole values: `10.0.0.5`, `10.0.0.5.` (trailing dot), `010.000.000.005` (zero-padded),
 *   `0300.0250.01.01` (octal), `3232235777` (decimal), `0xC0A80101` (hex), `10.0.0.5%eth0` (zone),
 *   `10.0.0.5:443`, `[2001:db8::1]:443`, `2001:db8:0:0:0:0:0:1:443` (a port glued to IPv6),
 *   `::ffff:10.0.0.5` (mapped), fullwidth digits and dots;
 * - reverse-DNS names: `5.0.0.10.in-addr.arpa`, the 32 nibbles of `….ip6.arpa`;
 * - embedded in a name: `ip-10-0-0-5`, `host_192_168_1_20`, `10.0.0.5.nip.io`, `2001-db8--1`, hex
 *   `0x…`, long digit runs, MAC addresses (`aa-bb-cc-dd-ee-ff`, `aabb.ccdd.eeff`) and long hex serials.
 */

/** NFKC (fullwidth digits and letters become ASCII), the ideographic full stops become '.', lower case. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u3002\uff0e\uff61]/g, '.')
    .toLowerCase();
}

const DECIMAL_PART = /^\d{1,3}$/;

/** A dotted quad whose parts may be zero-padded (`010.000.000.001` is 10.0.0.1, as logs mean it). */
function paddedQuad(parts: readonly string[]): string | undefined {
  if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) return undefined;
  const n = parts.map((p) => Number(p));
  if (parts.some((p) => p.length > 3 && !/^0+\d{1,3}$/.test(p))) return undefined;
  return n.every((x) => x <= 255) ? n.join('.') : undefined;
}

/** inet_aton: 1–4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the rest. */
function inetAton(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const values: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0x[0-9a-f]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) v = parseInt(p, 8);
    else if (/^(0|[1-9]\d*)$/.test(p)) v = Number(p);
    else return undefined;
    if (!Number.isSafeInteger(v)) return undefined;
    values.push(v);
  }
  const head = values.slice(0, -1);
  const last = values[values.length - 1]!;
  if (head.some((v) => v > 255)) return undefined;
  const lastBytes = 4 - head.length;
  if (last >= 2 ** (8 * lastBytes)) return undefined;
  const bytes = [...head];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes.join('.');
}

/**
 * The canonical text of an address written as `text` in any of the whole-value spellings above, or
 * undefined when `text` is not one. A bare decimal number counts only from 2^24 up (`16777216` is
 * 1.0.0.0): smaller numbers are ports and counts far more often than addresses in 0.0.0.0/8.
 */
export function parseAddress(raw: string): string | undefined {
  let t = normaliseText(raw.trim());
  if (t === '' || t.length > 100) return undefined;
  // [v6], [v6]:port, [v6%zone]
  const bracket = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(t);
  if (bracket) t = bracket[1]!;
  t = t.replace(/\.+$/, '');
  const zone = t.indexOf('%');
  if (zone > 0) t = t.slice(0, zone);
  if (isIP(t) !== 0) return canonicalIp(t);
  // a.b.c.d:port
  const v4port = /^([^:]+):\d{1,5}$/.exec(t);
  if (v4port) {
    const inner = parseAddress(v4port[1]!);
    if (inner !== undefined && !inner.includes(':')) return inner;
  }
  // An IPv6 address with a port glued on without brackets: 2001:db8:0:0:0:0:0:1:443.
  const glued = /^(.+):\d{1,5}$/.exec(t);
  if (glued && glued[1]!.includes(':') && isIP(glued[1]!) === 6) return canonicalIp(glued[1]!);
  if (/^[0-9a-fx.]+$/.test(t)) {
    const parts = t.split('.');
    const quad = paddedQuad(parts);
    if (quad !== undefined) return quad;
    if (parts.length === 1 && /^\d+$/.test(t) && Number(t) < 2 ** 24) return undefined;
    // Short forms (10.1) only with a hex part: "1.5" is a number far more often than 1.0.0.5.
    if (parts.length === 4 || parts.length === 1 || parts.some((p) => p.startsWith('0x'))) return inetAton(t);
  }
  return undefined;
}

/**
 * A reverse-DNS name: `{ address }` for a whole one (`4.3.2.10.in-addr.arpa` → 10.2.3.4, 32 nibbles
 * under ip6.arpa), `{ partial: true }` for a zone or a name that is not a whole address (it still names
 * a network), undefined for any other name.
 */
export function parseReverseDns(host: string): { address: string } | { partial: true } | undefined {
  const h = normaliseText(host).replace(/\.+$/, '');
  if (h.endsWith('.in-addr.arpa') || h === 'in-addr.arpa') {
    const labels = h
      .slice(0, -'in-addr.arpa'.length)
      .split('.')
      .filter((l) => l !== '');
    if (labels.length === 4 && labels.every((l) => DECIMAL_PART.test(l))) {
      const ip = [...labels].reverse().join('.');
      const canonical = paddedQuad(ip.split('.'));
      if (canonical !== undefined && isIPv4(canonical)) return { address: canonical };
    }
    return { partial: true };
  }
  if (h.endsWith('.ip6.arpa') || h === 'ip6.arpa') {
    const labels = h
      .slice(0, -'ip6.arpa'.length)
      .split('.')
      .filter((l) => l !== '');
    if (labels.length === 32 && labels.every((l) => /^[0-9a-f]$/.test(l))) {
      const nibbles = [...labels].reverse().join('');
      const groups = nibbles.match(/.{4}/g)!.join(':');
      return { address: canonicalIp(groups) };
    }
    return { partial: true };
  }
  return undefined;
}

const MAX_V6_WINDOW = 9;

/** True when some run of consecutive groups, joined by ':', is an IPv6 address. */
function hasV6Window(groups: readonly string[]): boolean {
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 2; j <= Math.min(groups.length, i + MAX_V6_WINDOW); j++) {
      const window = groups.slice(i, j);
      // "a::b" needs an empty group; a window of non-empty groups needs all eight. Two groups and a
      // digit at least: "--from" is an option, not ::f.
      if (!window.includes('') && window.length < 8) continue;
      if (window.filter((g) => g !== '').length < 2 || !window.some((g) => /\d/.test(g))) continue;
      if (isIP(window.join(':')) === 6) return true;
    }
  }
  return false;
}

/**
 * True when `text` (a name, a label, a token of free text) is or holds an address in any spelling, a
 * MAC address, or a long number or hex serial that can stand for one (fail closed: a name that only
 * looks like one is pseudonymised, which loses nothing).
 */
export function containsAddress(raw: string): boolean {
  const t = normaliseText(raw);
  if (parseAddress(t) !== undefined || parseReverseDns(t) !== undefined) return true;
  // Long digit runs (decimal addresses, phone numbers), hex runs of 12 or more with a digit (MAC
  // addresses without separators, Android device ids, serials).
  if (/\d{8}/.test(t)) return true;
  for (const run of t.match(/[0-9a-f]{12,}/g) ?? []) if (/\d/.test(run)) return true;
  return holdsSpelledAddress(t, /[-_.:]/);
}

/**
 * True when a token holds an address spelled inside it: four decimal groups in a row, whatever
 * separates them (10-0-0-5, 10_0_0_5, 10.0.0.5), a hex address (0x…), a MAC address, or IPv6 with its
 * colons written as dashes or underscores (2001-db8--1, a zone as s<id>) or inside a longer token.
 * Bare numbers and hex runs are not judged here (a log line is full of counts and ids).
 */
export function holdsSpelledAddress(raw: string, separators: RegExp = /[-_.]/): boolean {
  const t = normaliseText(raw);
  if (/0x[0-9a-f]/.test(t)) return true;
  const groups = t.split(separators);
  for (let i = 0; i + 4 <= groups.length; i++) {
    const quad = groups.slice(i, i + 4);
    if (paddedQuad(quad) !== undefined) return true;
    // An octal quad (0300.0250.01.01).
    if (quad.every((g) => /^0[0-7]+$|^\d{1,3}$/.test(g)) && inetAton(quad.join('.')) !== undefined)
      return true;
  }
  // MAC: six pairs of hex digits, or three quads (Cisco), with any of the usual separators.
  if (/(?:^|[^0-9a-f])[0-9a-f]{2}(?:[-_.: ][0-9a-f]{2}){5}(?![0-9a-f])/.test(t)) return true;
  if (/(?:^|[^0-9a-f])[0-9a-f]{4}(?:[-_.][0-9a-f]{4}){2}(?![0-9a-f])/.test(t)) return true;
  const dashed = t.replace(/(?<=[0-9a-f])s[0-9a-z]+(?=$|[._])/g, '');
  const families: [RegExp, RegExp][] = [
    [/[^0-9a-f_-]/, /[-_]/],
    [/[^0-9a-f:.]/, /:/],
  ];
  for (const [outside, sep] of families) {
    for (const piece of dashed.split(outside)) {
      if (piece.length < 2) continue;
      const parts = piece.split(sep);
      if (parts.length >= 3 && hasV6Window(parts)) return true;
    }
  }
  return false;
}
