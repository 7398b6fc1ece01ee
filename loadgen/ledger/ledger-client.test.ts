import { rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerOp, Readback } from '../../lib/run-format.ts';
import { openJsonl } from '../../lib/run-store/jsonl-sink.ts';
import { RUN_FILES } from '../../lib/run-store/run-files.ts';
import { type FakeEdge, startFakeEdge } from '../fake-edge.ts';
import { outcomeOfError, outcomeOfStatus } from './classify-outcome.ts';
import { combineAttempts, keysOf, opsFor, runLedger } from './ledger-client.ts';
import { summariseLedger } from './summarise-ledger.ts';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const edges: FakeEdge[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const e of edges.splice(0)) await e.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('runLedger against a loopback edge', () => {
  it('writes at the configured rate, fails ingest over, and every ack is read back', async () => {
    const edge = await startFakeEdge();
    edges.push(edge);
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const dir = await mkdtemp(join(tmpdir(), 'ws-ledger-'));
    dirs.push(dir);
    const out = openJsonl(dir, RUN_FILES.ledger);
    const t0 = performance.now();
    const ops = await runLedger({
      edgeUrl: edge.url,
      apiKey: 'ws-local-key',
      ingestUrls: [dead, edge.url],
      reservationsPerSec: 20,
      fareUpdatesPerSec: 20,
      durationSec: 1,
      flightIds: ['F1', 'F2'],
      runId: 'test',
      offers: 3,
      out,
    });
    expect(performance.now() - t0).toBeGreaterThan(900);
    const invokes = ops.filter((o) => o.type === 'invoke');
    expect(invokes.filter((o) => o.kind === 'reservation')).toHaveLength(20);
    expect(invokes.filter((o) => o.kind === 'fare-update')).toHaveLength(20);
    expect(ops.filter((o) => o.type === 'ok')).toHaveLength(40);
    const lines = (await readFile(out.path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LedgerOp);
    expect(lines).toEqual(ops);
    const ok = ops.find((o) => o.type === 'ok' && o.kind === 'reservation');
    expect(ok?.result?.reservationId).toMatch(/[0-9a-f-]{36}/);
    expect(new Set(invokes.map((o) => o.key)).size).toBe(20 + 3);
    // versions increase per offer
    const v = invokes.filter((o) => o.key === 'ws-ledger:test-offer-0').map((o) => o.version);
    expect(v).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const readback: Readback = {
      at: new Date().toISOString(),
      reservations: Object.fromEntries(
        [...edge.reservations].map(([k, r]) => [k, { count: 1, reservationId: r.reservationId }]),
      ),
      fares: Object.fromEntries(edge.fares),
    };
    expect(summariseLedger(ops, readback).lost).toEqual([]);
    const { reservations, fares } = keysOf(ops);
    expect(reservations).toHaveLength(20);
    expect(fares).toHaveLength(3);
  });

  it('records a timeout after sending as unknown and a refused connection as fail', async () => {
    const slow = await startFakeEdge({ delayMs: 400 });
    edges.push(slow);
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const slowOps = await runLedger({
      edgeUrl: slow.url,
      apiKey: 'ws-local-key',
      ingestUrls: [],
      reservationsPerSec: 5,
      fareUpdatesPerSec: 0,
      durationSec: 0.4,
      flightIds: ['F1'],
      runId: 'slow',
      timeoutMs: 100,
    });
    expect(slowOps.filter((o) => o.type !== 'invoke').map((o) => [o.type, o.error])).toEqual([
      ['unknown', 'TIMEOUT'],
      ['unknown', 'TIMEOUT'],
    ]);
    const deadOps = await runLedger({
      edgeUrl: dead,
      apiKey: 'k',
      ingestUrls: [dead],
      reservationsPerSec: 5,
      fareUpdatesPerSec: 5,
      durationSec: 0.2,
      flightIds: ['F1'],
      runId: 'dead',
    });
    expect(deadOps.filter((o) => o.type !== 'invoke').map((o) => o.type)).toEqual(['fail', 'fail']);
  });

  it('a 4xx is a definite fail (wrong API key)', async () => {
    const edge = await startFakeEdge();
    edges.push(edge);
    const ops = await runLedger({
      edgeUrl: edge.url,
      apiKey: 'wrong',
      ingestUrls: [],
      reservationsPerSec: 5,
      fareUpdatesPerSec: 0,
      durationSec: 0.2,
      flightIds: ['F1'],
      runId: 'auth',
    });
    expect(ops.map((o) => [o.type, o.error])).toEqual([
      ['invoke', undefined],
      ['fail', 'HTTP 401'],
    ]);
  });
});

describe('outcome classification (pure)', () => {
  it('maps statuses and socket errors', () => {
    expect(outcomeOfStatus(202)).toBe('ok');
    expect(outcomeOfStatus(409)).toBe('fail');
    expect(outcomeOfStatus(408)).toBe('unknown');
    expect(outcomeOfStatus(503)).toBe('unknown');
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }),
    });
    expect(outcomeOfError(refused)).toBe('fail');
    expect(outcomeOfError(reset)).toBe('unknown');
    expect(outcomeOfError(new DOMException('t', 'TimeoutError'))).toBe('unknown');
  });

  it('combines failover attempts', () => {
    expect(
      combineAttempts([
        { outcome: 'fail', error: 'ECONNREFUSED' },
        { outcome: 'ok', status: 202 },
      ]).outcome,
    ).toBe('ok');
    expect(
      combineAttempts([
        { outcome: 'unknown', error: 'TIMEOUT' },
        { outcome: 'fail', error: 'ECONNREFUSED' },
      ]).outcome,
    ).toBe('unknown');
    expect(combineAttempts([{ outcome: 'fail', error: 'ECONNREFUSED' }]).outcome).toBe('fail');
  });

  it('bounds the op count', () => {
    expect(opsFor(10, 3)).toBe(30);
    expect(opsFor(10, 3, 5)).toBe(5);
    expect(opsFor(0, 3)).toBe(0);
  });
});
