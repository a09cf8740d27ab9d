import { resolve } from 'node:path';

/**
 * What a `--remote` value names. Pure (path.resolve reads only the current directory's name).
 * git takes a URL (`https://…`, `ssh://…`), an scp-like address (`git@host:path`, `host:path`) or a
 * path on this machine (`/srv/analysts.git`, `file:///srv/analysts.git`).
 */

/** The absolute path of a repository on this machine, or undefined for a network address. */
export function localRemotePath(remote: string): string | undefined {
  if (remote.startsWith('file://')) return resolve(remote.slice('file://'.length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || /^[^/]+:/.test(remote)) return undefined;
  return resolve(remote);
}

/** True when two remote values name the same repository (the same text, or the same local path). */
export function sameRemote(a: string, b: string): boolean {
  if (a === b) return true;
  const pathA = localRemotePath(a);
  return pathA !== undefined && pathA === localRemotePath(b);
}

/** True for a value git would read as an option (`--upload-pack=…`) or that names nothing. */
export function unusableRemote(remote: string): boolean {
  return remote.startsWith('-') || remote.trim() === '';
}
