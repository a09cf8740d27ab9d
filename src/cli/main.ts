import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { ExitCode, InterruptedError, NetlogError, causeChain, describeError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { scrubSecrets, secretsOf } from '../log-file.js';
import { scrubIpLiterals } from '../net/ip.js';
import type { CommandContext } from './context.js';

/**
 * The only code that touches argv, signals and process.exitCode. It sets exitCode rather than calling
 * process.exit, so that log lines are flushed and child processes are reaped.
 */
export async function main(argv: readonly string[]): Promise<void> {
  keepHeapSmall();
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(ExitCode.interrupted);
    process.stderr.write(`netlog: ${signal} received, stopping after the current file (again to abort)\n`);
    controller.abort(new InterruptedError());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `netlog verify | head` closes stdout early: stop writing to it (the run itself carries on, so a
  // repair is not left half done) instead of dying on the unhandled EPIPE.
  let stdoutClosed = false;
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
  };
  process.stdout.on('error', onStdoutError);

  let log: Logger | undefined;
  const runId = randomUUID().slice(0, 8);
  let secrets = secretsOf(process.env);
  const makeContext = (
    cmd: string,
    options: { quiet?: boolean; logFile?: string; es?: string },
  ): CommandContext => {
    secrets = secretsOf(process.env, options.es);
    log = createLogger({
      ...(options.logFile !== undefined && { file: options.logFile }),
      consoleLevel: options.quiet ? 'warn' : 'info',
      base: { cmd, runId },
      secrets,
    });
    const fixed = process.env.NETLOG_NOW;
    const now = fixed ? new Date(fixed) : new Date();
    if (Number.isNaN(now.getTime()))
      throw new NetlogError(`NETLOG_NOW "${fixed}" is not an ISO date-time`, ExitCode.usage);
    return {
      log,
      now,
      env: process.env,
      signal: controller.signal,
      out: (line) => {
        if (!stdoutClosed) process.stdout.write(`${line}\n`);
      },
      isTTY: process.stderr.isTTY === true,
    };
  };

  let commandExitCode: number = ExitCode.ok;
  const program = buildProgram(makeContext, (code) => (commandExitCode = code));
  try {
    await program.parseAsync(argv);
    process.exitCode = commandExitCode;
  } catch (err) {
    process.exitCode = reportError(err, log, secrets);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * netlog holds little (a live heap of 20–35 MB in bench/), but it parses one search response after
 * another, and by default V8 lets the old generation grow up to about four times what survived the
 * last full collection before it collects again. Doubling at most instead took peak RSS from ~245 to
 * ~185 MB for a 3-day backfill at 1M documents a day, and from ~240 to ~178 MB for 30 days at 100k,
 * at the same wall time and ~5 % more client CPU (bench/notes.md). A growth policy, not a limit: the
 * heap still grows as far as the data needs. V8 reads the flag at every full collection, so setting
 * it once running works.
 */
function keepHeapSmall(): void {
  try {
    setFlagsFromString('--heap-growing-percent=100');
  } catch {
    // A runtime that refuses V8 flags runs with its defaults.
  }
}

/**
 * Prints one line for a known error (`problem: cause: cause…`, through the logger, which scrubs it and
 * keeps the chain in the log file), the stack and causes for an unknown one, and returns the exit code.
 */
function reportError(err: unknown, log: Logger | undefined, secrets: readonly string[]): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (usage errors, --help, --version).
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    )
      return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof NetlogError) {
    log?.error({ err, exitCode: err.exitCode }, err.message);
    if (!log) process.stderr.write(`netlog: ${scrubSecrets(scrubIpLiterals(describeError(err)), secrets)}\n`);
    return err.exitCode;
  }
  log?.fatal({ err }, 'unexpected error (a bug: please report it with logs/elastic.log)');
  const causes = causeChain(err)
    .slice(1)
    .map((c) => `\ncaused by: ${c}`)
    .join('');
  process.stderr.write(
    `netlog: unexpected error: ${scrubSecrets(scrubIpLiterals(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}${causes}`), secrets)}\n`,
  );
  return ExitCode.runtime;
}
