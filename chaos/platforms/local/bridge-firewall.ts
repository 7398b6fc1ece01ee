import { readFileSync } from 'node:fs';
import type { Problem } from '../../../lib/errors.ts';
import { exec, onPath } from '../../../lib/exec.ts';

/**
 * The local platform beside Docker. dockerd sets the iptables FORWARD policy to DROP and loads
 * br_netfilter (`net.bridge.bridge-nf-call-iptables=1`), so frames crossing any bridge, ours
 * (`ws-br0`) included, pass the FORWARD chain and are dropped. `up` inserts one ACCEPT rule for
 * traffic within its bridge, tagged with a comment so it is found again; `down` deletes every
 * rule with that tag. The rule is added whatever the policy is now: dockerd may start later.
 */

/** The iptables comment that marks windshear's accept rule for `bridge`. */
export const bridgeRuleTag = (bridge: string) => `windshear:${bridge}`;

/** The rule as `iptables` argv (pure): insert first in FORWARD, or check that it is there. */
export function bridgeAcceptArgv(op: 'insert' | 'check', bridge: string): string[] {
  return [
    '-w',
    '5',
    ...(op === 'insert' ? ['-I', 'FORWARD', '1'] : ['-C', 'FORWARD']),
    '-i',
    bridge,
    '-o',
    bridge,
    '-m',
    'comment',
    '--comment',
    bridgeRuleTag(bridge),
    '-j',
    'ACCEPT',
  ];
}

