/** Where the bundled sample lives and what the demo asks of it. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLE_UNIVERSE = join(dirname(fileURLToPath(import.meta.url)), '../../ingest/huggingface/sample/universe.json');
export const POISONED_DATASET = 'datasets/openweb-collective/crawl-2024';
export const POISONED_KEY = 'hf:dataset/openweb-collective/crawl-2024';
