import { join } from 'node:path';
import { REPO_ROOT } from '../lib/paths.ts';
import { goToolInstaller } from './go-tool.ts';

export const WS_LOAD_SRC = join(REPO_ROOT, 'loadgen', 'ws-load');

/** ws-load, the embedded load engine (vegeta as a library, MIT), built from loadgen/ws-load. */
export const wsLoadInstaller = () =>
  goToolInstaller({
    id: 'ws-load',
    title: 'ws-load (embedded load engine, built from loadgen/ws-load)',
    src: WS_LOAD_SRC,
  });
