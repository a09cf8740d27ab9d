import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors as esErrors } from '@elastic/elasticsearch';
import { errors as osErrors } from '@opensearch-project/opensearch';
import { parseEngineChoice, toElasticError } from '../../src/extract/engine.js';
import { classifyEsError } from '../../src/extract/search.js';

test('ES_ENGINE / es.engine: the two engines and auto, any case; anything else is refused', () => {
  assert.equal(parseEngineChoice('opensearch'), 'opensearch');
  assert.equal(parseEngineChoice(' OpenSearch '), 'opensearch');
  assert.equal(parseEngineChoice('elasticsearch'), 'elasticsearch');
  assert.equal(parseEngineChoice('auto'), 'auto');
  assert.equal(parseEngineChoice(''), undefined);
  assert.equal(parseEngineChoice(undefined), undefined);
  assert.equal(parseEngineChoice('solr'), undefined);
});

// The OpenSearch client's errors become the Elasticsearch client's, so search.ts classifies one kind:
// each case is classified as the same failure from the Elasticsearch client would be.
test("OpenSearch client errors are classified like Elasticsearch's: 401, 403, 404 index, 429, timeout, refused", () => {
  const response = (statusCode: number, body: unknown) =>
    new osErrors.ResponseError({ body, statusCode, headers: {}, meta: {} as never, warnings: null });
  const cases: [unknown, RegExp, boolean][] = [
    [response(401, { error: { type: 'security_exception' } }), /rejected the credentials \(401\)/, false],
    [response(403, { error: { type: 'security_exception' } }), /denied access to "idx" \(403\)/, false],
    [
      response(404, { error: { type: 'index_not_found_exception', reason: 'no such index [idx]' } }),
      /index pattern "idx" matches no index/,
      false,
    ],
    [
      response(429, { error: { type: 'es_rejected_execution_exception' } }),
      /answered 429 \(es_rejected_execution_exception\)/,
      true,
    ],
    [response(502, '<html>bad gateway</html>'), /answered 502 \(busy\)/, true],
    [new osErrors.TimeoutError('Request timed out', {} as never), /did not answer in time/, true],
    [
      new osErrors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'),
      /refused the connection: is it running\? check ES_URL/,
      true,
    ],
    [
      new osErrors.ConnectionError('self-signed certificate in certificate chain'),
      /presented a certificate netlog does not trust \(self-signed certificate in certificate chain\)/,
      false,
    ],
  ];
  for (const [err, message, retryable] of cases) {
    const mapped = toElasticError(err, osErrors);
    assert.ok(mapped instanceof esErrors.ElasticsearchClientError, String(err));
    assert.equal((mapped as Error).cause, err, 'the original error is kept as the cause');
    const c = classifyEsError(mapped, 'http://localhost:9200', 'idx');
    assert.match(c.message, message);
    assert.equal(c.retryable, retryable, c.message);
  }
  const plain = new Error('something else');
  assert.equal(toElasticError(plain, osErrors), plain);
});
