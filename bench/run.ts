/**
 * Runs the benchmarks without the sparsegrad CLI:
 *   npx esbuild bench/run.ts --bundle --platform=node --format=esm --packages=external --outfile=.build/bench.mjs
 *   node .build/bench.mjs --quick
 * (the bundle must sit inside the repository so Node finds node_modules; .build/ is ignored by git)
 */
import { benchMain } from './cli.js';

const code = await benchMain(process.argv.slice(2));
// exit explicitly: a GL context or a pending handle must not keep the process alive
process.exit(code);
