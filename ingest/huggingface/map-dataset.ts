/** A dataset's API body (GET /api/datasets/{id}/revision/{rev}) → its node. Pure. */
import { FieldReader, type Json } from '../pipeline/fields.ts';
import { cardOf, commonRepoProps, repoMapping, returnedRef, type MapContext, type RepoMapping } from './map-common.ts';

export function mapDataset(body: Json, ctx: MapContext, parsedCard?: Json): RepoMapping {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const ref = returnedRef(body, ctx, warn);
  const card = cardOf(body, warn, parsedCard);
  const props = commonRepoProps(body, ctx, ref, card, warn);
  const description = new FieldReader(body, warn).str('description');
  if (description) props.description = description.slice(0, 2000);
  return repoMapping('Dataset', ref, props, [], warnings, card);
}
