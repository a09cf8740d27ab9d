import { gitFailureReason } from './git-output.js';
import { maskUrlCredentials } from '../net/url-credentials.js';
import { errorText, openGit } from './git-runner.js';
import { localRemotePath } from './remote-url.js';

/**
 * A plain `git clone` of the analysts' repository checks out the branch the remote's HEAD names. A new
 * bare repository's HEAD is often `master` while netlog publishes `main`: the clone then comes out
 * empty ("remote HEAD refers to nonexistent ref"). For a repository on this machine netlog points its
 * HEAD at the published branch when HEAD names a branch that does not exist there; otherwise it says
 * exactly what to run (a hosted repository's default branch is a setting of the host).
 */

export type RemoteHead =
  | { readonly state: 'ok' }
  | { readonly state: 'set'; readonly from: string }
  | { readonly state: 'hint'; readonly message: string };

/** Longest silence of one of these git commands (init-data has no config of its own for them). */
const TIMEOUT_MS = 30_000;

/** A git answer: its output, `no` (git's silent exit 1 to a `-q` question), or why it failed. */
type Answer = { readonly out: string } | { readonly no: true } | { readonly failed: string };

async function ask(args: readonly string[]): Promise<Answer> {
  // In the current directory: a relative remote path is relative to it, as for git itself.
  const git = openGit({ dir: process.cwd(), timeoutMs: TIMEOUT_MS });
  try {
    const out = await git.probe(args);
    return out === undefined ? { no: true } : { out: out.trim() };
  } catch (err) {
    return { failed: gitFailureReason(errorText(err)) };
  }
}

const outOf = (a: Answer): string | undefined => ('out' in a ? a.out : undefined);

/** ` (git: <reason>)` when one of the commands failed rather than answered, for the hint. */
function why(...answers: (Answer | undefined)[]): string {
  const failed = answers.find((a): a is { failed: string } => a !== undefined && 'failed' in a);
  return failed ? ` (git: ${failed.failed})` : '';
}

/**
 * Makes (or asks for) the remote's HEAD to name `branch`. Never throws: init-data has succeeded by
 * now, so the worst is a hint, which names git's reason when a command failed rather than answered.
 */
export async function alignRemoteHead(remote: string, branch: string): Promise<RemoteHead> {
  const path = localRemotePath(remote);
  const ref = `refs/heads/${branch}`;
  if (path !== undefined) {
    const bare = await ask(['--git-dir', path, 'rev-parse', '--is-bare-repository']);
    if (outOf(bare) === 'true') {
      // `no` is a detached HEAD: it names no branch.
      const head = await ask(['--git-dir', path, 'symbolic-ref', '-q', 'HEAD']);
      if (outOf(head) === ref) return { state: 'ok' };
      const named = outOf(head);
      const exists =
        named !== undefined
          ? await ask(['--git-dir', path, 'rev-parse', '--verify', '-q', named])
          : undefined;
      // Only a HEAD that names no existing branch is changed; a failed question changes nothing.
      const set =
        !('failed' in head) && (exists === undefined || 'no' in exists)
          ? await ask(['--git-dir', path, 'symbolic-ref', 'HEAD', ref])
          : undefined;
      if (set !== undefined && 'out' in set)
        return { state: 'set', from: named?.replace(/^refs\/heads\//, '') ?? 'a detached HEAD' };
      return {
        state: 'hint',
        message: `${path}'s HEAD names ${named ?? 'no branch'}, so a plain git clone checks that out, not ${branch}: run git --git-dir ${path} symbolic-ref HEAD ${ref}${why(head, exists, set)}`,
      };
    }
  }
  // A hosted repository: ask what its HEAD names (nothing for an empty one).
  const shown = maskUrlCredentials(remote);
  const listed = await ask(['ls-remote', '--symref', remote, 'HEAD']);
  const named = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(outOf(listed) ?? '')?.[1];
  if (named === branch) return { state: 'ok' };
  return {
    state: 'hint',
    message:
      named === undefined
        ? `cannot tell which branch a plain git clone of ${shown} checks out${why(listed)}: make ${branch} its default branch (in the git host's settings), or clone with git clone -b ${branch}`
        : `a plain git clone of ${shown} checks out ${named}, not ${branch}: make ${branch} its default branch (in the git host's settings), or clone with git clone -b ${branch}`,
  };
}
