import { GitError as SimpleGitError, simpleGit, type SimpleGit } from 'simple-git';
import { GitError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { GENERATED_MERGE_DRIVER } from './data-files.js';
import { gitConfigArgs, gitEnvironment } from './git-env.js';
import { gitFailureReason } from './git-output.js';
import { maskUrlCredentials } from '../net/url-credentials.js';

/**
 * The one place netlog runs git (simple-git's runner): a minimal environment with no secret of
 * netlog's in it (git-env.ts), fixed `-c` settings, a timeout on every command (a cron job must never
 * hang on a dead remote), SIGINT/SIGTERM killing a running network command, and every command line
 * logged at debug level. What to run is built by git-tasks.ts and read by git-output.ts; what to do
 * about it is decided by the policy modules (publish.ts, push.ts, init-repo.ts).
 */

export interface GitRunner {
  /** Runs `git <args>` and returns its standard output; any failure rejects. */
  run(args: readonly string[]): Promise<string>;
  /**
   * Runs a `-q` question (`rev-parse --verify -q`, `symbolic-ref -q`, `config --get`) whose "no" is
   * git exiting 1 without a word: undefined then. Every other failure (a broken repository, a
   * timeout) rejects, so a failed question is never read as its answer.
   */
  probe(args: readonly string[]): Promise<string | undefined>;
}

/**
 * A git command that exited non-zero without writing to stderr. simple-git counts that as success
 * (its rule: a failure is a non-zero exit with stderr); netlog does not, so a silent failure is never
 * read as an answer, and the `-q` questions' "no" (exit 1, silent) is recognised exactly. A
 * simple-git error class, so that simple-git passes it on as it is (it wraps any other).
 */
class SilentGitExit extends SimpleGitError {
  constructor(
    readonly exitCode: number,
    stdout: string,
  ) {
    super(undefined, stdout.trim() === '' ? `git exited with code ${exitCode}` : stdout);
    this.name = 'SilentGitExit';
  }
}

interface GitRunnerOptions {
  readonly dir: string;
  /** Longest silence of one git command (git.timeout_ms). */
  readonly timeoutMs: number;
  /** The commits' author; absent for commands that commit nothing. */
  readonly author?: { readonly name: string; readonly email: string };
  readonly log?: Logger;
  /** For network commands only: kills a running git on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

/**
 * A runner for `dir`: the configured author (CI has no global identity), hooks and the fsmonitor
 * off, no prompts, C locale (messages are parsed), literal pathspecs, the block timeout, and the
 * filtered environment.
 */
export function openGit(options: GitRunnerOptions): GitRunner {
  const git = simpleGitFor(options);
  return {
    run: (args) => git.raw([...args]),
    async probe(args) {
      try {
        return await git.raw([...args]);
      } catch (err) {
        if (err instanceof SilentGitExit && err.exitCode === 1) return undefined;
        throw err;
      }
    },
  };
}

/**
 * The two runners of the data directory's working copy, configured from `git:`: `git` for local
 * commands, `net` for those that reach the remote (push, fetch), which SIGINT/SIGTERM kills. Local
 * commands are left to finish, so an interruption never leaves a half-made commit or rebase.
 */
export function openDataRepo(
  dataDir: string,
  config: Config['git'],
  log: Logger,
  signal?: AbortSignal,
): { git: GitRunner; net: GitRunner } {
  const options: GitRunnerOptions = {
    dir: dataDir,
    timeoutMs: config.timeout_ms,
    author: { name: config.author_name, email: config.author_email },
    log,
  };
  return { git: openGit(options), net: openGit({ ...options, ...(signal && { signal }) }) };
}

function simpleGitFor(options: GitRunnerOptions): SimpleGit {
  const { log, signal } = options;
  return simpleGit({
    baseDir: options.dir,
    maxConcurrentProcesses: 1,
    timeout: { block: options.timeoutMs },
    ...(signal && { abort: signal }),
    config: [
      ...gitConfigArgs(options.author && { name: options.author.name, email: options.author.email }),
      // Keeps the current version of a generated file in a merge (see GENERATED_FILES).
      `merge.${GENERATED_MERGE_DRIVER}.driver=true`,
    ],
    // simple-git's own rule (a non-zero exit with stderr) has run first and made those failures its
    // GitError, its plugins made timeouts and aborts theirs; what is left unflagged is a non-zero
    // exit without stderr.
    errors: (error, result) =>
      error === undefined && result.exitCode !== 0
        ? new SilentGitExit(result.exitCode, Buffer.concat(result.stdOut).toString('utf8'))
        : error,
    // simple-git refuses to run when the environment names programs or config paths (GIT_SSH_COMMAND,
    // GIT_ASKPASS, GIT_CONFIG_GLOBAL…) or when `-c` sets the hooks path, guarding against untrusted
    // input. Here the environment is the operator's own, filtered (a deploy key in GIT_SSH_COMMAND, a
    // CI runner's GIT_CONFIG_GLOBAL), netlog's arguments are fixed, and the remote URL is checked;
    // the hooks path and fsmonitor are set to switch them off.
    unsafe: {
      allowUnsafeAskPass: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeEditor: true,
      allowUnsafeGitProxy: true,
      // netlog's own merge.netlog-generated.driver (above): the command `true`, nothing else.
      allowUnsafeMergeDriver: true,
      allowUnsafePager: true,
      allowUnsafeSshCommand: true,
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
    },
  })
    .env(gitEnvironment(process.env))
    .outputHandler((_command, _stdout, _stderr, args) => {
      log?.debug({ args: shownArgs(args) }, 'git command');
    });
}

/** A git command line for the log: without the `-c` settings every call carries, URL secrets masked. */
function shownArgs(args: readonly string[]): string[] {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else shown.push(maskUrlCredentials(args[i]!));
  }
  return shown;
}

/** The text of a failed command (simple-git puts git's stdout and stderr in the message). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A GitError for a failed git step: what, where, and git's own reason in one line, with the cause. */
export function gitStepError(step: string, dataDir: string, err: unknown): GitError {
  if (err instanceof GitError) return err;
  return new GitError(`git ${step} in ${dataDir} failed: ${gitFailureReason(errorText(err))}`, {
    cause: err,
  });
}
