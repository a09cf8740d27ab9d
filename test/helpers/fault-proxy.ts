import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A small real HTTP proxy on 127.0.0.1 between netlog and the real Elasticsearch node, whose behaviour
 * a test switches while netlog runs: pass through, answer a status for the next N requests, stall,
 * cut a response in the middle of its body, reset connections, fail every n-th request, rewrite the
 * node's answer (a faulty or hostile one: a page repeated, a bad count, a redirect), or stop
 * listening. Not a mock: every request that passes reaches the real node.
 */

/** What the proxy does with the next requests. `times` counts the requests a fault applies to;
 * after them the proxy passes requests through again. */
export type FaultMode =
  | { kind: 'pass' }
  /** Answers `status` itself: an Elasticsearch-style JSON error, or `body` as given (e.g. the HTML
   * page of a load balancer, which has no x-elastic-product header). */
  | { kind: 'status'; status: number; times: number; body?: string; contentType?: string }
  /** Holds each request for `ms` before passing it on (for ever, or for the next `times` requests). */
  | { kind: 'stall'; ms: number; times?: number }
  /** Passes the request, then delivers the status line, the headers and the first `bytes` of the
   * body, and destroys the connection: an answer cut off mid-way. */
  | { kind: 'truncate'; bytes: number; times?: number }
  /** Destroys the connection without an answer. */
  | { kind: 'reset' }
  /** Every `n`-th request (counting from when this mode is set) gets `status`; the rest pass. */
  | { kind: 'every'; n: number; status: number }
  /** Each distinct request (method, path and body) gets `status` the first time it is seen and passes
   * when it is sent again: every request needs exactly one retry, whatever the order or concurrency. */
  | { kind: 'first-attempt'; status: number }
  /** Passes the request to the node, then hands its whole answer to `rewrite` and delivers what it
   * returns instead: a faulty or hostile answer built from a real one. Only requests whose path
   * matches `only` (default: searches) are rewritten, for the next `times` of them (default: all). */
  | { kind: 'rewrite'; rewrite: Rewrite; only?: RegExp; times?: number }
  /** Holds every request until `release()`: the moment to change the cluster under a running
   * command (kill a node) without racing it. */
  | { kind: 'hold' };

/** An answer as it travels: status, headers and the raw body (as sent, not decompressed). */
export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
export type Rewrite = (
  answer: ProxiedAnswer,
  request: { method: string; path: string; body: string },
) => ProxiedAnswer | Promise<ProxiedAnswer>;

/** A rewrite of the answer's JSON (the headers kept, the length fixed). */
export function rewriteJson(edit: (json: Record<string, unknown>, requestBody: string) => unknown): Rewrite {
  return (answer, request) => ({
    ...answer,
    body: Buffer.from(
      JSON.stringify(edit(JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>, request.body)),
    ),
  });
}

export interface SeenRequest {
  /** When the proxy received it (ms since the epoch). */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** 'pass', 'status 429', 'stall', 'truncate', 'reset', 'rewrite'. */
  outcome: string;
  /** A stalled request the client closed while the proxy still held it (its timeout): when. */
  abandonedAt?: number;
}

export interface FaultProxy {
  readonly url: string;
  /** Every request seen, in arrival order. */
  readonly seen: SeenRequest[];
  set(mode: FaultMode): void;
  /** After `n` more passed requests, switch to `mode` (e.g. cut the node off mid-backfill). */
  after(n: number, mode: FaultMode | 'refuse'): void;
  /** Passes the held requests on (in arrival order) and passes the next ones. */
  release(): void;
  /** Stop listening: new connections are refused, like a node that is down. */
  refuse(): Promise<void>;
  close(): Promise<void>;
}

