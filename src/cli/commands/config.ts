import { ExitCode } from '../../errors.js';
import { defaultConfig } from '../../config/validate.js';
import { loadCommandConfig } from '../command-config.js';
import { locateConfig } from '../../config/locate.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

/**
 * `netlog config`: the effective configuration as JSON, a starting point for a site's own file; which
 * file it came from is logged.
 */
export async function run(
  options: GlobalOptions & { defaults?: boolean },
  ctx: CommandContext,
): Promise<number> {
  const config = options.defaults ? defaultConfig() : await loadCommandConfig(options, ctx, 'none');
  if (!options.defaults) {
    const { path, source } = locateConfig({ flag: options.config, env: ctx.env, dataDir: options.data });
    ctx.log.info({ config: path ?? null, from: source }, 'effective configuration read from');
  }
  ctx.out(JSON.stringify(config, null, 2));
  return ExitCode.ok;
}
