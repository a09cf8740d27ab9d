import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from '@elastic/elasticsearch';
import {
  AUTO_MAX_PAGE,
  AUTO_MIN_PAGE,
  AUTO_TARGET_BYTES,
  balancedPage,
  PageSizer,
} from '../../src/extract/page-size.js';
import { tooManyBucketsLimit } from '../../src/extract/page-day.js';
import { validateConfig } from '../../src/config/validate.js';

const MB = 1024 * 1024;

test('a fixed es.page_size is used as given, whatever the answers weigh', () => {
  const sizer = new PageSizer(5000, 64 * MB);
  assert.equal(sizer.next(), 5000);
  sizer.observe(5000, 60 * MB);
  assert.equal(sizer.next(), 5000);
  assert.equal(sizer.shrinkAfterTooLarge(), undefined, 'the operator setting is never lowered silently');
  assert.equal(sizer.limitBuckets(1000), undefined);
});

test('auto starts large and sizes the next page for the answer bytes', () => {
  const sizer = new PageSizer('auto', 64 * MB);
  assert.equal(sizer.next(), AUTO_MAX_PAGE);
  // 150 bytes a bucket (a flow table's): the next page holds what fits the target, 3 MiB / 150.
  sizer.observe(AUTO_MAX_PAGE, AUTO_MAX_PAGE * 150);
  assert.equal(sizer.next(), Math.min(AUTO_MAX_PAGE, Math.floor((3 * MB) / 150)));
  // 1,000 bytes a bucket (long URLs in a key): the page shrinks so that its answer stays near the target.
  sizer.observe(1000, 1000 * 1000);
  assert.equal(sizer.next(), Math.floor(AUTO_TARGET_BYTES / 1000));
  // A light page later does not grow it back past what the heaviest page allows.
  sizer.observe(10, 100);
  assert.equal(sizer.next(), Math.floor(AUTO_TARGET_BYTES / 1000));
  // Very heavy buckets: never below the minimum page.
  sizer.observe(10, 10 * MB);
  assert.equal(sizer.next(), AUTO_MIN_PAGE);
});

test('a cap bounds the next automatic page only, and never a fixed es.page_size', () => {
  const auto = new PageSizer('auto', 64 * MB);
  auto.capNext(7000);
  assert.equal(auto.next(), 7000);
  assert.equal(auto.next(), 7000, 'asked again (a retry), the same cap');
  auto.observe(7000, 7000 * 100);
  assert.equal(auto.next(), AUTO_MAX_PAGE, 'the page after is sized as before');
  auto.capNext(AUTO_MAX_PAGE * 2);
  assert.equal(auto.next(), AUTO_MAX_PAGE, 'a cap above the size changes nothing');
  const fixed = new PageSizer(5000, 64 * MB);
  fixed.capNext(100);
  assert.equal(fixed.next(), 5000);
});

test('walks side by side: a sparser walk asks for its share of the densest walk’s page', () => {
  // The flow tables at 1M documents a day: 121,804 buckets with a domain, 34,026 without.
  const dense = 121_804 / 86_400_000;
  const sparse = 34_026 / 86_400_000;
  assert.equal(balancedPage(25_000, 2, sparse, dense), Math.ceil((25_000 * 34_026) / 121_804));
  // Its pages then cover about as much of the day as the densest walk's.
  const hours = (buckets: number, density: number) => buckets / density / 3_600_000;
  assert.ok(Math.abs(hours(balancedPage(25_000, 2, sparse, dense), sparse) - hours(25_000, dense)) < 0.01);
  assert.equal(balancedPage(25_000, 2, dense, dense), 25_000, 'the densest walk takes the full page');
  assert.equal(balancedPage(25_000, 2, dense * 3, dense), 25_000, 'never more than the full page');
  assert.equal(balancedPage(25_000, 2, 1e-12, dense), AUTO_MIN_PAGE, 'never a tiny page');
  assert.equal(balancedPage(25_000, 3, undefined, dense), Math.ceil(25_000 / 3), 'a first page: a share');
  assert.equal(balancedPage(25_000, 2, sparse, 0), 25_000, 'no other walk still going: the full page');
});

test('auto aims at a quarter of es.max_response_mb when that is below its target', () => {
  const sizer = new PageSizer('auto', 4 * MB);
  sizer.observe(1000, 100 * 1000);
  assert.equal(sizer.next(), Math.floor(MB / 100));
});

test('auto asks a page again with a quarter of the buckets when the answer was too large', () => {
  const sizer = new PageSizer('auto', 64 * MB);
  assert.equal(sizer.shrinkAfterTooLarge(), AUTO_MAX_PAGE / 4);
  assert.equal(sizer.next(), AUTO_MAX_PAGE / 4);
  let last = sizer.next();
  for (let i = 0; i < 20; i++) {
    const next = sizer.shrinkAfterTooLarge();
    if (next === undefined) break;
    assert.ok(next < last, 'each retry is smaller');
    last = next;
  }
  assert.equal(sizer.shrinkAfterTooLarge(), undefined, 'gives up at the smallest page');
});

test("auto stays within the cluster's search.max_buckets once it is known", () => {
  const sizer = new PageSizer('auto', 64 * MB);
  assert.equal(sizer.limitBuckets(10_000), 10_000);
  assert.equal(sizer.next(), 10_000);
  sizer.observe(10, 100);
  assert.equal(sizer.next(), 10_000, 'light answers do not grow it past the limit');
  assert.equal(sizer.limitBuckets(20_000), undefined, 'a limit above the page changes nothing');
  assert.equal(new PageSizer('auto', 64 * MB, 65_535).next(), Math.min(AUTO_MAX_PAGE, 65_535));
  assert.equal(new PageSizer('auto', 64 * MB, 1_000).next(), 1_000);
});

test("the cluster's refusal of a large page names its search.max_buckets", () => {
  // As Elasticsearch 9.5.4 answered a composite of 200 buckets with search.max_buckets at 100.
  const body = {
    error: {
      root_cause: [
        {
          type: 'too_many_buckets_exception',
          reason: 'Trying to create too many buckets.',
          max_buckets: 100,
        },
      ],
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
    },
    status: 400,
  };
  const err = new errors.ResponseError({
    body,
    statusCode: 400,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
  assert.equal(tooManyBucketsLimit(err), 100);
  const other = new errors.ResponseError({
    body: { error: { type: 'parsing_exception', max_buckets: 5 } },
    statusCode: 400,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
  assert.equal(tooManyBucketsLimit(other), undefined);
  assert.equal(tooManyBucketsLimit(new Error('x')), undefined);
});

test('es.page_size takes auto (the default) or a number from 10 to 1,000,000', () => {
  assert.equal(validateConfig({}).config?.es.page_size, 'auto');
  assert.equal(validateConfig({ es: { page_size: 50_000 } }).config?.es.page_size, 50_000);
  assert.equal(validateConfig({ es: { page_size: 'auto' } }).config?.es.page_size, 'auto');
  for (const bad of [5, 2_000_000, 'big', 1.5]) {
    const v = validateConfig({ es: { page_size: bad } });
    assert.equal(v.config, undefined, String(bad));
    assert.match(v.errors.join('\n'), /es\.page_size/);
  }
});
