import { ExitCode } from '../../errors.js';
import { publishData } from '../../publish/git.js';
import { loadCommandConfig, reportPublish, withDataLock } from '../setup.js';
import type { CommandContext } from '../context.js';
import type { GlobalOptions } from '../program.js';

/** `netlog publish`: commit changed day files and push; commits left by earlier failed pushes go too. */
export async function run(options: GlobalOptions, ctx: CommandContext): Promise<number> {
  const config = await loadCommandConfig(options, ctx);
  return withDataLock(options, 'publish', ctx, async () => {
    const result = await publishData({ dataDir: options.data, config, log: ctx.log, signal: ctx.signal });
    reportPublish(result, ctx);
    return result.pushed ? ExitCode.ok : ExitCode.runtime;
  });
}
