import { closeSync, constants, fstatSync, mkdirSync, openSync, fchmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './errors.js';
import { maskUrlCredentials } from './net/url-credentials.js';

/**
 * Opening the log file (`--log-file`, NETLOG_LOG_FILE, logs/elastic.log) before anything runs, so that
 * a bad path is one line and exit 2 rather than a stack trace from the logger, and with netlog's own
 * modes whatever the umask: the file 0640 (the log names hosts, days and errors; no one else needs to
 * read it), a folder it creates 0755.
 */

/** The mode of a log file netlog creates; an existing one that grants more is narrowed to this. */
const LOG_FILE_MODE = 0o640;

/** Opens `file` for appending and returns its descriptor; UsageError naming the problem otherwise. */
export function openLogFile(file: string): number {
  if (file.trim() === '')
    throw new UsageError('the log file path is empty: give --log-file FILE (or unset NETLOG_LOG_FILE)');
  if (file === '/dev/null') return openSync(file, 'a');
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  } catch (cause) {
    throw new UsageError(
      `cannot create the folder of the log file ${file} (${(cause as NodeJS.ErrnoException).code}): give a writable --log-file`,
      { cause },
    );
  }
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, LOG_FILE_MODE);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'EISDIR'
        ? `the log file ${file} is a directory: give a file path with --log-file`
        : `cannot open the log file ${file} (${code}): give a writable --log-file`,
      { cause },
    );
  }
  const info = fstatSync(fd);
  if (!info.isFile()) {
    closeSync(fd);
    throw new UsageError(
      `the log file ${file} is not a regular file (a device or a pipe): give a file path with --log-file, or /dev/null for none`,
    );
  }
  // A file created by an older run under a permissive umask: take away group write and any access by
  // others (only when netlog owns it; another owner's file is left as it is).
  if ((info.mode & 0o027) !== 0 && info.uid === process.getuid?.()) {
    try {
      fchmodSync(fd, info.mode & 0o750 & ~0o020);
    } catch {
      // Not ours to change after all: the log still works.
    }
  }
  return fd;
}

/**
 * Replaces every occurrence of the given secret strings (their raw and their JSON-escaped spelling) in
 * a serialized log line. The safety net behind redaction by key: a secret that reaches a message or an
 * error's text by another road (a token in ES_URL's path echoed by the client) is still hidden.
 */
export function scrubSecrets(line: string, secrets: readonly string[]): string {
  let out = maskUrlCredentials(line);
  for (const secret of secrets) {
    for (const spelling of new Set([secret, JSON.stringify(secret).slice(1, -1)]))
      if (out.includes(spelling)) out = out.split(spelling).join('[redacted]');
  }
  return out;
}

/**
 * The secrets of this run's environment worth scrubbing from every log line by value: the API key,
 * the password, the hashing key, and the path and query string of the Elasticsearch URL (`--es` or
 * ES_URL), which may hold a token. Values shorter than 8 characters are left out (they would match
 * ordinary words).
 */
export function secretsOf(env: NodeJS.ProcessEnv, esUrl?: string): string[] {
  const found = [env.ES_API_KEY, env.ES_PASSWORD, env.NETLOG_HASH_KEY];
  for (const raw of [esUrl, env.ES_URL]) {
    if (raw === undefined) continue;
    try {
      const url = new URL(raw);
      found.push(url.pathname === '/' ? undefined : url.pathname, url.search.slice(1), url.hash.slice(1));
      found.push(decodeURIComponent(url.username), decodeURIComponent(url.password));
      for (const value of url.searchParams.values()) found.push(value);
    } catch {
      // A URL that does not parse is refused before anything is logged.
    }
  }
  return [...new Set(found.filter((s): s is string => s !== undefined && s.length >= 8))].sort(
    (a, b) => b.length - a.length,
  );
}
