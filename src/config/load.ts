import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { defaultConfig, validateConfig } from './validate.js';
import type { Config } from './schema.js';

/**
 * Reads the config file (JSON or YAML) named by `--config` or NETLOG_CONFIG, validates it, and fails
 * with every problem listed, before any network call. Without a file, the built-in defaults apply.
 */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (path === undefined || path === '') return defaultConfig();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}; check the --config path`,
      { cause },
    );
  }
  let document: unknown;
  try {
    document = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ConfigError(
      `config file ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message.split('\n')[0]}`,
      { cause },
    );
  }
  const result = validateConfig(document);
  if (result.errors.length > 0) {
    throw new ConfigError(`config file ${path} is invalid: ${result.errors.join('; ')}`);
  }
  return result.config!;
}
