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

export const INGEST_SOURCES: IngestSource[] = [
  {
    name: 'hf',
    summary: 'the Hugging Face Hub: models, datasets, Spaces, their lineage, files and owners',
    usage:
      'hf <owner/name | datasets/owner/name | spaces/owner/name …> [--author <owner>] [--descendants N] [--endpoint URL] [--token-file F] [--scan-pickles] [--max-scan-bytes N] [--concurrency N] [--rate N] [--max-repos N] [--allow-origin URL…]',
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
      'retry-base-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
    },
    run: async () => (await import('./hf.ts')).ingestHf,
  },
];
