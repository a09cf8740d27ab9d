#!/usr/bin/env node
// The installed entry point: the compiled CLI, bundled with its packages (npm run build writes dist/
// and dist/bundle/, scripts/bundle.ts; npm install -g and npm pack build it through the `prepare`
// script). A checkout that was never built, or whose packages are not installed, gets one line saying
// what to run instead of a module-resolution stack (a missing chunk that main.js imports names main.js
// as its importer, so it reads as not built; resvg, left in node_modules, is loaded only for charts).
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const home = fileURLToPath(new URL('..', import.meta.url));
let cli;
try {
  cli = await import('../dist/bundle/main.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  const fix = String(err.message).includes('/dist/bundle/main.js')
    ? `netlog is not built: run npm run build in ${home}`
    : `netlog's packages are not installed: run npm ci in ${home}`;
  process.stderr.write(`netlog: ${fix}\n`);
  process.exit(1);
}
await cli.main(process.argv);
