import { after } from 'node:test';
import type { ChildProcess } from 'node:child_process';

/**
 * Every child process a test starts is registered here (`track`) and killed with SIGKILL whatever
 * happens to the test:
 * - by the test itself, in `t.after` or `finally` (`killChild`);
 * - after the file's last test (a root `after` hook): a test that timed out may have left one running,
 *   and a live child with open pipes would keep the file from ever ending;
 * - when the runner stops the file (`--test-timeout` sends SIGTERM) and when the file's process exits.
 * `onAbort` registers synchronous cleanups (stopping a node the file started) for the last two cases.
 */

const live = new Set<ChildProcess>();
const aborts = new Set<() => void>();

export function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** SIGKILL unless it has already exited; safe to call twice and after a failed spawn. */
export function killChild(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Runs `fn` if the file is stopped or exits before the returned function unregisters it. */
export function onAbort(fn: () => void): () => void {
  aborts.add(fn);
  return () => void aborts.delete(fn);
}

function killAll(): void {
  for (const child of live) killChild(child);
}

function abortAll(): void {
  killAll();
  for (const fn of aborts) {
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
  aborts.clear();
}

after(killAll);
process.on('exit', abortAll);
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)
  process.once(signal, () => {
    abortAll();
    process.exit(code);
  });
