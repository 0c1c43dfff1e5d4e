#!/usr/bin/env node
// The `sparsegrad` command: the built CLI lives in dist/cli.js (npm run build).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
