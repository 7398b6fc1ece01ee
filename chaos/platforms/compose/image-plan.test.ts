import { describe, expect, it } from 'vitest';
import { composeTopology } from './compose-topology.ts';
import {
  type ContextSource,
  contentKey,
  IMAGE_KINDS,
  type ImageInputs,
  imagePlan,
  imageRef,
} from './image-plan.ts';

const inputs: ImageInputs = {
  imagesDir: '/repo/compose/images',
  kafkaLibs: '/cache/kafka/libs',
  opensearchLibs: '/cache/os/libs',
  opensearchClasses: '/cache/os-node',
  nodeBinary: '/usr/bin/node',
  appFiles: { 'system-main.mjs': '/b/system-main.mjs', 'compose-bootstrap.mjs': '/b/compose-bootstrap.mjs' },
  schemaFile: '/repo/system/db/schema.sql',
};
const plan = imagePlan(composeTopology('ci'), inputs);
const byKind = Object.fromEntries(plan.map((s) => [s.kind, s]));
const text = (s: ContextSource | undefined) => (s && 'text' in s ? s.text : '');

describe('imagePlan', () => {
  it('is one image per component kind, each with its Dockerfile', () => {
    expect(plan.map((s) => s.kind)).toEqual([...IMAGE_KINDS]);
    for (const s of plan)
      expect(s.files.Dockerfile).toEqual({ file: `/repo/compose/images/${s.kind}/Dockerfile` });
    expect(imageRef('kafka', 'ci')).toBe('windshear/kafka:ci');
  });
  it('bakes in each instance config from the local generators, with container paths and addresses', () => {
    const k2 = text(byKind.kafka?.files['conf/kafka-2/server.properties']);
    expect(k2).toMatch(/^log\.dirs=\/var\/lib\/windshear\/kafka-2\/log$/m);
    expect(k2).toMatch(
      /^controller\.quorum\.voters=1@10\.78\.1\.11:9093,2@10\.78\.2\.11:9093,3@10\.78\.3\.11:9093$/m,
    );
    expect(text(byKind.redis?.files['conf/redis-b/redis.conf'])).toMatch(/^replicaof 10\.78\.1\.21 6379$/m);
    expect(text(byKind.redis?.files['conf/sentinel-c/sentinel.conf'])).toMatch(
      /^sentinel announce-ip 10\.78\.3\.22$/m,
    );
    expect(text(byKind.opensearch?.files['conf/opensearch-a/opensearch.yml'])).toMatch(
      /^network\.host: 10\.78\.1\.41$/m,
    );
    expect(text(byKind.haproxy?.files['conf/haproxy/haproxy.cfg'])).toMatch(/bind 0\.0\.0\.0:18080/);
  });
  it('tells each PostgreSQL container its role, the monitor and the primary', () => {
    const env = (n: string) => text(byKind.postgres?.files[`conf/${n}/pg.env`]);
    expect(env('pg-monitor')).toMatch(/^PG_ROLE='monitor'$/m);
    expect(env('pg-a')).toMatch(/^PG_ROLE='primary'$/m);
    expect(env('pg-b')).toMatch(/^PG_ROLE='replica'$/m);
    expect(env('pg-b')).toMatch(
      /^MONITOR_URI='postgres:\/\/autoctl_node@10\.78\.3\.32:5431\/pg_auto_failover\?sslmode=disable'$/m,
    );
    expect(text(byKind.postgres?.files['conf/pg-monitor/postgresql.extra.conf'])).toMatch(
      /^pgautofailover\.health_check_period = 2000$/m,
    );
    expect(text(byKind.postgres?.files['conf/pg-a/pg_hba.extra.conf'])).toMatch(
      /^host replication all 10\.78\.0\.1\/16 trust$/m,
    );
  });
  it('ships the services without node_modules: Node, the bundles and the schema', () => {
    expect(Object.keys(byKind.services?.files ?? {}).sort()).toEqual([
      'Dockerfile',
      'app/compose-bootstrap.mjs',
      'app/system-main.mjs',
      'db/schema.sql',
      'node',
    ]);
  });
});

describe('contentKey', () => {
  const spec = byKind.redis!;
  const digest = (s: ContextSource) =>
    'text' in s ? s.text.length.toString() : 'file' in s ? s.file : s.dir;
  it('is the same for the same context and base, whatever the order of entries', () => {
    const reversed = { ...spec, files: Object.fromEntries(Object.entries(spec.files).reverse()) };
    expect(contentKey(reversed, 'base1', digest)).toBe(contentKey(spec, 'base1', digest));
  });
  it('changes with the base image, a file mode or a config', () => {
    const key = contentKey(spec, 'base1', digest);
    expect(contentKey(spec, 'base2', digest)).not.toBe(key);
    const changed = {
      ...spec,
      files: { ...spec.files, 'conf/redis-a/redis.conf': { text: 'bind 10.78.1.21 x' } },
    };
    expect(contentKey(changed, 'base1', digest)).not.toBe(key);
    const mode = {
      ...spec,
      files: { ...spec.files, 'entrypoint.sh': { file: '/repo/compose/images/redis/entrypoint.sh' } },
    };
    expect(contentKey(mode, 'base1', digest)).not.toBe(key);
  });
});
