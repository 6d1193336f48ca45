/**
 * What `aispm --help` and `aispm <command> --help` print: usage, what the command does, each option with its
 * description and default, and examples that run as printed (`npx aispm …`, as the README writes them).
 */
import type { Command, OptionSpec, OptionSpecs } from './command.ts';

/** How a person runs the CLI from a clone or a project that depends on it; hints and examples start with it. */
export const RUN = 'npx aispm';

export const GLOBAL_OPTIONS: OptionSpecs = {
  store: { type: 'string', arg: '<spec>', description: 'sqlite:<path> or neo4j://host:7687 (env AISPM_STORE)', defaultText: 'sqlite:.aispm/graph.db' },
  json: { type: 'boolean', default: false, description: 'machine-readable output' },
  help: { type: 'boolean', short: 'h', default: false, description: 'this help' },
};

const EXIT_CODES = 'exit codes: 0 ok, 1 findings above threshold, 2 usage or input error, 3 upstream or store failure';

/** The overview; `commands` are all of them, loaded (`loadAllCommands`). */
export function usageText(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'aispm — AI supply-chain graph: blast radius, attack paths, AIBOMs',
    '',
    `usage: ${RUN} <command> [options]      (${RUN} <command> --help for its options and examples)`,
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    EXIT_CODES,
  ].join('\n');
}

export function commandHelp(cmd: Command): string {
  const usage = cmd.usage.split('\n').map((u, i) => `${i ? '       ' : 'usage: '}${RUN} ${u}`);
  const lines = [...usage, '', cmd.summary];
  if (cmd.help) lines.push('', cmd.help);
  const own = cmd.options ?? {};
  if (Object.keys(own).length) lines.push('', 'options:', ...optionLines(own));
  lines.push('', 'global options:', ...optionLines(GLOBAL_OPTIONS));
  if (cmd.examples?.length) lines.push('', 'examples:', ...cmd.examples.map((e) => `  ${RUN} ${e}`));
  return lines.join('\n');
}

function optionLines(options: OptionSpecs): string[] {
  const heads = Object.entries(options).map(([name, o]) => [head(name, o), describe(o)] as const);
  const width = Math.max(...heads.map(([h]) => h.length));
  return heads.map(([h, d]) => (d ? `  ${h.padEnd(width)}  ${d}` : `  ${h}`));
}

function head(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
  if (o.type === 'boolean') return flag;
  return `${flag} ${o.arg ?? 'value'}${o.multiple ? ' (repeatable)' : ''}`;
}

function describe(o: OptionSpec): string {
  const dflt = o.defaultText ?? (o.type === 'string' && typeof o.default === 'string' ? o.default : undefined);
  return [o.description ?? '', dflt !== undefined ? `(default ${dflt})` : ''].filter(Boolean).join(' ');
}
