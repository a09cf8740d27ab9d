import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { pythonTool, runTool } from '../helpers/python.js';
import { listFiles, useSampleSuite, writeTestConfig } from '../helpers/sample.js';

// The data repository explains itself: publish writes datapackage.json and the analysts' README.md
// next to the day files, a plain `git clone` of the published repository is plotted and verified
// with no config at all (the zone comes from datapackage.json), and a run whose settings contradict
// what the repository records refuses to write. Real Elasticsearch, real git, a bare remote.

const PREFIX = 'it-package-';
const DAY = '2026-11-24';
const KEY = 'integration-test-key-0123456789';
const ZONE = 'Europe/Zurich';

const suite = useSampleSuite({
  label: 'package',
  prefix: PREFIX,
  sample: { days: 2, end: DAY, docsPerDay: 4000, seed: 5 },
});

const gitEnv = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' });

describe('the data repository explains itself', () => {
  let dir: string;
  let data: string;
  let remote: string;
  let clone: string;
  let zurichConfig: string;
  let utcConfig: string;
  let env: NodeJS.ProcessEnv;
  const git = (args: string[], cwd?: string) =>
    execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } }).trim();
  // No NETLOG_CONFIG, and a cwd with no netlog.yaml/netlog.json: only what a command is given counts.
  const netlog = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runCli(args, { cwd: dir, env: { ...env, NETLOG_CONFIG: undefined, ...extra } });

  before(async () => {
    await suite.ready;
    dir = join(suite.dir, 'repo');
    await mkdir(join(dir, 'home'), { recursive: true });
    env = {
      ...gitEnv(join(dir, 'home')),
      NETLOG_HASH_KEY: KEY,
      NETLOG_LOG_FILE: join(dir, 'elastic.log'),
      NETLOG_NOW: '2026-11-25T06:00:00Z',
    };
    data = join(dir, 'data');
    remote = join(dir, 'analysts.git');
    clone = join(dir, 'clone');
    const author = { author_name: 'Ops Zurich', author_email: 'ops@zurich.example', push_retries: 0 };
    zurichConfig = await writeTestConfig(dir, PREFIX, { timezone: ZONE, git: author });
    utcConfig = await writeTestConfig(dir, PREFIX, { git: author });
    git(['init', '--quiet', '--bare', '--initial-branch=main', remote]);
    const init = await netlog(['init-data', '--remote', remote, '--data', data, '--config', zurichConfig]);
    assert.equal(init.code, 0, init.stderr);
    const load = await netlog([
      'load-daily',
      '--date',
      DAY,
      '--data',
      data,
      '--config',
      zurichConfig,
      '--es',
      suite.es.url,
      '--publish',
    ]);
    assert.equal(load.code, 0, load.stderr);
    git(['clone', '--quiet', remote, clone]);
  });

  test('publish commits datapackage.json and README.md with the day files, by the configured author', async () => {
    assert.equal(git(['log', '-1', '--format=%an <%ae>', 'main'], remote), 'Ops Zurich <ops@zurich.example>');
    const files = await listFiles(clone);
    assert.ok(files.includes('datapackage.json') && files.includes('README.md'), files.join(' '));
    const pkg = JSON.parse(await readFile(join(clone, 'datapackage.json'), 'utf8')) as {
      resources: { name: string; path: string[] }[];
      netlog: { timezone: string; version: string; pseudonym: { algorithm: string; length: number } };
    };
    const version = (
      JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
    assert.equal(pkg.netlog.timezone, ZONE);
    assert.equal(pkg.netlog.version, version);
    // The scheme, with the key's fingerprint and epochs from the key record published beside it.
    const record = JSON.parse(await readFile(join(clone, 'pseudonym.json'), 'utf8')) as {
      fingerprint: string;
      epochs: unknown[];
    };
    assert.match(record.fingerprint, /^[0-9a-f]{16}$/);
    assert.deepEqual(pkg.netlog.pseudonym, {
      algorithm: 'hmac-sha256',
      length: 16,
      fingerprint: record.fingerprint,
      epochs: record.epochs,
    });
    // One resource per table, each naming exactly the day file the clone has.
    const dayFiles = files.filter((f) => f.endsWith('.csv'));
    assert.deepEqual(pkg.resources.flatMap((r) => r.path).sort(), dayFiles);
    assert.equal(pkg.resources.length, 10);
    const readme = await readFile(join(clone, 'README.md'), 'utf8');
    assert.match(readme, /calendar day in \*\*Europe\/Zurich\*\*/);
  });

  test('frictionless validates the published package against its files', async (t) => {
    const frictionless = pythonTool('frictionless');
    if ('skip' in frictionless) return t.skip(frictionless.skip);
    const result = await runTool(frictionless.path, ['validate', '--json', 'datapackage.json'], {
      cwd: clone,
    });
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      tasks: { name: string; stats: { rows: number } }[];
    };
    assert.equal(report.valid, true, result.stdout.slice(0, 3000));
    // A Zurich winter day is 24 hours: 96 rows, whatever the zone did to its UTC bounds.
    assert.equal(report.tasks.find((task) => task.name === 'total')?.stats.rows, 96);
  });

  test('a plain clone is plotted and verified with no config: the zone comes from datapackage.json', async () => {
    const verify = await netlog(['verify', '--data', clone, '--from', DAY, '--to', DAY]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(
      verify.stdout,
      /all 10 day file\(s\) of 10 table\(s\) from 2026-11-24 to 2026-11-24 are complete/,
    );
    const out = join(dir, 'clone-plot.svg');
    const plot = await netlog([
      'plot',
      '--data',
      clone,
      '--tables',
      'total,internal_to_external',
      '--from',
      DAY,
      '--to',
      DAY,
      '--out',
      out,
    ]);
    assert.equal(plot.code, 0, plot.stderr);
    assert.match(await readFile(out, 'utf8'), /^<svg/);
    // The same clone read with UTC days would be wrong: a config that says so is refused, not obeyed.
    const wrong = await netlog([
      'verify',
      '--data',
      clone,
      '--from',
      DAY,
      '--to',
      DAY,
      '--config',
      utcConfig,
    ]);
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr.trim().split('\n').length, 1, wrong.stderr);
    assert.match(
      wrong.stderr,
      /datapackage\.json records timezone Europe\/Zurich \(this run: UTC\), which the config .* contradicts: drop --config/,
    );
  });

  test('a writing run whose settings contradict the record refuses (exit 2, one line, nothing written) unless --start-anew', async () => {
    const before = await hashes(data);
    const refused = await netlog(['load-daily', '--date', DAY, '--data', data, '--es', suite.es.url]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /records timezone Europe\/Zurich \(this run: UTC\), which the built-in defaults \(no --config.*\) contradicts: run with the config that wrote these files \(--config FILE\), or add --start-anew/,
    );
    const publish = await netlog(['publish', '--data', data, '--config', utcConfig]);
    assert.equal(publish.code, 2, publish.stderr);
    assert.deepEqual(await hashes(data), before, 'nothing written');

    const anew = await netlog([
      'load-daily',
      '--date',
      DAY,
      '--data',
      data,
      '--config',
      utcConfig,
      '--es',
      suite.es.url,
      '--publish',
      '--start-anew',
    ]);
    assert.equal(anew.code, 0, anew.stderr);
    assert.match(
      anew.stderr,
      /--start-anew: this run's settings replace the ones the data repository records/,
    );
    const pkg = JSON.parse(git(['--git-dir', remote, 'show', 'main:datapackage.json'])) as {
      netlog: { timezone: string };
    };
    assert.equal(pkg.netlog.timezone, 'UTC');
  });
});

async function hashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) {
    if (f.startsWith('.git/')) continue;
    out.set(
      f,
      createHash('sha256')
        .update(await readFile(join(dir, f)))
        .digest('hex'),
    );
  }
  return out;
}
