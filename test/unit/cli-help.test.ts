import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/es.js';

// Every subcommand's --help lists the global options and the environment variables it reads. The
// variable names are taken from the sources that read them, so a new one that is not documented fails.
const readEnv = async (file: string): Promise<string[]> => {
  const text = await readFile(`${ROOT}src/${file}`, 'utf8');
  return [...new Set([...text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!))];
};

const GLOBALS = [/-c, --config <file>/, /-d, --data <dir>/, /--log-file <file>/, /-q, --quiet/];

test('subcommand --help shows the global options and the environment it reads', async () => {
  const connection = [
    ...(await readEnv('config/env.ts')),
    ...(await readEnv('cli/setup.ts')).filter((name) => name.startsWith('ES_')),
  ];
  const key = await readEnv('config/hash-key.ts');
  const files = [...(await readEnv('config/locate.ts')), ...(await readEnv('log.ts'))];
  assert.ok(
    ['ES_URL', 'ES_TIMEOUT_MS', 'ES_ENGINE'].every((name) => connection.includes(name)),
    connection.join(),
  );
  assert.deepEqual(key.sort(), ['NETLOG_HASH_KEY', 'NETLOG_HASH_KEY_FILE']);
  assert.ok(files.includes('NETLOG_CONFIG') && files.includes('NETLOG_LOG_FILE'), files.join());

  const expected: [string[], string[], string[]][] = [
    // [command, variables listed, variables not listed]
    [['load-daily'], [...connection, ...key, ...files], []],
    [['load-backfill'], [...connection, ...key, ...files], []],
    [['verify'], [...connection, ...key, ...files], []],
    [['doctor'], [...connection, ...files], []],
    [['sample', 'load'], [...connection, ...files], key],
    [['plot'], files, [...connection, ...key]],
    [['publish'], files, connection],
    [['config'], files, connection],
  ];
  for (const [command, listed, unlisted] of expected) {
    const result = await runCli([...command, '--help']);
    assert.equal(result.code, 0, result.stderr);
    const [options, environment] = result.stdout.split(/\nEnvironment:\n/);
    assert.ok(environment !== undefined, `${command.join(' ')} --help has no Environment section`);
    const globals = options!.split(/\nGlobal Options:\n/)[1];
    assert.ok(globals !== undefined, `${command.join(' ')} --help has no Global Options section`);
    for (const flag of GLOBALS) assert.match(globals, flag, command.join(' '));
    for (const name of listed)
      assert.match(environment, new RegExp(`\\b${name}\\b`), `${command.join(' ')}: ${name}`);
    for (const name of unlisted)
      assert.doesNotMatch(environment, new RegExp(`\\b${name}\\b`), `${command.join(' ')}: ${name}`);
  }
});
