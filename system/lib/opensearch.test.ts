import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SearchClient } from './opensearch.ts';

/** A node stand-in on 127.0.0.1 that names itself in every answer. */
async function node(name: string): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'HEAD') hits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ node: name }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (connection refused). */
async function refusedUrl(): Promise<string> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** Accepts connections and never answers: a node cut off mid-path. */
async function silent(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const s = createTcpServer((sock) => sockets.push(sock));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const x of sockets) x.destroy();
        s.close(() => r());
      }),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const answeredBy = async (c: SearchClient) => ((await c.request('GET', '/')) as { node: string }).node;

describe('SearchClient with several nodes', () => {
  it('sends every request to the first node while it answers (no round robin)', async () => {
    const a = await node('a');
    const b = await node('b');
    closers.push(a.close, b.close);
    const c = new SearchClient([a.url, b.url], 1000, 0);
    closers.push(() => c.close());
    for (let i = 0; i < 5; i++) expect(await answeredBy(c)).toBe('a');
    expect(b.hits()).toBe(0);
  });

  it('moves on at once when the first node refuses connections, even with no retries', async () => {
    const b = await node('b');
    closers.push(b.close);
    const c = new SearchClient([await refusedUrl(), b.url], 1000, 0);
    closers.push(() => c.close());
    expect(await answeredBy(c)).toBe('b');
    expect(await answeredBy(c)).toBe('b');
  });

  it('a node that does not answer costs one timed-out request; the next go to the next node', async () => {
    const cut = await silent();
    const b = await node('b');
    closers.push(cut.close, b.close);
    const c = new SearchClient([cut.url, b.url], 200, 0);
    closers.push(() => c.close());
    const t0 = performance.now();
    await expect(c.request('GET', '/')).rejects.toThrow(/timed out/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await answeredBy(c)).toBe('b');
  });

  it('takes the first node back once a ping finds it answering again', async () => {
    const b = await node('b');
    closers.push(b.close);
    const first = await node('a');
    const url = first.url;
    await first.close();
    const c = new SearchClient([url, b.url], 500, 0, { resurrectMs: 100 });
    closers.push(() => c.close());
    expect(await answeredBy(c)).toBe('b');
    // The same address answers again.
    const port = Number(new URL(url).port);
    const again = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ node: 'a' }));
    });
    await new Promise<void>((r) => again.listen(port, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          again.closeAllConnections();
          again.close(() => r());
        }),
    );
    let who = '';
    const deadline = Date.now() + 3000;
    while (who !== 'a' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      who = await answeredBy(c);
    }
    expect(who).toBe('a');
  });
});
