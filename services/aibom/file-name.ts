/**
 * A safe file name for a model's BOM: keys are hostile text, so the name keeps only [A-Za-z0-9._-], never starts with
 * a dot, is bounded in length, and ends with a hash of the full key so two keys that sanitize alike never collide.
 */
import { createHash } from 'node:crypto';
import { labelOfKey } from '../../schema/keys.ts';

export function aibomFileName(key: string): string {
  const readable = labelOfKey(key)
    .replace(/[^A-Za-z0-9._-]+/gu, '_')
    .replace(/^[._-]+/u, '')
    .slice(0, 80);
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
  return `${readable ? `${readable}-` : ''}${hash}.cdx.json`;
}
