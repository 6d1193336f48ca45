/** `aispm ingest pypi|npm|packages`: packages from PyPI and npm, their resolved dependency trees, maintainers and provenance. */
import { DEFAULT_NPM_REGISTRY, DEFAULT_PYPI, formatRegistrySummary, ingestRegistries, npmSeed, pypiSeed, SeedError, seedsFromGraph } from '../../../../ingest/registries/ingest.ts';
import type { Requirement } from '../../../../ingest/registries/types.ts';
import { UpstreamError, UsageError } from '../../../../schema/errors.ts';
import type { CommandContext } from '../../command.ts';
import { baseUrlOption, httpOptions, numOption } from './options.ts';

function seeds(args: string[], parse: (text: string) => Requirement): Requirement[] {
  try {
    return args.map(parse);
  } catch (err) {
    if (err instanceof SeedError) throw new UsageError(err.message);
    throw err;
  }
}

async function run(ctx: CommandContext, list: Requirement[]): Promise<number> {
  const store = await ctx.store();
  const summary = await ingestRegistries(store, {
    seeds: list,
    pypiUrl: baseUrlOption(ctx, 'pypi-url', undefined, DEFAULT_PYPI),
    // As npm does: the registry from npm_config_registry unless given.
    npmRegistry: baseUrlOption(ctx, 'npm-registry', 'npm_config_registry', DEFAULT_NPM_REGISTRY),
    depth: numOption(ctx, 'depth', 2, 0, 20),
    maxPackages: numOption(ctx, 'max-packages', 2000, 1, 1_000_000),
    ...httpOptions(ctx, { concurrency: 8, rate: 20, timeoutMs: 30_000 }),
  });
  if (ctx.json) ctx.printJson(summary);
  else ctx.print(formatRegistrySummary(summary));
  if (summary.seedFailures.length) throw new UpstreamError(`could not read ${summary.seedFailures.map((f) => `${f.package} (${f.message})`).join('; ')}`);
  return 0;
}

export async function ingestPypi(ctx: CommandContext, args: string[]): Promise<number> {
  if (!args.length) throw new UsageError('name at least one PyPI requirement: name, name==1.2.3 or "name>=1,<2"');
  return run(ctx, seeds(args, pypiSeed));
}

export async function ingestNpm(ctx: CommandContext, args: string[]): Promise<number> {
  if (!args.length) throw new UsageError('name at least one npm package: name, name@1.2.3, @scope/name@^2');
  return run(ctx, seeds(args, npmSeed));
}

export async function ingestPackages(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length) throw new UsageError('ingest packages takes no names: it reads every PyPI and npm package already in the graph');
  const { seeds: list, skipped } = await seedsFromGraph(await ctx.store());
  const other = Object.entries(skipped).map(([type, n]) => `${n} ${type}`).join(', ');
  if (other) ctx.log(`packages of other ecosystems are not read from a registry: ${other}`);
  if (!list.length) {
    ctx.log('no PyPI or npm packages in the graph');
  }
  return run(ctx, list);
}
