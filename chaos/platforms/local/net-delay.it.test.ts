import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, isRoot, sleep } from '../../../lib/exec.ts';
import { wsNetemBin, wsNetemInstaller } from '../../../setup/ws-netem.ts';
import type { ShapeSpec } from '../platform.ts';
import { applyShapeOn, ipNetns, removeShapeOn, type ShapeTarget } from './net-faults.ts';
import { isAlive } from './processes.ts';

/**
 * Real kernel-path delay, jitter and loss between two throwaway namespaces of its own
 * (`wsx-dla` 10.99.0.1 ↔ `wsx-dlb` 10.99.0.2 over one veth pair). It touches nothing of the
 * shared stack (no ws-* namespace, bridge or port), so it runs beside it.
 */

const NS_A = 'wsx-dla';
const NS_B = 'wsx-dlb';
const DEV_A = 'wsx-dla0';
const DEV_B = 'wsx-dlb0';
const ADDR_B = '10.99.0.2';
const TCP_PORT = 7070;
const UDP_PORT = 7071;
/** The server side's egress is shaped: every reply leaving NS_B waits. */
const target: ShapeTarget = { ns: ipNetns(NS_B), dev: DEV_B };

// Echo server: TCP replies `ok` to each line, UDP echoes each datagram.
const SERVER = `
const net = require('node:net'); const dgram = require('node:dgram');
net.createServer((s) => { s.setNoDelay(true); s.on('data', () => s.write('ok\\n')); s.on('error', () => {}); })
  .listen(${TCP_PORT}, '${ADDR_B}', () => console.log('listening'));
const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(m, r.port, r.address)); u.bind(${UDP_PORT}, '${ADDR_B}');
`;

// Probe: `tcp N` → per sample, connect time and request round trip on that connection (ms);
// `udp N` → N datagrams 5 ms apart, how many echoes came back.
const PROBE = `
const net = require('node:net'); const dgram = require('node:dgram');
const [mode, n] = [process.argv[1], Number(process.argv[2])];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
function one() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint(); let tc = 0;
    const s = net.connect(${TCP_PORT}, '${ADDR_B}', () => { tc = ms(t0); s.setNoDelay(true); const t1 = process.hrtime.bigint();
      s.once('data', () => { resolve({ connect: tc, request: ms(t1) }); s.destroy(); }); s.write('ping\\n'); });
    s.on('error', reject); s.setTimeout(5000, () => { s.destroy(); reject(new Error('timeout')); });
  });
}
(async () => {
  if (mode === 'tcp') {
    const out = { connect: [], request: [] };
    for (let i = 0; i < n; i++) { const r = await one(); out.connect.push(r.connect); out.request.push(r.request); }
    console.log(JSON.stringify(out));
  } else {
    const u = dgram.createSocket('udp4'); const seen = new Set();
    u.on('message', (m) => seen.add(m.toString()));
    for (let i = 0; i < n; i++) { u.send(String(i), ${UDP_PORT}, '${ADDR_B}'); await new Promise((r) => setTimeout(r, 5)); }
    await new Promise((r) => setTimeout(r, 800)); u.close();
    console.log(JSON.stringify({ sent: n, received: seen.size }));
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

interface TcpSamples {
  connect: number[];
  request: number[];
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

async function ip(args: string[]): Promise<void> {
  const r = await exec('ip', args, { timeoutMs: 10_000 });
  if (r.exitCode !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

async function removeNamespaces(): Promise<void> {
  for (const ns of [NS_A, NS_B]) {
    const pids = await exec('ip', ['netns', 'pids', ns]);
    for (const pid of pids.stdout.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    await exec('ip', ['netns', 'del', ns]);
  }
}

async function probeTcp(n: number): Promise<TcpSamples> {
  const r = await exec('ip', ['netns', 'exec', NS_A, process.execPath, '-e', PROBE, 'tcp', String(n)], {
    timeoutMs: 60_000,
  });
  if (r.exitCode !== 0) throw new Error(`tcp probe failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as TcpSamples;
}

