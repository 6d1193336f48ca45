/** The Hub-reference extractor: what each kind of file loads, read the way its interpreter reads it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractHubReferences, type HubReference } from '../../ingest/github/hub-refs.ts';

const short = (refs: HubReference[]) => refs.map((r) => `${r.type}:${r.id}${r.revision ? `@${r.revision}` : ''} L${r.line} ${r.confidence}`);

describe('Hub references in Python', () => {
  it('from_pretrained on any class, with literal revisions, across lines', () => {
    const text = [
      'from transformers import AutoModel, AutoTokenizer',
      'tok = AutoTokenizer.from_pretrained("acme/chat-7b", revision="0123456789abcdef0123456789abcdef01234567")',
      'model = MyCustomModel.from_pretrained(',
      "    'acme/chat-7b',",
      '    revision="main",',
      '    trust_remote_code=True,',
      ')',
      'vae = AutoencoderKL.from_pretrained(pretrained_model_name_or_path="stability/vae")',
    ].join('\n');
    assert.deepEqual(short(extractHubReferences('app/load.py', text)), [
      'model:acme/chat-7b@0123456789abcdef0123456789abcdef01234567 L2 declared',
      'model:acme/chat-7b@main L4 declared',
      'model:stability/vae L8 declared',
    ]);
  });

  it('pipeline, hf_hub_download, snapshot_download, load_dataset, SentenceTransformer', () => {
    const text = [
      'clf = pipeline("text-classification", model="acme/classifier", tokenizer="acme/tok")',
      'gen = pipeline("text-generation", "gpt2")',
      'p = hf_hub_download(repo_id="acme/weights", filename="model.bin", revision="v1.2")',
      'd = hf_hub_download("poison-lab/web-scrape", "data.parquet", repo_type="dataset")',
      's = snapshot_download("acme/space-thing", repo_type="space")',
      'ds = load_dataset("poison-lab/web-scrape", revision="refs/convert/parquet")',
      'sq = load_dataset("squad")',
      'local = load_dataset("json", data_files="train.jsonl")',
      'emb = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")',
    ].join('\n');
    assert.deepEqual(short(extractHubReferences('x.py', text)), [
      'model:acme/classifier L1 declared',
      'model:acme/tok L1 declared',
      'model:gpt2 L2 declared',
      'model:acme/weights@v1.2 L3 declared',
      'dataset:poison-lab/web-scrape L4 declared',
      'dataset:poison-lab/web-scrape@refs/convert/parquet L6 declared',
      'dataset:squad L7 declared',
      'model:sentence-transformers/all-MiniLM-L6-v2 L9 declared',
    ]);
  });

  it('does not guess at variables, comments, docstrings or local paths', () => {
    const text = [
      'MODEL = os.environ["MODEL"]',
      'a = AutoModel.from_pretrained(MODEL)',
      'b = AutoModel.from_pretrained(f"acme/{name}")',
      'c = AutoModel.from_pretrained("acme/pinned", revision=REV)',
      '# AutoModel.from_pretrained("commented/out")',
      '"""Example: AutoModel.from_pretrained("in/docstring")"""',
      'd = AutoModel.from_pretrained("./checkpoints/best")',
      'e = AutoModel.from_pretrained("outputs")',
      'f = AutoModel.from_pretrained("/abs/path")',
      'g = load_dataset("data/train.csv")',
      'def from_pretrained(cls, path="not/a-load"): pass',
    ].join('\n');
    // The revision given as a variable is not guessed: the reference is kept, without a revision.
    assert.deepEqual(short(extractHubReferences('x.py', text)), ['model:acme/pinned L4 declared']);
  });

  it('treats a directory of the repository as a local path', () => {
    const refs = extractHubReferences('train.py', 'm = AutoModel.from_pretrained("models/base")', { localDirs: new Set(['models/base']) });
    assert.deepEqual(refs, []);
  });

  it('adapters, implicit concatenation, hf:// URIs in strings and config-like constants', () => {
    const text = [
      'model = PeftModel.from_pretrained(base, "acme/lora-adapter")',
      'm2 = AutoModel.from_pretrained("acme/" "joined")',
      'df = pd.read_parquet("hf://datasets/poison-lab/web-scrape@refs%2Fconvert%2Fparquet/default/train/0000.parquet")',
      'BASE_MODEL_ID = "acme/base-13b"',
      'args = ModelArguments(model_name_or_path="acme/from-args", output_dir="acme/not-this")',
      'cfg = {"dataset_name": "poison-lab/from-dict"}',
    ].join('\n');
    assert.deepEqual(short(extractHubReferences('x.py', text)), [
      'model:acme/lora-adapter L1 declared',
      'model:acme/joined L2 declared',
      'dataset:poison-lab/web-scrape@refs/convert/parquet L3 declared',
      'model:acme/base-13b L4 inferred',
      'model:acme/from-args L5 inferred',
      'dataset:poison-lab/from-dict L6 inferred',
    ]);
  });
});

describe('Hub references in JavaScript and TypeScript (transformers.js)', () => {
  it("pipeline('task', 'o/n', { revision }) and from_pretrained", () => {
    const text = [
      "import { pipeline, AutoModel } from '@huggingface/transformers';",
      "// pipeline('x', 'commented/out')",
      "const re = /pipeline\\('y', 'in\\/regex'\\)/;",
      "const classifier = await pipeline('sentiment-analysis', 'Xenova/distilbert-sst2', { revision: 'v2' });",
      'const m = await AutoModel.from_pretrained(`acme/chat-7b`);',
      'const t = await AutoModel.from_pretrained(`acme/${size}`);',
    ].join('\n');
    assert.deepEqual(short(extractHubReferences('web/app.ts', text)), ['model:Xenova/distilbert-sst2@v2 L4 declared', 'model:acme/chat-7b L5 declared']);
  });
});

describe('Hub references in shell, Dockerfiles, configs and notebooks', () => {
  it('huggingface-cli download and hf download, with continuations and options', () => {
    const text = [
      'FROM python:3.12',
      'RUN pip install huggingface_hub && huggingface-cli download acme/chat-7b --revision 0123456789abcdef0123456789abcdef01234567 --local-dir /models',
      'RUN hf download poison-lab/web-scrape \\',
      '      --repo-type dataset --include "*.parquet" "*.json"',
      'RUN hf download --repo-type=model acme/other',
      'RUN huggingface-cli download $MODEL_ID',
    ].join('\n');
    assert.deepEqual(short(extractHubReferences('Dockerfile', text)), [
      'model:acme/chat-7b@0123456789abcdef0123456789abcdef01234567 L2 declared',
      'dataset:poison-lab/web-scrape L3 declared',
      'model:acme/other L5 declared',
    ]);
  });

  it('config values are inferred; output repositories are not loads', () => {
    const yaml = ['model_name_or_path: acme/chat-7b', 'dataset_name: "poison-lab/web-scrape"', 'hub_model_id: acme/finetuned', 'output_dir: out/run1', 'steps:', '  - run: hf download acme/in-workflow'].join('\n');
    assert.deepEqual(short(extractHubReferences('configs/train.yaml', yaml)), [
      'model:acme/chat-7b L1 inferred',
      'dataset:poison-lab/web-scrape L2 inferred',
      'model:acme/in-workflow L6 declared',
    ]);
    const json = '{"model_type": "llama", "_name_or_path": "x", "base_model_name_or_path": "acme/base-13b", "model_id": "gpt2"}';
    assert.deepEqual(short(extractHubReferences('adapter_config.json', json)), ['model:acme/base-13b L1 inferred']);
    assert.deepEqual(short(extractHubReferences('.env.example', 'MODEL_ID=acme/chat-7b\nHF_TOKEN=\n')), ['model:acme/chat-7b L1 inferred']);
    assert.deepEqual(short(extractHubReferences('setup.cfg', '[tool]\nbase_model = acme/base-13b\n')), ['model:acme/base-13b L2 inferred']);
  });

  it('a notebook call sitting inside a JSON string, with its line in the .ipynb file', () => {
    const nb = JSON.stringify(
      {
        cells: [
          { cell_type: 'markdown', source: ['AutoModel.from_pretrained("in/markdown")\n'] },
          { cell_type: 'code', source: ['!huggingface-cli download acme/nb-cli\n', 'from transformers import AutoModel\n', 'm = AutoModel.from_pretrained("acme/chat-7b", revision="main")\n'] },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    );
    const lines = nb.split('\n');
    const callLine = lines.findIndex((l) => l.includes('acme/chat-7b')) + 1;
    const cliLine = lines.findIndex((l) => l.includes('acme/nb-cli')) + 1;
    assert.deepEqual(short(extractHubReferences('nb/explore.ipynb', nb)), [`model:acme/nb-cli L${cliLine} declared`, `model:acme/chat-7b@main L${callLine} declared`].sort((a, b) => Number(a.split(' L')[1]!.split(' ')[0]) - Number(b.split(' L')[1]!.split(' ')[0])));
  });
});

describe('hostile input', () => {
  it('binary bytes, invalid UTF-8, a 1 MB line and unterminated strings are read without a crash', () => {
    const binary = new TextDecoder().decode(new Uint8Array(4096).map((_, i) => (i * 7919) % 256));
    assert.doesNotThrow(() => extractHubReferences('weird.py', binary));
    const bad = new TextDecoder().decode(Uint8Array.from([0x6d, 0x3d, 0xff, 0xfe, 0x22, 0x61]));
    assert.doesNotThrow(() => extractHubReferences('bad.py', bad));
    const huge = `x = "${'a'.repeat(1_000_000)}"; m = AutoModel.from_pretrained("acme/after-long-line")`;
    const started = performance.now();
    assert.deepEqual(short(extractHubReferences('long.py', huge)), ['model:acme/after-long-line L1 declared']);
    assert.ok(performance.now() - started < 2000, 'a 1 MB line is one linear pass');
    assert.deepEqual(extractHubReferences('open.py', 'AutoModel.from_pretrained("acme/unterminated'), []);
    assert.deepEqual(extractHubReferences('x.ipynb', '{"cells": [ {"cell_type": "code", "source": 42 } ]'), []);
    const longJson = `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}": "v"`).join(', ')}, "model_id": "acme/minified"}`;
    assert.deepEqual(short(extractHubReferences('big.json', longJson)), ['model:acme/minified L1 inferred']);
  });

  it('refuses ids that are not Hub ids (injection, traversal, over-long)', () => {
    const text = ['a = AutoModel.from_pretrained("acme/x\'); MATCH (n) DETACH DELETE n; //")', 'b = AutoModel.from_pretrained("../../etc/passwd")', `c = AutoModel.from_pretrained("${'o'.repeat(300)}/n")`].join('\n');
    assert.deepEqual(extractHubReferences('x.py', text), []);
  });
});
