/**
 * A hostile or broken Hub: listings whose `Link: rel="next"` never ends, bodies far larger than they should be,
 * Range requests answered with other bytes, listing entries without ids, control characters in upstream text,
 * path-like shas, file paths and authors. Each must end in a bounded, recorded outcome, never a hang, a crash or
 * a lost repo. Real local HTTP servers, the real client library, a real SQLite store.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UpstreamLimitError } from '../../ingest/pipeline/bounds.ts';
import { WarningLog } from '../../ingest/pipeline/warnings.ts';
import { HubClient, MAX_LIST_PAGES } from '../../ingest/huggingface/client.ts';
import { ingestHub } from '../../ingest/huggingface/ingest.ts';
import { treeFiles } from '../../ingest/huggingface/map-files.ts';
import { mapModel } from '../../ingest/huggingface/map-model.ts';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { startReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { Universe } from '../../ingest/huggingface/replay/universe.ts';
import { openStore } from '../../services/store/open.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';

const SHA = 'abcd000000000000000000000000000000000001';

async function serve(handler: (req: IncomingMessage, res: ServerResponse, url: string) => void): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  let base = '';
  const server = createServer((req, res) => {
    hits++;
    handler(req, res, base);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, server, hits: () => hits };
}

const close = (s: Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });

describe('paged listings always end', () => {
  it('a Link that points back at the same page is refused, not followed forever', { timeout: 10_000 }, async () => {
    const hub = await serve((req, res, base) => {
      res.writeHead(200, { 'content-type': 'application/json', link: `<${base}${req.url}>; rel="next"` }).end('[]');
    });
    try {
      const client = new HubClient(hub.url, fetch);
      await assert.rejects(client.tree({ type: 'model', id: 'a/b' }, SHA, 10_000), UpstreamLimitError);
      assert.equal(hub.hits(), 1);
    } finally {
      await close(hub.server);
    }
  });

  it('empty pages chained with ever-new cursors stop at the page limit', { timeout: 30_000 }, async () => {
    const hub = await serve((req, res, base) => {
      const n = Number(new URL(req.url!, base).searchParams.get('cursor') ?? '0');
      res.writeHead(200, { 'content-type': 'application/json', link: `<${base}/api/models?filter=x&cursor=${n + 1}>; rel="next"` }).end('[]');
    });
    try {
      const client = new HubClient(hub.url, fetch);
      await assert.rejects(client.modelsTagged('base_model:a/b', 10), UpstreamLimitError);
      assert.equal(hub.hits(), MAX_LIST_PAGES);
    } finally {
      await close(hub.server);
    }
  });

  it('listing entries without a string id name no repo and are dropped', async () => {
    const hub = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ _id: 'x1' }, { _id: 'x2', id: 5 }, { _id: 'x3', id: 'ok/model', sha: SHA }]));
    });
    try {
      const listed = await new HubClient(hub.url, fetch).modelsTagged('dataset:a/b', 10);
      assert.deepEqual(listed.map((l) => l.id), ['ok/model']);
    } finally {
      await close(hub.server);
    }
  });
});

describe('bodies and byte ranges are bounded', () => {
  const FILE = new Uint8Array(4096).map((_, i) => i % 251);

  /** Answers the download probe properly, then ignores Range (or sends a 2 MB README). */
  async function lyingFileServer() {
    return serve((req, res) => {
      const range = String(req.headers.range ?? '');
      if (req.url!.includes('README.md')) {
        if (range === 'bytes=0-0') return void res.writeHead(206, { etag: '"r"', 'content-range': 'bytes 0-0/100' }).end('x');
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end('y'.repeat(2 * 1024 * 1024));
      }
      if (range === 'bytes=0-0') return void res.writeHead(206, { etag: '"f"', 'content-range': `bytes 0-0/${FILE.length}` }).end(Buffer.from(FILE.subarray(0, 1)));
      res.writeHead(200, { 'content-length': FILE.length }).end(Buffer.from(FILE));
    });
  }

  it('a README larger than allowed is refused, not read whole', async () => {
    const hub = await lyingFileServer();
    try {
      const client = new HubClient(hub.url, fetch);
      await assert.rejects(client.text({ type: 'model', id: 'a/b' }, SHA, 'README.md', 1024), UpstreamLimitError);
    } finally {
      await close(hub.server);
    }
  });

  it('a server that ignores Range yields the asked bytes from 0, and an error elsewhere, never other bytes', async () => {
    const hub = await lyingFileServer();
    try {
      const read = (await new HubClient(hub.url, fetch).rangeReader({ type: 'model', id: 'a/b' }, SHA, 'w.pkl', FILE.length))!;
      assert.deepEqual([...(await read(0, 9))], [...FILE.subarray(0, 10)]);
      await assert.rejects(read(100, 109), UpstreamLimitError);
    } finally {
      await close(hub.server);
    }
  });
});

