import { COMPOSE_PROJECT } from './compose-topology.ts';
import { connectDocker, ProjectDocker } from './project-docker.ts';

export interface ContainerMemory {
  name: string;
  /** Sum of the resident set of the container's processes (`top -o pid,rss`), MiB. */
  rssMiB: number;
  /** The container's cgroup usage less its inactive file cache (what `docker stats` shows), MiB. */
  cgroupMiB: number;
}

/** Memory of every running container of the project, from the Engine API. */
export async function composeMemory(project = COMPOSE_PROJECT): Promise<ContainerMemory[]> {
  const pd = new ProjectDocker(await connectDocker(), project);
  const out: ContainerMemory[] = [];
  for (const c of await pd.containers()) {
    if (c.state !== 'running') continue;
    const container = pd.docker.getContainer(c.id);
    const top = (await container.top({ ps_args: '-o pid,rss' })) as {
      Titles: string[];
      Processes: string[][];
    };
    const col = top.Titles.indexOf('RSS');
    const rssKiB = top.Processes.reduce((s, p) => s + Number(p[col] ?? 0), 0);
    const stats = (await container.stats({ stream: false })) as {
      memory_stats: { usage?: number; stats?: Record<string, number> };
    };
    const m = stats.memory_stats;
    const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
    out.push({ name: c.component, rssMiB: rssKiB / 1024, cgroupMiB: ((m.usage ?? 0) - cache) / 2 ** 20 });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