/** Splits one `iptables -S` line into arguments, dropping the quotes around quoted ones. */
function splitRule(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/**
 * `iptables -D` argv for every FORWARD rule carrying the bridge's tag in `iptables -S FORWARD`
 * output (pure): deletes what `up` added however often, and nothing else.
 */
export function taggedRuleDeletes(listing: string, bridge: string): string[][] {
  const tag = bridgeRuleTag(bridge);
  return listing
    .split('\n')
    .map((l) => splitRule(l.trim()))
    .filter((a) => a[0] === '-A' && a[1] === 'FORWARD' && a.includes(tag))
    .map((a) => ['-w', '5', '-D', ...a.slice(1)]);
}

/** The FORWARD policy in `iptables -S FORWARD` output, e.g. `DROP`; null when absent. */
export function forwardPolicy(listing: string): string | null {
  return /^-P FORWARD (\S+)/m.exec(listing)?.[1] ?? null;
}

export interface BridgeRuleResult {
  ok: boolean;
  detail: string;
}

/** Inserts the accept rule unless it is there; without iptables there is nothing to accept past. */
export async function addBridgeAccept(bridge: string): Promise<BridgeRuleResult> {
  if (!(await onPath('iptables')))
    return { ok: true, detail: 'iptables not installed: no FORWARD rules apply' };
  if ((await exec('iptables', bridgeAcceptArgv('check', bridge), { timeoutMs: 10_000 })).exitCode === 0)
    return { ok: true, detail: `accept rule ${bridgeRuleTag(bridge)} already in FORWARD` };
  const r = await exec('iptables', bridgeAcceptArgv('insert', bridge), { timeoutMs: 10_000 });
  return r.exitCode === 0
    ? { ok: true, detail: `FORWARD accepts ${bridge} to ${bridge} (rule tagged ${bridgeRuleTag(bridge)})` }
    : { ok: false, detail: `iptables ${bridgeAcceptArgv('insert', bridge).join(' ')}: ${r.stderr.trim()}` };
}

/** Deletes every rule tagged for `bridge`; idempotent. Returns what it removed. */
export async function removeBridgeAccept(bridge: string): Promise<string[]> {
  if (!(await onPath('iptables'))) return [];
  const listing = await exec('iptables', ['-w', '5', '-S', 'FORWARD'], { timeoutMs: 10_000 });
  const removed: string[] = [];
  for (const argv of taggedRuleDeletes(listing.stdout, bridge)) {
    const r = await exec('iptables', argv, { timeoutMs: 10_000 });
    if (r.exitCode === 0) removed.push(`iptables rule ${bridgeRuleTag(bridge)}`);
  }
  return removed;
}

/** What decides whether traffic across the bridge is forwarded; read without changing anything. */
export interface ForwardFacts {
  bridge: string;
  /** `net.bridge.bridge-nf-call-iptables`; false when br_netfilter is not loaded. */
  bridgeNfCallIptables: boolean;
  iptables: boolean;
  /** FORWARD policy; null without iptables or when it could not be read. */
  policy: string | null;
  /** Why the policy could not be read, when iptables is there. */
  policyError?: string;
  ruleInstalled: boolean;
  dockerd: boolean;
}

export async function readForwardFacts(bridge: string): Promise<ForwardFacts> {
  let nf = false;
  try {
    nf = readFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').trim() === '1';
  } catch {
    // br_netfilter not loaded: bridged frames skip iptables
  }
  const iptables = (await onPath('iptables')) !== null;
  const listing = iptables
    ? await exec('iptables', ['-w', '5', '-S', 'FORWARD'], { timeoutMs: 10_000 })
    : null;
  const dockerd = (await exec('pgrep', ['-x', 'dockerd'])).exitCode === 0;
  return {
    bridge,
    bridgeNfCallIptables: nf,
    iptables,
    policy: listing?.exitCode === 0 ? forwardPolicy(listing.stdout) : null,
    ...(listing && listing.exitCode !== 0 ? { policyError: listing.stderr.trim() } : {}),
    ruleInstalled: listing ? taggedRuleDeletes(listing.stdout, bridge).length > 0 : false,
    dockerd,
  };
}

/** The manual fix, as one command a user can paste. */
export const manualAcceptCommand = (bridge: string) =>
  `iptables ${bridgeAcceptArgv('insert', bridge).join(' ')}`;

/**
 * doctor's verdict on forwarding across the bridge (pure): fine, handled by `up`, or a problem
 * with its fix. `stackUp`: a netns stack is up now, so its rule must be in place.
 */
export function forwardCheck(
  f: ForwardFacts,
  stackUp: boolean,
): { ok: boolean; detail: string; problems: Problem[] } {
  const who = f.dockerd ? 'dockerd is running and sets both' : 'Docker sets both when it starts';
  if (!f.bridgeNfCallIptables)
    return {
      ok: true,
      detail: `bridge-nf-call-iptables off: frames across ${f.bridge} skip iptables`,
      problems: [],
    };
  if (!f.iptables) {
    return {
      ok: false,
      detail: `bridge-nf-call-iptables=1 but iptables is not installed`,
      problems: [
        {
          code: 'bridge-forward-unmanaged',
          message: `frames across ${f.bridge} pass the netfilter FORWARD hook (bridge-nf-call-iptables=1), and without iptables windshear cannot add its accept rule`,
          fix: 'apt-get install -y iptables (then `windshear up` adds the rule), or `sysctl -w net.bridge.bridge-nf-call-iptables=0` when no container needs it',
        },
      ],
    };
  }
  if (f.policy === null) {
    return {
      ok: false,
      detail: `cannot read the FORWARD chain: ${f.policyError ?? 'no policy line'}`,
      problems: [
        {
          code: 'bridge-forward-unknown',
          message: `cannot read the iptables FORWARD chain (${f.policyError ?? 'no policy line'}), so whether ${f.bridge} traffic is forwarded is unknown`,
          fix: 'run windshear as root; check `iptables -S FORWARD` works',
        },
      ],
    };
  }
  const dropping = f.policy !== 'ACCEPT';
  if (dropping && stackUp && !f.ruleInstalled) {
    return {
      ok: false,
      detail: `FORWARD policy ${f.policy} and the ${bridgeRuleTag(f.bridge)} rule is missing`,
      problems: [
        {
          code: 'bridge-forward-dropped',
          message: `traffic between AZs across ${f.bridge} is dropped: the iptables FORWARD policy is ${f.policy} with bridge-nf-call-iptables=1 (${who}), and the accept rule \`windshear up\` adds is gone (rules flushed, or a stack from a version without it)`,
          fix: `\`windshear down && windshear up\` (up adds the rule), or now: ${manualAcceptCommand(f.bridge)}`,
        },
      ],
    };
  }
  if (dropping)
    return {
      ok: true,
      detail: `FORWARD policy ${f.policy} with bridge-nf-call-iptables=1 (${who}): ${stackUp ? 'the stack accepts' : 'up accepts'} ${f.bridge} traffic with a rule tagged ${bridgeRuleTag(f.bridge)}; down removes it`,
      problems: [],
    };
  return {
    ok: true,
    detail: `FORWARD policy ACCEPT; up still adds ${bridgeRuleTag(f.bridge)} in case Docker starts later`,
    problems: [],
  };
}
