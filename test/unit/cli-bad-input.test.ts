import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { assertFreshBuild } from '../helpers/build.js';
import { track } from '../helpers/children.js';
import { ROOT } from '../helpers/es.js';
import { listFiles } from '../helpers/sample.js';
import { tempDir } from '../helpers/tmp.js';

// Bad input through the built binary: exit 2, one line naming the problem and the fix, nothing
// written, and no connection attempted (the URL points at a port where nothing listens).
let tmp: { path: string; cleanup: () => Promise<void> };
before(async () => {
  tmp = await tempDir('badinput');
});

after(async () => {
  await tmp.cleanup();
});

const config = async (name: string, document: unknown) => {
  const path = join(tmp.path, `${name}.json`);
  await writeFile(path, JSON.stringify(document));
  return path;
};

// A password that must never be echoed, whichever way a malformed URL carries it.
const SECRET = 'bad-input-canary-pw';

const cases: [string, string[] | (() => Promise<string[]>), RegExp, NodeJS.ProcessEnv?][] = [
  [
    '--from after --to',
    ['load-backfill', '--from', '2026-11-20', '--to', '2026-11-10'],
    /--from 2026-11-20 is after --to 2026-11-10: swap them/,
  ],
  ['--days 0', ['load-backfill', '--days', '0'], /0 days: give at least 1/],
  ['--days -3', ['load-backfill', '--days', '-3'], /-3 days: give at least 1/],
  ['--days 100000', ['load-backfill', '--days', '100000'], /100000 days is more than 3660/],
  ['--days abc', ['verify', '--days', 'abc'], /"abc" is not a whole number of days/],
  [
    '--days with --from',
    ['load-backfill', '--days', '3', '--from', '2026-11-01'],
    /cannot be used with option '--from/,
  ],
  // Checked by commander's choices and argument parsers, before the command runs.
  [
    '--resample 2h',
    ['plot', '--tables', 'dns', '--resample', '2h'],
    /--resample <step>' argument '2h' is invalid\. Allowed choices are 15m, 1h, 1d/,
  ],
  [
    '--threshold -1',
    ['wavelet', '--table', 'tls', '--threshold', '-1'],
    /--threshold -1: give a positive robust z-score/,
  ],
  [
    '--stabilise log',
    ['wavelet', '--table', 'tls', '--stabilise', 'log'],
    /Allowed choices are anscombe, none/,
  ],
  ['--min-score high', ['beacons', '--min-score', 'high'], /--min-score high: give a score from 0 to 1/],
  ['backfill without a range', ['load-backfill'], /give the days to load: --days N/],
  [
    'a future --to',
    ['load-backfill', '--from', '2026-11-20', '--to', '2030-01-01'],
    /2030-01-01 is not over yet/,
  ],
  ['2026-02-30', ['load-daily', '--date', '2026-02-30'], /not a calendar date/],
  [
    'a table name escaping the data directory',
    ['load-daily', '--tables', '../..'],
    /"\.\.\/\.\." is not a table name/,
  ],
  [
    '--concurrency 0',
    ['load-backfill', '--days', '1', '--concurrency', '0'],
    /--concurrency must be a whole number from 1 to 16/,
  ],
  ['an unknown command', ['load-weekly'], /unknown command 'load-weekly'/],
  [
    'a config table name escaping the data directory',
    async () => [
      'load-daily',
      '--config',
      await config('escape', { tables: [{ name: '../../etc', index: 'x' }] }),
    ],
    /tables\[0\]\.name: a table name: lower-case letters/,
  ],
  [
    'a bad CIDR',
    async () => [
      'load-daily',
      '--config',
      await config('cidr', { internal_networks: ['10.0.0.0/8', '192.168.0.0/33'] }),
    ],
    /internal_networks\[1\]: not a CIDR block/,
  ],
  [
    'unknown keys',
    async () => [
      'load-daily',
      '--config',
      await config('keys', { es: { url: 'http://x:9200', retries: 3 } }),
    ],
    /es: unknown key\(s\) "retries"/,
  ],
  [
    'wrong types',
    async () => [
      'load-daily',
      '--config',
      await config('types', { timezone: 5, tables: [{ name: 'a', index: 'b', levels: 'none' }] }),
    ],
    /timezone: .*expected string.*; tables\[0\]\.levels: .*expected array/,
  ],
  [
    'a config file that is not JSON',
    async () => {
      const path = join(tmp.path, 'broken.json');
      await writeFile(path, '{ "tables": [');
      return ['load-daily', '--config', path];
    },
    /config file .*broken\.json is not valid JSON/,
  ],
  [
    'a missing config file',
    ['load-daily', '--config', '/nonexistent/netlog.yaml'],
    /cannot read config file \/nonexistent\/netlog\.yaml: ENOENT; check the --config path/,
  ],
  [
    'a bad time zone',
    async () => ['load-daily', '--config', await config('tz', { timezone: 'Europe/Atlantis' })],
    /timezone: not a time zone/,
  ],
  ['a bad ES_URL', ['load-daily'], /ES_URL "not a url" is not a URL/, { ES_URL: 'not a url' }],
  [
    'credentials in ES_URL',
    ['load-daily'],
    /ES_URL must not carry credentials: set ES_USERNAME\/ES_PASSWORD or ES_API_KEY/,
    { ES_URL: `https://elastic:${SECRET}@es.example.org:9200` },
  ],
  [
    'a malformed ES_URL with credentials is not echoed with them',
    ['load-daily'],
    /ES_URL "https:\/\/\[credentials\]@es\.example\.org:92OO" is not a URL/,
    { ES_URL: `https://elastic:${SECRET}@es.example.org:92OO` },
  ],
  [
    'credentials in --es',
    ['load-daily', '--es', `http://elastic:${SECRET}@localhost:9`],
    /must not carry credentials/,
  ],
  [
    "credentials in the config's es.url",
    async () => [
      'load-daily',
      '--config',
      await config('esurl', { es: { url: `http://elastic:${SECRET}@localhost:9` } }),
    ],
    /es\.url: must not carry credentials: set ES_USERNAME\/ES_PASSWORD or ES_API_KEY/,
    { ES_URL: undefined },
  ],
  [
    'a bad ES_TIMEOUT_MS',
    ['load-daily'],
    /ES_TIMEOUT_MS "soon" must be a whole number of milliseconds >= 100/,
    { ES_TIMEOUT_MS: 'soon' },
  ],
  [
    'ES_USERNAME without ES_PASSWORD',
    ['load-daily'],
    /ES_USERNAME and ES_PASSWORD go together/,
    { ES_USERNAME: 'elastic' },
  ],
  [
    'a hash key that is too short',
    ['load-daily'],
    /the pseudonymisation key in NETLOG_HASH_KEY is weak \(5 base64 characters carry fewer than 128 bits\)/,
    { NETLOG_HASH_KEY: 'short' },
  ],
  [
    'a hash key of one character repeated',
    ['load-daily'],
    /is weak \(it is one character repeated\)/,
    { NETLOG_HASH_KEY: 'x'.repeat(64) },
  ],
  [
    'a hex hash key of fewer than 128 bits',
    ['load-daily'],
    /is weak \(31 hex digits carry fewer than 128 bits\)/,
    { NETLOG_HASH_KEY: '0123456789abcdef0123456789abcde' },
  ],
  [
    'NETLOG_HASH_KEY_FILE=/dev/zero',
    ['load-daily'],
    /NETLOG_HASH_KEY_FILE \/dev\/zero is larger than 4096 bytes: it must hold one key/,
    { NETLOG_HASH_KEY: undefined, NETLOG_HASH_KEY_FILE: '/dev/zero' },
  ],
  [
    'both NETLOG_HASH_KEY and NETLOG_HASH_KEY_FILE',
    ['load-daily'],
    /both NETLOG_HASH_KEY and NETLOG_HASH_KEY_FILE are set: set only one/,
    { NETLOG_HASH_KEY_FILE: '/etc/hostname' },
  ],
  ['--new-key on verify without --repair', ['verify', '--new-key'], /give it with --repair/],
];

