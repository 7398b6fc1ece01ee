import type { Command } from 'commander';
import { register as chaos } from './chaos.ts';
import { register as check } from './check.ts';
import { register as list } from './list.ts';
import { register as load } from './load.ts';
import { register as report } from './report.ts';
import { register as runScenario } from './run-scenario.ts';
import { register as setup } from './setup.ts';
import { register as stack } from './stack.ts';

/** Every command module exports `register(program)`; they appear in --help in this order. */
export const commands: ((program: Command) => void)[] = [
  setup,
  stack,
  list,
  load,
  runScenario,
  chaos,
  check,
  report,
];
