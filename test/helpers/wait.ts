import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Checks `done` every `everyMs` until it holds or `timeoutMs` has passed, and says which. A timeout is
 * not an error here: the caller's next assertion names what never happened.
 */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  { timeoutMs, everyMs }: { timeoutMs: number; everyMs: number },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** The raw lines of a JSON-lines log whose message is `msg` (none while the file does not exist yet). */
export async function logLinesWithMsg(file: string, msg: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.includes(`"msg":${JSON.stringify(msg)}`));
}
