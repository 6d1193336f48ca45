/**
 * Named byte builders a universe JSON can refer to (`{"build": "pytorchZipMalicious", "args": ["…"]}`), so the
 * sample and test universes carry real pickles, zips and safetensors without binary blobs in the repo. The bytes
 * come from the serialization module's writers; the "malicious" payloads are harmless text and never run.
 */
import {
  benignStateDictPickle,
  maliciousPickleGlobal,
  maliciousPickleStackGlobal,
  pytorchZip,
  safetensorsBytes,
} from '../../scan/build.ts';
import type { Builders } from './universe.ts';

function padTo(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

export const REPLAY_BUILDERS: Builders = {
  /** A tiny real safetensors file (one f32 tensor). */
  safetensors: () => safetensorsBytes([{ name: 'weight', dtype: 'F32', shape: [2, 2], data: new Uint8Array(16) }], { format: 'pt' }),
  /** A PyTorch zip checkpoint whose data.pkl reaches os.system via STACK_GLOBAL and the memo. */
  pytorchZipMalicious: (command: string) => pytorchZip(maliciousPickleStackGlobal(command)),
  /** A PyTorch zip checkpoint with an ordinary state-dict pickle. */
  pytorchZipBenign: () => pytorchZip(benignStateDictPickle(['weight', 'bias'])),
  /** A raw protocol-0 pickle calling builtins.exec. */
  pickleExec: (source?: string) => maliciousPickleGlobal(source),
  /** A benign pickle padded to `size` bytes (to exceed --max-scan-bytes). */
  bigBenignPickle: (size: number) => padTo(benignStateDictPickle(), size),
} as Builders;
