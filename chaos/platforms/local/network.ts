import { type ExecResult, exec } from '../../../lib/exec.ts';
import type { Topology } from '../../../system/topology.ts';

/** Host-side veth of an AZ (`ws-a-h`); the namespace side is `ws-a-n`. */
export const hostVeth = (az: string) => `ws-${az.slice(-1)}-h`;
export const nsVeth = (az: string) => `ws-${az.slice(-1)}-n`;

async function ip(args: string[]): Promise<ExecResult> {
  return exec('ip', args, { timeoutMs: 10_000 });
}

async function must(args: string[]): Promise<void> {
  const r = await ip(args);
  if (r.exitCode !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

export async function listNamespaces(): Promise<string[]> {
  const r = await ip(['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('ws-'));
}

/**
 * Creates one namespace per AZ joined by a bridge on the host. No default route is added in
 * the namespaces, so their traffic can only reach the bridge subnet: nothing leaves the machine.
 * `record` is called before each object is created so a crash mid-way is still cleaned up.
 */
export async function createNetwork(
  topology: Topology,
  record: (kind: 'netns' | 'link', name: string) => void,
): Promise<void> {
  const bridge = topology.bridge;
  if (!bridge) return;
  record('link', bridge.name);
  await must(['link', 'add', bridge.name, 'type', 'bridge']);
  await must(['addr', 'add', `${bridge.address}/${bridge.prefix}`, 'dev', bridge.name]);
  await must(['link', 'set', bridge.name, 'up']);
  for (const az of topology.azs) {
    if (!az.namespace) continue;
    record('netns', az.namespace);
    await must(['netns', 'add', az.namespace]);
    record('link', hostVeth(az.name));
    await must([
      'link',
      'add',
      hostVeth(az.name),
      'type',
      'veth',
      'peer',
      'name',
      nsVeth(az.name),
      'netns',
      az.namespace,
    ]);
    await must(['link', 'set', hostVeth(az.name), 'master', bridge.name, 'up']);
    const inNs = ['-n', az.namespace];
    await must([...inNs, 'link', 'set', 'lo', 'up']);
    await must([...inNs, 'addr', 'add', `${az.address}/${bridge.prefix}`, 'dev', nsVeth(az.name)]);
    await must([...inNs, 'link', 'set', nsVeth(az.name), 'up']);
  }
}

/** Deletes namespaces and links; missing ones are fine (idempotent). Returns what it removed. */
export async function removeNetwork(netns: string[], links: string[]): Promise<string[]> {
  const removed: string[] = [];
  const present = new Set(await listNamespaces());
  for (const ns of netns) {
    if (!present.has(ns)) continue;
    const r = await ip(['netns', 'del', ns]);
    if (r.exitCode === 0) removed.push(`netns ${ns}`);
  }
  for (const link of links) {
    const r = await ip(['link', 'del', link]);
    if (r.exitCode === 0) removed.push(`link ${link}`);
  }
  return removed;
}

/** pids of every process inside a namespace. */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await ip(['netns', 'pids', ns]);
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

export async function setLink(link: string, up: boolean): Promise<ExecResult> {
  return ip(['link', 'set', link, up ? 'up' : 'down']);
}
