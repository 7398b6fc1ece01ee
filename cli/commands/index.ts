import type { Command } from 'commander';

/** Every command module exports `register(program)`; add new ones here. */
export const commands: ((program: Command) => void)[] = [];
