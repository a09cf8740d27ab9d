import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../helpers/es.js';
import { runCli } from '../helpers/cli.js';
import { readCsvRecords, useSampleSuite, writeTestConfig } from '../helpers/sample.js';

// The operator's config reaches the morning jobs: scripts/install-cron.sh --config writes it into the
// crontab lines, and the lines' commands, run as cron runs them (its environment is only the crontab's
// variables; `\%` is a literal %), load a Zurich day and publish it as the configured author.

const PREFIX = 'it-cron-';
const DAY = '2026-11-24';
const KEY = 'integration-test-key-0123456789';

const suite = useSampleSuite({
  label: 'cron',
  prefix: PREFIX,
  sample: { days: 2, end: DAY, docsPerDay: 2000, seed: 9 },
});

interface Crontab {
  vars: Record<string, string>;
  jobs: { schedule: string; command: string }[];
}

/** The netlog block of a crontab: its variable lines and its jobs (five time fields, then the command). */
function parseCrontab(text: string): Crontab {
  const vars: Record<string, string> = {};
  const jobs: Crontab['jobs'] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const variable = /^([A-Z_]+)=(.*)$/.exec(line);
    if (variable) vars[variable[1]!] = variable[2]!;
    else {
      const fields = line.split(' ');
      jobs.push({ schedule: fields.slice(0, 5).join(' '), command: fields.slice(5).join(' ') });
    }
  }
  return { vars, jobs };
}

/** Runs a job's command as cron does: /bin/sh -c, the crontab's variables as the whole environment. */
function runAsCron(
  command: string,
  vars: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', command.replaceAll('\\%', '%')],
      { env: vars, timeout: 300_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
let data: string;
let remote: string;
let config: string;
let crontab: Crontab;
let gitEnv: Record<string, string>;

before(async () => {
  await suite.ready;
  dir = join(suite.dir, 'cron');
  data = join(dir, 'data');
  remote = join(dir, 'analysts.git');
  await mkdir(join(dir, 'home'), { recursive: true });
  gitEnv = { HOME: join(dir, 'home'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  config = await writeTestConfig(dir, PREFIX, {
    timezone: 'Europe/Zurich',
    git: { author_name: 'Ops Zurich', author_email: 'ops@zurich.example', push_retries: 0 },
  });
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote], {
    env: { ...process.env, ...gitEnv },
  });
  const init = await runCli(['init-data', '--remote', remote, '--data', data, '--config', config], {
    env: { ...gitEnv, NETLOG_LOG_FILE: join(dir, 'elastic.log') },
  });
  assert.equal(init.code, 0, init.stderr);
  // The env file of elastic.cron: the cluster, the key file, and for the test a fixed clock and log file.
  const keyFile = join(dir, 'hash.key');
  await writeFile(keyFile, `${KEY}\n`, { mode: 0o600 });
  const envFile = join(dir, 'netlog.env');
  await writeFile(
    envFile,
    Object.entries({
      ...gitEnv,
      ES_URL: suite.es.url,
      NETLOG_HASH_KEY_FILE: keyFile,
      NETLOG_NOW: '2026-11-25T06:00:00Z',
      NETLOG_LOG_FILE: join(dir, 'elastic.log'),
    })
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  const printed = execFileSync(
    'bash',
    [`${ROOT}scripts/install-cron.sh`, envFile, '--data', data, '--config', config, '--print'],
    { encoding: 'utf8', cwd: dir },
  );
  crontab = parseCrontab(printed.slice(printed.indexOf('# >>> netlog')));
});

test('install-cron --config writes the config into every netlog line', () => {
  assert.equal(crontab.jobs.length, 3);
  for (const job of crontab.jobs)
    assert.match(job.command, new RegExp(` bin/netlog\\.js [a-z-]+ --config ${config} `));
  assert.equal(crontab.vars.NETLOG_HOME, ROOT.replace(/\/$/, ''));
});

test("the 06:00 and 06:10 lines, run as cron runs them, honour the operator's zone and git author", async () => {
  const load = crontab.jobs.find((j) => j.schedule === '0 6 * * *')!;
  const publish = crontab.jobs.find((j) => j.schedule === '10 6 * * *')!;
  // Success is silent: cron mails nothing.
  assert.deepEqual(await runAsCron(load.command, crontab.vars), { code: 0, stdout: '', stderr: '' });
  assert.deepEqual(await runAsCron(publish.command, crontab.vars), { code: 0, stdout: '', stderr: '' });

  // A Zurich day: it starts at 23:00 UTC the day before, 96 buckets.
  const total = await readCsvRecords(join(data, 'total', '2026', `${DAY}.csv`));
  assert.equal(total.records.length, 96);
  assert.equal(total.records[0]!.timestamp, '2026-11-23T23:00:00Z');
  const git = (args: string[]) =>
    execFileSync('git', ['--git-dir', remote, ...args], { encoding: 'utf8' }).trim();
  // 10 day files, .gitignore, pseudonym.json, datapackage.json, README.md
  assert.equal(
    git(['log', '-1', '--format=%an <%ae>|%s', 'main']),
    'Ops Zurich <ops@zurich.example>|netlog: 2026-11-24, 10 tables, 14 files',
  );
  const pkg = JSON.parse(git(['show', 'main:datapackage.json'])) as { netlog: { timezone: string } };
  assert.equal(pkg.netlog.timezone, 'Europe/Zurich');
  // And the operator's own verify agrees: nothing corrupt.
  const verify = await runCli(['verify', '--config', config, '--data', data, '--from', DAY, '--to', DAY], {
    env: { NETLOG_LOG_FILE: join(dir, 'elastic.log'), NETLOG_NOW: '2026-11-25T06:00:00Z' },
  });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.ok((await readFile(join(ROOT, 'logs', 'cron.log'), 'utf8')).includes('load-daily'));
});

test('a failed job prints one line to stderr, which cron mails (MAILTO); the rest stays in cron.log', async () => {
  const load = crontab.jobs.find((j) => j.schedule === '0 6 * * *')!;
  const envFile = join(dir, 'netlog-down.env');
  await writeFile(
    envFile,
    (await readFile(join(dir, 'netlog.env'), 'utf8')).replace(/^ES_URL=.*$/m, 'ES_URL=http://127.0.0.1:9'),
  );
  const failed = await runAsCron(load.command, { ...crontab.vars, NETLOG_ENV: envFile });
  assert.equal(failed.code, 1);
  assert.equal(failed.stdout, '');
  assert.equal(failed.stderr.split('\n').filter((l) => l !== '').length, 1, failed.stderr);
  assert.match(failed.stderr, /^netlog load-daily failed \(exit 1\): netlog: .*refused the connection/);
});
