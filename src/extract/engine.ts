import type { Readable } from 'node:stream';
import {
  Client as EsClient,
  errors as esErrors,
  SniffingTransport,
  type ClientOptions,
  type DiagnosticResult,
  type estypes,
} from '@elastic/elasticsearch';
import type * as OpenSearchLibraryModule from '@opensearch-project/opensearch';
import type {
  Client as OsClient,
  ClientOptions as OsClientOptions,
  errors as OsErrors,
} from '@opensearch-project/opensearch';

type OpenSearchLibrary = typeof OpenSearchLibraryModule;

/**
 * The OpenSearch client library, loaded on first use: a run against Elasticsearch never needs it,
 * and loading it took 0.18 s of a load run's CPU (a CPU profile of one day's load-backfill).
 */
let openSearchLibrary: Promise<OpenSearchLibrary> | undefined;
const loadOpenSearch = (): Promise<OpenSearchLibrary> =>
  (openSearchLibrary ??= import('@opensearch-project/opensearch'));

/**
 * The one place where Elasticsearch and OpenSearch differ. Both take the same request bodies and
 * answer in the same shape; what differs is the client library (`@elastic/elasticsearch` refuses a
 * server that is not Elasticsearch, `@opensearch-project/opensearch` wraps every answer in `body` and
 * takes the request body apart from the query string), the product check and the version probe.
 *
 * Everything else in netlog talks to an `EngineClient`: answers come back in Elasticsearch's shape and
 * failures as `@elastic/elasticsearch`'s error classes, so queries, retries and answer handling have
 * a single code path whichever server answers.
 */

const ENGINES = ['elasticsearch', 'opensearch'] as const;
export type EngineName = (typeof ENGINES)[number];
/** `auto`: the server's answer to the first request decides. */
export type EngineChoice = EngineName | 'auto';

export const PRODUCT: Record<EngineName, string> = {
  elasticsearch: 'Elasticsearch',
  opensearch: 'OpenSearch',
};

interface EngineInfo {
  readonly engine: EngineName;
  /** The node's version, as the node reports it (`9.5.4`, `2.19.1`). */
  readonly version: string;
  /** What the server says it is, for `doctor`: `opensearch`, `Elasticsearch`, or undefined. */
  readonly distribution: string | undefined;
}

type Params = Record<string, unknown>;
interface CallOptions {
  signal?: AbortSignal;
}

interface BulkDoc {
  readonly index: string;
  readonly id: string;
  readonly body: Record<string, unknown>;
}

/** The operations netlog (and its tests) perform, answered in Elasticsearch's shape. */
export interface EngineClient {
  /** Which engine answers (after `auto` detection; makes the first request when none was made). */
  engine(): Promise<EngineName>;
  /** The engine and the local node's version. */
  info(): Promise<EngineInfo>;
  search(
    params: Params,
    options?: CallOptions,
  ): Promise<estypes.SearchResponse<unknown, Record<string, unknown>>>;
  count(params: Params): Promise<estypes.CountResponse>;
  fieldCaps(params: Params): Promise<estypes.FieldCapsResponse>;
  bulk(params: { operations: unknown[]; refresh?: boolean | 'wait_for' }): Promise<estypes.BulkResponse>;
  /** Streams documents into their indices; resolves with the number that failed after retries. */
  bulkIndex(
    docs: AsyncIterable<BulkDoc>,
    onDrop: (status: number | undefined, errorType: string | undefined) => void,
  ): Promise<{ failed: number }>;
  readonly cluster: { health(params?: Params): Promise<estypes.ClusterHealthResponse> };
  readonly indices: {
    exists(params: { index: string }): Promise<boolean>;
    create(params: { index: string; settings?: unknown; mappings?: unknown }): Promise<unknown>;
    refresh(params: { index: string }): Promise<unknown>;
    delete(params: Params): Promise<unknown>;
    getMapping(params: Params): Promise<Record<string, { mappings: unknown }>>;
  };
  readonly cat: { indices(params: Params): Promise<{ index?: string; 'docs.count'?: string }[]> };
  /** One request whose answer is returned unread (status, headers, body stream): see request.ts. */
  raw(request: RawRequest, options: RawOptions): Promise<RawAnswer>;
  close(): Promise<void>;
}

