import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * The pseudonymisation key, from NETLOG_HASH_KEY or the file named by NETLOG_HASH_KEY_FILE, with one
 * normalisation for both (surrounding whitespace and the file's trailing newline are not part of the
 * key): the same key given either way gives the same pseudonyms, so tables keep joining. Without a key,
 * or with a weak one, netlog refuses to run rather than write weakly hashed data. Nothing here is ever
 * logged; the key never reaches a message.
 */

/** A key file holds one key: anything longer is the wrong file (/dev/zero, a log, a disk image). */
const MAX_KEY_FILE_BYTES = 4096;

export interface HashKey {
  readonly key: Buffer;
  /** Where it came from, for messages: `NETLOG_HASH_KEY` or `NETLOG_HASH_KEY_FILE <path>`. */
  readonly source: string;
  /** Things the operator should fix but that do not stop the run (a key file others can read). */
  readonly warnings: readonly string[];
}

const MAKE_ONE = 'e.g. openssl rand -hex 32 > /etc/netlog/hash.key';

/** The one normalisation of a key's text, wherever it came from. */
function normaliseKeyText(text: string): string {
  return text.trim();
}

/**
 * Why a key is weak, or undefined when it is not. A key must carry at least 128 bits: 32 hex digits,
 * 22 base64 characters, or 20 characters of other text; one character repeated is never a key.
 */
export function weakKeyReason(key: string): string | undefined {
  if (new Set(key).size === 1) return 'it is one character repeated';
  let bits: number;
  let what: string;
  if (/^[0-9a-fA-F]+$/.test(key)) {
    bits = key.length * 4;
    what = `${key.length} hex digits`;
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(key)) {
    bits = key.replace(/=+$/, '').length * 6;
    what = `${key.replace(/=+$/, '').length} base64 characters`;
  } else {
    // Printable text of any kind: at most ~6.5 bits a character.
    bits = Math.floor(key.length * 6.5);
    what = `${key.length} characters`;
  }
  return bits < 128 ? `${what} carry fewer than 128 bits` : undefined;
}

/** Reads at most MAX_KEY_FILE_BYTES + 1 bytes, so that /dev/zero or a huge file cannot exhaust memory. */
function readKeyFile(path: string): { text: string; mode: number | undefined } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new ConfigError(
      `cannot read NETLOG_HASH_KEY_FILE ${path}: ${(cause as NodeJS.ErrnoException).code}; check the path and permissions`,
      { cause },
    );
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory())
      throw new ConfigError(`NETLOG_HASH_KEY_FILE ${path} is a directory: name the key file itself`);
    const buf = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    if (n > MAX_KEY_FILE_BYTES)
      throw new ConfigError(
        `NETLOG_HASH_KEY_FILE ${path} is larger than ${MAX_KEY_FILE_BYTES} bytes: it must hold one key (${MAKE_ONE})`,
      );
    const bytes = buf.subarray(0, n);
    if (bytes.includes(0))
      throw new ConfigError(
        `NETLOG_HASH_KEY_FILE ${path} holds binary data (a NUL byte): it must hold one key as text (${MAKE_ONE})`,
      );
    return { text: bytes.toString('utf8'), mode: stat.isFile() ? stat.mode : undefined };
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(
      `cannot read NETLOG_HASH_KEY_FILE ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}; check the path and permissions`,
      { cause },
    );
  } finally {
    closeSync(fd);
  }
}

/**
 * The key from the environment: NETLOG_HASH_KEY wins over NETLOG_HASH_KEY_FILE (setting both is an
 * error: which one is meant?). Throws a ConfigError (exit 2) with one line naming the fix.
 */
export function readHashKey(env: NodeJS.ProcessEnv): HashKey {
  const warnings: string[] = [];
  const fromEnv = env.NETLOG_HASH_KEY;
  const file = env.NETLOG_HASH_KEY_FILE;
  if (fromEnv !== undefined && fromEnv !== '' && file !== undefined && file !== '')
    throw new ConfigError('both NETLOG_HASH_KEY and NETLOG_HASH_KEY_FILE are set: set only one');
  let text: string | undefined;
  let source = 'NETLOG_HASH_KEY';
  if (fromEnv !== undefined && fromEnv !== '') {
    text = fromEnv;
  } else if (file !== undefined && file !== '') {
    source = `NETLOG_HASH_KEY_FILE ${file}`;
    const read = readKeyFile(file);
    text = read.text;
    if (read.mode !== undefined && (read.mode & 0o007) !== 0)
      warnings.push(
        `NETLOG_HASH_KEY_FILE ${file} can be read by other users (mode ${(read.mode & 0o777).toString(8)}): anyone with the key can recover private addresses; chmod 600 it`,
      );
  }
  const key = text === undefined ? '' : normaliseKeyText(text);
  if (key === '') {
    throw new ConfigError(
      `no pseudonymisation key: set NETLOG_HASH_KEY or NETLOG_HASH_KEY_FILE (${MAKE_ONE})`,
    );
  }
  const weak = weakKeyReason(key);
  if (weak !== undefined)
    throw new ConfigError(`the pseudonymisation key in ${source} is weak (${weak}): use ${MAKE_ONE}`);
  return { key: Buffer.from(key, 'utf8'), source, warnings };
}

/** True when the environment names a key at all (verify checks it against the data only then). */
export function hasHashKey(env: NodeJS.ProcessEnv): boolean {
  return (
    (env.NETLOG_HASH_KEY !== undefined && env.NETLOG_HASH_KEY !== '') ||
    (env.NETLOG_HASH_KEY_FILE !== undefined && env.NETLOG_HASH_KEY_FILE !== '')
  );
}
