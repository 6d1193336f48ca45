/**
 * Tokens (HF, GitHub, MLflow, Neo4j, API) must never reach logs, errors, exports or the graph. Everything that
 * loads a secret registers it here, and every path that prints text passes it through `redact`.
 */
const known = new Set<string>();

export function registerSecret(secret: string | undefined): void {
  // Very short strings would redact ordinary words; real tokens are long.
  if (secret && secret.length >= 6) known.add(secret);
}

export function redact(text: string): string {
  let out = text;
  for (const s of known) out = out.split(s).join('***');
  // Credentials embedded in URLs (neo4j://user:pass@host) and bearer headers, even if never registered.
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+):([^\s/@]+)@/gi, '$1$2:***@');
  out = out.replace(/(authorization["']?\s*[:=]\s*["']?(?:bearer|token)\s+)[^\s"',]+/gi, '$1***');
  return out;
}