describe('hostile upstream strings', () => {
  it('warnings carry no control characters (ANSI escapes, forged lines) and are cut', () => {
    const log = new WarningLog();
    log.add('a/b\u001b[2J', `card says "\u001b[31mred\u001b[0m"\r\nforged: line ${'z'.repeat(5000)}`);
    const [w] = log.items;
    assert.doesNotMatch(`${w!.repo}${w!.message}`, /[\u0000-\u001f]/);
    assert.match(w!.message, /\\u001B\[31mred/, 'the escape is shown, not obeyed');
    assert.ok(w!.message.length <= 1030 && w!.message.endsWith('chars)'), String(w!.message.length));
  });

  it('file paths that leave the repo (`..`, `.`, empty segments, absolute) are dropped with a warning', () => {
    const warn: string[] = [];
    const entries = ['../../etc/passwd', 'a/../../b.pkl', './x.bin', '/abs.pkl', 'a//b.pkl', 'ok/model.bin', 'name with #?%.pkl'].map((path) => ({ type: 'file', path, size: 1, oid: 'x' }));
    assert.deepEqual(treeFiles(entries, (m) => warn.push(m)).map((f) => f.path), ['name with #?%.pkl', 'ok/model.bin']);
    assert.match(warn.join(), /5 entries of the wrong shape/);
  });

  it('a sha that is not a commit id never reaches keys or URLs', () => {
    const m = mapModel({ id: 'a/b', sha: '../../api/x?y=', tags: [] }, { hubUrl: 'https://hub.internal.example', requested: { type: 'model', id: 'a/b' } });
    assert.equal(m.sha, undefined);
    assert.equal(m.node.props!.syncedSha, undefined);
    assert.ok(m.warnings.some((w) => /"sha" should be a commit id/.test(w)), m.warnings.join('; '));
  });
});

describe('a crawl against a hostile Hub goes on', () => {
  it('writes the repo despite a bad author, scans a file whose name holds "#", and survives a resolve without ETag', async () => {
    const ws = tempWorkspace('aispm-hf-hostile-');
    const universe = new Universe(
      {
        owners: { 'evil-co': 'org' },
        models: [
          { _id: '1', id: 'evil-co/m', author: 'evil/../../x', sha: SHA, tags: [], siblings: [{ rfilename: 'w#1.pkl' }] },
          // No cardData: the crawler reads README.md, whose download probe below comes back without an ETag.
          { _id: '2', id: 'evil-co/no-etag', author: 'evil-co', sha: SHA.replace('1', '2'), tags: [], siblings: [{ rfilename: 'README.md' }] },
        ],
        files: {
          'models/evil-co/m/w#1.pkl': { build: 'pickleExec', args: ['print(1)'] },
          'models/evil-co/no-etag/README.md': { text: '---\nlicense: mit\n---\n# card\n' },
        },
      },
      REPLAY_BUILDERS,
    );
    const replay = await startReplayServer(universe);
    // In front of the replay Hub: drops ETag from README downloads (a malformed answer the client rejects).
    const proxy = await serve(async (req, res) => {
      const up = await fetch(`${replay.url}${req.url}`, { headers: req.headers.range ? { range: String(req.headers.range) } : {}, redirect: 'manual' });
      const headers: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (!(k === 'etag' && req.url!.includes('README.md')) && k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v;
      });
      res.writeHead(up.status, headers).end(Buffer.from(await up.arrayBuffer()));
    });
    const store = await openStore(`sqlite:${join(ws.dir, 'g.db')}`);
    try {
      const s = await ingestHub(store, {
        seeds: [{ ref: { type: 'model', id: 'evil-co/m' } }, { ref: { type: 'model', id: 'evil-co/no-etag' } }],
        endpoint: proxy.url,
        descendants: 0,
        scanPickles: true,
        maxScanBytes: 1 << 20,
        concurrency: 2,
        ratePerSecond: 0,
        maxRepos: 10,
        retryBaseMs: 1,
      });
      assert.equal(s.repos.model.read, 1, JSON.stringify(s));
      const [node] = await store.getNodes(['hf:model/evil-co/m']);
      assert.equal(node?.props.syncedSha, SHA, 'the repo with a bad author field was written');
      const owners = await store.expand({ keys: ['hf:model/evil-co/m'], direction: 'in', edgeKinds: ['CAN_WRITE'] });
      assert.deepEqual(owners.map((e) => e.from), ['hf:org/evil-co']);
      assert.ok(s.warnings.some((w) => w.repo === 'evil-co/m' && /"author"/.test(w.message)), JSON.stringify(s.warnings));
      const [file] = await store.getNodes([`hf:file/evil-co/m/w#1.pkl@${SHA}`]);
      assert.equal(file?.props.scanStatus, 'dangerous', JSON.stringify(file?.props));
      assert.equal(s.repos.model.failed, 1);
      assert.ok(s.warnings.some((w) => w.repo === 'evil-co/no-etag' && /could not read/.test(w.message)), JSON.stringify(s.warnings));
    } finally {
      await store.close();
      await close(proxy.server);
      await replay.close();
      ws.cleanup();
    }
  });

  it('refuses fractional counts for whole-number options', async () => {
    const ws = tempWorkspace('aispm-hf-opt-');
    try {
      const r = await runCli(['ingest', 'hf', 'a/b', '--descendants', '1.5', '--store', ws.store]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--descendants must be a whole number/);
    } finally {
      ws.cleanup();
    }
  });
});
