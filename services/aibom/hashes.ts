/**
 * Hashes a node's facts state, as CycloneDX writes them: the npm tarball's Subresource Integrity string and the
 * hashes an imported SBOM gives. Pure; a digest that is not what its algorithm makes is left out.
 */
import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import type { GraphNode } from '../../schema/records.ts';
import { propStr } from './identity.ts';

/** SRI algorithms (npm `dist.integrity`, as ssri reads it) → CycloneDX hash algorithms. */
const SRI_ALGORITHMS: Readonly<Record<string, Enums.HashAlgorithm>> = {
  sha1: Enums.HashAlgorithm['SHA-1'],
  sha256: Enums.HashAlgorithm['SHA-256'],
  sha384: Enums.HashAlgorithm['SHA-384'],
  sha512: Enums.HashAlgorithm['SHA-512'],
};
const SRI_LENGTH: Readonly<Record<string, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/**
 * The hashes an SRI string names, as hex: whitespace-separated `<alg>-<base64>[?options]` entries, as ssri parses them;
 * an entry of an unknown algorithm, or whose digest is not base64 of the algorithm's length, is not a hash of the tarball.
 */
export function hashesOfIntegrity(integrity: string | undefined): Models.HashDictionary {
  const hashes = new Models.HashDictionary();
  for (const entry of (integrity ?? '').trim().split(/\s+/u)) {
    const match = /^([a-z0-9]+)-([A-Za-z0-9+/]+={0,2})(?:\?.*)?$/u.exec(entry);
    const algorithm = match && Object.hasOwn(SRI_ALGORITHMS, match[1]!) ? match[1]! : undefined;
    if (!algorithm) continue;
    const digest = Buffer.from(match![2]!, 'base64');
    if (digest.length === SRI_LENGTH[algorithm]) hashes.set(SRI_ALGORITHMS[algorithm]!, digest.toString('hex'));
  }
  return hashes;
}

/** Hex digest lengths per algorithm, as the CycloneDX schema's hash-content pattern allows them. */
const HEX_LENGTH: Readonly<Record<string, number>> = {
  MD5: 32, 'SHA-1': 40, 'SHA-256': 64, 'SHA-384': 96, 'SHA-512': 128, 'SHA3-256': 64, 'SHA3-384': 96, 'SHA3-512': 128,
  'BLAKE2b-256': 64, 'BLAKE2b-384': 96, 'BLAKE2b-512': 128, BLAKE3: 64, 'Streebog-256': 64, 'Streebog-512': 128,
};

/**
 * A node's hashes: those an imported SBOM states (`hashes`: CycloneDX algorithm name → hex), then those of the npm
 * tarball (`integrity`) where the SBOM gave none for that algorithm. A digest of the wrong length is no hash of it.
 */
export function hashesOf(node: GraphNode): Models.HashDictionary {
  const out = hashesOfIntegrity(propStr(node, 'integrity'));
  const stated = node.props.hashes;
  if (typeof stated !== 'object' || stated === null || Array.isArray(stated)) return out;
  for (const [alg, content] of Object.entries(stated)) {
    if (!Object.hasOwn(HEX_LENGTH, alg) || typeof content !== 'string' || content.length !== HEX_LENGTH[alg] || !/^[0-9a-f]+$/iu.test(content)) continue;
    out.set(alg as Enums.HashAlgorithm, content.toLowerCase());
  }
  return out;
}
