import { join } from 'node:path';
import { paths, REPO_ROOT } from '../lib/paths.ts';
import { goToolInstaller } from './go-tool.ts';

export const wsNetemBin = () => paths.bin('ws-netem');
export const WS_NETEM_SRC = join(REPO_ROOT, 'chaos', 'tools', 'ws-netem');

/** ws-netem, the NFQUEUE delay helper: delay faults need it on kernels without the netem qdisc. */
export const wsNetemInstaller = () =>
  goToolInstaller({
    id: 'ws-netem',
    title: 'ws-netem (packet delay helper, built from chaos/tools/ws-netem)',
    src: WS_NETEM_SRC,
  });