interface RawRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly querystring?: Record<string, string | number | boolean>;
  readonly body?: Record<string, unknown>;
}
interface RawOptions {
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}
interface RawAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable;
}

/** Connection options common to both clients (built by client.ts from the environment). */
export interface EngineConnection {
  readonly node?: string;
  readonly cloudId?: string;
  readonly auth?: { apiKey: string } | { username: string; password: string };
  readonly tls?: { ca?: Buffer; rejectUnauthorized?: boolean };
  readonly requestTimeout: number;
}

/** `ES_ENGINE` or `es.engine`: one of the engines or `auto`; anything else is a configuration error. */
export function parseEngineChoice(value: string | undefined): EngineChoice | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  return v === 'auto' || (ENGINES as readonly string[]).includes(v) ? (v as EngineChoice) : undefined;
}

// The request-body keys of the calls netlog makes; the rest is the query string. (The Elasticsearch
// client sorts them itself; the OpenSearch client wants them apart.)
const SEARCH_BODY_KEYS = new Set([
  'query',
  'aggs',
  'aggregations',
  'size',
  'from',
  'sort',
  'track_total_hits',
  '_source',
  'search_after',
  'post_filter',
  'runtime_mappings',
]);

function splitBody(params: Params, bodyKeys: ReadonlySet<string>): { body?: Params; rest: Params } {
  const body: Params = {};
  const rest: Params = {};
  for (const [k, v] of Object.entries(params)) (bodyKeys.has(k) ? body : rest)[k] = v;
  return Object.keys(body).length > 0 ? { body, rest } : { rest };
}

/**
 * OpenSearch's client errors as the Elasticsearch client's, with the same messages, status and body,
 * so that classifyEsError (search.ts) reads one kind. The original stays as the cause.
 */
