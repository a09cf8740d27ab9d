import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * The CLI as bin/netlog.js loads it: dist/bundle/, the compiled CLI (dist/cli/main.js) and the
 * packages it imports in a few files. Node spends most of a command's start-up finding, reading and
 * compiling modules one file at a time: importing the load command took 0.52–0.62 s from dist/ and
 * 0.30–0.35 s from the bundle (bench/notes.md, eighth round). Each command is still its own chunk,
 * imported when it runs (`netlog --help` loads no client; the OpenSearch client is loaded only for
 * OpenSearch). Nothing is minified and no source map is written (it would triple the size): a stack
 * trace names readable code.
 *
 *   node --import tsx scripts/bundle.ts   # run by npm run build, after tsc, before the build stamp
 */

/** Packages left out of the bundle: native addons, which Node loads from node_modules. */
const EXTERNAL = ['@resvg/resvg-js'];

async function bundle(root: string): Promise<void> {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  // Chunk names change with their contents: an earlier build's chunks would pile up.
  rmSync(join(root, 'dist/bundle'), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { main: 'dist/cli/main.js' },
    outdir: 'dist/bundle',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // The CommonJS packages (the Elasticsearch client, pino…) call require() for Node's own modules;
    // an ES module has no require of its own.
    banner: {
      js: "import { createRequire as bundleRequire } from 'node:module';\nconst require = bundleRequire(import.meta.url);",
    },
    // src/version.ts reads package.json beside dist/ when it is not bundled; the bundle carries it.
    define: { NETLOG_BUNDLED_VERSION: JSON.stringify(version) },
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bundle(fileURLToPath(new URL('..', import.meta.url)));
}
