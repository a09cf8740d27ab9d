import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { maskUrlCredentials } from './git-output.js';

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

const TIMEOUT_MS = 30_000;

/** A path (or file:// URL) of a repository on this machine, or undefined for a network URL. */
export function localRemotePath(remote: string): string | undefined {
  if (remote.startsWith('file://')) return remote.slice('file://'.length);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || /^[^/]+@[^/]+:/.test(remote) || /^[^/]+:/.test(remote))
    return undefined;
  return resolve(remote);
}

// What git needs to reach a remote (ssh agent, proxies, its own config), and nothing else: the key and
// Elasticsearch's credentials stay in netlog.
const PASSED =
  /^(PATH|HOME|USER|LOGNAME|TMPDIR|XDG_CONFIG_HOME|SSH_AUTH_SOCK|GIT_SSH|GIT_SSH_COMMAND|GIT_CONFIG_GLOBAL|GIT_CONFIG_NOSYSTEM|(https?|no|all)_proxy|(HTTPS?|NO|ALL)_PROXY)$/;

function gitEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => PASSED.test(k)));
}

function git(args: readonly string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((done) => {
    execFile(
      'git',
      [...args],
      {
        timeout: TIMEOUT_MS,
        env: { ...gitEnvironment(), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (err, stdout) => done({ ok: !err, out: stdout.trim() }),
    );
  });
}

/** Makes (or asks for) the remote's HEAD to name `branch`. Never throws: the worst is a hint. */
export async function alignRemoteHead(remote: string, branch: string): Promise<RemoteHead> {
  const path = localRemotePath(remote);
  const ref = `refs/heads/${branch}`;
  if (path !== undefined) {
    const bare = await git(['--git-dir', path, 'rev-parse', '--is-bare-repository']);
    if (bare.ok && bare.out === 'true') {
      const head = await git(['--git-dir', path, 'symbolic-ref', '-q', 'HEAD']);
      if (head.ok && head.out === ref) return { state: 'ok' };
      const named = head.ok ? head.out : undefined;
      const exists =
        named !== undefined && (await git(['--git-dir', path, 'rev-parse', '--verify', '-q', named])).ok;
      if (!exists) {
        const set = await git(['--git-dir', path, 'symbolic-ref', 'HEAD', ref]);
        if (set.ok) return { state: 'set', from: named?.replace(/^refs\/heads\//, '') ?? 'a detached HEAD' };
      }
      return {
        state: 'hint',
        message: `${path}'s HEAD names ${named ?? 'no branch'}, so a plain git clone checks that out, not ${branch}: run git --git-dir ${path} symbolic-ref HEAD ${ref}`,
      };
    }
  }
  // A hosted repository: ask what its HEAD names (nothing for an empty one).
  const shown = maskUrlCredentials(remote);
  const listed = await git(['ls-remote', '--symref', remote, 'HEAD']);
  const named = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(listed.out)?.[1];
  if (named === branch) return { state: 'ok' };
  return {
    state: 'hint',
    message:
      named === undefined
        ? `cannot tell which branch a plain git clone of ${shown} checks out: make ${branch} its default branch (in the git host's settings), or clone with git clone -b ${branch}`
        : `a plain git clone of ${shown} checks out ${named}, not ${branch}: make ${branch} its default branch (in the git host's settings), or clone with git clone -b ${branch}`,
  };
}
