/** Pure mapping functions on bodies in the Hub's real API shapes (test/fixtures/hf/bodies). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateBatch } from '../../schema/validate.ts';
import { parseCardFrontMatter } from '../../ingest/huggingface/card.ts';
import { spdxFor } from '../../ingest/huggingface/license.ts';
import { mapDataset } from '../../ingest/huggingface/map-dataset.ts';
import { mapFiles, treeFiles } from '../../ingest/huggingface/map-files.ts';
import type { FileFacts } from '../../ingest/scan/file-facts.ts';
import { baseLinks, mapModel } from '../../ingest/huggingface/map-model.ts';
import { mapOwner } from '../../ingest/huggingface/map-owner.ts';
import { mapSpace } from '../../ingest/huggingface/map-space.ts';
import { PUBLIC_HUB_URL } from '../../ingest/huggingface/map-common.ts';
import { fileKey, parseRef, repoKey } from '../../ingest/huggingface/refs.ts';
import { UsageError } from '../../schema/errors.ts';
import { body, json } from './fixtures.ts';

const HUB = 'https://hub.internal.example'; // mapping is pure: the Hub URL only shapes the links it writes
const ctx = (id: string, type: 'model' | 'dataset' | 'space' = 'model') => ({ hubUrl: HUB, requested: { type, id } });

describe('refs and keys', () => {
  it('parses refs as written on the Hub and rejects malformed ones with a usage error', () => {
    assert.deepEqual(parseRef('acme/chat'), { type: 'model', id: 'acme/chat' });
    assert.deepEqual(parseRef('datasets/poison-lab/web'), { type: 'dataset', id: 'poison-lab/web' });
    assert.deepEqual(parseRef('spaces/acme/demo'), { type: 'space', id: 'acme/demo' });
    assert.deepEqual(parseRef('datasets/squad_v2'), { type: 'dataset', id: 'squad_v2' });
    for (const bad of ['a/b/c', '../etc', 'spaces/lonely', 'a b/c', '']) assert.throws(() => parseRef(bad), UsageError, bad);
  });
  it('builds keys as in the design, with legacy ownerless ids', () => {
    assert.equal(repoKey({ type: 'dataset', id: 'squad_v2' }), 'hf:dataset/squad_v2');
    assert.equal(fileKey({ type: 'model', id: 'a/b' }, 'x/y.bin', 'abc'), 'hf:file/a/b/x/y.bin@abc');
    assert.equal(fileKey({ type: 'dataset', id: 'a/b' }, 'd.parquet', 'abc'), 'hf:file/datasets/a/b/d.parquet@abc');
    assert.equal(fileKey({ type: 'space', id: 'a/b' }, 'app.py', 'abc'), 'hf:file/spaces/a/b/app.py@abc');
  });
});

describe('mapModel', () => {
  it('maps a fine-tune: base from card list + tags, legacy dataset id, model-index, SPDX license, props', () => {
    const m = mapModel(body('model-squad-finetune'), ctx('deepset/roberta-base-squad2'));
    validateBatch({ nodes: [m.node], edges: m.edges });
    assert.deepEqual(m.warnings, []);
    const p = m.node.props!;
    assert.equal(m.node.key, 'hf:model/deepset/roberta-base-squad2');
    assert.equal(p.sha, 'adc3b06f79f797d1c575d5479d6f5efe54a9e3b4');
    assert.equal(p.syncedSha, p.sha);
    assert.equal(p.license, 'CC-BY-4.0');
    assert.equal(p.licenseRaw, 'cc-by-4.0');
    assert.equal(p.library, 'transformers');
    assert.equal(p.pipelineTag, 'question-answering');
    assert.equal(p.gated, false);
    assert.equal(p.customCode, false);
    assert.equal(p.downloads, 1801802);
    assert.equal(p.createdAt, '2022-03-02T23:29:05.000Z');
    assert.equal(p.architecture, 'RobertaForQuestionAnswering');
    assert.equal(p.modelType, 'roberta');
    const derived = m.edges.filter((e) => e.kind === 'DERIVED_FROM');
    assert.deepEqual(derived.map((e) => [e.to, e.props?.relation, e.confidence]), [['hf:model/FacebookAI/roberta-base', 'finetune', 'declared']]);
    assert.deepEqual(m.edges.filter((e) => e.kind === 'TRAINED_ON').map((e) => [e.to, e.evidence]), [['hf:dataset/squad_v2', 'cardData.datasets']]);
    assert.deepEqual(m.edges.filter((e) => e.kind === 'EVALUATED_ON').map((e) => e.to).sort(), ['hf:dataset/squad', 'hf:dataset/squad_v2']);
    assert.deepEqual(m.spaces.map((s) => s.id), ['microsoft/HuggingGPT', 'razakhan/text-summarizer']);
    assert.ok(!JSON.stringify(p).includes('verifyToken'), 'model-index is stored compactly');
  });

  it('warns on a model-index of the wrong shape and still maps the rest', () => {
    const m = mapModel(body('model-corrupted-model-index'), ctx('Waynehillsdev/Waynehills-STT-doogie-server'));
    assert.ok(m.warnings.some((w) => /model-index should be a list/.test(w)), m.warnings.join('; '));
    assert.equal(m.edges.filter((e) => e.kind === 'EVALUATED_ON').length, 0);
    assert.equal(m.node.props!.license, 'Apache-2.0');
    assert.equal(m.node.props!.pipelineTag, 'automatic-speech-recognition');
    validateBatch({ nodes: [m.node], edges: m.edges });
  });

  it('keeps a non-SPDX license raw (openrail++) and maps "other" with its name', () => {
    const m = mapModel(body('model-openrail-diffusers'), ctx('stabilityai/stable-diffusion-2-1'));
    assert.equal(m.node.props!.license, 'openrail++');
    assert.equal(m.node.props!.licenseRaw, 'openrail++');
    assert.equal(spdxFor('other'), undefined);
    assert.equal(spdxFor('gpl-3.0'), 'GPL-3.0-only');
    assert.equal(spdxFor('MIT'), 'MIT');
  });

  it('maps an adapter (declared relation), gated "manual", auto_map custom code, a dataset given as a string', () => {
    const m = mapModel(body('model-adapter-gated-custom'), ctx('lab/phi-lora'));
    assert.deepEqual(m.warnings, []);
    assert.equal(m.node.props!.gated, 'manual');
    assert.equal(m.node.props!.customCode, true);
    const [d] = m.edges.filter((e) => e.kind === 'DERIVED_FROM');
    assert.equal(d!.to, 'hf:model/microsoft/phi-2');
    assert.equal(d!.props!.relation, 'adapter');
    assert.equal(d!.confidence, 'declared');
    assert.equal(d!.evidence, 'tags:base_model:adapter');
    assert.deepEqual(m.trainedOn, [{ type: 'dataset', id: 'lab/instructions' }]);
  });

  it('turns fields of the wrong type into warnings, infers merge for two undeclared bases, never throws', () => {
    const m = mapModel(body('model-wrong-types'), ctx('odd/typed'));
    const text = m.warnings.join('\n');
    assert.match(text, /cardData should be a mapping, got a list/);
    assert.match(text, /"downloads" should be a number/);
    assert.match(text, /"private" should be a boolean/);
    assert.match(text, /"gated" should be false, true, "auto" or "manual"/);
    assert.match(text, /"lastModified" should be an ISO-8601 time/);
    assert.match(text, /"tags" has 1 non-string entries/);
    assert.equal(m.node.props!.downloads, undefined);
    const rel = m.edges.filter((e) => e.kind === 'DERIVED_FROM').map((e) => [e.to, e.props!.relation, e.confidence]);
    assert.deepEqual(rel, [['hf:model/odd/base-a', 'merge', 'inferred'], ['hf:model/odd/base-b', 'merge', 'inferred']]);
    validateBatch({ nodes: [m.node], edges: m.edges });
  });

  it('reads base models from card strings, lists and relation tags; unknown when nothing says', () => {
    const warn: string[] = [];
    assert.deepEqual(
      baseLinks({ base_model: 'x/a' }, [], {}, (w) => warn.push(w)).map((b) => [b.ref.id, b.relation, b.confidence, b.evidence]),
      [['x/a', 'unknown', 'inferred', 'cardData.base_model']],
    );
    assert.deepEqual(
      baseLinks({ base_model: ['x/a'], base_model_relation: 'quantized' }, [], {}, (w) => warn.push(w)).map((b) => [b.relation, b.confidence]),
      [['quantized', 'declared']],
    );
    assert.deepEqual(
      baseLinks(undefined, ['base_model:merge:x/a', 'base_model:x/a', 'base_model:merge:y/b'], {}, (w) => warn.push(w)).map((b) => [b.ref.id, b.relation]),
      [['x/a', 'merge'], ['y/b', 'merge']],
    );
    assert.deepEqual(baseLinks({ base_model: 42 }, [], {}, (w) => warn.push(w)), []);
    assert.ok(warn.some((w) => /base_model/.test(w)));
  });

  it('records the canonical id when the Hub answered for a renamed repo', () => {
    const b = { ...body('model-squad-finetune'), id: 'deepset/roberta-renamed' };
    const m = mapModel(b, ctx('deepset/roberta-base-squad2'));
    assert.equal(m.node.key, 'hf:model/deepset/roberta-renamed');
    assert.deepEqual(m.ref, { type: 'model', id: 'deepset/roberta-renamed' });
  });
});

describe('cards', () => {
  const cards = json<Record<string, string>>('cards.json');
  it('parses front matter (LF and CRLF); a broken card or a list is a problem, no metadata is none', () => {
    const simple = parseCardFrontMatter(cards.simple!);
    assert.equal(simple.kind, 'ok');
    assert.equal(simple.kind === 'ok' && simple.data.license, 'mit');
    const crlf = parseCardFrontMatter(cards.crlf!);
    assert.equal(crlf.kind === 'ok' && crlf.data.base_model, 'org/base');
    const broken = parseCardFrontMatter(cards.broken_yaml!);
    assert.equal(broken.kind, 'invalid');
    assert.match(broken.kind === 'invalid' ? broken.problem : '', /does not parse/);
    const list = parseCardFrontMatter(cards.list_not_mapping!);
    assert.match(list.kind === 'invalid' ? list.problem : '', /must be a mapping, got a list/);
    assert.equal(parseCardFrontMatter(cards.no_metadata!).kind, 'none');
  });
  it('a card parsed from README.md feeds the mapping like cardData', () => {
    const parsed = parseCardFrontMatter(cards.crlf!);
    assert.equal(parsed.kind, 'ok');
    const m = mapModel({ id: 'a/b', sha: 'abc', tags: [] }, ctx('a/b'), parsed.kind === 'ok' ? parsed.data : undefined);
    assert.deepEqual(m.bases.map((b) => b.ref.id), ['org/base']);
    assert.equal(m.node.props!.license, 'MIT');
  });
});

describe('mapSpace, mapDataset, mapOwner, mapFiles', () => {
  it('derives a Space app URL from its subdomain only on the public Hub, and never from a hostile subdomain', () => {
    const spaceBody = body('space-demo');
    assert.equal(mapSpace(spaceBody, ctx('lab/demo', 'space')).node.props!.endpointUrl, undefined, 'another Hub: no guess');
    const onPublic = mapSpace(spaceBody, { hubUrl: PUBLIC_HUB_URL, requested: { type: 'space', id: 'lab/demo' } });
    assert.equal(new URL(String(onPublic.node.props!.endpointUrl)).hostname.split('.')[0], 'lab-demo');
    const hostile = mapSpace({ ...spaceBody, subdomain: 'x.evil/../' }, { hubUrl: PUBLIC_HUB_URL, requested: { type: 'space', id: 'lab/demo' } });
    assert.equal(hostile.node.props!.endpointUrl, undefined);
  });

  it('maps a Space: SERVES its models (API and card), USES its datasets', () => {
    const s = mapSpace(body('space-demo'), ctx('lab/demo', 'space'));
    validateBatch({ nodes: [s.node], edges: s.edges });
    assert.equal(s.node.kind, 'Endpoint');
    assert.equal(s.node.props!.sdk, 'gradio');
    assert.deepEqual(s.edges.map((e) => [e.kind, e.to, e.evidence]), [
      ['SERVES', 'hf:model/lab/phi-lora', 'spaceInfo.models'],
      ['SERVES', 'hf:model/microsoft/phi-2', 'spaceInfo.models'],
      ['SERVES', 'hf:model/lab/extra-model', 'cardData.models'],
      ['USES', 'hf:dataset/lab/instructions', 'spaceInfo.datasets'],
    ]);
  });
  it('maps a legacy ownerless dataset', () => {
    const d = mapDataset({ _id: 'x', id: 'squad_v2', sha: 'abc', gated: 'auto', tags: ['license:cc-by-sa-4.0'] }, ctx('squad_v2', 'dataset'));
    assert.equal(d.node.key, 'hf:dataset/squad_v2');
    assert.equal(d.node.props!.gated, 'auto');
    assert.equal(d.node.props!.license, 'CC-BY-SA-4.0');
  });
  it('maps an owner to an Identity and CAN_WRITE', () => {
    const b = mapOwner('lab', 'org', 'hf:model/lab/phi-lora', HUB);
    validateBatch(b);
    assert.deepEqual([b.nodes[0]!.key, b.edges[0]!.kind, b.edges[0]!.props], ['hf:org/lab', 'CAN_WRITE', { role: 'owner' }]);
  });
  it('maps a tree listing: LFS sha256, sizes, formats; directories dropped; malformed entries warned', () => {
    const warn: string[] = [];
    const files = treeFiles(json<unknown[]>('bodies/tree-with-lfs.json'), (w) => warn.push(w));
    assert.deepEqual(files.map((f) => f.path), ['.gitattributes', 'pytorch_model.bin', 'supposedly_safe.pkl']);
    assert.match(warn.join(), /1 entries of the wrong shape/);
    const facts = new Map<string, FileFacts>([['pytorch_model.bin', { format: 'pickle', formatSource: 'bytes', scanStatus: 'dangerous', scanGlobals: ['os.system'], scanner: 's/1' }]]);
    const b = mapFiles({ type: 'model', id: 'mcpotato/42-eicar-street' }, 'hf:model/mcpotato/42-eicar-street', '8b3861f6', files, facts);
    validateBatch(b);
    const bin = b.nodes.find((n) => n.props!.path === 'pytorch_model.bin')!;
    assert.equal(bin.key, 'hf:file/mcpotato/42-eicar-street/pytorch_model.bin@8b3861f6');
    assert.equal(bin.props!.sha256, 'f9343d7d7ec5c3d8bcced056c438fc9f1d3819e9ca3d42418a40857050e10e20');
    assert.equal(bin.props!.scanStatus, 'dangerous');
    const e = b.edges.find((x) => x.to === bin.key)!;
    assert.deepEqual(e.props, { size: 22, sha256: 'f9343d7d7ec5c3d8bcced056c438fc9f1d3819e9ca3d42418a40857050e10e20', format: 'pickle' });
  });
});
