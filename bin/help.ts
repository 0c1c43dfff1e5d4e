/**
 * One help layout for every command (and for `sparsegrad` itself): a title line, usage,
 * the options in two aligned columns (choices and defaults in the help column), and
 * examples, each a command line with what it does underneath.
 */

export interface HelpOption {
  name: string;
  alias?: string;
  /** 'flag' takes no value; numeric kinds ('number', 'int', 'positive', 'fraction') show <n>, paths <path> */
  type: string;
  default?: string | number | boolean;
  choices?: readonly string[];
  help: string;
  /** what the value is, in the flag column (default: the type, or 'name' for choices) */
  value?: string;
}

export interface HelpSpec {
  name: string;
  summary: string;
  options: HelpOption[];
  positional?: { name: string; help: string; required?: boolean };
  /** [command line, what it does] */
  examples?: [string, string][];
}

const WIDTH = 100;

/** Words of `s` wrapped to `width` columns, continuation lines indented by `indent`. */
export function wrap(s: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** What the value column says: the choices (or 'name'), 'n' for numbers, 'path' for files. */
function placeholder(o: HelpOption): string {
  if (o.choices) return o.choices.length <= 4 ? o.choices.join('|') : 'name';
  if (['number', 'int', 'positive', 'fraction'].includes(o.type)) return 'n';
  if (o.type === 'path' || o.type === 'out-file') return 'path';
  return 'value';
}

function flagColumn(o: HelpOption): string {
  const value = o.type === 'flag' ? '' : ` <${o.value ?? placeholder(o)}>`;
  return `${o.alias ? `-${o.alias}, ` : '    '}--${o.name}${value}`;
}

function helpColumn(o: HelpOption): string {
  const parts = [o.help];
  // long choice lists go in the help column (unless the help already walks through them)
  if (o.choices && o.choices.length > 4 && !o.help.includes(o.choices[1])) parts.push(`one of ${o.choices.join(', ')}`);
  const def = o.default !== undefined && o.type !== 'flag' ? ` (default: ${o.default})` : '';
  return `${parts.join('; ')}${def}`;
}

/** A section of two aligned columns. */
export function columns(rows: [string, string][], indent = 2, maxLeft = 30): string[] {
  const left = Math.min(maxLeft, Math.max(...rows.map(([l]) => l.length)));
  const out: string[] = [];
  for (const [l, r] of rows) {
    const pad = indent + left + 2;
    const right = wrap(r, WIDTH - pad, pad);
    out.push(l.length > left ? `${' '.repeat(indent)}${l}\n${' '.repeat(pad)}${right}` : `${' '.repeat(indent)}${l.padEnd(left)}  ${right}`);
  }
  return out;
}

export function formatHelp(spec: HelpSpec, program = 'sparsegrad'): string {
  const pos = spec.positional ? ` ${spec.positional.required ? `<${spec.positional.name}>` : `[${spec.positional.name}]`}` : '';
  const lines = [`${program} ${spec.name} — ${spec.summary}`, '', `Usage: ${program} ${spec.name}${pos} [options]`];
  if (spec.positional) lines.push('', 'Arguments:', ...columns([[`<${spec.positional.name}>`, spec.positional.help]]));
  lines.push('', 'Options:', ...columns(spec.options.map((o) => [flagColumn(o), helpColumn(o)])));
  if (spec.examples?.length) {
    lines.push('', 'Examples:');
    for (const [cmd, what] of spec.examples) lines.push(`  ${cmd}`, `      ${wrap(what, WIDTH - 6, 6)}`);
  }
  return lines.join('\n');
}
