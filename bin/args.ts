/**
 * A small, strict argument parser: every command declares its options (and examples, for
 * its help: bin/help.ts); an unknown option or a bad choice is a usage error that says
 * which one was meant when it looks like a typo (bin/suggest.ts). What a value of each type
 * must be (int, positive, fraction, path, out-file, …) is checked in values.ts.
 */
import { checkPaths, parseValue, ValueError, type ValueKind } from './values.js';
import { formatHelp, type HelpOption, type HelpSpec } from './help.js';
import { closest, didYouMean } from './suggest.js';

export interface OptionSpec extends HelpOption {
  name: string;
  alias?: string;
  /** 'flag' takes no value; the other kinds are checked by values.ts */
  type: ValueKind | 'flag';
  /** bounds of an 'int' (inclusive) */
  min?: number;
  max?: number;
  default?: string | number | boolean;
  choices?: readonly string[];
  help: string;
}

export interface CommandSpec extends HelpSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** one argument without a dash (e.g. the file `plot` reads), stored under its name */
  positional?: { name: string; help: string; required?: boolean };
  /** [command line, what it does], shown under --help */
  examples?: [string, string][];
}

export class UsageError extends Error {}

export type ParsedArgs = Record<string, string | number | boolean | undefined>;

export function parseArgs(cmd: CommandSpec, argv: string[]): ParsedArgs {
  const out: ParsedArgs = {};
  for (const o of cmd.options) if (o.default !== undefined) out[o.name] = o.default;
  const byName = new Map<string, OptionSpec>();
  for (const o of cmd.options) {
    byName.set(`--${o.name}`, o);
    if (o.alias) byName.set(`-${o.alias}`, o);
  }
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (!arg.startsWith('-') && cmd.positional && out[cmd.positional.name] === undefined) {
      out[cmd.positional.name] = arg;
      continue;
    }
    const spec = byName.get(arg);
    if (!spec) {
      if (!arg.startsWith('-')) throw new UsageError(`${cmd.name}: unexpected argument '${arg}'`);
      const names = cmd.options.map((o) => `--${o.name}`);
      throw new UsageError(`${cmd.name}: unknown option '${arg}'${didYouMean(arg, names)}. Valid options: ${names.join(', ')}`);
    }
    if (spec.type === 'flag') {
      out[spec.name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${cmd.name}: option --${spec.name} needs a value`);
    if (spec.choices && !spec.choices.includes(value)) {
      const guess = closest(value, spec.choices);
      throw new UsageError(`${cmd.name}: --${spec.name} must be one of ${spec.choices.join(', ')} (got '${value}'${guess ? `; did you mean '${guess}'?` : ''})`);
    }
    out[spec.name] = checked(() => parseValue(cmd.name, spec, value));
  }
  if (cmd.positional?.required && out[cmd.positional.name] === undefined && !out.help) {
    throw new UsageError(`${cmd.name}: needs <${cmd.positional.name}> (${cmd.positional.help})`);
  }
  if (!out.help) checked(() => checkPaths(cmd.name, cmd.options, out));
  return out;
}

/** Runs a value check, turning its ValueError into a UsageError (exit code 2, usage shown). */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ValueError) throw new UsageError(e.message);
    throw e;
  }
}

export function usage(cmd: CommandSpec): string {
  return formatHelp(cmd);
}
