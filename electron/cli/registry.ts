import type { CliCommand } from './command';
import { demoCommand } from './commands/demo';
import { alertsCommand } from './commands/alerts';
import { analyzeCommand } from './commands/analyze';
import { archiveCommand } from './commands/archive';
import { convertCommand } from './commands/convert';
import { exportCommand } from './commands/export';
import { featuresCommand } from './commands/features';
import { historyCommand } from './commands/history';
import { lakeCommand } from './commands/lake';
import { lifecycleCommand } from './commands/lifecycle';
import { queryCommand } from './commands/query';
import { queriesCommand } from './commands/queries';
import { scheduleCommand } from './commands/schedule';

/**
 * Every CLI command, in the order `--help` lists them. To add one: write
 * electron/cli/commands/<name>.ts exporting a CliCommand and list it here.
 */
export const COMMANDS: readonly CliCommand[] = [
  queryCommand,
  historyCommand,
  queriesCommand,
  demoCommand,
  convertCommand,
  archiveCommand,
  lakeCommand,
  exportCommand,
  featuresCommand,
  analyzeCommand,
  scheduleCommand,
  alertsCommand,
  lifecycleCommand,
];

export function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
