/**
 * Every CLI command, in the order `aispm --help` lists them, each loaded only when it is run (or listed), so a
 * command pays for its own libraries alone: the GraphQL server loads for `serve`, the CycloneDX library for `bom`.
 * Add a command: one module, one line here.
 */
import type { Command } from '../command.ts';

const LOADERS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo.ts')).demoCommand,
  stats: async () => (await import('./stats.ts')).statsCommand,
  import: async () => (await import('./import.ts')).importCommand,
  ingest: async () => (await import('./ingest.ts')).ingestCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  'blast-radius': async () => (await import('./blast-radius.ts')).blastRadiusCommand,
  paths: async () => (await import('./paths.ts')).pathsCommand,
  lineage: async () => (await import('./lineage.ts')).lineageCommand,
  findings: async () => (await import('./findings.ts')).findingsCommand,
  report: async () => (await import('./report.ts')).reportCommand,
  bom: async () => (await import('./bom.ts')).bomCommand,
  scan: async () => (await import('./scan.ts')).scanCommand,
  tag: async () => (await import('./tag.ts')).tagCommand,
  cypher: async () => (await import('./cypher.ts')).cypherCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
};

/** The command called `name`, loaded; undefined for an unknown name. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(LOADERS, name) ? LOADERS[name]!() : undefined;
}

/** Every command, loaded, in listing order (for `aispm --help`). */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(Object.values(LOADERS).map((load) => load()));
}
