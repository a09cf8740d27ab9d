import { Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { STEPS } from '../analysis/resample.js';
import { STABILISERS } from '../analysis/stabilise.js';
import {
  dayOption,
  daysOption,
  nonEmptyPathOption,
  positiveIntOption,
  positiveNumberOption,
  scoreOption,
  tablesOption,
} from './options.js';
import { scrubIpLiterals } from '../net/ip.js';
import { NETLOG_VERSION } from '../version.js';
import type { CommandContext } from './context.js';

/**
 * Every command and flag of netlog, declared in one place. Each action lazy-imports its command module
 * (so `netlog --help` loads no client), builds the context, and hands back the command's exit code.
 */

type MakeContext = (
  cmd: string,
  options: { quiet?: boolean; logFile?: string; es?: string },
) => CommandContext;

/** The environment variables a command reads, listed under its --help (see src/config/env.ts). */
const ENV_CONFIG = [
  'NETLOG_CONFIG   config file when -c is not given',
  'NETLOG_LOG_FILE JSON-lines log when --log-file is not given',
];
const ENV_ES = [
  'ES_URL          Elasticsearch URL when --es is not given (default http://localhost:9200)',
  'ES_CLOUD_ID     Elastic Cloud deployment instead of ES_URL',
  'ES_API_KEY      API key (or ES_USERNAME and ES_PASSWORD together)',
  'ES_USERNAME, ES_PASSWORD  basic authentication',
  'ES_CA_CERT      PEM file of the CA that signed the server certificate',
  'ES_TIMEOUT_MS   request timeout in milliseconds (>= 100)',
  'ES_INSECURE     1 or true: like --insecure',
  'ES_ENGINE       auto, elasticsearch or opensearch (default: es.engine of the config, else auto)',
];
const ENV_KEY = [
  'NETLOG_HASH_KEY or NETLOG_HASH_KEY_FILE  the pseudonymisation key (one of them; never in the config)',
];

/** The program and its global options; every command below hangs off it and sees them. */
function rootCommand() {
  return (
    new Command('netlog')
      .description('Elasticsearch network logs → pseudonymised daily CSV files in git, and their analysis')
      .version(NETLOG_VERSION)
      .option(
        '-c, --config <file>',
        'config file (JSON or YAML); default: NETLOG_CONFIG, else netlog.yaml/.yml/.json beside the data folder or in /etc/netlog, else the built-in tables',
      )
      .option(
        '-d, --data <dir>',
        'data directory holding <table>/<YYYY>/<YYYY-MM-DD>.csv',
        nonEmptyPathOption('--data'),
        'data',
      )
      .option(
        '--log-file <file>',
        'JSON-lines log; default: NETLOG_LOG_FILE or logs/elastic.log',
        nonEmptyPathOption('--log-file'),
      )
      .option('-q, --quiet', 'only warnings and errors on stderr')
      .exitOverride()
      // Subcommand --help lists these too (commands created afterwards inherit the setting).
      .configureHelp({ showGlobalOptions: true })
      .configureOutput({
        outputError: (text, write) => write(scrubIpLiterals(text.replace(/^error: /, 'netlog: '))),
      })
  );
}
type Program = ReturnType<typeof rootCommand>;

/** The options a command's action receives: its own as declared, and the global ones. */
type OptionsOf<F extends (...args: never[]) => { optsWithGlobals(): unknown }> = ReturnType<
  ReturnType<F>['optsWithGlobals']
>;
export type GlobalOptions = ReturnType<Program['opts']>;

// The helpers below are generic so that the flags they add stay part of the command's inferred type.
function esOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(c: Command<A, O, G>) {
  return c
    .option('--es <url>', 'Elasticsearch URL (default: ES_URL or http://localhost:9200)')
    .option('--insecure', 'do not verify the TLS certificate of Elasticsearch (warned; for testing only)');
}

// Commands that write the data directory take its run lock; by default a second run exits 4 at once.
// They also refuse settings that contradict what the data repository records, unless --start-anew.
function waitLockOption<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  c: Command<A, O, G>,
) {
  return c
    .option(
      '--start-anew',
      "record this run's time zone, pseudonym scheme and table columns in datapackage.json in place of different ones recorded there (files written before keep their old meaning)",
    )
    .option(
      '--wait-lock <seconds>',
      'wait up to this long for another netlog run (the morning load, a backfill) to release the data directory; default: exit 4 at once',
      positiveIntOption('--wait-lock', 86_400),
    );
}