export function toElasticError(err: unknown, osErrors: typeof OsErrors): unknown {
  if (!(err instanceof Error)) return err;
  const meta = (err as { meta?: { body?: unknown; statusCode?: number | null; headers?: unknown } }).meta;
  const diagnostic = {
    body: meta?.body,
    statusCode: meta?.statusCode ?? undefined,
    headers: meta?.headers ?? {},
    warnings: null,
    meta: {
      context: null,
      name: 'netlog',
      request: { params: {}, options: {}, id: 0 },
      connection: null,
      attempts: 0,
      aborted: false,
    },
  } as unknown as DiagnosticResult;
  const mapped =
    err instanceof osErrors.ResponseError
      ? new esErrors.ResponseError(diagnostic)
      : err instanceof osErrors.TimeoutError
        ? new esErrors.TimeoutError(err.message, diagnostic)
        : err instanceof osErrors.NoLivingConnectionsError
          ? new esErrors.NoLivingConnectionsError(err.message, diagnostic)
          : err instanceof osErrors.ConnectionError
            ? new esErrors.ConnectionError(err.message, diagnostic)
            : err instanceof osErrors.DeserializationError
              ? new esErrors.DeserializationError(err.message, err.data)
              : err instanceof osErrors.SerializationError
                ? new esErrors.SerializationError(err.message, err.data as Record<string, unknown>)
                : err instanceof osErrors.RequestAbortedError
                  ? new esErrors.RequestAbortedError(err.message, diagnostic)
                  : undefined;
  if (mapped === undefined) return err;
  // The transport's own ErrorOptions carry no cause: keep the original error as the standard one.
  Object.defineProperty(mapped, 'cause', {
    value: err,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return mapped;
}

/**
 * The OpenSearch client takes no AbortSignal: its request promise has `abort()` instead. (SIGTERM
 * during a hanging request must end it at once, as it does with the Elasticsearch client.)
 */
function abortable<T>(
  request: Promise<T> & { abort?: () => void },
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal === undefined) return request;
  // A block body on purpose: `abort()` returns the request (a thenable), and an EventTarget listener
  // that returns a thenable has its rejection rethrown as an uncaught exception.
  const abort = (): void => {
    request.abort?.();
  };
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return request.finally(() => signal.removeEventListener('abort', abort));
}

/**
 * The Elasticsearch client's transport without its product check: `auto` sends its first request
 * through it and reads the answer's X-Elastic-Product header itself, so that another server's answer
 * is seen (and its body closed) instead of thrown away unread.
 */
class UncheckedTransport extends SniffingTransport {
  constructor(options: ConstructorParameters<typeof SniffingTransport>[0]) {
    const { productCheck: _checked, ...unchecked } = options;
    super(unchecked);
  }
}

function elasticClient(connection: EngineConnection, productCheck = true): EsClient {
  const options: ClientOptions = {
    requestTimeout: connection.requestTimeout,
    maxRetries: 0,
    compression: false,
    name: 'netlog',
  };
  if (!productCheck) options.Transport = UncheckedTransport;
  if (connection.cloudId !== undefined) options.cloud = { id: connection.cloudId };
  else options.node = connection.node!;
  if (connection.auth) options.auth = connection.auth;
  if (connection.tls) options.tls = connection.tls;
  return new EsClient(options);
}

function openSearchClient(library: OpenSearchLibrary, connection: EngineConnection): OsClient {
  // netlog retries itself (search.ts), so the client's own retries are off, as for Elasticsearch.
  const options: OsClientOptions = {
    node: connection.node!,
    requestTimeout: connection.requestTimeout,
    maxRetries: 0,
    compression: undefined,
    name: 'netlog',
  };
  if (connection.auth) options.auth = connection.auth as OsClientOptions['auth'];
  if (connection.tls) options.ssl = connection.tls;
  return new library.Client(options);
}

function isRawAnswer(answer: unknown): answer is RawAnswer {
  const a = answer as Partial<RawAnswer> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.statusCode === 'number' &&
    typeof (a.body as Readable | undefined)?.destroy === 'function'
  );
}

/** One engine's operations. */
interface Driver {
  readonly name: EngineName;
  search(params: Params, options: CallOptions): Promise<unknown>;
  count(params: Params): Promise<unknown>;
  fieldCaps(params: Params): Promise<unknown>;
  bulk(operations: unknown[], refresh?: boolean | 'wait_for'): Promise<unknown>;
  bulkIndex(
    docs: AsyncIterable<BulkDoc>,
    onDrop: Parameters<EngineClient['bulkIndex']>[1],
  ): Promise<{ failed: number }>;
  health(params: Params): Promise<unknown>;
  nodeVersion(): Promise<string>;
  distribution(): Promise<string | undefined>;
  exists(index: string): Promise<boolean>;
  create(index: string, settings: unknown, mappings: unknown): Promise<unknown>;
  refresh(index: string): Promise<unknown>;
  deleteIndex(params: Params): Promise<unknown>;
  getMapping(params: Params): Promise<unknown>;
  catIndices(params: Params): Promise<unknown>;
  /** One request whose body is handed back unread, as a stream (request.ts reads it with a cap). */
  raw(request: RawRequest, options: RawOptions): Promise<RawAnswer>;
  close(): Promise<void>;
}

// The integ-test zips serve no `GET /`; the node's own info names its version on both engines.
const VERSION_PROBE = { node_id: '_local', metric: '_none', filter_path: 'nodes.*.version' };
function firstVersion(answer: unknown): string {
  const nodes = (answer as { nodes?: Record<string, { version?: unknown }> } | undefined)?.nodes ?? {};
  const version = Object.values(nodes)[0]?.version;
  return typeof version === 'string' ? version : 'unknown';
}

