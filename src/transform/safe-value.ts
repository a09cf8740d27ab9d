import { containsAddress, normaliseText, parseAddress, parseReverseDns } from './address.js';

/**
 * What a keyed CSV cell may hold: an allowlist, not a blocklist. A cell holds a pseudonym, a
 * registrable domain from the public suffix list, an internal server name that passes the identifier
 * check (and the site's internal_names policy), a kept value that passes the same check, or the "no
 * name" value (an empty cell). Everything else is replaced by the pseudonym of its normalised form, so
 * it still counts and still joins across days. Because every allowed value starts with a letter or a
 * digit, a cell can never start a spreadsheet formula (`=`, `+`, `-`, `@`). Pure.
 */

/** The documented "no name" value: an empty cell (a flow whose level fields are all missing). */
export const NO_NAME = '';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A host name by the LDH rule: letters, digits and inner hyphens, labels of 1–63, at most 253 in all. */
export function isLdhHostname(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => LABEL.test(l));
}

/**
 * The identifier check: an LDH host name that holds no address in any spelling, no MAC address, no
 * long number or serial, and is not a reverse-DNS name.
 */
export function isSafeName(name: string): boolean {
  return isLdhHostname(name) && !containsAddress(name) && parseReverseDns(name) === undefined;
}

/**
 * Words that name a person's device rather than a server: the default policy pseudonymises internal
 * names holding one (`alices-iphone`, `DESKTOP-4F2K9QX`), since a person's name often comes with them.
 */
const DEVICE_WORDS: readonly string[] = [
  'iphone',
  'ipad',
  'ipod',
  'android',
  'galaxy',
  'pixel',
  'macbook',
  'imac',
  'laptop',
  'notebook',
  'phone',
  'desktop',
  'tablet',
];

/** Which internal server names may be shown as they are. */
export interface InternalNamePolicy {
  /** Glob patterns (`*`, `?`); undefined: the default policy (every name but personal devices). */
  readonly allow?: readonly string[];
}

export const DEFAULT_NAME_POLICY: InternalNamePolicy = {};

const compiled = new WeakMap<InternalNamePolicy, RegExp[]>();

function patterns(policy: InternalNamePolicy): RegExp[] {
  let out = compiled.get(policy);
  if (out === undefined) {
    out = (policy.allow ?? []).map(
      (p) =>
        new RegExp(
          `^${p
            .toLowerCase()
            .replace(/[.]/g, '\\.')
            .replace(/\*/g, '[a-z0-9-]*')
            .replace(/\?/g, '[a-z0-9-]')}$`,
        ),
    );
    compiled.set(policy, out);
  }
  return out;
}

/** True when an internal short name may be shown: it passes the identifier check and the policy. */
export function isShownInternalName(name: string, policy: InternalNamePolicy): boolean {
  // A bare number is an address spelling or an octet (`10` of 10.in-addr.arpa), never a server name.
  if (!isSafeName(name) || /^\d+$/.test(name)) return false;
  if (policy.allow !== undefined) return patterns(policy).some((re) => re.test(name));
  return !holdsDeviceWord(name);
}

function holdsDeviceWord(name: string): boolean {
  return DEVICE_WORDS.some((w) => name.includes(w));
}

/** A glob pattern of internal_names.allow: lower-case letters, digits, '-', '*', '?'. */
export const NAME_PATTERN = /^[a-z0-9*?](?:[a-z0-9*?-]{0,62})$/;

const KEPT = /^[a-z0-9_][a-z0-9_.-]{0,252}$/i;
const PLAIN_NUMBER = /^-?\d{1,7}(?:\.\d{1,12})?$/;

/**
 * What `keep` writes: the value itself when it is a plain number (a port, a VLAN, a status code) or a
 * token that passes the identifier check (letters, digits, `_`, `.`, `-`, no address); otherwise the
 * pseudonym of the address it is, or of its normalised text.
 */
export function keptValue(text: string, pseudonymise: (value: string) => string): string {
  if (text === '') return NO_NAME;
  if (PLAIN_NUMBER.test(text) && Math.abs(Number(text)) < 2 ** 24) return text;
  if (
    KEPT.test(text) &&
    !containsAddress(text) &&
    parseReverseDns(text) === undefined &&
    !holdsDeviceWord(text.toLowerCase())
  )
    return text;
  return pseudonymise(parseAddress(text) ?? addressOfReverse(text) ?? normaliseForPseudonym(text));
}

/** The normalised form of a value that is pseudonymised whole: NFKC, lower case, trimmed. */
export function normaliseForPseudonym(text: string): string {
  return normaliseText(text).trim().replace(/\.+$/, '');
}

/** OWASP CSV injection: cells starting with these are formulas (or become one) in a spreadsheet. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * The `text` transform: free text for a column that must hold it (a user agent, a rule name). Every
 * token that is or holds an address (any spelling), a MAC, a `user@` or a reverse-DNS name becomes
 * its pseudonym; control characters become spaces; a cell that would start a formula gets a leading
 * `'` (OWASP's rule), so a spreadsheet shows it as text.
 */
export function freeText(text: string, pseudonymise: (value: string) => string): string {
  const normal = text
    .normalize('NFKC')
    .replace(/[\u3002\uff0e\uff61]/g, '.')
    // Control characters (a CSV reader may take some for line ends) become spaces.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
  // Tokens: what an address, a host, a MAC or an e-mail address can be made of.
  const scrubbed = normal.replace(/[0-9a-z._:%@[\]-]+/gi, (token) => {
    const address = parseAddress(token) ?? addressOfReverse(token);
    if (address !== undefined) return pseudonymise(address);
    if (
      /[^@]@/.test(token) ||
      containsAddress(token) ||
      parseReverseDns(token) !== undefined ||
      (/[a-z0-9][-.][a-z0-9]/i.test(token) && holdsDeviceWord(token.toLowerCase()))
    )
      return pseudonymise(normaliseForPseudonym(token));
    return token;
  });
  return FORMULA_START.test(scrubbed.trimStart()) || FORMULA_START.test(scrubbed) ? `'${scrubbed}` : scrubbed;
}

function addressOfReverse(token: string): string | undefined {
  const r = parseReverseDns(token);
  return r !== undefined && 'address' in r ? r.address : undefined;
}

/** The cells a non-text transform may write (checked on every row: a bug must not leak). */
const WRITABLE = /^(?:|-?\d{1,7}(?:\.\d{1,12})?|[a-z0-9_][a-z0-9_.-]*)$/i;

/** True when a keyed value is one netlog may write (a pseudonym, a name, a number or empty). */
export function isWritableKey(value: string): boolean {
  return WRITABLE.test(value);
}