// Commands that write pseudonyms: a key other than the data's is refused unless a new epoch is asked for.
function newKeyOption<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  c: Command<A, O, G>,
) {
  return c.option(
    '--new-key',
    "start a new pseudonym epoch: the key (or pseudonym scheme) differs from the data's on purpose; pseudonyms from now on do not join with earlier ones",
  );
}

function rangeOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  c: Command<A, O, G>,
) {
  return c
    .addOption(
      new Option('--days <n>', 'the last N complete days').argParser(daysOption).conflicts(['from', 'to']),
    )
    .option('--from <date>', 'first day (YYYY-MM-DD)', dayOption)
    .option('--to <date>', 'last day (YYYY-MM-DD), included', dayOption);
}

function loadDailyCommand(program: Program) {
  return newKeyOption(
    waitLockOption(
      esOptions(
        program
          .command('load-daily')
          .description("write one day's CSV for every configured table (default: yesterday)")
          .option(
            '--date <date>',
            'the day to load (YYYY-MM-DD); default: yesterday in the configured zone',
            dayOption,
          )
          .option('--tables <names>', 'only these tables (comma-separated)', tablesOption)
          .option('--dry-run', 'query and report, write nothing')
          .option('--partial', 'allow a day that is not over yet; its file is marked .partial.csv')
          .option(
            '--settle <hours>',
            'refuse a day that ended less than this many hours ago (late logs still arriving) unless --partial; default: settle_hours of the config or its preset',
            positiveIntOption('--settle', 720, 0),
          )
          .option('--publish', 'commit and push the data directory afterwards'),
      ),
    ),
  );
}
export type LoadDailyOptions = OptionsOf<typeof loadDailyCommand>;

function loadBackfillCommand(program: Program) {
  return newKeyOption(
    waitLockOption(
      esOptions(
        rangeOptions(
          program
            .command('load-backfill')
            .description('(re)build a range of days; complete days are skipped unless --force')
            .option('--tables <names>', 'only these tables (comma-separated)', tablesOption)
            .option('--force', 'rebuild days that are already complete')
            .option(
              '--concurrency <n>',
              'days × tables fetched at once',
              positiveIntOption('--concurrency', 16),
              2,
            )
            .option('--publish', 'commit and push the data directory afterwards'),
        ),
      ),
    ),
  );
}
export type LoadBackfillOptions = OptionsOf<typeof loadBackfillCommand>;

function verifyCommand(program: Program) {
  return newKeyOption(
    waitLockOption(
      esOptions(
        rangeOptions(
          program
            .command('verify')
            .description(
              'find missing, incomplete, corrupt or partial day files (and drift from Elasticsearch)',
            )
            .option('--tables <names>', 'only these tables (comma-separated)', tablesOption)
            .option('--against-es', 're-count each day in Elasticsearch and report stored totals that differ')
            .option('--repair', 're-fetch exactly the days found wrong')
            .option('--concurrency <n>', 'repairs fetched at once', positiveIntOption('--concurrency', 16), 2)
            .option('--publish', 'commit and push the data directory after a repair'),
        ),
      ),
    ),
  );
}
export type VerifyOptions = OptionsOf<typeof verifyCommand>;

function doctorCommand(program: Program) {
  return esOptions(
    program
      .command('doctor')
      .description('check the connection, the indices and the fields of every table')
      .option(
        '--estimate',
        "also estimate each table's rows a day and the repository's yearly growth from the cluster (one cardinality aggregation per flow table over a whole day)",
      )
      .option('--date <date>', 'the day --estimate measures (YYYY-MM-DD); default: yesterday', dayOption),
  );
}
export type DoctorOptions = OptionsOf<typeof doctorCommand>;

function initDataCommand(program: Program) {
  return program
    .command('init-data')
    .description("make the data directory a git working copy of the analysts' repository")
    .requiredOption('--remote <url>', 'the repository analysts pull (URL or path)');
}
export type InitDataOptions = OptionsOf<typeof initDataCommand>;

function publishCommand(program: Program) {
  return waitLockOption(
    program
      .command('publish')
      .description(
        'commit changed CSV files and push them; unpublished commits from earlier runs go out too',
      ),
  );
}
export type PublishOptions = OptionsOf<typeof publishCommand>;

