import { promisify } from 'node:util';
import { unzip, brotliDecompress } from 'node:zlib';
import type { Readable } from 'node:stream';
import { errors } from '@elastic/elasticsearch';
import type { EngineClient } from './engine.js';
import { oneLine } from './answer.js';

/**
 * One request to Elasticsearch whose answer netlog reads itself, so that its size is bounded: the
 * client would read any body whole and inflate a gzip answer without a limit (a 0.7 MB gzip bomb
 * took the process to 1.5 GB). Here the raw body stops being read at the cap, and a compressed one
 * is inflated to at most the cap. What comes back must be Elasticsearch's JSON; anything else
 * (a redirect, an HTML page, a truncated or non-JSON body) is an error naming what it was.
 */

/** The default cap on one answer, after decompression (es.max_response_mb). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface JsonRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly querystring?: Record<string, string | number | boolean>;
  readonly body?: Record<string, unknown>;
}

/** The answer was larger than the cap: never retried, it would be as large the next time. */
export class AnswerTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the answer is larger than ${formatBytes(limitBytes)}`);
    this.name = 'AnswerTooLargeError';
  }
}

/** Something other than Elasticsearch's JSON came back (a proxy's page, a redirect, garbage). */
export class NotElasticsearchError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'NotElasticsearchError';
  }
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : `${n} bytes`;
}

/**
 * Sends the request and returns the parsed JSON body of a 2xx answer, with its size in bytes after
 * decompression (what sizes the next composite page). A 4xx/5xx answer with a JSON body becomes the
 * client's ResponseError (so that one classification serves every call); transport failures are the
 * client's own errors.
 */
export async function requestJson(
  client: EngineClient,
  request: JsonRequest,
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<{ body: unknown; bytes: number }> {
  const result = await client.raw(request, options);
  const { statusCode, headers } = result;
  const stream = result.body;
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    stream.destroy();
    throw new AnswerTooLargeError(options.maxBytes);
  }
  let raw: Buffer;
  try {
    raw = await readCapped(stream, options.maxBytes);
  } catch (err) {
    if (err instanceof AnswerTooLargeError) throw err;
    // A body cut off or stalled half-way: a transport failure, retried like one.
    const code = (err as { code?: string }).code;
    if (code === 'UND_ERR_BODY_TIMEOUT')
      throw new errors.TimeoutError('Request timed out while reading the answer');
    throw new errors.ConnectionError(`the answer was cut off (${code ?? (err as Error).message})`);
  }
  const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
  let text: string;
  let bytes: number;
  try {
    const inflated = await inflate(raw, encoding, options.maxBytes);
    bytes = inflated.length;
    text = inflated.toString('utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
      throw new AnswerTooLargeError(options.maxBytes);
    throw new NotElasticsearchError(
      `sent a ${encoding} body that does not decompress (${(err as Error).message})`,
      statusCode,
    );
  }
  const contentType = String(headers['content-type'] ?? '');
  if (statusCode >= 300 && statusCode < 400) {
    throw new NotElasticsearchError(
      `answered a redirect (${statusCode}${headers.location !== undefined ? ` to ${maskLocation(String(headers.location))}` : ''}): netlog does not follow redirects; set ES_URL to the address that answers`,
      statusCode,
    );
  }
  let body: unknown;
  const json = /application\/(?:vnd\.elasticsearch\+)?json/i.test(contentType);
  if (json && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new NotElasticsearchError(
        `answered ${statusCode} with a body that is not valid JSON (${raw.length} bytes, starting "${oneLine(text, 60)}")`,
        statusCode,
      );
    }
  }
  if (statusCode >= 400) {
    // The client's error, so that classifyEsError reads it as for any other call.
    throw new errors.ResponseError({
      body: body ?? text,
      statusCode,
      headers,
      warnings: null,
      meta: {} as never,
    });
  }
  if (!json)
    throw new NotElasticsearchError(
      `answered ${statusCode} with ${contentType === '' ? 'no content type' : `"${oneLine(contentType, 60)}"`}, not Elasticsearch's JSON (starting "${oneLine(text, 60)}"): is ES_URL an Elasticsearch node, not a proxy's page?`,
      statusCode,
    );
  return { body, bytes };
}

async function readCapped(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    length += buf.length;
    if (length > maxBytes) {
      stream.destroy();
      throw new AnswerTooLargeError(maxBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

const unzipAsync = promisify(unzip);
const brotliAsync = promisify(brotliDecompress);

/** The body decompressed to at most `maxBytes` (zlib stops and throws beyond it). */
async function inflate(raw: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  if (encoding === '' || encoding === 'identity') return raw;
  if (encoding.includes('gzip') || encoding.includes('deflate'))
    return unzipAsync(raw, { maxOutputLength: maxBytes });
  if (encoding.includes('br')) return brotliAsync(raw, { maxOutputLength: maxBytes });
  throw new Error(`unknown content-encoding "${oneLine(encoding, 40)}"`);
}

/** A redirect target for a message: scheme, host and path, never a query string or credentials. */
function maskLocation(location: string): string {
  try {
    const url = new URL(location);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(an unreadable address)';
  }
}
