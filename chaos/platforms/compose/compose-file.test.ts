import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../lib/paths.ts';
import { composeFile } from './compose-file.ts';
import { composeTopology } from './compose-topology.ts';

interface Svc {
  image: string;
  labels: Record<string, string>;
  environment: Record<string, string>;
  networks: Record<string, { ipv4_address: string }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval: string };
  ports?: string[];
}
const text = composeFile(composeTopology('ci'));
const doc = parse(text) as { name: string; services: Record<string, Svc>; networks: Record<string, unknown> };

describe('compose.yaml', () => {
  it('is what compose/compose.yaml holds (run `npm run compose:generate` after a change)', () => {
    expect(readFileSync(join(REPO_ROOT, 'compose', 'compose.yaml'), 'utf8')).toBe(text);
  });
  it('labels every container with project, AZ and role, and health-checks every long-running one', () => {
    for (const [name, s] of Object.entries(doc.services)) {
      expect(s.labels['windshear.project']).toBe('windshear');
      expect(s.labels['windshear.az']).toMatch(/^(az-[abc]|edge)$/);
      expect(s.labels['windshear.role']).toBeTruthy();
      if (name !== 'bootstrap') expect(s.healthcheck?.test[0]).toBe('CMD');
    }
    expect(doc.services['search-api-b1']?.labels).toMatchObject({
      'windshear.az': 'az-b',
      'windshear.role': 'search-api',
    });
    expect(doc.services['pg-a']?.labels['windshear.initial-role']).toBe('primary');
  });
  it('starts in the order of the local platform: monitor, primary, standby; tiers, bootstrap, services, HAProxy', () => {
    // The PostgreSQL entrypoint waits for the monitor, the standby's for the registered primary.
    expect(doc.services['pg-a']?.depends_on).toEqual({ 'pg-monitor': { condition: 'service_started' } });
    expect(doc.services['pg-b']?.depends_on).toEqual({
      'pg-monitor': { condition: 'service_started' },
      'pg-a': { condition: 'service_started' },
    });
    expect(Object.keys(doc.services.bootstrap?.depends_on ?? {})).toHaveLength(15);
    for (const name of ['stream-c', 'search-api-a1', 'haproxy'])
      expect(doc.services[name]?.depends_on, name).toEqual({
        bootstrap: { condition: 'service_completed_successfully' },
      });
    expect(doc.services.haproxy?.ports).toEqual(['127.0.0.1:18080:18080', '127.0.0.1:18081:18081']);
  });
  it('waits on no Docker health check, and probes each container every 30 s (one exec each)', () => {
    const conditions = Object.values(doc.services).flatMap((s) =>
      Object.values(s.depends_on ?? {}).map((d) => d.condition),
    );
    expect(conditions).not.toContain('service_healthy');
    for (const [name, s] of Object.entries(doc.services))
      if (name !== 'bootstrap') expect(s.healthcheck?.interval, name).toBe('30s');
  });
  it('gives the services the environment the local platform gives them, with container addresses', () => {
    const env = doc.services['reservations-a1']?.environment ?? {};
    expect(env).toMatchObject({
      WS_SERVICE: 'reservations',
      WS_AZ: 'az-a',
      HOST: '10.78.1.101',
      PORT: '7002',
    });
    expect(env.KAFKA_BROKERS).toBe('10.78.1.11:9092,10.78.2.11:9092,10.78.3.11:9092');
    expect(env.OPENSEARCH_URL?.split(',')[0]).toBe('http://10.78.1.41:9201');
    expect(doc.services['kafka-1']?.environment.KAFKA_CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
