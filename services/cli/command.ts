/** What a CLI command is. Each command lives in its own module under services/cli/commands/. */
import type { ParseArgsConfig } from 'node:util';
import type { GraphStore } from '../../schema/store.ts';

/** A parseArgs option plus what `--help` says about it (parseArgs ignores the extra fields). */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  /** One line for `--help`. */
  description?: string;
  /** The value's placeholder in `--help` (`<key>`, `N`). */
  arg?: string;
  /** The default as `--help` shows it, when it is not the parseArgs `default`. */
  defaultText?: string;
};
export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandContext {
  /** Parsed option values (global and the command's own). */
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  /** Opens the store named by --store / AISPM_STORE (once; closed by the CLI after the command). */
  store(): Promise<GraphStore>;
  /** Writes to stdout. */
  print(text: string): void;
  /** Writes a JSON document to stdout. */
  printJson(value: unknown): void;
  /** Writes a line to stderr (progress, warnings), secrets redacted. */
  log(text: string): void;
  /** True when stderr is a terminal (progress bars). */
  interactive: boolean;
}

export interface Command {
  name: string;
  summary: string;
  /** One or more usage lines, without the leading `aispm `. */
  usage: string;
  /** More text for `--help`, after the summary. */
  help?: string;
  options?: OptionSpecs;
  /** The command fills a store, so a missing SQLite file is created; read commands refuse one (exit 2). */
  createsStore?: boolean;
  /** Runnable examples for `--help`, without the leading `npx aispm `. */
  examples?: string[];
  /** Returns the exit code. Throw AispmError subclasses for failures. */
  run(ctx: CommandContext): Promise<number>;
}
