import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { scrubIpLiterals } from './net/ip.js';
import { openLogFile, scrubSecrets } from './log-file.js';

/**
 * One root logger per process: JSON lines to logs/elastic.log (every run, git included) and short
 * readable lines on stderr. Credentials and the hash key are redacted by key; any IP literal that
 * slips into a message or error (a connection error naming an address, say) is scrubbed from the
 * serialized line before it is written anywhere.
 */

export type { Logger };

export const DEFAULT_LOG_FILE = 'logs/elastic.log';

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
      serializers: { err: pino.stdSerializers.err },
    },
    pino.multistream(streams, { dedupe: false }),
  );
}

/** A logger that writes nowhere, for pure tests of code that takes a logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
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
          // A known error's message is its whole story on the terminal; the stack and the causes stay in
          // the file. (pino's serializer appends the causes' messages to err.message.)
          const errMessage = (record.err as { message?: unknown } | undefined)?.message;
          const errIsMsg =
            typeof errMessage === 'string' &&
            typeof record.msg === 'string' &&
            errMessage.startsWith(record.msg);
          const fields = Object.entries(record)
            .filter(([k]) => !QUIET_KEYS.has(k) && !(k === 'err' && errIsMsg))
            .map(
              ([k, v]) =>
                `${k}=${k === 'err' ? errorText(v) : typeof v === 'string' ? v : JSON.stringify(v)}`,
            );
          out.write(
            `${level === 'info' ? '' : `netlog: ${level}: `}${String(record.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`,
          );
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

function errorText(v: unknown): string {
  if (v && typeof v === 'object' && 'message' in v) return String((v as { message: unknown }).message);
  return JSON.stringify(v);
}
