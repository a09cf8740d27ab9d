/**
 * Readings of git's output, as text → values. Pure; tested on output captured from real git
 * (`test/unit/publish-git-output.test.ts`). git runs with LC_ALL=C, so its messages are the English
 * ones matched here; `git push --porcelain` status lines are not translated anyway.
 */

import { maskUrlCredentials } from '../net/url-credentials.js';

/**
 * The one line worth showing from a failed git command's output: the status of a rejected push
 * (`remote rejected (pre-receive hook declined): branch is protected`), else the first `fatal:` or
 * `error:` line, else the last line; hints dropped, credentials masked, at most 300 characters.
 */
export function gitFailureReason(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('hint:'));
  // `git push --porcelain`: "!<TAB>HEAD:refs/heads/main<TAB>[rejected] (fetch first)"
  const refLine = lines.find((l) => /^!\s+\S+\s+\[[^\]]+\]/.test(l));
  let reason: string;
  if (refLine) {
    reason = refLine.replace(/^!\s+\S+\s+\[([^\]]+)\]\s*/, '$1 ');
    const remote = lines.filter((l) => l.startsWith('remote:')).map((l) => l.slice(7).trim());
    if (remote.length > 0) reason += `: ${remote.join(' ')}`;
  } else if (lines.some((l) => l === 'block timeout reached')) {
    reason = 'git gave no sign of life within the timeout (git.timeout_ms) and was stopped';
  } else {
    reason = lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1) ?? 'no output';
    reason = reason.replace(/^(fatal|error):\s*/, '');
  }
  reason = maskUrlCredentials(reason.replace(/\s+/g, ' ').trim());
  return reason.length > 300 ? `${reason.slice(0, 299)}…` : reason;
}

/**
 * Why a push failed, which decides what publish does next:
 * - `behind`: the remote has commits we lack (fetch first / non-fast-forward) → fetch and rebase;
 * - `refused`: the remote answered and said no (hook, protected branch, permissions, authentication)
 *   → trying again will not help;
 * - `unreachable`: anything else (no network, no such path, timeout) → retry with backoff.
 */
export type PushFailure = 'behind' | 'refused' | 'unreachable';

/** Reads a failed push's output (simple-git's error message) as a PushFailure. */
export function classifyPushFailure(text: string): PushFailure {
  if (/\[rejected\]\s*\((fetch first|non-fast-forward)\)/.test(text)) return 'behind';
  if (
    /Updates were rejected because the (remote contains work|tip of your current branch is behind)/.test(text)
  )
    return 'behind';
  if (
    /\[remote rejected\]|hook declined|Permission denied|Authentication failed|access denied|denied to|The requested URL returned error: 40[13]/i.test(
      text,
    )
  )
    return 'refused';
  return 'unreachable';
}

/** One entry of `git status --porcelain=v1 -z`: the two status letters, the path, a rename's source. */
export interface StatusEntry {
  readonly status: string;
  readonly path: string;
  readonly from?: string;
}

/**
 * Parses `git status --porcelain=v1 -z --untracked-files=all`. A staged rename or copy (`R`/`C`) is
 * followed by its source path, kept as `from`.
 */
export function parseStatusZ(text: string): StatusEntry[] {
  const parts = text.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.length < 4) continue;
    const status = part.slice(0, 2);
    const from = /[RC]/.test(status[0]!) ? parts[++i] : undefined;
    entries.push({ status, path: part.slice(3), ...(from !== undefined && { from }) });
  }
  return entries;
}

/** One entry of `git log --raw -z` / `git ls-tree -r -z`: a path with its (new) mode and status. */
export interface RawDiffEntry {
  /** A, M, D, T… (`A` for ls-tree entries). */
  readonly status: string;
  /** The new mode: 100644, 100755, 120000 (link), 160000 (submodule); 000000 when deleted. */
  readonly mode: string;
  readonly path: string;
}

/**
 * Parses `git log --raw -z --no-renames --format=` (":100644 120000 <sha> <sha> T\0path\0", commit
 * lines empty). Renames and copies are off (`--no-renames`), so each record has one path.
 */
export function parseRawDiffZ(text: string): RawDiffEntry[] {
  const parts = text.split('\0');
  const entries: RawDiffEntry[] = [];
  for (let i = 0; i < parts.length; i++) {
    const m = /^:(\d{6}) (\d{6}) [0-9a-f]+ [0-9a-f]+ ([A-Z])\d*$/.exec(parts[i]!.trim());
    if (!m) continue;
    const path = parts[++i];
    if (path === undefined) break;
    entries.push({ status: m[3]!, mode: m[2]!, path });
  }
  return entries;
}

/** Parses `git ls-tree -r -z <tree>` ("100644 blob <sha>\tpath\0") as added entries. */
export function parseLsTreeZ(text: string): RawDiffEntry[] {
  return text
    .split('\0')
    .map((line) => /^(\d{6}) \w+ [0-9a-f]+\t(.*)$/s.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ status: 'A', mode: m[1]!, path: m[2]! }));
}

/** Parses a `-z` list of paths (`diff --name-only -z`, `ls-files -z`). */
export function parseNamesZ(text: string): string[] {
  return text.split('\0').filter((p) => p !== '');
}
