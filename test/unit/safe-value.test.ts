import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createPseudonymiser } from '../../src/transform/pseudonymise.js';
import { transformValue } from '../../src/transform/rows.js';
import { reduceHost } from '../../src/transform/domain.js';
import { scrubIpLiterals } from '../../src/net/ip.js';
import { CANARIES, HOSTILE_VALUES } from '../helpers/hostile-corpus.js';
import { oracleHits } from '../helpers/leak-oracle.js';
import { configSchema, type Level } from '../../src/config/schema.js';

const KEY = 'safe-value-test-key-0123456789';
const pseudonymise = createPseudonymiser({ algorithm: 'hmac-sha256', length: 16 }, Buffer.from(KEY));
const internalDomains = ['lan', 'local', 'internal', 'intranet', 'corp', 'home.arpa'];
const options = { pseudonymise, internalDomains };
/** The pseudonym by node's HMAC directly on the text we say it hashes (checked against Python in transform.test.ts). */
const hmac = (text: string) => createHmac('sha256', KEY).update(text).digest('hex').slice(0, 16);
const TRANSFORMS: Level['transform'][] = ['ip', 'host', 'domain', 'server', 'keep', 'text'];
const value = (v: string, transform: Level['transform']) => transformValue(v, { transform }, options);

test(`the hostile corpus (${HOSTILE_VALUES.length} values) through every transform: the oracle finds nothing, no value survives as it is`, () => {
  assert.ok(HOSTILE_VALUES.length >= 150, `${HOSTILE_VALUES.length} values`);
  for (const v of HOSTILE_VALUES) {
    for (const transform of TRANSFORMS) {
      const out = value(v, transform);
      assert.deepEqual(
        oracleHits(out, transform === 'text' ? 'text' : 'key'),
        [],
        `${transform}(${JSON.stringify(v)}) = ${out}`,
      );
      // A keyed cell loses the value as it was; free text keeps what the oracle does not object to.
      if (CANARIES.includes(v) && transform !== 'text')
        assert.ok(!out.includes(v), `${transform}(${JSON.stringify(v)}) = ${out}`);
      if (transform !== 'text')
        assert.match(out, /^$|^[a-z0-9_][a-z0-9_.-]*$/i, `${transform}(${JSON.stringify(v)})`);
    }
  }
});

test('the spellings of the issue: each becomes the pseudonym of the address it spells, so it joins', () => {
  const cases: [string, string][] = [
    ['3232235777', '192.168.1.1'],
    ['0xC0A80101', '192.168.1.1'],
    ['010.000.000.001', '10.0.0.1'],
    ['0300.0250.01.01', '192.168.1.1'],
    ['2001:db8:0:0:0:0:0:1:443', '2001:db8::1'],
    ['10.0.0.5%eth0', '10.0.0.5'],
    ['10.20.30.40.', '10.20.30.40'],
    ['::ffff:10.20.30.41', '10.20.30.41'],
    ['１０．０．０．５', '10.0.0.5'],
    ['[fe80::1%eth0]:443', 'fe80::1'],
  ];
  assert.equal(value('http://0xC0A80101:8080/x', 'host'), hmac('192.168.1.1'));
  for (const [spelling, address] of cases) {
    assert.equal(value(spelling, 'host'), hmac(address), spelling);
    assert.equal(value(spelling, 'keep'), hmac(address), spelling);
    assert.equal(value(spelling, 'ip'), hmac(address), spelling);
  }
});

test('reverse DNS names become the pseudonym of the address they encode; partial ones are pseudonymised whole', () => {
  assert.equal(value('4.3.2.10.in-addr.arpa', 'host'), hmac('10.2.3.4'));
  assert.equal(value('5.0.0.10.in-addr.arpa.', 'domain'), value('10.0.0.5', 'ip'));
  const nibbles = `${[...'20010db8000000000000000000000001'].reverse().join('.')}.ip6.arpa`;
  assert.equal(value(nibbles, 'host'), hmac('2001:db8::1'));
  assert.equal(value('10.in-addr.arpa', 'host'), hmac('10.in-addr.arpa'));
  assert.equal(value('4.3.2.10.in-addr.arpa', 'keep'), hmac('10.2.3.4'));
});

test('names that embed an address, people and devices: pseudonyms of the normalised name', () => {
  assert.equal(value('ip-10-0-0-5.ec2.internal', 'host'), hmac('ip-10-0-0-5'));
  assert.equal(value('host-192-168-1-20.corp.lan', 'host'), hmac('host-192-168-1-20'));
  assert.equal(value('alice@fileserver', 'host'), hmac('alice@fileserver'));
  assert.equal(value('john.doe@corp.lan', 'host'), hmac('john.doe@corp.lan'));
  assert.equal(value('aa-bb-cc-dd-ee-ff.lan', 'host'), hmac('aa-bb-cc-dd-ee-ff'));
  assert.equal(value('alices-iphone.lan', 'host'), hmac('alices-iphone'));
  assert.equal(value('=HYPERLINK("x")', 'host'), hmac('=hyperlink("x")'));
  // What stays visible: public registrable domains, internal server names, ports.
  assert.equal(value('mail.google.com', 'host'), 'google.com');
  assert.equal(value('fs01.corp.example.lan', 'host'), 'fs01');
  assert.equal(value('10-0-0-5.nip.io', 'host'), 'nip.io');
  assert.equal(value('443', 'keep'), '443');
  assert.equal(value('', 'host'), '');
  // An unknown suffix is not a public one: the name is pseudonymised.
  assert.equal(value('server.unknowntld', 'host'), hmac('server.unknowntld'));
});

