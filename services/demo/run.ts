/**
 * The offline demo: serve the bundled Hub sample from a local replay server, run the very same `ingest hf` code
 * against it (only the endpoint differs), then compute the blast radius of the poisoned dataset.
 */
import { blastRadius, type BlastRadius } from '../../queries/blast-radius.ts';
import { ingestHub, type HubIngestSummary } from '../../ingest/huggingface/ingest.ts';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { loadUniverse } from '../../ingest/huggingface/replay/load.ts';
import { startReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { parseRef } from '../../ingest/huggingface/refs.ts';
import { COMPROMISED_TAG } from '../../queries/attack-paths.ts';
import type { GraphStore } from '../../schema/store.ts';
import { setAnalystTag } from '../analyst-tags.ts';
import { POISONED_DATASET, POISONED_KEY, SAMPLE_UNIVERSE } from './sample.ts';

export interface DemoResult {
  endpoint: string;
  seed: string;
  ingest: HubIngestSummary;
  blastRadius: BlastRadius;
}

export async function runDemo(store: GraphStore, opts: { progress?: NodeJS.WriteStream } = {}): Promise<DemoResult> {
  const universe = loadUniverse(SAMPLE_UNIVERSE, REPLAY_BUILDERS);
  const hub = await startReplayServer(universe);
  try {
    const ingest = await ingestHub(store, {
      seeds: [{ ref: parseRef(POISONED_DATASET) }],
      endpoint: hub.url,
      // The replay's port is gone after the demo: records link to the pages the sample imitates.
      webUrl: universe.imitates,
      descendants: 2,
      scanPickles: true,
      maxScanBytes: 64 * 1024 * 1024,
      concurrency: 8,
      ratePerSecond: 500,
      maxRepos: 500,
      progress: opts.progress,
    });
    // The story: the crawl is known to be poisoned, so the analyst marks it breached and paths start from it.
    const [poisoned] = await store.getNodes([POISONED_KEY]);
    if (poisoned) await setAnalystTag(store, poisoned, COMPROMISED_TAG, true);
    const radius = await blastRadius(store, POISONED_KEY);
    return { endpoint: hub.url, seed: POISONED_DATASET, ingest, blastRadius: radius };
  } finally {
    await hub.close();
  }
}
