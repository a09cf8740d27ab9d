import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { assertFreshBuild } from './build.js';
import { ROOT } from './es.js';

/**
 * A contender for the run lock: a small node process that calls acquireRunLock from the build (dist/),
 * prints one JSON line with the outcome and holds a won lock until SIGTERM. It says `ready` once
 * loaded and tries the lock only when told `go` on stdin, so several can race at the same instant
 * however slowly each started. No node:test import: scripts/lock-race.ts uses it too.
 */
const SCRIPT = `
const [dataDir, cmd, lockModule] = process.argv.slice(1);
const { acquireRunLock } = await import(lockModule);
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
try {
  const lock = await acquireRunLock(dataDir, { cmd });
  const quit = () => lock.release().then(() => process.exit(0));
  process.on('SIGTERM', quit);
  process.stdin.on('end', quit); // the test process went away: do not hold the lock forever
  console.log(JSON.stringify({ won: true, pid: process.pid, replaced: lock.replaced ?? null }));
  setInterval(() => {}, 1000);
} catch (err) {
  console.log(JSON.stringify({ won: false, pid: process.pid, name: err.name, exitCode: err.exitCode, message: err.message }));
  process.exitCode = err.exitCode ?? 1;
  process.stdin.destroy();
}`;

export interface Outcome {
  won: boolean;
  pid: number;
  name?: string;
  exitCode?: number;
  message?: string;
  replaced?: { holder: { pid: number }; reason: string } | null;
}

export interface Contender {
  readonly child: ChildProcess;
  /** Resolves once it has loaded the lock module and waits for `go`. */
  readonly ready: Promise<void>;
  /** Tells it to try the lock now. */
  go(): void;
  /** Its outcome line. */
  readonly outcome: Promise<Outcome>;
  /** Its exit code (0 after a held lock was released on SIGTERM, 4 for a LockError). */
  readonly exit: Promise<number | null>;
}

/** `lockModule`: another build's dist/store/lock.js, to compare (scripts/lock-race.ts). */
export function startContender(dataDir: string, cmd: string, lockModule?: string): Contender {
  if (lockModule === undefined) assertFreshBuild();
  const module = pathToFileURL(lockModule ?? `${ROOT}dist/store/lock.js`).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, dataDir, cmd, module], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      lines.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
    }
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const line = (index: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (lines.length > index) resolve(lines[index]!);
        else waiters.push(check);
      };
      check();
      void closed.then(() =>
        lines.length > index ? undefined : reject(new Error(`contender ${child.pid} exited silently`)),
      );
    });
  const ready = line(0).then((l) => {
    if (l !== 'ready') throw new Error(`contender said ${l}`);
  });
  ready.catch(() => undefined);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const outcome = line(1).then((l) => JSON.parse(l) as Outcome);
  outcome.catch(() => undefined); // reported to whoever awaits it
  child.stdin!.on('error', () => undefined); // writing `go` to one that already died
  return { child, ready, go: () => void child.stdin!.write('go\n'), outcome, exit };
}

/** Starts `n` contenders, waits until all are ready, then lets them race. */
export async function race(
  n: number,
  dataDir: string,
  cmd: string,
  track: (c: ChildProcess) => void = () => undefined,
  lockModule?: string,
): Promise<Contender[]> {
  const racers = Array.from({ length: n }, () => startContender(dataDir, cmd, lockModule));
  racers.forEach((r) => track(r.child));
  await Promise.all(racers.map((r) => r.ready));
  racers.forEach((r) => r.go());
  return racers;
}
