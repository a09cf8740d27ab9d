/**
 * The errors netlog knows how to explain. Each carries one clear line for the operator (`message`),
 * the exit code it maps to, and the underlying `cause`. Anything else that reaches the CLI is an
 * unknown error: logged with its stack and never swallowed.
 */

/** Exit codes, as documented in the README. */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  partial: 3,
  locked: 4,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class of every known error: a one-line message and an exit code. */
export class NetlogError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad flags, bad config, bad dates: nothing was run, nothing was written. Exit 2. */
export class UsageError extends NetlogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** The configuration file or environment is invalid. Exit 2. */
export class ConfigError extends NetlogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** Elasticsearch failed (down, slow, refused, rejected the query). Exit 1. */
export class EsError extends NetlogError {
  readonly statusCode: number | undefined;
  readonly table: string | undefined;
  readonly day: string | undefined;
  /** True when trying again later may help (busy, timed out, unreachable); false for 4xx answers. */
  readonly retryable: boolean;
  constructor(
    message: string,
    details: { statusCode?: number; table?: string; day?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, ExitCode.runtime, { cause: details.cause });
    this.statusCode = details.statusCode;
    this.table = details.table;
    this.day = details.day;
    this.retryable = details.retryable ?? false;
  }
}

/** A terms level would drop buckets, or a response is not shaped as the query asked. Exit 1. */
export class DataError extends NetlogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runtime, options);
  }
}

/** Reading or writing the data directory failed. Exit 1. */
export class StoreError extends NetlogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runtime, options);
  }
}

/** A git operation failed. Exit 1. Commits stay local and go out on the next run. */
export class GitError extends NetlogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runtime, options);
  }
}

/** Another netlog run holds the lock on the data directory. Exit 4. */
export class LockError extends NetlogError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.locked, options);
  }
}

/** The run was stopped by SIGINT/SIGTERM after finishing what it could cleanly. Exit 130. */
export class InterruptedError extends NetlogError {
  constructor(message = 'interrupted: finished files were kept, the unfinished one was discarded') {
    super(message, ExitCode.interrupted);
  }
}

/** A bug: an invariant of netlog itself does not hold. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** How deep a cause chain is followed (a cycle, or a library's very deep chain, stops there). */
const MAX_CAUSES = 10;
/** The label a command-line tool puts before its message. */
const SEVERITY_LABEL = /^(fatal|error|warning): /i;
/** A cause's text longer than this is cut on the terminal line (with a marker; the log holds it whole). */
const MAX_CAUSE_CHARS = 300;

/**
 * The messages of an error and of its causes, outermost first, each as it is (the log's view). Works
 * on errors and on their serialized form alike (anything with `message` and `cause`). Pure.
 */
export function causeChain(err: unknown): string[] {
  const chain: string[] = [];
  const seen = new Set<unknown>();
  for (let e = err, depth = 0; e !== undefined && e !== null && depth <= MAX_CAUSES; depth++) {
    if (seen.has(e)) break;
    seen.add(e);
    chain.push(messageOf(e));
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

/**
 * The one line an operator reads: `problem: cause: cause…`. A cause is left out when the text before
 * it already says it (a message that quotes its cause, with or without the tool's `fatal:`); each cause is made one line, and one longer
 * than a few hundred characters (a server's whole answer) is cut with a marker. Pure: the caller
 * scrubs addresses and secrets from it as from any line.
 */
export function describeError(err: unknown): string {
  const [first = '', ...causes] = causeChain(err);
  let line = oneLine(first);
  for (const cause of causes) {
    let text = oneLine(cause);
    // A tool's own label ("fatal: …", git's) does not make a cause new when its words are said already.
    if (text === '' || line.includes(text.replace(SEVERITY_LABEL, ''))) continue;
    if (text.length > MAX_CAUSE_CHARS)
      text = `${text.slice(0, MAX_CAUSE_CHARS)}… (cut here: the log file holds it whole)`;
    line = line === '' ? text : `${line}: ${text}`;
  }
  return line;
}

function messageOf(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const { message, code } = e as { message?: unknown; code?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (typeof code === 'string') return code;
    try {
      return JSON.stringify(e) ?? '';
    } catch {
      return '';
    }
  }
  return String(e);
}

/** Line breaks, tabs and other control characters (a terminal escape in a server's answer) become one space. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
