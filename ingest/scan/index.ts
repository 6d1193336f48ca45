/** The scanner's public entry points (see README.md): what a source or the CLI imports. */
export { scanBytes, scanRange, memoryReader, type RangeFile, type RangeReader, type ScanOptions, type ScanResult } from './scan.ts';
export { scanLocalFile, scanLocalPaths, walkLocal, type LocalScan, type SkippedPath, type WalkedFile } from './local.ts';
export { canContainFiles, localScanBatch, sha256OfFile, writeLocalScan, type HashedScan } from './into-graph.ts';
export { detectFormatByName, isScanCandidateByName, FILE_FORMATS, type FileFormat } from './format.ts';
export { SCANNER_VERSION, DANGEROUS_GLOBALS, SAFE_GLOBALS, judgeGlobal } from './classify.ts';
export { VERDICTS, type Verdict, type DecidedBy } from './verdict.ts';
export { fileScanProps, type FileScanProps } from './props.ts';
