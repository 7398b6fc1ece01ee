/**
 * `npm run bench:txn -- --concurrency N --count M [--no-verification] [--network loopback]`: how
 * long a Kafka transaction of the stream's shape takes on the running stack (`windshear up`
 * first): send 10 messages, commit one partition's offset, commit; N transactional ids commit
 * back to back at once. Prints one JSON line: transactions per second, each step's p50/p95, and
 * each Kafka request kafkajs sent (count, p50, p95: AddPartitionsToTxn counts the retries while
 * the coordinator still writes the previous transaction's markers). Writes only to its own topic
 * `windshear.txn-probe`; --no-verification turns transaction.partition.verification.enable off on
 * every broker (for comparison; it stays off until the stack is brought down).
 */
import { parseArgs } from 'node:util';
import { KafkaConnection } from '../system/lib/kafka.ts';
import { buildTopology, componentsOf } from '../system/topology.ts';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1' },
    count: { type: 'string', default: '30' },
    network: { type: 'string', default: 'netns' },
    'no-verification': { type: 'boolean', default: false },
  },
});
const topology = buildTopology({ profile: 'ci', network: values.network === 'netns' ? 'netns' : 'loopback' });
const brokers = componentsOf(topology, 'kafka').map((k) => `${k.host}:${k.ports.client}`);
const conn = new KafkaConnection({ brokers, clientId: 'txn-probe' });
const admin = conn.kafka.admin();
await admin.connect();
const topic = 'windshear.txn-probe';
await admin
  .createTopics({ topics: [{ topic, numPartitions: 24, replicationFactor: 3 }] })
  .catch(() => undefined);
if (values['no-verification'])
  await admin.alterConfigs({
    validateOnly: false,
    resources: (await admin.describeCluster()).brokers.map((b) => ({
      type: 4,
      name: String(b.nodeId),
      configEntries: [{ name: 'transaction.partition.verification.enable', value: 'false' }],
    })),
  });
await admin.disconnect();
const failed: string[] = [];
const requests = new Map<string, number[]>();
const n = Number(values.concurrency);
const count = Number(values.count);
const all: Record<string, number[]> = { send: [], offsets: [], commit: [], total: [] };
const started = Date.now();
await Promise.all(
  Array.from({ length: n }, async (_, i) => {
    const tp = conn.transactionalProducer(`txn-probe-${i}`);
    const raw = (
      tp as unknown as {
        producer: {
          on: (e: string, f: (ev: { payload: { apiName: string; duration: number } }) => void) => void;
        };
      }
    ).producer;
    raw.on('producer.network.request', (ev) => {
      const xs = requests.get(ev.payload.apiName) ?? [];
      xs.push(ev.payload.duration);
      requests.set(ev.payload.apiName, xs);
    });
    await tp.connect();
    for (let k = 0; k < count; k++) {
      const t0 = performance.now();
      try {
        await tp.commitBatch(
          [
            {
              topic,
              partitions: 24,
              messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${i}-${j}`, value: 'x'.repeat(200) })),
            },
          ],
          { groupId: 'txn-probe', topic, partition: i % 24, offset: String(k) },
          async (name, op) => {
            const s = performance.now();
            const r = await op();
            all[name]!.push(performance.now() - s);
            return r;
          },
        );
      } catch (e) {
        failed.push(String((e as Error).message));
        continue;
      }
      all.total!.push(performance.now() - t0);
    }
    await tp.disconnect();
  }),
);
const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const out: Record<string, string> = {};
for (const [k, xs] of Object.entries(all))
  out[k] = `p50 ${q(xs, 0.5).toFixed(0)} p95 ${q(xs, 0.95).toFixed(0)} ms`;
for (const [k, xs] of requests)
  out[`req ${k}`] = `n ${xs.length} p50 ${q(xs, 0.5).toFixed(0)} p95 ${q(xs, 0.95).toFixed(0)} ms`;
console.log(
  JSON.stringify({
    failed: failed.slice(0, 3),
    failures: failed.length,
    concurrency: n,
    transactions: n * count,
    perSec: ((n * count * 1000) / (Date.now() - started)).toFixed(1),
    ...out,
  }),
);
process.exit(0);
