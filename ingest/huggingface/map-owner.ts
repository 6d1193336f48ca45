/** The owner of a repo (user or organisation) → an Identity node and a CAN_WRITE edge to the repo. Pure. */
import type { RecordBatch } from '../../schema/records.ts';
import { edge } from './map-common.ts';
import { urlOfKey } from '../../schema/keys.ts';
import { identityKey, type OwnerType } from './refs.ts';

export function mapOwner(author: string, type: OwnerType, repo: string, hubUrl: string): RecordBatch {
  const key = identityKey(author, type);
  return {
    nodes: [{ kind: 'Identity', key, props: { name: author, type, url: urlOfKey(key, { hf: hubUrl })! } }],
    edges: [edge('CAN_WRITE', key, repo, 'author', { props: { role: 'owner' } })],
  };
}
