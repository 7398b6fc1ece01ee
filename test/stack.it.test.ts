import { randomUUID } from 'node:crypto';
import { Client as OpenSearch } from '@opensearch-project/opensearch';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { platformFor } from '../chaos/platforms/platform-for.ts';
import { REDIS_MASTER_NAME } from '../system/contracts.ts';
import { componentsOf, kafkaBootstrap } from '../system/topology.ts';
import { runCli } from './run-cli.ts';

const { topology } = inject('stack');

describe('the real three-AZ stack', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers) await c().catch(() => {});
  });

  it('produces 1,000 records with acks=all to an RF 3 topic and consumes every one', async () => {
    const kafka = new Kafka({
      clientId: 'ws-it',
      brokers: kafkaBootstrap(topology),
      logLevel: logLevel.NOTHING,
    });
    const topic = `ws.it.${randomUUID().slice(0, 8)}`;
    const admin = kafka.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 6,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
      waitForLeaders: true,
    });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    for (const p of meta.topics[0]!.partitions) expect(p.replicas).toHaveLength(3);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    closers.push(() => producer.disconnect());
    const values = Array.from({ length: 1000 }, (_, i) => `v-${i}`);
    for (let i = 0; i < values.length; i += 100) {
      await producer.send({
        topic,
        acks: -1,
        messages: values.slice(i, i + 100).map((v) => ({ key: v, value: v })),
      });
    }

    const consumer = kafka.consumer({ groupId: `ws-it-${randomUUID()}` });
    await consumer.connect();
    closers.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.size} of 1000 in 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(message.value!.toString());
          if (seen.size === values.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    expect([...seen].sort()).toEqual([...values].sort());
  });

  it('writes through Sentinel and reads the value back on a replica', async () => {
    const sentinels = componentsOf(topology, 'sentinel').map((s) => ({
      host: s.host,
      port: s.ports.client!,
    }));
    const primary = new Redis({
      sentinels,
      name: REDIS_MASTER_NAME,
      failoverDetector: true,
      commandTimeout: 2000,
    });
    closers.push(async () => primary.disconnect());
    const key = `ws-it:${randomUUID()}`;
    await primary.set(key, 'written-through-sentinel');
    const replicaSpec = componentsOf(topology, 'redis').find((r) => r.initialRole === 'replica')!;
    const replica = new Redis({
      host: replicaSpec.host,
      port: replicaSpec.ports.client!,
      commandTimeout: 2000,
    });
    closers.push(async () => replica.disconnect());
    expect(((await replica.call('ROLE')) as string[])[0]).toBe('slave');
    let value: string | null = null;
    for (let i = 0; i < 50 && value === null; i++) {
      value = await replica.get(key);
      if (value === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(value).toBe('written-through-sentinel');
  });

  it('makes a row written on the PostgreSQL primary visible on the synchronous standby', async () => {
    const [primary, standby] = componentsOf(topology, 'postgres');
    const connect = async (c: typeof primary) => {
      const client = new pg.Client({
        host: c!.host,
        port: c!.ports.client,
        user: 'postgres',
        database: 'postgres',
      });
      await client.connect();
      closers.push(() => client.end());
      return client;
    };
    const p = await connect(primary);
    const s = await connect(standby);
    expect((await s.query('select pg_is_in_recovery() as r')).rows[0].r).toBe(true);
    const id = randomUUID();
    await p.query('create table if not exists ws_it (id text primary key)');
    await p.query('insert into ws_it values ($1)', [id]);
    // Synchronous commit (ANY 1): the standby has the WAL when the insert returns; replay is near.
    let found = 0;
    for (let i = 0; i < 50 && found === 0; i++) {
      found = (
        await s
          .query('select count(*)::int as n from ws_it where id = $1', [id])
          .catch(() => ({ rows: [{ n: 0 }] }))
      ).rows[0].n;
      if (found === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBe(1);
    const sync = await p.query(
      "select sync_state from pg_stat_replication where sync_state in ('sync', 'quorum')",
    );
    expect(sync.rowCount).toBe(1);
  });

  it('indexes a document in OpenSearch and finds it', async () => {
    const node = componentsOf(topology, 'opensearch')[0]!;
    const client = new OpenSearch({ node: `http://${node.host}:${node.ports.http}` });
    const index = `ws-it-${randomUUID().slice(0, 8)}`;
    await client.indices.create({ index, body: { settings: { number_of_replicas: 0 } } });
    closers.push(() => client.indices.delete({ index }));
    await client.index({
      index,
      id: '1',
      body: { route: 'LHR-JFK', airline: 'windshear air' },
      refresh: true,
    });
    const r = await client.search({ index, body: { query: { match: { airline: 'windshear' } } } });
    expect(r.body.hits.hits.map((h) => h._id)).toEqual(['1']);
  });

  it('OpenSearch is one cluster of a node per AZ; the index has a copy of its shard in two AZs', async () => {
    const nodes = componentsOf(topology, 'opensearch');
    const client = new OpenSearch({ node: `http://${nodes[0]!.host}:${nodes[0]!.ports.http}` });
    closers.push(() => client.close());
    const cat = (await client.cat.nodeattrs({ format: 'json', h: ['node', 'attr', 'value'] })).body as {
      node: string;
      attr: string;
      value: string;
    }[];
    const zoneOf = new Map(cat.filter((a) => a.attr === 'zone').map((a) => [a.node, a.value]));
    expect(Object.fromEntries(zoneOf)).toEqual({
      'opensearch-a': 'az-a',
      'opensearch-b': 'az-b',
      'opensearch-c': 'az-c',
    });
    const health = (await client.cluster.health({ index: 'flights' })).body;
    expect(health.status).toBe('green');
    const shards = (
      await client.cat.shards({ index: 'flights', format: 'json', h: ['shard', 'prirep', 'state', 'node'] })
    ).body as { shard: string; prirep: string; state: string; node: string }[];
    const byShard = new Map<string, string[]>();
    for (const sh of shards) byShard.set(sh.shard, [...(byShard.get(sh.shard) ?? []), zoneOf.get(sh.node)!]);
    expect(byShard.size).toBe(1);
    for (const zones of byShard.values()) expect(new Set(zones).size).toBe(2);
  });

  it('status shows the roles: controller leader, Redis primary, PostgreSQL primary and standby', async () => {
    const rows = await (await platformFor('local')).status();
    const role = (name: string) => rows.find((r) => r.name === name)?.role ?? '';
    expect(rows.filter((r) => r.kind === 'kafka' && role(r.name).includes('controller-leader'))).toHaveLength(
      1,
    );
    expect(role('redis-a')).toBe('primary');
    expect([role('redis-b'), role('redis-c')]).toEqual(['replica', 'replica']);
    expect(role('pg-a')).toBe('primary');
    expect(role('pg-b')).toBe('replica');
    expect(rows.filter((r) => r.kind !== 'service').every((r) => r.health === 'healthy')).toBe(true);

    const json = await runCli(['status', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      components: { name: string; az: string; pid: number; role: string }[];
    };
    const k1 = parsed.components.find((c) => c.name === 'kafka-1')!;
    expect(k1.az).toBe('az-a');
    expect(k1.pid).toBeGreaterThan(0);
  });

  it('refuses a second `up` while the stack is up, with exit code 254 and the next step', async () => {
    const r = await runCli(['up']);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(/already up/);
    expect(r.stderr).toMatch(/windshear down/);
  });

  it('rejects an unknown profile with exit code 254, naming the choices', async () => {
    const r = await runCli(['up', '--profile', 'huge']);
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(/ci, full/);
  });
});
