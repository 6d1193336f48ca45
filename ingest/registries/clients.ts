/**
 * The registry calls, through the pipeline fetch (rate limits, retries, bounded bodies). PyPI's JSON API
 * (`/pypi/<name>/json`, `/pypi/<name>/<version>/json`) and Integrity API (PEP 740 provenance); the npm registry's
 * full packument (`/<name>`, scoped names as `@scope%2fname` as npm escapes them) and attestations endpoint.
 */
import { fetchJson, type JsonAnswer } from '../pipeline/json.ts';

/** Bounds on one document: a PyPI project document with every release listed, the largest npm packuments. */
export const MAX_PYPI_BYTES = 64 * 1024 * 1024;
export const MAX_NPM_BYTES = 128 * 1024 * 1024;
export const MAX_ATTESTATION_BYTES = 8 * 1024 * 1024;

const pep503 = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

export class PypiClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch,
  ) {}

  project(name: string): Promise<JsonAnswer> {
    return fetchJson(this.fetchImpl, `${this.baseUrl}/pypi/${encodeURIComponent(pep503(name))}/json`, { maxBytes: MAX_PYPI_BYTES });
  }

  release(name: string, version: string): Promise<JsonAnswer> {
    return fetchJson(this.fetchImpl, `${this.baseUrl}/pypi/${encodeURIComponent(pep503(name))}/${encodeURIComponent(version)}/json`, { maxBytes: MAX_PYPI_BYTES });
  }

  /** PEP 740: 404 when the file has no provenance. */
  provenance(name: string, version: string, filename: string): Promise<JsonAnswer> {
    const url = `${this.baseUrl}/integrity/${encodeURIComponent(pep503(name))}/${encodeURIComponent(version)}/${encodeURIComponent(filename)}/provenance`;
    return fetchJson(this.fetchImpl, url, { accept: 'application/vnd.pypi.integrity.v1+json', maxBytes: MAX_ATTESTATION_BYTES });
  }
}

/** A package name as it goes into a registry path: npm keeps the `@` of a scope and escapes its `/`. */
export function npmEscapedName(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

export class NpmClient {
  constructor(
    readonly registryUrl: string,
    private readonly fetchImpl: typeof fetch,
  ) {}

  /** The full packument (the abbreviated install document has no maintainers). */
  packument(name: string): Promise<JsonAnswer> {
    return fetchJson(this.fetchImpl, `${this.registryUrl}/${npmEscapedName(name)}`, { accept: 'application/json', maxBytes: MAX_NPM_BYTES });
  }

  attestations(name: string, version: string): Promise<JsonAnswer> {
    return fetchJson(this.fetchImpl, `${this.registryUrl}/-/npm/v1/attestations/${npmEscapedName(name)}@${encodeURIComponent(version)}`, { maxBytes: MAX_ATTESTATION_BYTES });
  }
}
