import { createRequire } from 'node:module';

/** netlog's version, from package.json (one level above src/ and dist/ alike). */
export const NETLOG_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