function elasticDriver(client: EsClient): Driver {
  return {
    name: 'elasticsearch',
    raw: async (request, options) => {
      const result = await client.transport.request<Readable>(
        { method: request.method, path: request.path, querystring: request.querystring, body: request.body },
        {
          asStream: true,
          meta: true,
          maxResponseSize: options.maxBytes,
          maxCompressedResponseSize: options.maxBytes,
          ...(options.signal !== undefined && { signal: options.signal }),
        },
      );
      return { statusCode: result.statusCode, headers: result.headers, body: result.body };
    },
    search: (params, options) =>
      client.search(params as estypes.SearchRequest, options.signal ? { signal: options.signal } : {}),
    count: (params) => client.count(params as estypes.CountRequest),
    fieldCaps: (params) => client.fieldCaps(params as estypes.FieldCapsRequest),
    bulk: (operations, refresh) =>
      client.bulk({
        operations: operations as estypes.BulkOperationContainer[],
        ...(refresh !== undefined && { refresh }),
      }),
    bulkIndex: async (docs, onDrop) => {
      const stats = await client.helpers.bulk<Record<string, unknown>>({
        ...bulkSource(docs),
        ...BULK_POLICY,
        onDrop: (dropped) => onDrop(dropped.status, dropped.error?.type),
      });
      return { failed: stats.failed };
    },
    health: (params) => client.cluster.health(params),
    nodeVersion: async () => firstVersion(await client.nodes.info(VERSION_PROBE)),
    distribution: async () => 'Elasticsearch',
    exists: (index) => client.indices.exists({ index }),
    create: (index, settings, mappings) =>
      client.indices.create({ index, settings: settings as never, mappings: mappings as never }),
    refresh: (index) => client.indices.refresh({ index }),
    deleteIndex: (params) => client.indices.delete(params as unknown as estypes.IndicesDeleteRequest),
    getMapping: (params) => client.indices.getMapping(params),
    catIndices: (params) => client.cat.indices({ ...params, format: 'json' }),
    close: () => client.close(),
  };
}

/** How both clients' bulk helpers send the sample: 4 MB requests, two at once, dropped documents retried thrice. */
const BULK_POLICY = { flushBytes: 4_000_000, concurrency: 2, retries: 3, wait: 1000 } as const;

/** The documents as both clients' bulk helpers take them: the bodies, and each body's index and id. */
function bulkSource(docs: AsyncIterable<BulkDoc>) {
  const target = new WeakMap<object, { _index: string; _id: string }>();
  async function* bodies(): AsyncGenerator<Record<string, unknown>> {
    for await (const doc of docs) {
      target.set(doc.body, { _index: doc.index, _id: doc.id });
      yield doc.body;
    }
  }
  return {
    datasource: bodies(),
    onDocument: (body: Record<string, unknown>) => ({ index: target.get(body)! }),
  };
}

