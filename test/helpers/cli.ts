import { spawn, type ChildProcess } from 'node:child_process';
import { assertFreshBuild } from './build.js';
import { killChild, track } from './children.js';
import { ROOT } from './es.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves when it has exited and its output is closed. */
  readonly exit: Promise<CliResult>;
  /** What it has printed so far. */
  stdout(): string;
  stderr(): string;
}

/**
 * Starts the built binary (bin/netlog.js) as a user would, after checking that dist/ was built from the
 * current sources. The child is tracked (test/helpers/children.ts): kill it in `t.after` with
 * `killChild`, and it is killed anyway when the file ends or is stopped.
 */
export function startCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunningCli {
  assertFreshBuild();
  const child = track(
    spawn(process.execPath, [`${ROOT}bin/netlog.js`, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

/**
 * Runs the built binary to its end and collects what it printed. A run that takes longer than
 * `timeoutMs` (default 5 min: generous for a loaded machine) is killed and shows as signal SIGKILL.
 */
export async function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const run = startCli(args, options);
  const timer = setTimeout(() => killChild(run.child), options.timeoutMs ?? 300_000);
  try {
    return await run.exit;
  } finally {
    clearTimeout(timer);
    killChild(run.child);
  }
}
