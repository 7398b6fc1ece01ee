import { createServer } from 'node:net';
import type { Problem } from '../../../lib/errors.ts';
import { exec } from '../../../lib/exec.ts';
import { stateDir } from '../../../lib/paths.ts';
import type { Topology } from '../../../system/topology.ts';
import { listNamespaces } from './network.ts';
import { otherLiveStacks, otherStackProblem } from './other-stacks.ts';

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function owner(port: number): Promise<{ text: string; pid: number | null }> {
  const r = await exec('ss', ['-ltnpH', `sport = :${port}`]);
  const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(r.stdout);
  return m ? { text: `${m[1]} (pid ${m[2]})`, pid: Number(m[2]) } : { text: 'another process', pid: null };
}

/**
 * Every address:port the stack binds on the host must be free before anything starts: the edge
 * always, every component in loopback mode. In netns mode the AZ subnet must not exist already.
 * When another checkout's stack is up, it is named once with its owner, and what it holds is not
 * reported again as leftovers (whose fix, `down --force`, would tear that stack down).
 */
export async function freePortProblems(topology: Topology): Promise<Problem[]> {
  const others = otherLiveStacks(stateDir());
  const problems: Problem[] = others.map(otherStackProblem);
  const theirs = new Set(others.flatMap((o) => o.pids));
  const onHost =
    topology.network === 'netns' ? topology.components.filter((c) => c.az === 'edge') : topology.components;
  for (const c of onHost) {
    for (const [what, port] of Object.entries(c.ports)) {
      if (!(await canBind(c.host, port))) {
        const by = await owner(port);
        if (by.pid !== null && theirs.has(by.pid)) continue;
        problems.push({
          code: 'port-taken',
          message: `${c.host}:${port} (${c.name} ${what}) is already in use by ${by.text}`,
          fix: `stop that process, or run \`windshear down\` if it is left from an earlier stack`,
        });
      }
    }
  }
  if (others.length > 0) return problems;
  if (topology.network === 'netns' && topology.bridge) {
    const left = await listNamespaces();
    if (left.length > 0) {
      problems.push({
        code: 'leftover-network',
        message: `network namespaces from an earlier stack are still present: ${left.join(', ')}`,
        fix: 'run `windshear down --force`',
      });
    }
    const route = await exec('ip', ['route', 'show', `${topology.bridge.address}/${topology.bridge.prefix}`]);
    const subnet = topology.bridge.address.replace(/\.\d+$/, '.0');
    const routes = await exec('ip', ['-4', 'route', 'show']);
    if (route.stdout.trim() || routes.stdout.includes(`${subnet}/${topology.bridge.prefix}`)) {
      problems.push({
        code: 'subnet-taken',
        message: `the AZ subnet ${subnet}/${topology.bridge.prefix} is already routed on this host`,
        fix: "run `windshear down --force` if it is windshear's own bridge, else choose another subnet with WINDSHEAR_SUBNET",
      });
    }
  }
  return problems;
}
