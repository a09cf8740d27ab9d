import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { YAMLError, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { jsonErrorOffset, positionAt, type TextPosition } from './syntax-error.js';
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
  const document = parseConfigText(path, text);
  const result = validateConfig(document);
  if (result.errors.length > 0) {
    throw new ConfigError(`config file ${path} is invalid: ${result.errors.join('; ')}`);
  }
  return result.config!;
}

/**
 * The config text as a value. A syntax error is one line naming the file, the line and the column,
 * never the text around it (syntax-error.ts): a pasted secret next to a missing comma stays out of
 * the terminal and the log. The parser's error is not kept as the cause for the same reason.
 */
function parseConfigText(path: string, text: string): unknown {
  if (extname(path) === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const offset = jsonErrorOffset(text);
      throw syntaxError(path, 'JSON', offset === undefined ? undefined : positionAt(text, offset));
    }
  }
  let where: TextPosition | undefined;
  try {
    // logLevel silent: yaml's warnings would print the offending text; errors are read below.
    const doc = parseDocument(text, { prettyErrors: false, logLevel: 'silent', uniqueKeys: true });
    const first = doc.errors[0];
    if (first === undefined) return doc.toJS({ maxAliasCount: 100 }) as unknown;
    const linePos = first.linePos?.[0];
    where = linePos ? { line: linePos.line, column: linePos.col } : positionAt(text, first.pos[0]);
  } catch (err) {
    // toJS: too many aliases (a "billion laughs" file) or an alias to nothing.
    if (!(err instanceof YAMLError) && !(err instanceof ReferenceError) && !(err instanceof TypeError))
      throw err;
    if (err instanceof YAMLError) where = positionAt(text, err.pos[0]);
  }
  throw syntaxError(path, 'YAML', where);
}

function syntaxError(path: string, language: string, where: TextPosition | undefined): ConfigError {
  return new ConfigError(
    `config file ${path} is not valid ${language}${where ? ` at line ${where.line}, column ${where.column}` : ''}: fix the syntax there (the text is not shown: it may hold a secret)`,
  );
}
