import { Document, isMap, type YAMLMap } from 'yaml';
import { PRESETS, type PresetName } from './presets.js';
import { validateConfig } from './validate.js';

/**
 * `netlog config --preset NAME`: the preset as a complete, commented YAML config file (every setting
 * with its value), to start a site's own file from. Loading the output gives exactly the config that
 * `preset: NAME` gives. Pure.
 */
export function presetConfigYaml(name: PresetName): string {
  const preset = PRESETS[name];
  const result = validateConfig({ preset: name });
  if (!result.config) throw new Error(`preset ${name} is invalid: ${result.errors.join('; ')}`);
  const { preset: _preset, ...config } = result.config;
  const doc = new Document(config);
  const wrap = (text: string): string =>
    text
      .split(/(?<=\S)\s+(?=\S)/)
      .reduce<string[]>((lines, word) => {
        const last = lines.at(-1);
        if (last !== undefined && last.length + word.length < 96) lines[lines.length - 1] = `${last} ${word}`;
        else lines.push(word);
        return lines;
      }, [])
      .map((l) => ` ${l}`)
      .join('\n');
  doc.commentBefore = [
    ` netlog config: preset ${name} — ${preset.title}`,
    ` (the same as a file holding only "preset: ${name}"; such a file may override any part:`,
    `  a table under tables: replaces the preset's table of that name, or adds one)`,
    '',
    wrap(preset.about),
    '',
    wrap(`bytes: ${preset.bytes}`),
    '',
    wrap(`settle_hours ${preset.settle_hours}: ${preset.settle_why}`),
    '',
    ' Connection details and secrets come from the environment (ES_URL, ES_API_KEY, ...), never from here.',
  ].join('\n');
  // A comment on the keys a site most often edits.
  const keyComments: Record<string, string> = {
    settle_hours: ' load-daily refuses a day that ended less than this many hours ago, unless --partial',
    tables: ` one file per table per day; bytes here: ${preset.bytes}`,
    es: ' engine: auto (the server decides), elasticsearch or opensearch; ES_ENGINE overrides it',
  };
  if (isMap(doc.contents)) {
    for (const pair of (doc.contents as YAMLMap).items) {
      const key = pair.key as { value?: unknown; commentBefore?: string | null };
      const comment = typeof key.value === 'string' ? keyComments[key.value] : undefined;
      if (comment !== undefined) key.commentBefore = wrap(comment.trim());
    }
  }
  return doc.toString({ lineWidth: 0 });
}
