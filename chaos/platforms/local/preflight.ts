import type { Problem } from '../../../lib/errors.ts';
import { isRoot } from '../../../lib/exec.ts';
import { paths, type StateDirSource, stateDir, stateDirInfo } from '../../../lib/paths.ts';
import type { Topology } from '../../../system/topology.ts';
import { runAsUser } from './components.ts';
import { dirAccessProblems, entryOf, idsOf, kernelProbe, localNames, relocateFix } from './dir-access.ts';
import { hostResourceProblems, NEEDS, readHostResources } from './host-resources.ts';
import { freePortProblems } from './ports.ts';

/** One line of `windshear doctor`'s checks; its problems carry the fixes. */
export interface PreflightCheck {
  id: string;
  ok: boolean;
  detail: string;
}

export interface Preflight {
  stateDir: string;
  stateDirSource: StateDirSource;
  checks: PreflightCheck[];
  problems: Problem[];
}

const SOURCE_TEXT: Record<StateDirSource, string> = {
  env: 'from WINDSHEAR_STATE',
  system: 'root: outside the checkout, so every component user can reach it wherever the checkout is',
  checkout: 'in the checkout: every component runs as this user',
};

/** Components by the OS user they run as, for users other than the one windshear runs as. */
export function componentUsers(topology: Topology): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of topology.components) {
    const u = runAsUser(c);
    if (u) out.set(u, [...(out.get(u) ?? []), c.name]);
  }
  return out;
}

/**
 * Can every user reach the directories the stack will use? windshear's own user must create the
 * state directory; each component user must enter every parent of the data root.
 */
export async function accessChecks(
  topology: Topology,
): Promise<{ checks: PreflightCheck[]; problems: Problem[] }> {
  const names = localNames();
  const entry = entryOf(names);
  const checks: PreflightCheck[] = [];
  const problems: Problem[] = [];
  const ask = async (id: string, dir: string, user: string | null, forWhat: string, need: string) => {
    const found = await dirAccessProblems(
      { dir, user, forWhat, relocate: relocateFix(user) },
      { probe: kernelProbe, entry, ids: await idsOf(user) },
    );
    checks.push({
      id,
      ok: found.length === 0,
      detail:
        found.length === 0
          ? `${user ?? 'this user'} can ${need} ${dir}`
          : found.map((p) => p.message).join('; '),
    });
    problems.push(...found);
  };
  if (!isRoot()) await ask('state-dir-writable', stateDir(), null, 'every component', 'create and write');
  for (const [user, comps] of componentUsers(topology))
    await ask(`data-reachable-by-${user}`, paths.dataRoot(), user, comps.join(', '), 'enter every parent of');
  return { checks, problems };
}

/**
 * Everything `up` needs from this machine, checked without changing anything: where the state
 * lives and who can reach it, memory and disk for the profile, the ports. When a stack is up the
 * resource and port checks are skipped (the stack holds them).
 */
export async function preflight(topology: Topology, opts: { stackUp: boolean }): Promise<Preflight> {
  const { dir, source } = stateDirInfo();
  const checks: PreflightCheck[] = [{ id: 'state-dir', ok: true, detail: `${dir} (${SOURCE_TEXT[source]})` }];
  const problems: Problem[] = [];
  const access = await accessChecks(topology);
  checks.push(...access.checks);
  problems.push(...access.problems);
  if (opts.stackUp) {
    checks.push({
      id: 'resources',
      ok: true,
      detail: 'a stack is up: memory, disk and ports are in use by it',
    });
    return { stateDir: dir, stateDirSource: source, checks, problems };
  }
  const host = readHostResources(dir);
  const short = hostResourceProblems(topology.profile, host);
  const need = NEEDS[topology.profile];
  checks.push({
    id: 'memory',
    ok: !short.some((p) => p.code === 'low-memory'),
    detail: `${Math.floor(host.availableMemoryBytes / 2 ** 20)} MiB available, ${need.memoryMiB} MiB needed (${topology.profile})`,
  });
  checks.push({
    id: 'disk',
    ok: !short.some((p) => p.code === 'low-disk'),
    detail: `${Math.floor(host.freeDiskBytes / 2 ** 20)} MiB free at ${host.diskPath}, ${need.diskMiB} MiB needed`,
  });
  problems.push(...short);
  const ports = await freePortProblems(topology);
  checks.push({
    id: 'ports',
    ok: ports.length === 0,
    detail: ports.length === 0 ? 'every address and port the stack binds is free' : `${ports.length} taken`,
  });
  problems.push(...ports);
  return { stateDir: dir, stateDirSource: source, checks, problems };
}