function scheduleCommand(program: Program) {
  return esOptions(
    program
      .command('schedule')
      .description('run load-daily and publish on the configured cron schedule (for hosts without crontab)'),
  );
}
export type ScheduleOptions = OptionsOf<typeof scheduleCommand>;

function sampleGroup(program: Program) {
  return program.command('sample').description('realistic generated network logs');
}

function sampleLoadCommand(sample: ReturnType<typeof sampleGroup>) {
  return esOptions(
    sample
      .command('load')
      .description('bulk-load generated days into per-protocol indices')
      .requiredOption('--days <n>', 'how many days', daysOption)
      .requiredOption('--end <date>', 'the last day (YYYY-MM-DD)', dayOption)
      .option(
        '--docs-per-day <m>',
        'baseline documents a day',
        positiveIntOption('--docs-per-day', 5_000_000),
        20_000,
      )
      .option('--seed <s>', 'generator seed', positiveIntOption('--seed', 2 ** 31), 42)
      .option(
        '--hosts <n>',
        'internal client hosts the traffic comes from (a network of that size; try --docs-per-day 250 × hosts)',
        positiveIntOption('--hosts', 500_000),
        400,
      )
      .option('--no-anomalies', 'do not inject the spike and the beacon')
      .option('--anomaly-day <date>', 'the day that gets the anomalies (default: --end)', dayOption)
      .option('--expected <file>', 'write exact expected counts and bytes per protocol per bucket (JSON)')
      .option(
        '--index-prefix <prefix>',
        'index names are <prefix><protocol> (netlog-sample schema)',
        'network-',
      )
      .option(
        '--schema <name>',
        "the documents' shape: netlog-sample, elastic-zeek, suricata, packetbeat or security-onion (each preset's source)",
        'netlog-sample',
      )
      .option(
        '--namespace <ns>',
        'data stream namespace of the other schemas (logs-zeek.dns-<ns>, …)',
        'default',
      )
      .option('--force', 'also load into existing indices that hold documents sample load did not write')
      .option(
        '--beacons',
        "plant beacons (60 s, 5 min, 1 h) and decoys in every day's flows (netlog beacons)",
      ),
  );
}
export type SampleLoadOptions = OptionsOf<typeof sampleLoadCommand>;

function plotCommand(program: Program) {
  return rangeOptions(
    program
      .command('plot')
      .description('line charts of tables over a range (SVG or PNG)')
      .requiredOption('--tables <names>', 'tables to plot (comma-separated)', tablesOption)
      .addOption(
        new Option('--resample <step>', 'steps of the configured zone; a step with a gap is a gap')
          .choices(STEPS)
          .default('15m' as const),
      )
      .option('--metric <name>', 'metric column to plot', 'count')
      .option(
        '--top <n>',
        'for a flow table: a bar chart of its top N keys (destinations, domains) instead of lines',
        positiveIntOption('--top', 100),
      )
      .option('--out <file>', 'output .svg or .png', 'out/plot.png')
      .option('--csv <file>', 'also write the plotted numbers as CSV (timestamp + one column per table)'),
  );
}
export type PlotOptions = OptionsOf<typeof plotCommand>;

function waveletCommand(program: Program) {
  return rangeOptions(
    program
      .command('wavelet')
      .description("wavelet decomposition, denoising and anomaly detection of a table's series")
      .requiredOption('--table <name>', 'the table')
      .option('--metric <name>', 'metric column', 'count')
      .option('--wavelet <name>', 'haar, db2, db3 or db4', 'db4')
      .option(
        '--level <n>',
        'approximation level of the expectation (default 4: features longer than 4 hours are kept)',
        positiveIntOption('--level', 12),
      )
      .option(
        '--threshold <k>',
        'robust z-score above which a point is an anomaly',
        positiveNumberOption('--threshold', 'a positive robust z-score, e.g. 5'),
        5,
      )
      .addOption(
        new Option(
          '--stabilise <how>',
          'anscombe (default for counts and sums: same threshold day and night) or none',
        ).choices(STABILISERS),
      )
      .option('--out <file>', 'anomalies as .csv or .json', 'out/anomalies.csv')
      .option('--chart <file>', 'chart of series, denoised line and anomalies (.svg or .png)'),
  );
}
export type WaveletOptions = OptionsOf<typeof waveletCommand>;

