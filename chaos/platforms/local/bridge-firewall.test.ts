import { describe, expect, it } from 'vitest';
import {
  bridgeAcceptArgv,
  type ForwardFacts,
  forwardCheck,
  forwardPolicy,
  taggedRuleDeletes,
} from './bridge-firewall.ts';

// What `iptables -S FORWARD` printed with dockerd running and a stack up (iptables-nft 1.8.9).
const LISTING = `-P FORWARD DROP
-A FORWARD -i ws-br0 -o ws-br0 -m comment --comment "windshear:ws-br0" -j ACCEPT
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A FORWARD -i ws-br0 -o ws-br0 -m comment --comment windshear:ws-br0 -j ACCEPT
`;

const facts = (f: Partial<ForwardFacts> = {}): ForwardFacts => ({
  bridge: 'ws-br0',
  bridgeNfCallIptables: true,
  iptables: true,
  policy: 'DROP',
  ruleInstalled: false,
  dockerd: true,
  ...f,
});

describe('bridge firewall', () => {
  it('inserts one tagged accept rule for traffic within the bridge', () => {
    expect(bridgeAcceptArgv('insert', 'ws-br0').join(' ')).toBe(
      '-w 5 -I FORWARD 1 -i ws-br0 -o ws-br0 -m comment --comment windshear:ws-br0 -j ACCEPT',
    );
    expect(bridgeAcceptArgv('check', 'ws-br0').slice(2, 4)).toEqual(['-C', 'FORWARD']);
  });

  it('deletes every rule with its tag, quoted or not, and nothing of Docker', () => {
    const deletes = taggedRuleDeletes(LISTING, 'ws-br0');
    expect(deletes).toHaveLength(2);
    for (const d of deletes)
      expect(d.join(' ')).toBe(
        '-w 5 -D FORWARD -i ws-br0 -o ws-br0 -m comment --comment windshear:ws-br0 -j ACCEPT',
      );
    expect(taggedRuleDeletes(LISTING, 'ws-br1')).toEqual([]);
  });

  it('reads the FORWARD policy', () => {
    expect(forwardPolicy(LISTING)).toBe('DROP');
    expect(forwardPolicy('')).toBeNull();
  });

  it('doctor: Docker policy with no stack up is handled by up', () => {
    const c = forwardCheck(facts(), false);
    expect(c.ok).toBe(true);
    expect(c.detail).toContain('FORWARD policy DROP with bridge-nf-call-iptables=1 (dockerd is running');
  });

  it('doctor: a stack up behind a DROP policy without its rule is the conflict, with the fix', () => {
    const c = forwardCheck(facts(), true);
    expect(c.ok).toBe(false);
    expect(c.problems[0]).toMatchObject({
      code: 'bridge-forward-dropped',
      message: expect.stringContaining('traffic between AZs across ws-br0 is dropped'),
      fix: expect.stringContaining('windshear down && windshear up'),
    });
    expect(forwardCheck(facts({ ruleInstalled: true }), true).ok).toBe(true);
  });

  it('doctor: without iptables it cannot add the rule and says what to do', () => {
    const c = forwardCheck(facts({ iptables: false, policy: null }), false);
    expect(c.problems.map((p) => p.code)).toEqual(['bridge-forward-unmanaged']);
    expect(c.problems[0]?.fix).toContain('apt-get install -y iptables');
  });

  it('doctor: no br_netfilter or an ACCEPT policy is fine', () => {
    expect(forwardCheck(facts({ bridgeNfCallIptables: false }), true).ok).toBe(true);
    expect(forwardCheck(facts({ policy: 'ACCEPT' }), true).ok).toBe(true);
  });
});
