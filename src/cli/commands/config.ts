import { ExitCode, UsageError } from '../../errors.js';
import { PRESET_NAMES, isPresetName } from '../../config/presets.js';
import { presetConfigYaml } from '../../config/preset-yaml.js';
import { defaultConfig } from '../../config/validate.js';
import { loadCommandConfig, locateCommandConfig } from '../command-config.js';
import type { CommandContext } from '../context.js';
import type { ConfigOptions } from '../program.js';

/**
 * `netlog config`: the effective configuration as JSON, a starting point for a site's own file (which
 * file it came from is logged); with `--preset NAME`, that source preset as a complete, commented YAML file.
 */
export async function run(options: ConfigOptions, ctx: CommandContext): Promise<number> {
  if (options.preset !== undefined) {
    if (!isPresetName(options.preset))
      throw new UsageError(
        `--preset ${options.preset.slice(0, 40)} is not a preset: use one of ${PRESET_NAMES.join(', ')}`,
      );
    ctx.out(presetConfigYaml(options.preset).trimEnd());
    return ExitCode.ok;
  }
  const config = options.defaults ? defaultConfig() : await loadCommandConfig(options, ctx, 'none');
  if (!options.defaults) {
    const { path, source } = locateCommandConfig(options, ctx);
    ctx.log.info({ config: path ?? null, from: source }, 'effective configuration read from');
  }
  ctx.out(JSON.stringify(config, null, 2));
  return ExitCode.ok;
}