test('internal_names.allow: only matching internal names are shown', () => {
  const names = { allow: ['fs*', 'dc0?'] };
  const host = (v: string) => reduceHost(v, 'host', internalDomains, names);
  assert.deepEqual(host('fs01.corp.lan'), { kind: 'name', name: 'fs01' });
  assert.deepEqual(host('dc01'), { kind: 'name', name: 'dc01' });
  assert.deepEqual(host('dc011'), { kind: 'pseudonymise', text: 'dc011' });
  assert.deepEqual(host('printer.lan'), { kind: 'pseudonymise', text: 'printer' });
  // The allow list cannot let an address through.
  assert.deepEqual(reduceHost('ip-10-0-0-5.lan', 'host', internalDomains, { allow: ['*'] }), {
    kind: 'pseudonymise',
    text: 'ip-10-0-0-5',
  });
  assert.deepEqual(
    host('mail.google.com'),
    { kind: 'name', name: 'google.com' },
    'external names are not affected',
  );
});

test('text: formulas are escaped (OWASP), addresses and people pseudonymised, the rest kept', () => {
  assert.equal(value('=HYPERLINK("http://evil/","x")', 'text'), `'=HYPERLINK("http://evil/","x")`);
  assert.equal(value('+1+1', 'text'), "'+1+1");
  assert.equal(value('@SUM(A1)', 'text'), "'@SUM(A1)");
  assert.equal(value('\t=1', 'text'), "'\t=1");
  assert.equal(value('Mozilla/5.0 (X11; Linux x86_64)', 'text'), 'Mozilla/5.0 (X11; Linux x86_64)');
  assert.equal(
    value('login from 10.0.0.5 by alice@corp', 'text'),
    `login from ${hmac('10.0.0.5')} by ${hmac('alice@corp')}`,
  );
  assert.equal(value('-ip-10-0-0-5', 'text'), hmac('-ip-10-0-0-5'));
});

test('the log scrubber: trailing dots, mapped IPv6 whole, zones, embedded addresses; hints stay readable', () => {
  assert.equal(scrubIpLiterals('host 10.20.30.40. is down'), 'host [ip]. is down');
  assert.equal(scrubIpLiterals('from ::ffff:10.20.30.41 on'), 'from [ip] on');
  assert.equal(scrubIpLiterals('fe80::1%eth0 and 10.0.0.5%eth0'), '[ip] and [ip]%eth0');
  assert.equal(scrubIpLiterals('name ip-10-0-0-5.ec2.internal'), 'name [ip]');
  assert.equal(scrubIpLiterals('mac aa:bb:cc:dd:ee:ff seen'), 'mac [ip] seen');
  assert.equal(
    scrubIpLiterals('internal_networks[0]: not a CIDR block: use e.g. 10.0.0.0/8 or fc00::/7'),
    'internal_networks[0]: not a CIDR block: use e.g. 10.0.0.0/8 or fc00::/7',
  );
  assert.equal(scrubIpLiterals('a host as a block 10.20.30.40/32'), 'a host as a block [ip]/32');
  assert.equal(scrubIpLiterals('{"bytes":3232235777,"tookMs":12}'), '{"bytes":3232235777,"tookMs":12}');
  for (const v of HOSTILE_VALUES) {
    const line = `{"msg":"x","value":${JSON.stringify(v)}}`;
    const hits = oracleHits(scrubIpLiterals(line), 'log').filter(
      (h) => h.kind === 'address' || h.kind === 'mac',
    );
    assert.deepEqual(hits, [], `${v} → ${scrubIpLiterals(line)}`);
  }
});

test('the oracle can fail: it finds the raw spellings netlog must hide', () => {
  const raw = [
    'ip-10-0-0-5',
    '3232235777',
    '0xC0A80101',
    '010.000.000.001',
    '2001:db8:0:0:0:0:0:1:443',
    '10.0.0.5%eth0',
    'user=alice;ip=10.0.0.9',
    '::ffff:10.20.30.41',
    '4.3.2.10.in-addr.arpa',
    'alice@fileserver',
    'nougat [aa:bb:cc:dd:ee:ff]._workstation._tcp.local',
    '=HYPERLINK("x")',
    '１０．０．０．５',
    '2001-db8--1.ipv6-literal.net',
  ];
  for (const v of raw) assert.notDeepEqual(oracleHits(v, 'key'), [], v);
  for (const v of ['google.com', 'fs01', '443', '', '27c29c139bc4eaf7'])
    assert.deepEqual(oracleHits(v, 'key'), [], v);
});

test('config: internal_names.allow takes lower-case name patterns, pseudonym.length at least 16', () => {
  const ok = configSchema.safeParse({ internal_names: { allow: ['fs*', 'dc0?'] } });
  assert.equal(ok.success, true);
  assert.deepEqual(configSchema.parse({}).internal_names, {});
  for (const bad of [['FS*'], ['fs 01'], ['=cmd'], ['a.b']])
    assert.equal(configSchema.safeParse({ internal_names: { allow: bad } }).success, false, bad[0]);
  const short = configSchema.safeParse({ pseudonym: { length: 8 } });
  assert.equal(short.success, false);
  assert.match(JSON.stringify(short.error?.issues), /at least 16 hex characters/);
});
