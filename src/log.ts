import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { scrubIpLiterals } from './net/ip.js';
import { openLogFile, scrubSecrets } from './log-file.js';
import { describeError } from './errors.js';

/**
 * One root logger per process: JSON lines to logs/elastic.log (every run, git included) and short
 * readable lines on stderr. Credentials and the hash key are redacted by key; any IP literal that
 * slips into a message or error (a connection error naming an address, say) is scrubbed from the
 * serialized line before it is written anywhere.
 */

export type { Logger };

const DEFAULT_LOG_FILE = 'logs/elastic.log';

const REDACT_PATHS = [
  'apiKey',
  'password',
  'hashKey',
  'key',
  'authorization',
  '*.apiKey',
  '*.password',
  '*.hashKey',
  '*.authorization',
  '*.headers.authorization',
  'connection',
  '*.connection',
];

export interface LogOptions {
  /** JSON-lines file; default logs/elastic.log. */
  file?: string;
  /** Lowest level on stderr: 'info' by default, 'warn' with --quiet, 'silent' to mute. */
  consoleLevel?: pino.LevelWithSilent;
  /** Extra fields on every line (cmd, runId). */
  base?: Record<string, unknown>;
  /** Secret values hidden from every line wherever they appear (log-file.ts `secretsOf`). */
  secrets?: readonly string[];
}

/** Creates the root logger; UsageError when the log file cannot be opened (log-file.ts). */
export function createLogger(options: LogOptions = {}): Logger {
  const file = options.file ?? process.env.NETLOG_LOG_FILE ?? DEFAULT_LOG_FILE;
  const streams: pino.StreamEntry[] = [
    { level: 'debug', stream: pino.destination({ dest: openLogFile(file), sync: true }) },
  ];
  const secrets = options.secrets ?? [];
  const consoleLevel = options.consoleLevel ?? 'info';
  if (consoleLevel !== 'silent') streams.push({ level: consoleLevel, stream: consoleStream(process.stderr) });
  return pino(
    {
      level: 'debug',
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrubSecrets(scrubIpLiterals(line), secrets) },
      serializers: { err: serializeError },
    },
    pino.multistream(streams, { dedupe: false }),
  );
}

/** How many causes of an error the log line holds (a cycle, or a library's very deep chain, stops there). */
const MAX_LOGGED_CAUSES = 10;

/**
 * An error as a log line holds it: pino's serializer (type, the error's own fields, the stack with
 * every cause's), with `message` the error's own and `cause` the chain, each level its type, message
 * and code. Only those three of a cause: a client library's error carries the request and the answer
 * (headers, bodies), which have no place in a log.
 */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { ...pino.stdSerializers.err(err), message: err.message };
  let at = out;
  const seen = new Set<unknown>([err]);
  for (let c = err.cause, depth = 0; c !== undefined && depth < MAX_LOGGED_CAUSES; c = causeOf(c), depth++) {
    if (seen.has(c)) break;
    seen.add(c);
    const level: Record<string, unknown> =
      c instanceof Error
        ? {
            type: c.name,
            message: c.message,
            ...(typeof (c as NodeJS.ErrnoException).code === 'string' && {
              code: (c as NodeJS.ErrnoException).code,
            }),
          }
        : { type: typeof c, message: typeof c === 'object' ? safeJson(c) : String(c) };
    at.cause = level;
    at = level;
  }
  return out;
}

const causeOf = (e: unknown): unknown => (e instanceof Error ? e.cause : undefined);

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const QUIET_KEYS = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'cmd',
  'runId',
  'module',
  'v',
  'exitCode',
]);

/** Formats each JSON line as `level msg key=value …` for a human on a terminal or in cron mail. */
function consoleStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          const level = LEVEL_NAMES[record.level as number] ?? 'info';
          // A line whose message is its error's: the error and its causes in one line
          // (`problem: cause: cause…`); the stack stays in the file. Another error is a field.
          const errMessage = (record.err as { message?: unknown } | undefined)?.message;
          const errIsMsg = typeof errMessage === 'string' && errMessage === record.msg;
          const text = errIsMsg ? describeError(record.err) : String(record.msg ?? '');
          const fields = Object.entries(record)
            .filter(([k]) => !QUIET_KEYS.has(k) && !(k === 'err' && errIsMsg))
            .map(
              ([k, v]) =>
                `${k}=${k === 'err' ? describeError(v) : typeof v === 'string' ? v : JSON.stringify(v)}`,
            );
          out.write(
            `${level === 'info' ? '' : `netlog: ${level}: `}${text}${fields.length ? `  ${fields.join(' ')}` : ''}\n`,
          );
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