async function probeUdp(n: number): Promise<{ sent: number; received: number }> {
  const r = await exec('ip', ['netns', 'exec', NS_A, process.execPath, '-e', PROBE, 'udp', String(n)], {
    timeoutMs: 60_000,
  });
  if (r.exitCode !== 0) throw new Error(`udp probe failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as { sent: number; received: number };
}

async function mangleRules(): Promise<string[]> {
  const r = await exec('ip', ['netns', 'exec', NS_B, 'iptables', '-w', '5', '-t', 'mangle', '-S', 'OUTPUT']);
  return r.stdout.split('\n').filter((l) => l.includes('NFQUEUE'));
}

async function boundQueues(): Promise<string[]> {
  const r = await exec('ip', ['netns', 'exec', NS_B, 'cat', '/proc/net/netfilter/nfnetlink_queue']);
  return r.stdout.split('\n').filter((l) => l.trim());
}

const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} ms, p10 ${quantile(xs, 0.1).toFixed(1)}, p90 ${quantile(xs, 0.9).toFixed(1)}`;

describe.skipIf(!isRoot())('egress delay through NFQUEUE and ws-netem (own wsx- namespaces)', () => {
  let server: ChildProcess | null = null;
  let logsDir = '';
  let baseline: TcpSamples = { connect: [], request: [] };
  /** Rules applied and not yet healed, healed in afterAll whatever happened. */
  const applied = new Map<string, { spec: ShapeSpec; pid?: number }>();

  async function shape(id: string, spec: ShapeSpec): Promise<number | undefined> {
    const entry: { spec: ShapeSpec; pid?: number } = { spec };
    applied.set(id, entry);
    const r = await applyShapeOn(
      target,
      id,
      spec,
      (pid) => {
        entry.pid = pid;
      },
      { logsDir },
    );
    expect(r.exitCode, r.detail).toBe(0);
    return entry.pid;
  }

  async function heal(id: string): Promise<void> {
    const entry = applied.get(id);
    if (!entry) return;
    const r = await removeShapeOn(target, id, entry.spec, entry.pid);
    expect(r.exitCode, r.detail).toBe(0);
    applied.delete(id);
  }

  beforeAll(async () => {
    const inst = wsNetemInstaller();
    if (!(await inst.detect()).ok) await inst.install?.(() => {});
    logsDir = mkdtempSync(join(tmpdir(), 'wsx-delay-'));
    await removeNamespaces();
    await ip(['netns', 'add', NS_A]);
    await ip(['netns', 'add', NS_B]);
    await ip(['link', 'add', DEV_A, 'netns', NS_A, 'type', 'veth', 'peer', 'name', DEV_B, 'netns', NS_B]);
    await ip(['-n', NS_A, 'addr', 'add', '10.99.0.1/30', 'dev', DEV_A]);
    await ip(['-n', NS_B, 'addr', 'add', `${ADDR_B}/30`, 'dev', DEV_B]);
    for (const [ns, dev] of [
      [NS_A, DEV_A],
      [NS_B, DEV_B],
    ] as const) {
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', ns, 'link', 'set', dev, 'up']);
    }
    server = spawn('ip', ['netns', 'exec', NS_B, process.execPath, '-e', SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('echo server did not start')), 10_000);
      server?.stdout?.once('data', () => {
        clearTimeout(t);
        resolve();
      });
    });
    await probeTcp(3); // warm up (ARP, first connection)
    baseline = await probeTcp(15);
    console.log(`baseline connect: ${fmt(baseline.connect)}; request: ${fmt(baseline.request)}`);
  }, 120_000);

  afterAll(async () => {
    for (const [id, { spec, pid }] of applied) await removeShapeOn(target, id, spec, pid).catch(() => {});
    server?.kill('SIGKILL');
    await removeNamespaces();
    if (logsDir) rmSync(logsDir, { recursive: true, force: true });
  }, 60_000);

  it('200 ms delay raises connect and request round trips by 200 ms ± 20 %, and heal restores them', async () => {
    expect(wsNetemBin()).toBeTruthy();
    const pid = await shape('wsx-delay-200', { az: 'az-b', delayMs: 200 });
    expect(pid).toBeGreaterThan(0);
    expect(await mangleRules()).toHaveLength(1);
    const delayed = await probeTcp(10);
    console.log(`200 ms delay connect: ${fmt(delayed.connect)}; request: ${fmt(delayed.request)}`);
    for (const k of ['connect', 'request'] as const) {
      const added = median(delayed[k]) - median(baseline[k]);
      expect(added, k).toBeGreaterThanOrEqual(160);
      expect(added, k).toBeLessThanOrEqual(240);
    }

    await heal('wsx-delay-200');
    expect(isAlive(pid!)).toBe(false);
    expect(await mangleRules()).toEqual([]);
    expect(await boundQueues()).toEqual([]);
    const after = await probeTcp(10);
    console.log(`after heal connect: ${fmt(after.connect)}; request: ${fmt(after.request)}`);
    expect(median(after.connect)).toBeLessThan(median(baseline.connect) + 20);
    expect(median(after.request)).toBeLessThan(median(baseline.request) + 20);
    // Healing again is fine (idempotent).
    const again = await removeShapeOn(target, 'wsx-delay-200', { az: 'az-b', delayMs: 200 }, pid);
    expect(again.exitCode).toBe(0);
  });

  it('jitter spreads round trips over delay ± jitter', async () => {
    await shape('wsx-jitter', { az: 'az-b', delayMs: 100, jitterMs: 50 });
    // Healed before any expectation, so a miss here cannot leave its rule to the next test.
    let jittered: Awaited<ReturnType<typeof probeTcp>>;
    try {
      jittered = await probeTcp(60);
    } finally {
      await heal('wsx-jitter');
    }
    expect(await mangleRules()).toEqual([]);
    console.log(`100 ± 50 ms jitter request: ${fmt(jittered.request)}`);
    // A flow's packets are never reordered (shaper.go), so a reply waits for the later of two or
    // more draws: the spread is narrower than ± 50 ms (p90 - p10 read 38.3 ms over 30 requests
    // once; 54.8-61.6 ms over 60, three runs) but far above the unshaped baseline's (< 2 ms).
    const spread = quantile(jittered.request, 0.9) - quantile(jittered.request, 0.1);
    const baseSpread = quantile(baseline.request, 0.9) - quantile(baseline.request, 0.1);
    expect(spread).toBeGreaterThan(baseSpread + 25);
    expect(Math.min(...jittered.request)).toBeGreaterThanOrEqual(45);
    expect(Math.max(...jittered.request)).toBeLessThanOrEqual(180);
  });

  it('fails open: with the helper killed, packets pass undelayed (queue-bypass)', async () => {
    const pid = await shape('wsx-failopen', { az: 'az-b', delayMs: 300 });
    process.kill(pid!, 'SIGKILL');
    for (let i = 0; i < 40 && isAlive(pid!); i++) await sleep(50);
    expect(await mangleRules()).toHaveLength(1);
    const through = await probeTcp(5);
    expect(median(through.request)).toBeLessThan(median(baseline.request) + 20);
    await heal('wsx-failopen');
    expect(await mangleRules()).toEqual([]);
  });

  it('loss through nft numgen drops about the asked share, with delay alongside', async () => {
    const before = await probeUdp(300);
    expect(before.received).toBe(300);
    await shape('wsx-loss', { az: 'az-b', lossPercent: 30, delayMs: 50 });
    const lossy = await probeUdp(300);
    const lostPct = (100 * (lossy.sent - lossy.received)) / lossy.sent;
    console.log(`30 % loss: ${lossy.received}/${lossy.sent} echoed (${lostPct.toFixed(1)} % lost)`);
    expect(lostPct).toBeGreaterThan(18);
    expect(lostPct).toBeLessThan(42);
    await heal('wsx-loss');
    const nft = await exec('ip', ['netns', 'exec', NS_B, 'nft', 'list', 'tables']);
    expect(nft.stdout).not.toContain('ws_wsx_loss');
    expect((await probeUdp(100)).received).toBe(100);
  });
});
