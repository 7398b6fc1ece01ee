import { describe, expect, it } from 'vitest';
import { buildTopology, componentsOf } from '../../../../system/topology.ts';
import { haproxyConfig } from './haproxy-config.ts';
import { kafkaClusterId, kafkaServerProperties } from './kafka-config.ts';
import { opensearchYml } from './opensearch-config.ts';
import { redisConf, sentinelConf } from './redis-config.ts';

const t = buildTopology({ profile: 'ci', network: 'netns' });
const props = (text: string) =>
  new Map(
    text
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );

describe('kafka server.properties', () => {
  const k2 = componentsOf(t, 'kafka')[1]!;
  it('is a combined KRaft node with every voter, RF 3, min ISR 2, no unclean election', () => {
    const p = props(kafkaServerProperties(t, k2, '/data/kafka-2'));
    expect(p.get('process.roles')).toBe('broker,controller');
    expect(p.get('node.id')).toBe('2');
    expect(p.get('controller.quorum.voters')).toBe('1@10.77.0.11:9093,2@10.77.0.12:9093,3@10.77.0.13:9093');
    expect(p.get('advertised.listeners')).toBe('PLAINTEXT://10.77.0.12:9092');
    expect(p.get('broker.rack')).toBe('az-b');
    expect(p.get('default.replication.factor')).toBe('3');
    expect(p.get('min.insync.replicas')).toBe('2');
    expect(p.get('unclean.leader.election.enable')).toBe('false');
    expect(p.get('auto.create.topics.enable')).toBe('false');
  });
  it('takes the unsafe settings of a negative control only when asked', () => {
    const p = props(
      kafkaServerProperties(t, k2, '/d', { uncleanLeaderElection: true, minInsyncReplicas: 1 }),
    );
    expect(p.get('unclean.leader.election.enable')).toBe('true');
    expect(p.get('min.insync.replicas')).toBe('1');
  });
  it('formats cluster ids as Kafka does (22 url-safe base64 characters)', () => {
    expect(kafkaClusterId(new Uint8Array(16).fill(255))).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('redis and sentinel', () => {
  const [a, b] = componentsOf(t, 'redis');
  it('replicas follow the primary and every server announces its own AZ address', () => {
    expect(redisConf(a!, a!, '/d')).not.toMatch(/replicaof/);
    const rb = redisConf(b!, a!, '/d');
    expect(rb).toMatch(/^replicaof 10\.77\.0\.11 6379$/m);
    expect(rb).toMatch(/^replica-announce-ip 10\.77\.0\.12$/m);
    expect(rb).toMatch(/^min-replicas-to-write 1$/m);
    expect(redisConf(b!, a!, '/d', { minReplicasToWrite: 0 })).toMatch(/^min-replicas-to-write 0$/m);
  });
  it('sentinels need a quorum of 2 and detect a dead primary after 8.5 s (seed 000: about 10 s)', () => {
    const s = sentinelConf(componentsOf(t, 'sentinel')[2]!, a!, '/d');
    expect(s).toMatch(/^sentinel monitor ws-primary 10\.77\.0\.11 6379 2$/m);
    expect(s).toMatch(/^sentinel down-after-milliseconds ws-primary 8500$/m);
    expect(s).toMatch(/^sentinel announce-ip 10\.77\.0\.13$/m);
  });
});

describe('haproxy.cfg', () => {
  it('routes each HTTP service to its replicas in every AZ, health-checked on /readyz', () => {
    const cfg = haproxyConfig(t, '/run/admin.sock');
    expect(cfg).toMatch(/bind 127\.0\.0\.1:18080/);
    expect(cfg).toMatch(/use_backend reservations if is_reservations/);
    for (const az of ['a', 'b', 'c'])
      expect(cfg).toMatch(new RegExp(`server search-api-${az}1 10\\.77\\.0\\.1\\d:7001 check`));
    expect(cfg.match(/option httpchk GET \/readyz/g)).toHaveLength(3);
    expect(cfg).not.toMatch(/server ingest/);
  });

  it('keeps connections to the replicas and detects a failed replica within two 1 s checks', () => {
    const cfg = haproxyConfig(t, '/run/admin.sock');
    expect(cfg).toMatch(/^ {2}option http-keep-alive$/m);
    expect(cfg).toMatch(/^ {2}http-reuse aggressive$/m);
    expect(cfg).not.toMatch(/http-server-close/);
    expect(cfg.match(/default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2 /g)).toHaveLength(3);
  });

  it('sends a search query to the same replica (consistent hash), the other services round robin', () => {
    const cfg = haproxyConfig(t, '/run/admin.sock');
    const search = cfg.slice(cfg.indexOf('\nbackend search-api'), cfg.indexOf('\nbackend reservations'));
    expect(search).toMatch(/^ {2}balance uri whole$/m);
    expect(search).toMatch(/^ {2}hash-type consistent$/m);
    expect(cfg.match(/^ {2}balance roundrobin$/gm)).toHaveLength(2);
  });

  it('logs server health changes (ms timestamps) from the backends only, never requests', () => {
    const cfg = haproxyConfig(t, '/run/admin.sock');
    const global = cfg.slice(0, cfg.indexOf('\ndefaults'));
    expect(global).toMatch(/^ {2}log stderr format rfc5424 local0 notice$/m);
    const sections = cfg.split(/\n(?=\S)/);
    const logging = sections.filter((x) => /^ {2}log global$/m.test(x)).map((x) => x.split('\n')[0]);
    expect(logging).toEqual(['backend search-api', 'backend reservations', 'backend booking']);
  });
});

describe('opensearch.yml', () => {
  const os = componentsOf(t, 'opensearch');
  const paths = { data: '/d/opensearch-b/data', logs: '/d/opensearch-b/logs' };
  const settings = (text: string) =>
    new Map(
      text
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)] as [string, string]),
    );

  it('is one node per AZ, each with its own name, address, ports, data path and zone', () => {
    expect(os.map((c) => `${c.name}@${c.host}`)).toEqual([
      'opensearch-a@10.77.0.11',
      'opensearch-b@10.77.0.12',
      'opensearch-c@10.77.0.13',
    ]);
    const y = settings(opensearchYml(os[1]!, os, paths));
    expect(y.get('cluster.name')).toBe('windshear');
    expect(y.get('node.name')).toBe('opensearch-b');
    expect(y.get('node.attr.zone')).toBe('az-b');
    expect(y.get('network.host')).toBe('10.77.0.12');
    expect(y.get('http.port')).toBe('9201');
    expect(y.get('transport.port')).toBe('9300');
    expect(y.get('path.data')).toBe('/d/opensearch-b/data');
    expect(y.get('path.logs')).toBe('/d/opensearch-b/logs');
    expect(y.get('node.roles')).toBe('[cluster_manager, data]');
  });

  it('forms one cluster of the three, spreading shard copies by zone, and drops a silent node fast', () => {
    const y = settings(opensearchYml(os[0]!, os, paths));
    expect(y.get('discovery.seed_hosts')).toBe('["10.77.0.11:9300", "10.77.0.12:9300", "10.77.0.13:9300"]');
    expect(y.get('cluster.initial_cluster_manager_nodes')).toBe(
      '["opensearch-a", "opensearch-b", "opensearch-c"]',
    );
    expect(y.get('cluster.routing.allocation.awareness.attributes')).toBe('zone');
    expect(y.has('discovery.type')).toBe(false);
    expect(y.get('cluster.fault_detection.follower_check.timeout')).toBe('2s');
    expect(y.get('cluster.publish.timeout')).toBe('5s');
  });

  it('a lone node skips cluster bootstrapping', () => {
    const y = settings(opensearchYml(os[2]!, [os[2]!], paths));
    expect(y.get('discovery.type')).toBe('single-node');
    expect(y.has('cluster.initial_cluster_manager_nodes')).toBe(false);
  });
});
describe('kafkaClusterId', () => {
  it('is 22 URL-safe base64 characters and never starts with "-" (kafka-storage reads that as a flag)', () => {
    const dash = new Uint8Array(16).fill(0xf8); // top six bits 62: base64url "-"
    expect(Buffer.from(dash).toString('base64url')[0]).toBe('-');
    const id = kafkaClusterId(dash);
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(kafkaClusterId(new Uint8Array(16))).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });
});