const quietEnv = {
  NETLOG_HASH_KEY: 'bad-input-key-0123456789',
  NETLOG_NOW: '2026-11-25T06:00:00Z',
  ES_URL: 'http://localhost:9',
};

for (const [name, args, message, env] of cases) {
  test(name, async () => {
    const data = join(tmp.path, `data-${name.replace(/\W+/g, '-')}`);
    const argv = typeof args === 'function' ? await args() : args;
    const result = await runCli([...argv, '--data', data], {
      env: { ...quietEnv, NETLOG_LOG_FILE: join(tmp.path, 'log'), ...env },
    });
    assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.deepEqual(await listFiles(data), []);
    assert.ok(!result.stderr.includes(SECRET), result.stderr);
  });
}

test('no bad input echoed a password into the log', async () => {
  assert.ok(!(await readFile(join(tmp.path, 'log'), 'utf8')).includes(SECRET));
});

test('a reader that closes early (| head -1) gets its line and no stack trace', async () => {
  // verify prints one line per missing file (300 here), most of them after head has gone.
  const data = join(tmp.path, 'data-head');
  const script =
    `node "${ROOT}bin/netlog.js" verify --days 30 --data "${data}" 2>"${tmp.path}/head.err" | head -1; ` +
    'echo "exit=${PIPESTATUS[0]}"';
  assertFreshBuild();
  const result = await new Promise<string>((ok, fail) =>
    track(
      execFile(
        'bash',
        ['-c', script],
        {
          env: { ...process.env, ...quietEnv, NETLOG_LOG_FILE: join(tmp.path, 'head.log') },
          timeout: 300_000,
          killSignal: 'SIGKILL',
        },
        (err, stdout) => (err ? fail(err) : ok(stdout)),
      ),
    ),
  );
  const [first, exit] = result.trim().split('\n');
  assert.match(first ?? '', /^missing +total 2026-10-26 /);
  // 3: verify found problems, as without the pipe (not 1 from a crash).
  assert.equal(exit, 'exit=3');
  const stderr = await readFile(join(tmp.path, 'head.err'), 'utf8');
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|at /);
});
