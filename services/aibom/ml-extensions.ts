/**
 * The one place where aispm writes CycloneDX fields that @cyclonedx/cyclonedx-library (v10) does not model:
 * component `modelCard`, `data`, `authors` and `pedigree`, service `endpoints`, and the document's `compositions`.
 * They are added to the library's normalized JSON, by bom-ref, after the library has done everything it can.
 * (Components inside `pedigree.ancestors` are still library components, normalized by the library.)
 */
import type { Serialize } from '@cyclonedx/cyclonedx-library';
import type { MlExtensions } from './map-components.ts';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every component object in the document: metadata.component, top-level components, and their nested parts. */
export function* allComponents(doc: JsonObject): Generator<JsonObject> {
  const stack: unknown[] = [];
  if (isObject(doc.metadata) && isObject(doc.metadata.component)) stack.push(doc.metadata.component);
  if (Array.isArray(doc.components)) stack.push(...doc.components);
  while (stack.length) {
    const c = stack.pop();
    if (!isObject(c)) continue;
    yield c;
    if (Array.isArray(c.components)) stack.push(...c.components);
  }
}

export function addMlExtensions(
  doc: JsonObject,
  ext: MlExtensions,
  factory: Serialize.JSON.Normalize.Factory,
): void {
  const options = { sortLists: true };
  for (const component of allComponents(doc)) {
    const ref = component['bom-ref'];
    const extra = typeof ref === 'string' ? ext.components.get(ref) : undefined;
    if (!extra) continue;
    if (extra.authors) component.authors = extra.authors;
    if (extra.pedigreeAncestors?.length) {
      const normalizer = factory.makeForComponent();
      component.pedigree = { ancestors: extra.pedigreeAncestors.map((c) => normalizer.normalize(c, options)) };
    }
    if (extra.modelCard) component.modelCard = extra.modelCard;
    if (extra.data) component.data = extra.data;
  }
  if (Array.isArray(doc.services)) {
    for (const service of doc.services) {
      if (!isObject(service) || typeof service['bom-ref'] !== 'string') continue;
      const endpoints = ext.serviceEndpoints.get(service['bom-ref']);
      if (endpoints) service.endpoints = endpoints;
    }
  }
  if (ext.compositions.length) doc.compositions = ext.compositions;
}
