import { waitFor } from '../../../lib/exec.ts';
import { StackObserver, serversNotUp } from '../../../lib/observe/stack-observer.ts';
import { componentsOf, type Topology } from '../../../system/topology.ts';

const readyz = async (host: string, port: number) => {
  try {
    return (await fetch(`http://${host}:${port}/readyz`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
};

/**
 * The end of `up` on compose, after `docker compose up -d` has started the services and HAProxy
 * (the stateful tiers were checked by the bootstrap container with the local platform's checks):
 * every service answers /readyz, then HAProxy's stats show every API replica UP, as the local
 * platform's last check. Polled from the host twice a second, not through Docker's health checks
 * (compose-file.ts: every 30 s). `t` holds addresses the host reaches. Null when ready, else what
 * was not ready after `timeoutMs`.
 */
export async function composeReady(
  t: Topology,
  log: (line: string) => void,
  timeoutMs = 180_000,
): Promise<string | null> {
  const services = componentsOf(t, 'service');
  const pending = new Set(services.map((s) => s.name));
  const servicesUp = await waitFor(
    async () => {
      await Promise.all(
        services
          .filter((s) => pending.has(s.name))
          .map(async (s) => {
            if (s.ports.http !== undefined && (await readyz(s.host, s.ports.http))) pending.delete(s.name);
          }),
      );
      return pending.size === 0 || null;
    },
    timeoutMs,
    500,
  );
  if (!servicesUp) return `services not ready after ${timeoutMs / 1000} s: ${[...pending].join(', ')}`;
  log(`services: ${services.length} answer /readyz`);
  const observer = new StackObserver(t);
  let last = 'no answer from its stats';
  const lbUp = await waitFor(
    async () => {
      const h = await observer.haproxy();
      if (!h.ok) return null;
      const notUp = serversNotUp(h.data.servers);
      if (notUp === null) return true;
      last = notUp;
      return null;
    },
    timeoutMs,
    500,
  );
  if (!lbUp) return `haproxy: not every API replica UP after ${timeoutMs / 1000} s (${last})`;
  log('haproxy: every API replica UP');
  return null;
}