function beaconsCommand(program: Program) {
  return esOptions(
    rangeOptions(
      program
        .command('beacons')
        .description(
          "RITA's beacon scores for every pair of a flow table, day by day (exact where the key and Elasticsearch are at hand)",
        )
        .option('--table <name>', 'the flow table', 'internal_to_external')
        .option(
          '--min-score <s>',
          'report pairs scoring at least this (0–1)',
          scoreOption('--min-score'),
          0.7,
        )
        .option('--out <file>', 'findings as .csv or .json', 'out/beacons.csv')
        .option('--no-exact', 'score from the day files alone (no Elasticsearch, no key)')
        .option('--chart <file>', 'hourly strip charts of the top findings (.svg or .png)'),
    ),
  );
}
export type BeaconsOptions = OptionsOf<typeof beaconsCommand>;

function reportCommand(program: Program) {
  return rangeOptions(
    program
      .command('report')
      .description('one self-contained HTML report: charts, anomalies, data completeness')
      .option('--tables <names>', 'tables to include (default: all)', tablesOption)
      .option('--out <file>', 'the HTML file', 'out/report.html')
      .option(
        '--beacons <file>',
        'show these findings of netlog beacons --out FILE.json in the Beacons section',
      ),
  );
}
export type ReportOptions = OptionsOf<typeof reportCommand>;

function configCommand(program: Program) {
  return program
    .command('config')
    .description('print the effective configuration (secrets are never part of it)')
    .option('--defaults', 'print the built-in defaults instead')
    .option(
      '--preset <name>',
      'print a source preset as a complete, commented YAML config: netlog-sample, elastic-zeek, suricata, packetbeat, security-onion',
    );
}
export type ConfigOptions = OptionsOf<typeof configCommand>;

/** Builds the CLI; `onExitCode` receives each command's exit code (main.ts alone sets the process's). */
export function buildProgram(makeContext: MakeContext, onExitCode: (code: number) => void): Command {
  const program = rootCommand();

  /**
   * Each action lazy-imports its command module (so `netlog --help` loads no client), builds the context and
   * hands back the command's exit code. The module's `run` must accept exactly what commander parses for
   * that command, so a renamed or mistyped flag is a type error.
   */
  const bind = <A extends unknown[], O extends OptionValues, G extends OptionValues>(
    cmd: Command<A, O, G>,
    name: string,
    env: readonly string[],
    load: () => Promise<{
      run: (options: ReturnType<Command<A, O, G>['optsWithGlobals']>, ctx: CommandContext) => Promise<number>;
    }>,
  ): void => {
    cmd.addHelpText('after', `\nEnvironment:\n${env.map((line) => `  ${line}`).join('\n')}\n`);
    cmd.action(async () => {
      const options = cmd.optsWithGlobals();
      const ctx = makeContext(name, options);
      const module = await load();
      onExitCode(await module.run(options, ctx));
    });
  };

  const withEs = [...ENV_CONFIG, ...ENV_ES];
  const writing = [...withEs, ...ENV_KEY];
  bind(loadDailyCommand(program), 'load-daily', writing, () => import('./commands/load-daily.js'));
  bind(loadBackfillCommand(program), 'load-backfill', writing, () => import('./commands/load-backfill.js'));
  bind(verifyCommand(program), 'verify', writing, () => import('./commands/verify.js'));
  bind(doctorCommand(program), 'doctor', writing, () => import('./commands/doctor.js'));
  bind(initDataCommand(program), 'init-data', ENV_CONFIG, () => import('./commands/init-data.js'));
  bind(publishCommand(program), 'publish', ENV_CONFIG, () => import('./commands/publish.js'));
  bind(scheduleCommand(program), 'schedule', writing, () => import('./commands/schedule.js'));
  const sample = sampleGroup(program);
  bind(sampleLoadCommand(sample), 'sample-load', withEs, () => import('./commands/sample-load.js'));
  bind(plotCommand(program), 'plot', ENV_CONFIG, () => import('./commands/plot.js'));
  bind(waveletCommand(program), 'wavelet', ENV_CONFIG, () => import('./commands/wavelet.js'));
  bind(beaconsCommand(program), 'beacons', writing, () => import('./commands/beacons.js'));
  bind(reportCommand(program), 'report', ENV_CONFIG, () => import('./commands/report.js'));
  bind(configCommand(program), 'config', ENV_CONFIG, () => import('./commands/config.js'));

  return program as unknown as Command;
}
