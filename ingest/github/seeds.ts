/** What `aispm ingest github` is pointed at: an organisation (or user) login, or `owner/repo`, as GitHub writes them. */
import { UsageError } from '../../schema/errors.ts';
import type { Seed } from './crawl.ts';
import { isLogin, isRepoName } from './map-common.ts';

/** `acme`, `acme/app`, or a repository's web URL (`https://github.com/acme/app`); anything else is a usage error. */
export function parseSeed(text: string): Seed {
  const trimmed = text.trim().replace(/^https?:\/\/[^/]+\//, '').replace(/\.git$/, '').replace(/\/+$/, '');
  const parts = trimmed.split('/');
  if (parts.length === 1 && isLogin(parts[0])) return { owner: parts[0] };
  if (parts.length === 2 && isLogin(parts[0]) && isRepoName(parts[1])) return { owner: parts[0], name: parts[1] };
  throw new UsageError(`"${text.slice(0, 120)}" is not an organisation, user or owner/repo as GitHub names them`);
}
