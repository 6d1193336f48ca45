/**
 * A hostile Hub look-alike, driven through the CLI: beside normal repos, repos whose bodies drip after their
 * headers, whose cards nest 200,000 levels deep, whose fields are padded past every size limit, whose fields
 * echo the Authorization header back, whose listings and redirects point at another origin, and whose text
 * carries bidi overrides. One `ingest hf` run writes every normal repo, writes each hostile repo's node and
 * lineage (cut to size where needed) with a warning naming it, prints its summary and exits 0; the token is in
 * no output and nowhere in the store file; nothing is requested from the other origin.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { startReplayServer, type ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { Universe, type Json } from '../../ingest/huggingface/replay/universe.ts';
import { runCli, tempWorkspace, type CliResult } from '../helpers/cli.ts';
import { exportStore, type Exported } from './harness.ts';

const TOKEN = 'hf_reflectedSECRET_9f8e7d6c5b4a3210';
const SHA = (n: number) => `${String(n).padStart(4, '0')}${'e'.repeat(36)}`;
const DATASET = 'ok-org/clean-data';
const DEPTH = 200_000;
const TAGS = 400_000;
const RLO = '\u202e';

function model(id: string, n: number, extra: Json = {}): Json {
  return {
    _id: `66b0000000000000000a${String(n).padStart(4, '0')}`, id, author: id.split('/')[0], sha: SHA(n),
    lastModified: '2025-01-01T00:00:00.000Z', createdAt: '2024-01-01T00:00:00.000Z', private: false, gated: false, disabled: false,
    downloads: 1, likes: 0, library_name: 'transformers', pipeline_tag: 'text-generation',
    tags: ['transformers', `dataset:${DATASET}`], cardData: { license: 'apache-2.0', datasets: [DATASET] },
    siblings: [{ rfilename: 'config.json' }, { rfilename: 'model.safetensors' }], ...extra,
  };
}

function universe(): Universe {
  return new Universe(
    {
      pageSize: 100,
      owners: { 'ok-org': 'org', evil: 'user' },
      datasets: [{ _id: '66b00000000000000000d001', id: DATASET, author: 'ok-org', sha: SHA(1), tags: ['license:mit'], cardData: { license: 'mit' }, siblings: [{ rfilename: 'README.md' }] }],
      models: [
        model('ok-org/good-model', 2, {
          tags: ['transformers', `dataset:${DATASET}`, 'base_model:evil/moved-away', 'base_model:evil/drip-info'],
          cardData: { license: 'apache-2.0', datasets: [DATASET], base_model: ['evil/moved-away', 'evil/drip-info'] },
        }),
        // Another base: its info body drips after the headers.
        model('evil/drip-info', 10, { tags: ['transformers'] }),
        // Padded: the dataset tag first, then 400,000 more (props far over 1 MiB).
        model('evil/padded', 3, { tags: [`dataset:${DATASET}`, ...Array.from({ length: TAGS }, (_, i) => `pad-${i}`)] }),
        // The card is spliced in by the intercept below (JSON.stringify cannot write it).
        model('evil/deep-card', 4, { cardData: '__DEEP__' }),
        // Its description and license are filled from the request's Authorization header.
        model('evil/reflect', 5),
        // Its weights drip after the headers; the rest of it is normal.
        model('evil/drip-weights', 6, { siblings: [{ rfilename: 'config.json' }, { rfilename: 'pytorch_model.bin', size: 4096 }] }),
        // Its file listing's next page is on another origin.
        model('evil/cross-link', 7),
        // The base model of good-model: its info redirects to another origin.
        model('evil/moved-away', 8, { tags: ['transformers'] }),
        // A bidi override in a field that reaches a warning (an author that is no owner name).
        model('evil/bidi', 9, { author: `evil${RLO}exe.txt` }),
      ],
      files: { 'models/evil/drip-weights/pytorch_model.bin': { size: 4096 } },
    },
    REPLAY_BUILDERS,
  );
}

const deepJson = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

describe('ingest hf against a hostile Hub look-alike', () => {
  const ws = tempWorkspace('aispm-hostile-hub-');
  let hub: ReplayServer;
  let other: { url: string; hits: number; close: () => Promise<void> };
  let run: CliResult;
  let graph: Exported;

  before(async () => {
    const otherServer = createServer((_req, res) => {
      other.hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((r) => otherServer.listen(0, '127.0.0.1', r));
    other = {
      url: `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}`,
      hits: 0,
      close: () => new Promise((r) => { otherServer.closeAllConnections(); otherServer.close(() => r()); }),
    };
    const u = universe();
    hub = await startReplayServer(u, {
      intercept(req: IncomingMessage, res: ServerResponse, url: URL) {
        const p = url.pathname;
        if (p.startsWith('/api/models/evil/deep-card/revision/')) {
          const text = JSON.stringify(u.repo('model', 'evil/deep-card')).replace('"__DEEP__"', deepJson(DEPTH));
          res.writeHead(200, { 'content-type': 'application/json' }).end(text);
          return true;
        }
        if (p.startsWith('/api/models/evil/reflect/revision/')) {
          const echoed = String(req.headers.authorization ?? '');
          const body = { ...u.repo('model', 'evil/reflect'), cardData: { license: `you sent: ${echoed}`, datasets: [DATASET], note: echoed } };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
          return true;
        }
        if (p.startsWith('/evil/drip-weights/resolve/')) {
          // Headers at once, then one byte a second: the body never completes within the time limit.
          const headers = { 'content-type': 'application/octet-stream', 'content-length': '4096', 'accept-ranges': 'bytes', etag: '"drip"', 'x-repo-commit': SHA(6) };
          if (req.method === 'HEAD') {
            res.writeHead(200, headers).end();
            return true;
          }
          res.writeHead(req.headers.range ? 206 : 200, { ...headers, 'content-range': 'bytes 0-4095/4096' });
          const timer = setInterval(() => res.write('\x80'), 1000);
          res.on('close', () => clearInterval(timer));
          return true;
        }
        if (p.startsWith('/api/models/evil/drip-info/revision/')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"id": "evil/drip-info", ');
          const timer = setInterval(() => res.write(' '), 1000);
          res.on('close', () => clearInterval(timer));
          return true;
        }
        if (p.startsWith('/api/models/evil/cross-link/tree/')) {
          const first = [{ type: 'file', oid: 'a'.repeat(40), size: 10, path: 'config.json' }];
          res.writeHead(200, { 'content-type': 'application/json', link: `<${other.url}/api/models/evil/cross-link/tree/${SHA(7)}?cursor=1>; rel="next"` }).end(JSON.stringify(first));
          return true;
        }
        if (p.startsWith('/api/models/evil/moved-away')) {
          res.writeHead(307, { location: `${other.url}/api/models/evil/moved-away${url.search}` }).end();
          return true;
        }
        return false;
      },
    });
    run = await runCli(
      ['ingest', 'hf', `datasets/${DATASET}`, '--descendants', '1', '--scan-pickles', '--endpoint', hub.url, '--store', ws.store,
        '--rate', '500', '--concurrency', '4', '--retry-base-ms', '5', '--timeout-ms', '6000', '--json'],
      { env: { HF_TOKEN: TOKEN, HF_ENDPOINT: undefined } },
    );
    graph = await exportStore(ws.store);
  });
  after(async () => {
    await hub?.close();
    await other?.close();
    ws.cleanup();
  });

  it('finishes the run with its summary and exit 0', () => {
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.ok(summary.repos.model.read >= 5, JSON.stringify(summary.repos));
  });

  it('writes every normal repo and each hostile repo with its lineage', () => {
    for (const key of ['hf:dataset/ok-org/clean-data', 'hf:model/ok-org/good-model', 'hf:model/evil/padded', 'hf:model/evil/deep-card', 'hf:model/evil/reflect', 'hf:model/evil/drip-weights', 'hf:model/evil/cross-link', 'hf:model/evil/bidi']) {
      const node = graph.nodes.get(key);
      assert.ok(node && !node.props.stub, `${key} is written`);
    }
    const trained = new Set(graph.edges.filter((e) => e.kind === 'TRAINED_ON' && e.to === 'hf:dataset/ok-org/clean-data').map((e) => e.from));
    for (const m of ['padded', 'deep-card', 'reflect', 'drip-weights', 'cross-link', 'bidi']) assert.ok(trained.has(`hf:model/evil/${m}`), `evil/${m} TRAINED_ON edge`);
    // The base that redirects away stays what the lineage says it is: a node at the end of good-model's edge.
    assert.ok(graph.edges.some((e) => e.kind === 'DERIVED_FROM' && e.from === 'hf:model/ok-org/good-model' && e.to === 'hf:model/evil/moved-away'));
  });

  it('cuts padded and deep fields to size, marks them, and warns naming the repo', () => {
    const padded = graph.nodes.get('hf:model/evil/padded')!;
    assert.ok(Array.isArray(padded.props.tags) && (padded.props.tags as unknown[]).length <= 2000, 'tags cut');
    assert.deepEqual(padded.props.truncated, ['tags']);
    const deep = graph.nodes.get('hf:model/evil/deep-card')!;
    let depth = 0;
    for (let v = deep.props.cardData as unknown; v && typeof v === 'object'; v = (v as Json).a) depth++;
    assert.ok(depth > 0 && depth <= 32, `card stored to a bounded depth (${depth})`);
    const warnings: { repo: string; message: string }[] = JSON.parse(run.stdout).warnings;
    const about = (repo: string) => warnings.filter((w) => w.repo === repo).map((w) => w.message).join(' | ');
    assert.match(about('evil/padded'), /cut/);
    assert.match(about('evil/deep-card'), /nests too deep|cut/);
    assert.match(about('evil/cross-link'), /outside the endpoint/);
    assert.match(about('evil/moved-away'), /outside the configured endpoint/);
    assert.match(about('evil/drip-info'), /timed out/);
  });

  it('records the dripping file as unscanned, not safe', () => {
    const file = [...graph.nodes.values()].find((n) => n.key.startsWith('hf:file/evil/drip-weights/pytorch_model.bin@'));
    assert.ok(file, 'the file node is written');
    assert.notEqual(file.props.scanStatus, 'safe', 'a read that timed out is never safe');
    assert.match(String(file.props.scanReason), /timeout|timed out/i, JSON.stringify(file.props));
  });

  it('treats a cross-origin redirect as no rename and requests nothing from the other origin', () => {
    assert.equal(other.hits, 0, 'no request left the endpoint origin');
    assert.ok(!graph.edges.some((e) => e.evidence === 'rename'), 'no rename recorded');
    assert.ok(![...graph.nodes.keys()].some((k) => k.includes('127.0.0.1')));
  });

  it('shows bidi overrides escaped in warnings', () => {
    assert.ok(!run.stdout.includes(RLO) && !run.stderr.includes(RLO), 'no raw U+202E in any output');
    assert.match(run.stdout, /\\\\u202E/);
  });

  it('puts the reflected token in no output and nowhere in the store file', () => {
    for (const text of [run.stdout, run.stderr, graph.raw]) assert.ok(!text.includes(TOKEN), 'token in output');
    for (const f of readdirSync(ws.dir)) assert.ok(!readFileSync(join(ws.dir, f)).includes(TOKEN), `token in ${f}`);
    const reflect = graph.nodes.get('hf:model/evil/reflect')!;
    assert.match(String(reflect.props.licenseRaw), /you sent: Bearer \*\*\*/, 'the echoed header is stored redacted');
  });
});
