import { NetlogError, ExitCode } from '../../errors.js';
import type { CommandContext } from '../context.js';

// Placeholder until the command lands: it fails loudly instead of pretending to work.
export async function run(_options: unknown, _ctx: CommandContext): Promise<number> {
  throw new NetlogError('netlog wavelet is not implemented yet', ExitCode.runtime);
}
