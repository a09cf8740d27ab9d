import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';
import { readConnection } from '../../src/config/env.js';
import { readHashKey } from '../../src/config/hash-key.js';
import { ConfigError } from '../../src/errors.js';

test("the built-in config has the original job's tables", () => {
  const { config, errors } = validateConfig({});
  assert.deepEqual(errors, []);
  assert.deepEqual(
    config!.tables.map((t) => t.name),
    [
      'total',
      'dns',
      'dhcp',
      'http',
      'tls',
      'flow',
      'firewall',
      'internal_to_internal',
      'internal_to_external',
      'websites',
    ],
  );
  const i2e = config!.tables.find((t) => t.name === 'internal_to_external')!;
  assert.deepEqual(i2e.filters, [{ internal: 'source.ip' }, { external: 'destination.ip' }]);
  assert.deepEqual(config!.internal_networks, ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
});

test('errors name the bad path, one per problem', () => {
  const { errors } = validateConfig({
    timezone: 'Mars/Base',
    internal_networks: ['10.0.0.0/33'],
    tables: [
      { name: 'ok', index: 'a' },
      { name: 'x', index: 3 },
      { name: 'Bad Name', index: 'b' },
    ],
    extra: true,
  });
  assert.deepEqual(errors, [
    'timezone: not a time zone: use an IANA name such as UTC or Europe/Berlin',
    'internal_networks[0]: not a CIDR block: use e.g. 10.0.0.0/8 or fc00::/7',
    'tables[1].index: Invalid input: expected string, received number',
    'tables[2].name: a table name: lower-case letters, digits and _, starting with a letter',
    'unknown key(s) "extra"',
  ]);
});

test('duplicate tables and duplicate columns are rejected', () => {
  const { errors } = validateConfig({
    tables: [
      { name: 'a', index: 'x', levels: [{ column: 'count', fields: ['f'], transform: 'keep' }] },
      { name: 'a', index: 'y' },
    ],
  });
  assert.deepEqual(errors, [
    'tables[0].levels: column "count" is used twice',
    'tables[1].name: duplicate table "a"',
  ]);
});

test('secrets come from the environment and are checked', () => {
  assert.throws(() => readHashKey({}), ConfigError);
  assert.throws(() => readHashKey({ NETLOG_HASH_KEY: 'short' }), /weak/);
  assert.equal(
    readHashKey({ NETLOG_HASH_KEY: 'a-long-enough-key-0123' }).key.toString(),
    'a-long-enough-key-0123',
  );
  assert.throws(() => readConnection({ ES_URL: 'http://user:pw@es:9200' }), /must not carry credentials/);
  assert.throws(() => readConnection({ ES_USERNAME: 'u' }), /go together/);
  assert.throws(() => readConnection({ ES_URL: 'ftp://x' }), /http:\/\/ or https:\/\//);
  assert.equal(readConnection({ ES_INSECURE: '1' }).insecure, true);
});
