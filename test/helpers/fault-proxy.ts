import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A small real HTTP proxy on 127.0.0.1 between netlog and the real Elasticsearch node, whose behaviour
 * a test switches while netlog runs: pass through, answer a status for the next N requests, stall,
 * reset connections, or stop listening. Not a mock: every request that passes reaches the real node.
 */

export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; times: number; body?: unknown }
  | { kind: 'stall'; ms: number }
  | { kind: 'reset' };

export interface FaultProxy {
  readonly url: string;
  /** Every request seen: time, method, path, and what the proxy did with it. */
  readonly seen: { at: number; method: string; path: string; outcome: string }[];
  set(mode: FaultMode): void;
  /** After `n` more passed requests, switch to `mode` (e.g. cut the node off mid-backfill). */
  after(n: number, mode: FaultMode | 'refuse'): void;
  /** Stop listening: new connections are refused, like a node that is down. */
  refuse(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let mode: FaultMode = { kind: 'pass' };
  let pending: { remaining: number; mode: FaultMode | 'refuse' } | undefined;
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<Socket>();
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const entry: FaultProxy['seen'][number] = { at: Date.now(), method: req.method ?? '', path: req.url ?? '', outcome: mode.kind };
    seen.push(entry);
    if (mode.kind === 'status' && mode.times > 0) {
      mode.times--;
      const status = mode.status;
      if (mode.times === 0) mode = { kind: 'pass' };
      entry.outcome = `status ${status}`;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify({ error: { type: status === 429 ? 'es_rejected_execution_exception' : 'injected_fault', reason: `injected ${status}` }, status }));
      return;
    }
    if (mode.kind === 'stall') {
      const ms = mode.ms;
      setTimeout(() => (res.destroyed ? undefined : forward(req, res)), ms);
      return;
    }
    if (mode.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    entry.outcome = 'pass';
    forward(req, res);
    if (pending && --pending.remaining <= 0) {
      const next = pending.mode;
      pending = undefined;
      // Switch once this response has been delivered, so the counted request really passed.
      res.on('close', () => {
        if (next === 'refuse') void proxy.refuse();
        else mode = next;
      });
    }
  };

  const server: Server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const proxy: FaultProxy = {
    // An address, not "localhost": the proxy listens on IPv4 loopback only.
    url: `http://127.0.0.1:${port}`,
    seen,
    set(next) {
      mode = next;
    },
    after(n, next) {
      pending = { remaining: n, mode: next };
    },
    async refuse() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async close() {
      if (server.listening) await proxy.refuse();
    },
  };
  return proxy;
}
