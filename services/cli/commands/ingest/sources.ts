/**
 * The sources `aispm ingest` knows. Add a source: one module beside this one and one entry here. Options are data
 * (the command parses them all up front); the source's code loads only when it is the one asked for.
 */
import type { CommandContext, OptionSpecs } from '../../command.ts';

export interface IngestSource {
  name: string;
  summary: string;
  /** Usage line after `aispm ingest `. */
  usage: string;
  /** The options this source accepts (beyond the global ones); `token-file` and the like are shared by name. */
  options: OptionSpecs;
  run(): Promise<(ctx: CommandContext, args: string[]) => Promise<number>>;
}

/** Options the registry sources share. */
const REGISTRY_OPTIONS: OptionSpecs = {
  depth: { type: 'string' },
  'max-packages': { type: 'string' },
  'pypi-url': { type: 'string' },
  'npm-registry': { type: 'string' },
  concurrency: { type: 'string' },
  rate: { type: 'string' },
  'retry-base-ms': { type: 'string' },
  'timeout-ms': { type: 'string' },
};
const REGISTRY_USAGE = '[--depth N] [--max-packages N] [--pypi-url URL] [--npm-registry URL] [--concurrency N] [--rate N]';

export const INGEST_SOURCES: IngestSource[] = [
  {
    name: 'hf',
    summary: 'the Hugging Face Hub: models, datasets, Spaces, their lineage, files and owners',
    usage:
      'hf <owner/name | datasets/owner/name | spaces/owner/name …> [--author <owner>] [--descendants N] [--endpoint URL] [--token-file F] [--scan-pickles] [--max-scan-bytes N] [--concurrency N] [--rate N] [--max-repos N] [--max-wait-s N] [--allow-origin URL…]',
    options: {
      author: { type: 'string', multiple: true },
      descendants: { type: 'string' },
      endpoint: { type: 'string' },
      'token-file': { type: 'string' },
      'scan-pickles': { type: 'boolean', default: false },
      'max-scan-bytes': { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'max-repos': { type: 'string' },
      'max-wait-s': { type: 'string' },
      'retry-base-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
    },
    run: async () => (await import('./hf.ts')).ingestHf,
  },
  {
    name: 'pypi',
    summary: 'PyPI packages: releases, resolved dependency trees, maintainers, licenses, provenance',
    usage: `pypi <name[==version] | "name>=1,<2" …> ${REGISTRY_USAGE}`,
    options: REGISTRY_OPTIONS,
    run: async () => (await import('./registries.ts')).ingestPypi,
  },
  {
    name: 'npm',
    summary: 'npm packages: releases, resolved dependency trees, maintainers, licenses, provenance',
    usage: `npm <name[@version|@range] …> ${REGISTRY_USAGE}`,
    options: REGISTRY_OPTIONS,
    run: async () => (await import('./registries.ts')).ingestNpm,
  },
  {
    name: 'packages',
    summary: 'every PyPI and npm package already in the graph (from SBOMs, dependency graphs, imports), with its dependency tree',
    usage: `packages ${REGISTRY_USAGE}`,
    options: REGISTRY_OPTIONS,
    run: async () => (await import('./registries.ts')).ingestPackages,
  },
  {
    name: 'osv',
    summary: 'OSV advisories for every package version in the graph (online, or offline from an export)',
    usage: 'osv [--osv-url URL | --from <dir|zip>] [--batch-size N] [--concurrency N] [--rate N]',
    options: {
      'osv-url': { type: 'string' },
      from: { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'retry-base-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
    run: async () => (await import('./osv.ts')).ingestOsvCommand,
  },
  {
    name: 'mlflow',
    summary: 'an MLflow tracking server and registry: versions, logged models, runs, datasets, Hub bases, weights, requirements, endpoints, write access',
    usage:
      'mlflow [--tracking-uri URL] [--token-file F] [--no-scan] [--max-scan-bytes N] [--full] [--hub-url URL] [--github-url URL] [--concurrency N] [--rate N]',
    options: {
      'tracking-uri': { type: 'string' },
      'token-file': { type: 'string' },
      'no-scan': { type: 'boolean', default: false },
      'max-scan-bytes': { type: 'string' },
      full: { type: 'boolean', default: false },
      'hub-url': { type: 'string' },
      'github-url': { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'retry-base-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
    run: async () => (await import('./mlflow.ts')).ingestMlflowCommand,
  },
  {
    name: 'sbom',
    summary: 'SBOM and AIBOM files: CycloneDX JSON 1.2–1.7, SPDX 2.2/2.3 JSON, SPDX 3.0 JSON-LD (AI and Dataset profiles)',
    usage: 'sbom <file…> [--subject <key>]',
    options: {
      subject: { type: 'string', arg: '<key>', description: 'the key of what the document describes, when it does not say (gh:repo/…, hf:model/…, sbom:service/…)' },
    },
    run: async () => (await import('./sbom.ts')).ingestSbom,
  },
  {
    name: 'github',
    summary: 'GitHub (or GitHub Enterprise Server): repositories, who can write them, what they deploy, the Hub models their code loads',
    usage:
      'github <org | owner/repo …> [--api-url URL] [--token-file F] [--follow hf] [--hf-endpoint URL] [--hf-token-file F] [--max-files N] [--max-file-bytes N] [--concurrency N] [--rate N] [--max-repos N] [--max-retries N] [--max-wait-s N] [--timeout-ms N]',
    options: {
      'api-url': { type: 'string' },
      'token-file': { type: 'string' },
      follow: { type: 'string' },
      'hf-endpoint': { type: 'string' },
      'hf-token-file': { type: 'string' },
      'max-files': { type: 'string' },
      'max-file-bytes': { type: 'string' },
      'scan-pickles': { type: 'boolean', default: false },
      'max-scan-bytes': { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'max-repos': { type: 'string' },
      'max-retries': { type: 'string' },
      'max-wait-s': { type: 'string' },
      'retry-base-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
    run: async () => (await import('./github.ts')).ingestGithub,
  },
];
