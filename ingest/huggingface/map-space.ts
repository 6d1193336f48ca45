/**
 * A Space's API body (GET /api/spaces/{id}/revision/{rev}, with `models` and `datasets` expanded) → an Endpoint
 * node, SERVES edges to the models it loads and USES edges to the datasets it reads. Pure.
 */
import type { EdgeRecord } from '../../schema/records.ts';
import { FieldReader, isObject, type Json } from '../pipeline/fields.ts';
import { cardOf, commonRepoProps, edge, isPublicHub, repoMapping, returnedRef, type MapContext, type RepoMapping } from './map-common.ts';
import { refFromData, repoKey, type RepoRef } from './refs.ts';

export interface SpaceMapping extends RepoMapping {
  models: RepoRef[];
  datasets: RepoRef[];
}

export function mapSpace(body: Json, ctx: MapContext, parsedCard?: Json): SpaceMapping {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const ref = returnedRef(body, ctx, warn);
  const key = repoKey(ref);
  const r = new FieldReader(body, warn);
  const card = cardOf(body, warn, parsedCard);
  const props = commonRepoProps(body, ctx, ref, card, warn);
  const sdk = r.str('sdk') ?? (card && typeof card.sdk === 'string' ? card.sdk : undefined);
  if (sdk) props.sdk = sdk;
  // Where the app answers: `<subdomain>.hf.space` is the public Hub's app domain. A mirror or an enterprise Hub serves
  // its Spaces elsewhere (and the expanded API body has no host field), so there we do not guess.
  const subdomain = r.str('subdomain');
  if (subdomain && /^[a-z0-9-]+$/i.test(subdomain) && isPublicHub(ctx.hubUrl)) props.endpointUrl = `https://${subdomain}.hf.space`;
  const runtime = isObject(body.runtime) ? body.runtime : undefined;
  if (runtime && typeof runtime.stage === 'string') props.runtimeStage = runtime.stage;

  const collect = (type: 'model' | 'dataset', apiField: string): { ref: RepoRef; evidence: string }[] => {
    const out = new Map<string, { ref: RepoRef; evidence: string }>();
    for (const v of r.strings(apiField) ?? []) {
      const x = refFromData(type, v);
      if (x) out.set(x.id, { ref: x, evidence: `spaceInfo.${apiField}` });
    }
    if (card) {
      for (const v of new FieldReader(card, warn, 'cardData.').stringOrList(apiField) ?? []) {
        const x = refFromData(type, v);
        if (x && !out.has(x.id)) out.set(x.id, { ref: x, evidence: `cardData.${apiField}` });
      }
    }
    return [...out.values()];
  };
  const models = collect('model', 'models');
  const datasets = collect('dataset', 'datasets');
  const edges: EdgeRecord[] = [
    ...models.map((m) => edge('SERVES', key, repoKey(m.ref), m.evidence)),
    ...datasets.map((d) => edge('USES', key, repoKey(d.ref), d.evidence)),
  ];
  return {
    ...repoMapping('Endpoint', ref, props, edges, warnings, card),
    models: models.map((m) => m.ref),
    datasets: datasets.map((d) => d.ref),
  };
}
