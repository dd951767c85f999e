import type { Command } from '../Command';

/**
 * A subcommand as the start knows it: its name and its line in `smart-flows --help`. Its
 * module, with what it runs on (RxJS, the client, zod, xmlbuilder2, the simulator), loads only
 * when that command is run or its own help is asked: `--help` and `--version` load none.
 */
export interface CommandEntry {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `smart-flows --help` lists them. */
export const commands: readonly CommandEntry[] = [
  { name: 'run', summary: 'start a flow and follow it to its end, with a progress bar', load: () => import('./run').then((m) => m.run) },
  { name: 'watch', summary: 'follow an existing execution to its end', load: () => import('./watch').then((m) => m.watch) },
  { name: 'batch', summary: 'run one execution per line of a CSV or JSON-lines file, several at once', load: () => import('./batch').then((m) => m.batch) },
  { name: 'cancel', summary: 'cancel executions', load: () => import('./cancel').then((m) => m.cancel) },
  { name: 'list', summary: 'list executions, newest first', load: () => import('./list').then((m) => m.list) },
  {
    name: 'simulator',
    summary: 'start the built-in simulator (a fake Smart Flows server) to try the commands',
    load: () => import('./simulator').then((m) => m.simulator),
  },
];
