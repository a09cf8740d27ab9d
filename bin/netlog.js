#!/usr/bin/env node
// The installed entry point: the compiled CLI (npm run build writes dist/).
import { main } from '../dist/cli/main.js';

await main(process.argv);
