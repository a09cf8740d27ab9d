import type { Logger } from '../log.js';

/** What the CLI hands every command: the edges a command may touch, passed in rather than reached for. */
export interface CommandContext {
  readonly log: Logger;
  /** The clock, read once per run (NETLOG_NOW fixes it for replays and tests). */
  readonly now: Date;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: stop starting new work, finish or discard the current file. */
  readonly signal: AbortSignal;
  /** Where results for a human go (paths written, summaries). */
  readonly out: (line: string) => void;
  readonly isTTY: boolean;
}
