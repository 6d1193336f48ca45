/**
 * `aispm ingest <source> …`: dispatch to one source (services/cli/commands/ingest/). Exit 0 even with warnings on
 * some items; 2 for a malformed argument or an option the source does not take; 3 when the upstream could not be read.
 */
import { UsageError } from '../../../schema/errors.ts';
import type { Command, OptionSpecs } from '../command.ts';
import { INGEST_SOURCES } from './ingest/sources.ts';

/** Every source's options, merged: parseArgs needs them all before it knows the source. Shared names must agree. */
function allOptions(): OptionSpecs {
  const merged: OptionSpecs = {};
  for (const source of INGEST_SOURCES) {
    for (const [name, spec] of Object.entries(source.options)) {
      const seen = merged[name];
      if (seen && (seen.type !== spec.type || seen.multiple !== spec.multiple)) throw new Error(`ingest option --${name} is declared two ways`);
      merged[name] = spec;
    }
  }
  return merged;
}

const GLOBAL = new Set(['store', 'json', 'help']);
const names = () => INGEST_SOURCES.map((s) => s.name).join(', ');

export const ingestCommand: Command = {
  name: 'ingest',
  createsStore: true,
  summary: `Ingest a source into the graph (${names()})`,
  usage: INGEST_SOURCES.map((s) => `ingest ${s.usage} [--json]`).join('\n'),
  options: allOptions(),
  async run(ctx) {
    const [name, ...args] = ctx.positionals;
    const source = INGEST_SOURCES.find((s) => s.name === name);
    if (!source) throw new UsageError(name ? `unknown source "${name.slice(0, 40)}" (available: ${names()})` : `name a source: aispm ingest <${names().replace(/, /g, '|')}> …`);
    for (const [option, value] of Object.entries(ctx.values)) {
      // Defaults (false booleans) are not something the user gave.
      if (value === undefined || value === false || GLOBAL.has(option) || option in source.options) continue;
      throw new UsageError(`aispm ingest ${source.name} does not take --${option}\n\nusage: aispm ingest ${source.usage}`);
    }
    return (await source.run())(ctx, args);
  },
};
