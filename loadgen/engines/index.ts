import { badInput } from '../../lib/errors.ts';
import { ENGINE_NAMES, type EngineName, type LoadEngine } from './engine.ts';
import { k6Engine } from './k6-engine.ts';
import { wsLoadEngine } from './ws-load-engine.ts';

const ENGINES: Record<EngineName, LoadEngine> = { 'ws-load': wsLoadEngine, k6: k6Engine };

/** The default engine: WINDSHEAR_ENGINE, else the embedded ws-load. */
export function defaultEngineName(env: NodeJS.ProcessEnv = process.env): string {
  return env.WINDSHEAR_ENGINE ?? 'ws-load';
}

/** The engine called `name` (`--engine`, else WINDSHEAR_ENGINE, else ws-load). */
export function engineByName(name: string = defaultEngineName()): LoadEngine {
  const e = (ENGINES as Record<string, LoadEngine | undefined>)[name];
  if (!e)
    throw badInput(
      'engine-unknown',
      `unknown load engine "${name}"`,
      `use --engine ${ENGINE_NAMES.join(' or --engine ')} (or set WINDSHEAR_ENGINE)`,
    );
  return e;
}
