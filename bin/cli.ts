/**
 * The command line: `sparsegrad train | recommend | similar | info | plot | map | bench`, one file per
 * command in bin/commands/. With no data path, `train` uses the built-in synthetic
 * MovieLens-shaped data set.
 */
import { parseArgs, usage, UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { printError } from './format.js';
import { columns } from './help.js';
import { didYouMean } from './suggest.js';
import { BENCH } from '../bench/usage.js';
import { version } from '../index.js';
import { TRAIN, train } from './commands/train.js';
import { RECOMMEND, recommend } from './commands/recommend.js';
import { SIMILAR, similar } from './commands/similar.js';
import { INFO, info } from './commands/info.js';
import { PLOT, plot } from './commands/plot.js';
import { MAP, map } from './commands/map.js';
import { EVAL, evalCommand } from './commands/eval.js';
import { PREDICT, predictCommand } from './commands/predict.js';

export const COMMANDS: { spec: CommandSpec; run: (a: ParsedArgs) => Promise<void> }[] = [
  { spec: TRAIN, run: train },
  { spec: RECOMMEND, run: recommend },
  { spec: SIMILAR, run: similar },
  { spec: INFO, run: info },
  { spec: PLOT, run: plot },
  { spec: MAP, run: map },
  { spec: EVAL, run: evalCommand }, { spec: PREDICT, run: predictCommand },
];

const NAMES = [...COMMANDS.map((c) => c.spec.name), 'bench'];

function mainUsage(): string {
  return [
    `sparsegrad ${version} — recommender models with row-sparse gradients, on the CPU (WebAssembly SIMD) or WebGL`,
    '',
    'Usage: sparsegrad <command> [options]',
    '',
    'Commands:',
    ...columns([...COMMANDS.map(({ spec: c }) => [c.name, c.summary] as [string, string]), [BENCH.name, BENCH.summary]], 2, 10),
    '',
    'Examples:',
    '  sparsegrad train --log-file metrics.jsonl',
    '      train matrix factorization on the built-in data set; model.sgm after every epoch',
    '  sparsegrad recommend --user 1',
    '      the top 10 items for user 1 from model.sgm',
    '  sparsegrad plot metrics.jsonl && sparsegrad map',
    '      training curves (metrics.svg) and a map of the item embeddings (map.svg)',
    '',
    "Run 'sparsegrad <command> --help' for a command's options and examples.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainUsage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(version);
    return 0;
  }
  if (name === 'bench') {
    const { benchMain } = await import('../bench/cli.js');
    return benchMain(rest);
  }
  const entry = COMMANDS.find((c) => c.spec.name === name);
  const cmd = entry?.spec;
  try {
    if (!cmd) throw new UsageError(`unknown command '${name}'${didYouMean(name, NAMES)} (valid: ${NAMES.join(', ')})`);
    const a = parseArgs(cmd, rest);
    if (a.help) {
      console.log(usage(cmd));
      return 0;
    }
    await entry!.run(a);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      printError(`error: ${e.message}`);
      console.error(cmd ? `Run 'sparsegrad ${cmd.name} --help' for its options and examples.` : "Run 'sparsegrad --help' for the commands.");
      return 2;
    }
    printError(`error: ${(e as Error).message}`);
    return 1;
  }
}

// run when executed directly (node dist/cli.js …), not when imported by tests
const invoked = typeof process !== 'undefined' && process.argv[1] && /cli\.(js|mjs|ts)$/.test(process.argv[1]);
if (invoked) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
