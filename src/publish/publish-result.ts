/**
 * What a publish did, and how to say it to the operator. Pure.
 */

export interface PublishResult {
  /** Whether this run made a commit (false: nothing new under the data directory). */
  readonly committed: boolean;
  /** The full hash of this run's commit. */
  readonly commit?: string;
  /** The first line of its message. */
  readonly subject?: string;
  /** Files in this run's commit. */
  readonly files: number;
  /** True when the remote has every local commit now. */
  readonly pushed: boolean;
  /** Local commits the remote does not have yet (kept for the next publish); 0 when pushed. */
  readonly pending: number;
  /** Why the push failed, one line (only when not pushed). */
  readonly pushError?: string;
  /** The branch was rebased onto a remote that had moved on. */
  readonly rebased: boolean;
}

/** The lines a command prints about a publish (stdout; cron appends them to logs/cron.log). */
export function describePublish(result: PublishResult): string[] {
  const lines = [
    result.committed
      ? `committed ${result.commit?.slice(0, 10)}: ${result.subject ?? ''} `.trimEnd()
      : 'nothing new to commit',
  ];
  if (result.pushed) {
    lines.push(
      result.rebased
        ? 'pushed (after rebasing onto commits the remote had): the remote is up to date'
        : 'pushed: the remote is up to date',
    );
  } else {
    lines.push(
      `push failed (${result.pushError ?? 'unknown reason'}): ${result.pending} commit(s) kept locally; ` +
        'the next netlog publish sends them (see logs/elastic.log)',
    );
  }
  return lines;
}
