import type { TestProject } from 'vitest/node';
import { platformFor } from '../chaos/platforms/platform-for.ts';
import { formatProblems, WindshearError } from '../lib/errors.ts';
import { componentsOf, type Topology } from '../system/topology.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { topology: Topology; edgeUrl: string; startedByTests: boolean; readyMs: number };
    /** Why the stack could not come up (problems with their fixes); null when it is up. */
    stackError: string | null;
  }
}

/**
 * Brings one real stack up for every integration test (`*.it.test.ts`), or reuses the one a
 * developer already has up, and tears down only what it started. Connection details go to the
 * tests through `inject('stack')` and through the environment the services' own tests read.
 *
 * It never throws: a global setup that throws ends vitest without running any file and without
 * its totals. When the stack cannot come up, the reason goes to `stackError` and
 * test/stack-required.ts fails every integration file with it; unit files still run and count.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const platform = await platformFor('local');
  let topology = platform.current();
  let startedByTests = false;
  let readyMs = 0;
  // `npm run test:compose` runs only files that bring up their own stack (the compose platform).
  if (!topology && process.env.WINDSHEAR_TEST_STACK === 'none') {
    project.provide('stackError', null);
    const planned = platform.plannedTopology('ci');
    project.provide('stack', { topology: planned, edgeUrl: '', startedByTests: false, readyMs: 0 });
    return async () => {};
  }
  if (!topology) {
    const started = Date.now();
    try {
      const r = await platform.up({ profile: 'ci', onProgress: (l) => console.log(`[stack] ${l}`) });
      topology = r.topology;
      readyMs = r.readyMs;
      startedByTests = true;
    } catch (err) {
      // up has already taken down whatever it started and stopped its own polling.
      const why =
        err instanceof WindshearError
          ? formatProblems(err.problems)
          : `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
      console.error(
        `[stack] could not come up after ${((Date.now() - started) / 1000).toFixed(1)} s:\n${why}`,
      );
      project.provide('stackError', why);
      return async () => {};
    }
    console.log(`[stack] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const edgeUrl = `http://${topology.edge.host}:${topology.edge.port}`;
  const ingest = topology.components.find((c) => c.service === 'ingest');
  Object.assign(process.env, {
    WS_NETWORK: topology.network,
    WS_EDGE_URL: edgeUrl,
    ...(ingest ? { WS_INGEST_URL: `http://${ingest.host}:${ingest.ports.http}` } : {}),
    PG_HOSTS: componentsOf(topology, 'postgres')
      .map((c) => `${c.host}:${c.ports.client}`)
      .join(','),
  });
  project.provide('stackError', null);
  project.provide('stack', { topology, edgeUrl, startedByTests, readyMs });
  return async () => {
    // The lifecycle test may already have taken the stack down; down is idempotent.
    if (startedByTests) await platform.down();
  };
}
