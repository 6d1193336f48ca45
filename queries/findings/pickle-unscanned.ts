import type { ScanVerdict } from '../../schema/model.ts';
import { PICKLE_FORMATS, describeServedFile, filesOfServedLineage, servedFileNodes } from './served-files.ts';
import { makeFinding, type FindingRule } from './types.ts';

/** Not proven safe: the scan was skipped or failed (unscanned, with its reason) or suspicious, or a pickle-format file has no verdict at all. */
const UNVERIFIED: readonly ScanVerdict[] = ['unscanned', 'suspicious'];

export const pickleUnscanned: FindingRule = {
  id: 'pickle-unscanned',
  title: 'Unscanned or suspicious pickle in a served model or its ancestors',
  severity: 'high',
  description: 'A pickle-based file that no scan has cleared is held by a served model or by a model it derives from.',
  remediation: 'Scan the file (or replace it with safetensors) before the model is loaded again.',
  cwes: [502],
  async run(ctx) {
    const files = await filesOfServedLineage(ctx);
    return files
      .filter((f) => {
        const status = f.file.props.scanStatus;
        if (typeof status === 'string') return (UNVERIFIED as readonly string[]).includes(status);
        return typeof f.file.props.format === 'string' && PICKLE_FORMATS.includes(f.file.props.format);
      })
      .map((f) => makeFinding(pickleUnscanned, servedFileNodes(f), describeServedFile(f)));
  },
};
