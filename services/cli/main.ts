/**
 * The `aispm` command line: global options, dispatch to one command module, exit codes, and error reporting with
 * secrets redacted. Exit codes: 0 ok · 1 findings above a threshold · 2 usage/input error · 3 upstream/store failure.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AispmError, EXIT, UsageError } from '../../schema/errors.ts';
import { redact } from '../../schema/secrets.ts';
import { escapeUnsafeKeepLayout } from '../../schema/text.ts';
import { ValidationError } from '../../schema/validate.ts';
import { StoreError, type GraphStore } from '../../schema/store.ts';
import { openStore, resolveStoreSpec, sqlitePathOf } from '../store/open.ts';
import type { CommandContext } from './command.ts';
import { loadAllCommands, loadCommand } from './commands/index.ts';
import { GLOBAL_OPTIONS, RUN, commandHelp, usageText } from './help.ts';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usageText(await loadAllCommands()) + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version') {
    process.stdout.write('aispm 0.1.0\n');
    return EXIT.ok;
  }
  const cmd = await loadCommand(name);
  const jsonRequested = argv.includes('--json');
  if (!cmd) return reportError(new AispmError(`unknown command "${name}"\n\n${usageText(await loadAllCommands())}`, EXIT.usage, 'BAD_INPUT'), jsonRequested);

  let store: GraphStore | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...GLOBAL_OPTIONS, ...(cmd.options ?? {}) },
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new AispmError(`${(err as Error).message}\n\n${commandHelp(cmd)}`, EXIT.usage, 'BAD_INPUT');
    }
    const values = parsed.values as CommandContext['values'];
    if (values.help) {
      process.stdout.write(commandHelp(cmd) + '\n');
      return EXIT.ok;
    }
    const json = Boolean(values.json);
    const storeSpec = resolveStoreSpec(values.store as string | undefined);
    const ctx: CommandContext = {
      values,
      positionals: parsed.positionals,
      json,
      interactive: Boolean(process.stderr.isTTY) && !json,
      async store() {
        if (!store && !cmd.createsStore) refuseMissingStore(storeSpec);
        store ??= await openStore(storeSpec);
        return store;
      },
      // Upstream text reaches terminals and CI logs: controls and bidi/format characters are shown, not obeyed.
      print: (text) => process.stdout.write(escapeUnsafeKeepLayout(redact(text.endsWith('\n') ? text : text + '\n'))),
      printJson: (value) => process.stdout.write(escapeUnsafeKeepLayout(redact(JSON.stringify(value, null, 2))) + '\n'),
      log: (text) => process.stderr.write(escapeUnsafeKeepLayout(redact(text)) + '\n'),
    };
    return await cmd.run(ctx);
  } catch (err) {
    return reportError(err, jsonRequested);
  } finally {
    if (store) await store.close().catch(() => undefined);
  }
}

/** A read command on a SQLite file that does not exist would create an empty store and then answer "unknown node". */
function refuseMissingStore(spec: string): void {
  const path = sqlitePathOf(spec);
  if (path === undefined || path === ':memory:' || existsSync(path)) return;
  throw new UsageError(
    `no store at ${resolve(path)}: create one with \`${RUN} demo\`, \`${RUN} ingest hf <repo>\` or \`${RUN} import <records.json>\`, or point --store (or AISPM_STORE) at an existing one`,
  );
}

function reportError(err: unknown, json: boolean): number {
  let exitCode: number = EXIT.upstream;
  let code = 'INTERNAL';
  if (err instanceof AispmError) {
    exitCode = err.exitCode;
    code = err.code;
  } else if (err instanceof ValidationError) {
    exitCode = EXIT.usage;
    code = 'INVALID_RECORDS';
  } else if (err instanceof StoreError) {
    exitCode = EXIT.upstream;
    code = 'STORE';
  }
  const message = redact(err instanceof Error ? err.message : String(err));
  if (json) process.stdout.write(escapeUnsafeKeepLayout(JSON.stringify({ error: { code, message } }, null, 2)) + '\n');
  process.stderr.write(`aispm: ${escapeUnsafeKeepLayout(message)}\n`);
  if (code === 'INTERNAL' && err instanceof Error && err.stack && process.env.AISPM_DEBUG) {
    process.stderr.write(redact(err.stack) + '\n');
  }
  return exitCode;
}