function openSearchDriver(library: OpenSearchLibrary, client: OsClient): Driver {
  const toElastic = (err: unknown): unknown => toElasticError(err, library.errors);
  /** An OpenSearch client call: the answer's body, errors as Elasticsearch's. */
  const os = async <T>(call: () => Promise<{ body: unknown }>): Promise<T> => {
    try {
      return (await call()).body as T;
    } catch (err) {
      throw toElastic(err);
    }
  };
  return {
    name: 'opensearch',
    raw: async (request, options) => {
      const pending = client.transport.request(
        {
          method: request.method,
          path: request.path,
          querystring: request.querystring ?? {},
          ...(request.body !== undefined && { body: request.body }),
        },
        { asStream: true },
      ) as unknown as Promise<{
        statusCode: number | null;
        headers: Record<string, unknown> | null;
        body: unknown;
      }> & {
        abort?: () => void;
      };
      const result = await abortable(pending, options.signal).catch((err: unknown) => {
        throw toElastic(err);
      });
      return {
        statusCode: result.statusCode ?? 0,
        headers: (result.headers ?? {}) as RawAnswer['headers'],
        body: result.body as Readable,
      };
    },
    search: (params, options) => {
      const { body, rest } = splitBody(params, SEARCH_BODY_KEYS);
      return os(() => abortable(client.search({ ...rest, ...(body && { body }) } as never), options.signal));
    },
    count: (params) => {
      const { body, rest } = splitBody(params, new Set(['query']));
      return os(() => client.count({ ...rest, ...(body && { body }) } as never));
    },
    fieldCaps: (params) => os(() => client.fieldCaps(params as never)),
    bulk: (operations, refresh) =>
      os(() => client.bulk({ body: operations, ...(refresh !== undefined && { refresh }) } as never)),
    bulkIndex: async (docs, onDrop) => {
      try {
        const stats = await client.helpers.bulk({
          ...bulkSource(docs),
          ...BULK_POLICY,
          onDrop: (dropped: { status: number; error?: { type?: string } }) =>
            onDrop(dropped.status, dropped.error?.type),
        } as never);
        return { failed: (stats as { failed: number }).failed };
      } catch (err) {
        throw toElastic(err);
      }
    },
    health: (params) => os(() => client.cluster.health(params as never)),
    nodeVersion: async () => firstVersion(await os(() => client.nodes.info(VERSION_PROBE as never))),
    distribution: async () =>
      (await os<{ version?: { distribution?: string } }>(() => client.info())).version?.distribution,
    exists: async (index) => {
      try {
        const answer = await client.indices.exists({ index } as never);
        return (answer as { statusCode?: number }).statusCode === 200;
      } catch (err) {
        throw toElastic(err);
      }
    },
    create: (index, settings, mappings) =>
      os(() => client.indices.create({ index, body: { settings, mappings } } as never)),
    refresh: (index) => os(() => client.indices.refresh({ index } as never)),
    deleteIndex: (params) => os(() => client.indices.delete(params as never)),
    getMapping: (params) => os(() => client.indices.getMapping(params as never)),
    catIndices: (params) => os(() => client.cat.indices({ ...params, format: 'json' } as never)),
    close: () => client.close(),
  };
}

/**
 * The client for `choice`. With `auto` the first request goes through the Elasticsearch client with
 * its product check off: an answer carrying Elasticsearch's `X-Elastic-Product` header decides
 * Elasticsearch (and that client serves every later request); an answer without it decides OpenSearch,
 * whose client is loaded only then. OpenSearch refuses the Elasticsearch client's content type (406,
 * before doing anything): a request it refused is sent again through the OpenSearch client, one it
 * answered is kept. A request that gets no answer, or an error or any answer but a success, decides
 * nothing: the next one probes again. An Elastic Cloud id always means Elasticsearch.
 */
