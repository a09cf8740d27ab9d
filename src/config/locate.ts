import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Which config file a run uses, in this order: `--config FILE`; NETLOG_CONFIG (set but empty: none, the
 * built-in defaults); `netlog.yaml`, `netlog.yml` or `netlog.json` beside the data folder (for the
 * default `data`, the folder netlog runs in); the same names in /etc/netlog. None found: the built-in
 * defaults. Two names in one place are refused rather than one of them silently ignored.
 */

const CONFIG_NAMES: readonly string[] = ['netlog.yaml', 'netlog.yml', 'netlog.json'];
const SYSTEM_CONFIG_DIR = '/etc/netlog';

export interface ConfigLocation {
  /** The file, or undefined for the built-in defaults. */
  readonly path: string | undefined;
  /** How it was found, for messages: "--config", "NETLOG_CONFIG", "beside the data folder", … */
  readonly source: string;
}

export function locateConfig(options: {
  flag: string | undefined;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  systemDir?: string;
}): ConfigLocation {
  if (options.flag !== undefined) return { path: options.flag, source: '--config' };
  const fromEnv = options.env.NETLOG_CONFIG;
  if (fromEnv !== undefined)
    return fromEnv === ''
      ? { path: undefined, source: 'NETLOG_CONFIG= (empty: the built-in defaults)' }
      : { path: fromEnv, source: 'NETLOG_CONFIG' };
  const places: [string, string][] = [
    [dirname(resolve(options.dataDir)), 'beside the data folder'],
    [options.systemDir ?? SYSTEM_CONFIG_DIR, 'the system default'],
  ];
  for (const [dir, source] of places) {
    const found = CONFIG_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
    if (found.length > 1)
      throw new ConfigError(
        `${found.join(' and ')} both exist (${source}): keep one, or name the one to use with --config`,
      );
    if (found.length === 1) return { path: found[0], source };
  }
  return {
    path: undefined,
    source: `the built-in defaults (no --config, no NETLOG_CONFIG, no ${CONFIG_NAMES.join('/')} beside the data folder or in ${SYSTEM_CONFIG_DIR})`,
  };
}
