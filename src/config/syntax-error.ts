/**
 * Where a config file's syntax breaks, as a line and a column — and nothing else. The parsers' own
 * messages quote the text around the error (V8's JSON.parse: `Unexpected token … "…": "s3cr…" is not
 * valid JSON`; yaml: a five-line code frame), and a config file may hold a secret someone pasted
 * there, so netlog never shows them. Pure.
 */

export interface TextPosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters (UTF-16 code units) from the start of the line. */
  readonly column: number;
}

/** The line and column of character `offset` of `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/**
 * The offset of the first character at which `text` stops being valid JSON (RFC 8259), or undefined
 * when it is valid. A small recursive-descent scanner: JSON.parse says whether the text is valid,
 * this says where it is not (V8 gives a position only for some errors, and quotes text for others).
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (at: number): never => {
    throw new ScanStop(at);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  // As Python's json module does, a bad literal and an unterminated string are reported where they
  // start (the unit test compares positions with it).
  const literal = (word: string): void => {
    const start = i;
    for (const ch of word) if (text[i++] !== ch) fail(start);
  };
  const string = (): void => {
    const start = i;
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail(start);
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) fail(i);
      if (ch === 0x5c) {
        const esc = text[i + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(i);
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i += 2;
        else fail(i);
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (!m) fail(i);
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail(i);
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(i);
        string();
        ws();
        if (text[i] !== ':') fail(i);
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail(i);
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail(i);
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else fail(i);
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail(i);
    return undefined;
  } catch (err) {
    if (err instanceof ScanStop) return err.offset;
    throw err;
  }
}

class ScanStop {
  constructor(readonly offset: number) {}
}
