import { describeServedFile, filesOfServedLineage, servedFileNodes } from './served-files.ts';
import { makeFinding, type FindingRule } from './types.ts';

export const pickleDangerous: FindingRule = {
  id: 'pickle-dangerous',
  title: 'Dangerous pickle in a served model or its ancestors',
  severity: 'critical',
  description: 'A file whose pickle scan found code-executing imports is held by a served model or by a model it derives from; loading it runs that code.',
  remediation: 'Remove the file, convert the weights to safetensors, and redeploy from a scanned revision.',
  // Deserialization of Untrusted Data: unpickling runs the imports the scan found.
  cwes: [502],
  async run(ctx) {
    const files = await filesOfServedLineage(ctx);
    return files
      .filter((f) => f.file.props.scanStatus === 'dangerous')
      .map((f) => makeFinding(pickleDangerous, servedFileNodes(f), describeServedFile(f)));
  },
};