function errorBody(status: number): string {
  const type = status === 429 ? 'es_rejected_execution_exception' : 'injected_fault';
  return JSON.stringify({ error: { type, reason: `injected ${status}` }, status });
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let mode: FaultMode = { kind: 'pass' };
  let counted = 0; // requests seen since the mode was set (for 'every')
  let pending: { remaining: number; mode: FaultMode | 'refuse' } | undefined;
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const stalls = new Set<NodeJS.Timeout>();

  const setMode = (next: FaultMode): void => {
    mode = next;
    counted = 0;
  };
  /** One request of a fault with `times` used up; back to passing when none are left. */
  const useOne = (m: { times?: number }): void => {
    if (m.times === undefined) return;
    m.times--;
    if (m.times <= 0) setMode({ kind: 'pass' });
  };

  const firstSeen = new Set<string>();
  const held: (() => void)[] = [];

  /** Forwards a request whose body is buffered, and delivers `rewrite` of the node's answer. */
  const forwardRewritten = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    rewrite: Rewrite,
  ): void => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const original: ProxiedAnswer = {
            status: up.statusCode ?? 502,
            headers: { ...up.headers },
            body: Buffer.concat(chunks),
          };
          Promise.resolve(
            rewrite(original, { method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') }),
          ).then(
            (answer) => {
              const headers: ProxiedAnswer['headers'] = {
                ...answer.headers,
                'content-length': String(answer.body.length),
              };
              delete headers['transfer-encoding'];
              res.writeHead(answer.status, headers);
              res.end(answer.body);
            },
            () => res.destroy(),
          );
        });
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, cutAfter?: number, body?: Buffer): void => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        if (cutAfter === undefined) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        // Announce the whole body, send only its beginning, then cut the connection.
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...up.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 502, headers);
          res.write(body.subarray(0, Math.min(cutAfter, body.length - 1)), () => res.socket?.destroy());
        });
      },
    );
    out.on('error', () => res.destroy());
    if (body === undefined) req.pipe(out);
    else out.end(body);
  };

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body?: string,
    contentType?: string,
  ) => {
    req.resume();
    const headers: Record<string, string> = { 'content-type': contentType ?? 'application/json' };
    // Elasticsearch's own errors carry the product header; a load balancer's page does not.
    if (body === undefined) headers['x-elastic-product'] = 'Elasticsearch';
    res.writeHead(status, headers);
    res.end(body ?? errorBody(status));
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const entry: SeenRequest = {
      at: Date.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      outcome: 'pass',
    };
    seen.push(entry);
    counted++;
    const m = mode;
    switch (m.kind) {
      case 'status':
        if (m.times > 0) {
          entry.outcome = `status ${m.status}`;
          useOne(m);
          answer(req, res, m.status, m.body, m.contentType);
          return;
        }
        break;
      case 'every':
        if (counted % m.n === 0) {
          entry.outcome = `status ${m.status}`;
          answer(req, res, m.status);
          return;
        }
        break;
      case 'stall': {
        entry.outcome = 'stall';
        useOne(m);
        // A held request must not keep the test process alive once its client has gone.
        const timer = setTimeout(() => {
          stalls.delete(timer);
          if (!res.destroyed) forward(req, res);
        }, m.ms);
        stalls.add(timer);
        res.on('close', () => {
          if (stalls.has(timer)) entry.abandonedAt = Date.now();
          clearTimeout(timer);
          stalls.delete(timer);
        });
        return;
      }
      case 'truncate':
        entry.outcome = 'truncate';
        useOne(m);
        forward(req, res, m.bytes);
        return;
      case 'first-attempt': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          const id = `${req.method} ${req.url} ${body.toString('utf8')}`;
          if (firstSeen.has(id)) {
            forward(req, res, undefined, body);
          } else {
            firstSeen.add(id);
            entry.outcome = `status ${m.status}`;
            answer(req, res, m.status);
          }
        });
        return;
      }
      case 'rewrite': {
        if (!(m.only ?? /_search/).test(req.url ?? '')) break;
        entry.outcome = 'rewrite';
        useOne(m);
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => forwardRewritten(req, res, Buffer.concat(chunks), m.rewrite));
        return;
      }
      case 'hold':
        entry.outcome = 'hold';
        held.push(() => {
          if (!res.destroyed) forward(req, res);
        });
        return;
      case 'reset':
        entry.outcome = 'reset';
        req.socket.destroy();
        return;
      case 'pass':
        break;
    }
    forward(req, res);
    if (pending && --pending.remaining <= 0) {
      const next = pending.mode;
      pending = undefined;
      // Switch once this response has been delivered, so the counted request really passed.
      res.on('close', () => {
        if (next === 'refuse') void proxy.refuse();
        else setMode(next);
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
    set: setMode,
    after(n, next) {
      pending = { remaining: n, mode: next };
    },
    release() {
      setMode({ kind: 'pass' });
      for (const go of held.splice(0)) go();
    },
    async refuse() {
      for (const t of stalls) clearTimeout(t);
      stalls.clear();
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
