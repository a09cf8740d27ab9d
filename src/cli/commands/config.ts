import { ExitCode } from '../../errors.js';
import { defaultConfig } from '../../config/validate.js';
import { loadCommandConfig } from '../setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

/** `netlog config`: the effective configuration as JSON, a starting point for a site's own file. */
export async function run(
  options: GlobalOptions & { defaults?: boolean },
  ctx: CommandContext,
): Promise<number> {
  const config = options.defaults ? defaultConfig() : await loadCommandConfig(options, ctx, 'none');
  ctx.out(JSON.stringify(config, null, 2));
  return ExitCode.ok;
}
