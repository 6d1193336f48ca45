/** Every CLI command, in the order `aispm --help` lists them. Add a command: one module, one line here. */
import type { Command } from '../command.ts';
import { blastRadiusCommand } from './blast-radius.ts';
import { bomCommand } from './bom.ts';
import { cypherCommand } from './cypher.ts';
import { demoCommand } from './demo.ts';
import { exportCommand } from './export.ts';
import { findingsCommand } from './findings.ts';
import { importCommand } from './import.ts';
import { ingestCommand } from './ingest.ts';
import { lineageCommand } from './lineage.ts';
import { pathsCommand } from './paths.ts';
import { reportCommand } from './report.ts';
import { scanCommand } from './scan.ts';
import { serveCommand } from './serve.ts';
import { statsCommand } from './stats.ts';
import { tagCommand } from './tag.ts';

export const COMMANDS: Command[] = [demoCommand, statsCommand, importCommand, ingestCommand, exportCommand, blastRadiusCommand, pathsCommand, lineageCommand, findingsCommand, reportCommand, bomCommand, scanCommand, tagCommand, cypherCommand, serveCommand];
