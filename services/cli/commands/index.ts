/** Every CLI command, in the order `aispm --help` lists them. Add a command: one module, one line here. */
import type { Command } from '../command.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { statsCommand } from './stats.ts';

export const COMMANDS: Command[] = [statsCommand, importCommand, exportCommand];
