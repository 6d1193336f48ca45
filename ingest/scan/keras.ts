/**
 * Keras model configs: a `Lambda` layer carries Python bytecode (marshal, base64) that Keras runs when it rebuilds
 * the model; layers and objects from modules outside Keras run custom code on load. The `.keras` archive holds
 * the config as `config.json`; an H5 file holds it as the `model_config` attribute of the root group, read through
 * the HDF5 structure (`hdf5.ts`). When that structure does not parse, a byte search for the JSON object after the
 * attribute name (`h5ConfigCandidates`) still catches a Lambda layer in the head.
 */

const KERAS_MODULES = /^(keras|tf_keras|tensorflow\.keras|keras_nlp|keras_cv|keras_hub)(\.|$)/;

export interface KerasConfigRisk {
  lambdas: string[];
  customObjects: string[];
}

/** Walks a parsed config for Lambda layers and objects registered outside Keras. */
export function kerasConfigRisk(config: unknown): KerasConfigRisk {
  const risk: KerasConfigRisk = { lambdas: [], customObjects: [] };
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 200 || typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) return v.forEach((x) => visit(x, depth + 1));
    const o = v as Record<string, unknown>;
    if (o.class_name === 'Lambda' || o.class_name === 'TFOpLambda') {
      const cfg = (o.config ?? {}) as Record<string, unknown>;
      risk.lambdas.push(String(cfg.name ?? o.name ?? 'lambda'));
    }
    if (typeof o.module === 'string' && typeof o.class_name === 'string' && !KERAS_MODULES.test(o.module) && o.module !== 'builtins') {
      risk.customObjects.push(`${o.module}.${o.class_name}`);
    }
    for (const x of Object.values(o)) visit(x, depth + 1);
  };
  visit(config, 0);
  return risk;
}

/**
 * JSON objects that follow a `model_config` (or `training_config`) attribute name in HDF5 bytes, for a file whose
 * HDF5 structure does not parse: a string's bytes are contiguous, so a balanced-brace read from the `{` finds it.
 */
export function h5ConfigCandidates(bytes: Uint8Array): unknown[] {
  const text = new TextDecoder('latin1').decode(bytes);
  const out: unknown[] = [];
  for (const m of text.matchAll(/model_config|training_config/g)) {
    // JSON may put whitespace after the brace; json.loads accepts it, so the search must too
    const open = /\{\s*"/g;
    open.lastIndex = m.index;
    const start = open.exec(text)?.index ?? -1;
    if (start < 0 || start - m.index > 4096) continue;
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length && i - start < 64 * 1024 * 1024; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        try {
          out.push(JSON.parse(new TextDecoder('utf-8').decode(bytes.subarray(start, i + 1))));
        } catch {
          // not JSON after all: another candidate may be
        }
        break;
      }
    }
  }
  return out;
}
