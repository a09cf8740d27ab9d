import ipaddr from 'ipaddr.js';

/**
 * The independent leak oracle of the tests: a second detector of addresses, MACs, `user@` and formulas,
 * written apart from netlog's scrubber and allowlist (src/transform/address.ts, safe-value.ts, ip.ts)
 * and sharing none of their code or patterns. Addresses are judged by ipaddr.js (a well-kept library
 * that accepts every inet_aton spelling: decimal, hex, octal, short forms), over this file's own
 * tokenisation. Used by scan-leaks.ts on every CSV cell and log line the suite wrote.
 */

export interface OracleHit {
  readonly kind: 'address' | 'mac' | 'user' | 'formula' | 'reverse-dns';
  readonly match: string;
}

/** What a CSV cell is: a key column (strictest), free text (`transform: text`), a metric, the time. */
export type CellRole = 'key' | 'text' | 'metric' | 'time';

const WIDE = /[\uff01-\uff5e]/g;

/** Fullwidth forms to ASCII and the CJK full stops to '.', then lower case (written without NFKC). */
function fold(text: string): string {
  return text
    .replace(WIDE, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u3002\uff61]/g, '.')
    .toLowerCase();
}

function isV4Dotted(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return true;
  // Zero-padded decimal (010.000.000.001), which ipaddr reads as octal: judge both readings.
  if (parts.every((p) => p.length > 0 && p.length <= 4 && [...p].every((c) => c >= '0' && c <= '9')))
    return parts.every((p) => parseInt(p, 10) <= 255) || ipaddr.IPv4.isValid(text);
  return ipaddr.IPv4.isValid(text);
}

function isV6(text: string): boolean {
  return ipaddr.IPv6.isValid(text);
}

/** The variants of a token a parser might accept as an address: brackets, trailing dots, zone, port. */
function variants(token: string): string[] {
  const out = new Set<string>();
  let t = token;
  out.add(t);
  while (t.startsWith('[')) t = t.slice(1);
  const close = t.indexOf(']');
  if (close >= 0) t = t.slice(0, close);
  out.add(t);
  while (t.endsWith('.') || t.endsWith(':')) t = t.slice(0, -1);
  out.add(t);
  const pct = t.indexOf('%');
  if (pct > 0) out.add(t.slice(0, pct));
  const colons = t.split(':').length - 1;
  if (colons === 1) out.add(t.slice(0, t.indexOf(':')));
  if (colons >= 2) out.add(t.slice(0, t.lastIndexOf(':')));
  return [...out].filter((v) => v !== '');
}

function addressIn(token: string, role: CellRole | 'log'): string | undefined {
  for (const v of variants(token)) {
    if (isV6(v)) return v;
    const numeric = [...v].every((c) => (c >= '0' && c <= '9') || c === '.');
    if (v.includes('.') && isV4Dotted(v)) return v;
    if (v.startsWith('0x') && ipaddr.IPv4.isValid(v)) return v;
    // A bare number is an address (inet_aton) only from 1.0.0.0 up, and only where a count cannot be.
    if (role === 'key' && numeric && !v.includes('.') && ipaddr.IPv4.isValid(v) && Number(v) >= 16777216)
      return v;
  }
  // Windows of parts split on any separator a name may use for the dots or colons of an address.
  const parts = token.split(/[-_.:]/);
  for (let i = 0; i + 4 <= parts.length; i++) {
    const quad = parts.slice(i, i + 4);
    if (quad.every((p) => /^\d{1,3}$/.test(p)) && quad.every((p) => Number(p) <= 255)) return quad.join('.');
  }
  for (const [piece, sep] of [
    ...['-', '_', ':'].map((sep) => [token, sep] as const),
    ...token.split('.').flatMap((label) => ['-', '_'].map((sep) => [label, sep] as const)),
  ]) {
    const groups = piece.split(sep);
    for (let i = 0; i < groups.length; i++)
      for (let j = i + 3; j <= Math.min(groups.length, i + 9); j++) {
        const w = groups.slice(i, j).join(':');
        // A run of separators alone ("--", "::") names no host; an address has a digit somewhere.
        if (!/[0-9]/.test(w)) continue;
        if ((j - i === 8 || w.includes('::')) && isV6(w)) return w;
      }
  }
  return undefined;
}

/** Is `text[at…]` the network address of a CIDR block written right after it (`10.0.0.0/8`)? */
function isNetworkHint(text: string, token: string, at: number): boolean {
  const m = /^\/(\d{1,3})/.exec(text.slice(at + token.length));
  if (!m) return false;
  try {
    const [net, bits] = ipaddr.parseCIDR(`${token}/${m[1]}`);
    const maxHost = net.kind() === 'ipv4' ? 24 : 64;
    if (bits > maxHost) return false;
    const first =
      net.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${token}/${m[1]}`).toString() : undefined;
    return first === undefined ? true : first === net.toString();
  } catch {
    return false;
  }
}

const MAC = [
  /(?:^|[^0-9a-f])(?:[0-9a-f]{2}[-:_. ]){5}[0-9a-f]{2}(?![0-9a-f])/,
  /(?:^|[^0-9a-f])[0-9a-f]{4}[-.][0-9a-f]{4}[-.][0-9a-f]{4}(?![0-9a-f])/,
];

/** Every leak in a piece of text (a cell or a log line), judged for its role. */
export function oracleHits(raw: string, role: CellRole | 'log'): OracleHit[] {
  if (role === 'time') return [];
  const hits: OracleHit[] = [];
  const text = fold(raw);
  for (const m of text.matchAll(/[0-9a-z.:%_\-[\]]+/g)) {
    const token = m[0];
    if (role === 'log' && isNetworkHint(text, token, m.index)) continue;
    const address = addressIn(token, role);
    if (address !== undefined) hits.push({ kind: 'address', match: token });
  }
  for (const re of MAC) {
    const m = re.exec(text);
    if (m) hits.push({ kind: 'mac', match: m[0] });
  }
  if (role === 'key' || role === 'text') {
    if (/in-addr\.arpa|ip6\.arpa/.test(text)) hits.push({ kind: 'reverse-dns', match: raw });
    if (role === 'key' ? raw.includes('@') : /[a-z0-9._%+-]@[a-z0-9]/.test(text))
      hits.push({ kind: 'user', match: raw });
    // OWASP: a cell must not start with = + - @ tab or CR (a plain negative number is a number).
    if (/^[=+\-@\t\r]/.test(raw) && !/^-\d+(\.\d+)?$/.test(raw)) hits.push({ kind: 'formula', match: raw });
  }
  return hits;
}

/** The role of a day file's column by its header (timestamp, the known metrics, else a key). */
export function columnRole(header: string): CellRole {
  if (header === 'timestamp') return 'time';
  if (/^(count|bytes|packets|events|sessions|biggest|smallest|(sum|max|min)_.*)$/.test(header))
    return 'metric';
  if (header.endsWith('_text') || header === 'text' || header === 'note') return 'text';
  return 'key';
}
