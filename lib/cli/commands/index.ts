import type { Command } from '../Command';
import { batch } from './batch';
import { cancel } from './cancel';
import { list } from './list';
import { run } from './run';
import { simulator } from './simulator';
import { watch } from './watch';

/** Every subcommand, in the order `smart-flows --help` lists them. */
export const commands: readonly Command[] = [run, watch, batch, cancel, list, simulator];
