import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { killChild, track } from './children.js';

/**
 * A real headless Chromium driven through the DevTools protocol over a pipe (--remote-debugging-pipe:
 * NUL-separated JSON on file descriptors 3 and 4), so no WebSocket client or extra package is needed.
 * It opens a page and reports everything that went wrong: console errors and warnings, uncaught
 * exceptions, log entries of level error (failed resource loads, blocked content), and every request
 * the page made, so a test can prove a report is self-contained.
 */

/** Debian's chromium, or undefined when it is not installed. */
export function findChromium(): string | undefined {
  return ['chromium', '/usr/bin/chromium', 'chromium-browser', '/usr/bin/chromium-browser'].find(
    (p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

export interface PageProblems {
  readonly console: { type: string; text: string }[];
  readonly exceptions: string[];
  readonly logErrors: string[];
  readonly failedRequests: string[];
  /** Every URL the page requested, the page itself first. */
  readonly requests: string[];
}

export interface PageVisit extends PageProblems {
  /** PNG bytes of the viewport (or the full page with fullPage). */
  readonly screenshot: Buffer;
  /** The value of `evaluate`, run in the page after load. */
  readonly evaluated: unknown;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/**
 * Opens `url` in a fresh headless Chromium (own profile, no network features, offline emulated),
 * waits for the load event and a quiet moment, evaluates `evaluate`, takes a screenshot, and closes.
 */
export async function visitPage(
  chromium: string,
  url: string,
  options: { width: number; height: number; evaluate?: string; fullPage?: boolean; timeoutMs?: number },
): Promise<PageVisit> {
  const profile = await mkdtemp(join(tmpdir(), 'netlog-chromium-'));
  const child = track(
    spawn(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    ),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (m: CdpMessage) => void; reject: (e: Error) => void }>();
  const listeners: ((m: CdpMessage) => void)[] = [];
  let buffer = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      const message = JSON.parse(buffer.slice(0, end)) as CdpMessage;
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined && pending.has(message.id)) {
        const p = pending.get(message.id)!;
        pending.delete(message.id);
        if (message.error) p.reject(new Error(`DevTools: ${message.error.message}`));
        else p.resolve(message);
      } else listeners.forEach((l) => l(message));
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`chromium exited (${code}) early: ${stderr.slice(-2000)}`))),
  );
  exited.catch(() => undefined);
  let nextId = 0;
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    Promise.race([
      new Promise<CdpMessage>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) })}\0`);
      }),
      exited,
    ]);

  const problems: PageProblems = {
    console: [],
    exceptions: [],
    logErrors: [],
    failedRequests: [],
    requests: [],
  };
  let loaded: () => void = () => undefined;
  const loadedPromise = new Promise<void>((resolve) => (loaded = resolve));
  listeners.push((m) => {
    const p = m.params ?? {};
    switch (m.method) {
      case 'Runtime.consoleAPICalled': {
        const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
        problems.console.push({
          type: String(p.type),
          text: args.map((a) => String(a.value ?? a.description ?? '')).join(' '),
        });
        break;
      }
      case 'Runtime.exceptionThrown': {
        const d = p.exceptionDetails as { text: string; exception?: { description?: string } };
        problems.exceptions.push(`${d.text} ${d.exception?.description ?? ''}`.trim());
        break;
      }
      case 'Log.entryAdded': {
        const e = p.entry as { level: string; text: string; url?: string };
        if (e.level === 'error') problems.logErrors.push(`${e.text}${e.url ? ` (${e.url})` : ''}`);
        break;
      }
      case 'Network.requestWillBeSent':
        problems.requests.push((p.request as { url: string }).url);
        break;
      case 'Network.loadingFailed':
        problems.failedRequests.push(`${String(p.errorText)} (${String(p.type)})`);
        break;
      case 'Page.loadEventFired':
        loaded();
        break;
    }
  });

  const timeout = options.timeoutMs ?? 180_000; // a loaded 2-core machine starts Chromium slowly
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      (async (): Promise<PageVisit> => {
        const { result: target } = await send('Target.createTarget', { url: 'about:blank' });
        const { result: attached } = await send('Target.attachToTarget', {
          targetId: target!.targetId,
          flatten: true,
        });
        const session = attached!.sessionId as string;
        for (const domain of ['Runtime', 'Log', 'Network', 'Page'])
          await send(`${domain}.enable`, {}, session);
        // Offline: a report that needs the network to render fails here instead of on a plane.
        await send(
          'Network.emulateNetworkConditions',
          { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
          session,
        );
        await send(
          'Emulation.setDeviceMetricsOverride',
          { width: options.width, height: options.height, deviceScaleFactor: 1, mobile: false },
          session,
        );
        await send('Page.navigate', { url }, session);
        await loadedPromise;
        // Layout and paint done: the fonts are loaded and two frames have been drawn since the load.
        await send(
          'Runtime.evaluate',
          {
            expression:
              'document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))',
            awaitPromise: true,
          },
          session,
        );
        const evaluated =
          options.evaluate === undefined
            ? undefined
            : (
                (
                  await send(
                    'Runtime.evaluate',
                    { expression: options.evaluate, returnByValue: true },
                    session,
                  )
                ).result as { result: { value: unknown } }
              ).result.value;
        let clip: Record<string, number> | undefined;
        if (options.fullPage) {
          const metrics = (await send('Page.getLayoutMetrics', {}, session)).result as {
            cssContentSize: { width: number; height: number };
          };
          clip = {
            x: 0,
            y: 0,
            width: options.width,
            height: Math.ceil(metrics.cssContentSize.height),
            scale: 1,
          };
        }
        const shot = await send(
          'Page.captureScreenshot',
          { format: 'png', ...(clip && { clip, captureBeyondViewport: true }) },
          session,
        );
        return { ...problems, evaluated, screenshot: Buffer.from(String(shot.result!.data), 'base64') };
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`chromium: no answer within ${timeout} ms`)), timeout);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await send('Browser.close').catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) {
      // Browser.close asked it to go; it is killed if it has not gone by the time it would have.
      const gone = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => killChild(child), 30_000);
      await gone;
      clearTimeout(timer);
    }
    await rm(profile, { recursive: true, force: true });
  }
}