export function createEngineClient(connection: EngineConnection, choice: EngineChoice): EngineClient {
  let driver: Driver | undefined;
  let openSearch: Promise<Driver> | undefined;
  const clients: { close(): Promise<void> }[] = [];
  const useOpenSearch = (): Promise<Driver> =>
    (openSearch ??= loadOpenSearch().then((library) => {
      const d = openSearchDriver(library, openSearchClient(library, connection));
      clients.push(d);
      return d;
    }));
  if (choice === 'elasticsearch' || connection.cloudId !== undefined) {
    driver = elasticDriver(elasticClient(connection));
    clients.push(driver);
  }

  /** Runs `op` on the decided driver, or through the probe (an unchecked Elasticsearch client) and decides. */
  async function run<T>(op: (d: Driver) => Promise<unknown>): Promise<T> {
    if (!driver && (choice === 'opensearch' || openSearch !== undefined)) driver = await useOpenSearch();
    if (driver) {
      try {
        return (await op(driver)) as T;
      } catch (err) {
        // ES_ENGINE=elasticsearch against another server: say what to do instead of the client's words.
        if (err instanceof esErrors.ProductNotSupportedError)
          throw new Error(
            'the server is not Elasticsearch (its answers lack the X-Elastic-Product header): if it is OpenSearch, set ES_ENGINE (or es.engine) to opensearch or auto',
            { cause: err },
          );
        throw err;
      }
    }
    // A client of its own for each request sent before the engine is known: its 'response' event
    // then sees this request's answer only (requests run side by side, and a proxy's error answer
    // may carry another product header than the node's).
    const probe = elasticClient(connection, false);
    clients.push(probe);
    const probeDriver = elasticDriver(probe);
    // Which product answered: the Elasticsearch client's 'response' event sees the answer's headers
    // (a successful call hands back the body alone).
    let product: string | undefined;
    const listener = (_err: unknown, result: { headers?: Record<string, unknown> | null } | null): void => {
      const h = result?.headers?.['x-elastic-product'];
      if (typeof h === 'string') product = h;
    };
    probe.diagnostic.on('response', listener);
    let answer: unknown;
    let failure: { err: unknown } | undefined;
    try {
      answer = await op(probeDriver);
    } catch (err) {
      failure = { err };
    } finally {
      probe.diagnostic.off('response', listener);
    }
    // The answer's status: a raw answer comes back unread whatever it is, an error carries it, any
    // other answer is a success. Undefined when no answer came (a refused connection, a timeout).
    const status = failure
      ? failure.err instanceof esErrors.ResponseError
        ? failure.err.statusCode
        : undefined
      : isRawAnswer(answer)
        ? answer.statusCode
        : 200;
    if (status === 406 && product !== 'Elasticsearch') {
      // OpenSearch's refusal of the Elasticsearch client's content type: ask again through its own.
      // Destroying an unread body reports an abort on it: nothing to report, the answer is dropped.
      if (isRawAnswer(answer)) {
        answer.body.on('error', () => undefined);
        answer.body.destroy();
      }
      driver ??= await useOpenSearch();
      return (await op(driver)) as T;
    }
    if (failure) throw failure.err;
    // Like an error, an answer that is not a success decides nothing.
    if (status === undefined || status < 200 || status >= 300) return answer as T;
    driver ??= product === 'Elasticsearch' ? probeDriver : await useOpenSearch();
    return answer as T;
  }

  const client: EngineClient = {
    engine: async () => {
      if (!driver) await run((d) => d.health({}));
      return driver!.name;
    },
    info: async () => {
      const engine = await client.engine();
      const d = driver!;
      const [version, distribution] = await Promise.all([
        d.nodeVersion(),
        engine === 'opensearch' ? d.distribution().catch(() => undefined) : Promise.resolve('Elasticsearch'),
      ]);
      return { engine, version, distribution };
    },
    search: (params, options = {}) => run((d) => d.search(params, options)),
    count: (params) => run((d) => d.count(params)),
    fieldCaps: (params) => run((d) => d.fieldCaps(params)),
    bulk: ({ operations, refresh }) => run((d) => d.bulk(operations, refresh)),
    bulkIndex: async (docs, onDrop) => {
      await client.engine();
      return driver!.bulkIndex(docs, onDrop);
    },
    cluster: { health: (params = {}) => run((d) => d.health(params)) },
    indices: {
      exists: ({ index }) => run((d) => d.exists(index)),
      create: ({ index, settings, mappings }) => run((d) => d.create(index, settings, mappings)),
      refresh: ({ index }) => run((d) => d.refresh(index)),
      delete: (params) => run((d) => d.deleteIndex(params)),
      getMapping: (params) => run((d) => d.getMapping(params)),
    },
    cat: { indices: (params) => run((d) => d.catIndices(params)) },
    raw: (request, options) => run((d) => d.raw(request, options)),
    close: async () => {
      if (openSearch !== undefined) await openSearch.catch(() => undefined);
      await Promise.all(clients.map((c) => c.close()));
    },
  };
  return client;
}
