/** A scan result as the File node properties every source writes (`File` in schema/model.ts). */
import type { FileFormat, ScanVerdict } from '../../schema/model.ts';
import type { ScanResult } from './scan.ts';

export interface FileScanProps {
  format: FileFormat;
  formatSource: 'name' | 'bytes';
  scanStatus: ScanVerdict;
  scanner: string;
  scanReason: string;
  /** Present when a pickle was walked (an empty list: a pickle importing nothing). */
  scanGlobals?: string[];
  scanFindings?: string[];
}

export function fileScanProps(r: ScanResult): FileScanProps {
  const out: FileScanProps = { format: r.format, formatSource: r.formatSource, scanStatus: r.verdict, scanner: r.scanner, scanReason: r.reason };
  if (r.globals.length > 0 || r.recognisedBy.includes('pickle')) out.scanGlobals = [...r.globals];
  if (r.findings.length > 0) out.scanFindings = [...r.findings];
  return out;
}
