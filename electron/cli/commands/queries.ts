import type { QueryTarget } from '../../../shared/api/query';
import type { SavedQuery } from '../../../shared/api/saved-queries';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { parseParamDecls } from '../param-flags';
import { describeApiError, openCliWorkbench } from '../workbench-client';
import { writeOut } from '../write-out';

const HELP = `Usage: battery-workbench queries save NAME --sql SQL [--param name:type ...] [--target workspace|hot] [--overwrite]
       battery-workbench queries list [--json]
       battery-workbench queries delete NAME

Saved queries live in the workspace database, shared with the app (its Saved panel) and the web host.
A NAME may hold folders: "fleet/daily voltage" is "daily voltage" in the folder "fleet".
Run one with: battery-workbench query --saved NAME --param name=value ...

save     Saves SQL under NAME (refused when NAME is taken, unless --overwrite).
list     Lists the saved queries by folder: name, target, parameters.
delete   Deletes the saved query NAME.

Options:
  --sql SQL             save: the query. Named parameters are written $name and bound as values.
  --param name:type     save: declares a parameter's type (repeat per parameter): text, integer, number,
                        date (YYYY-MM-DD), timestamp (YYYY-MM-DD HH:MM[:SS]), or name:choice=SQL, a
                        choice list whose values are the first column of SQL (run in the workspace).
                        A bare name is text.
  --target T            save: workspace (default) or hot (PostgreSQL; takes no parameters).
  --overwrite           save: replace the query saved under NAME.
  --json                list: print a JSON array of the saved queries.
  --workspace DIR       Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  -h, --help            Show this help.

Exit codes: 0 success, 1 refused or failed (message on stderr), 2 bad usage.`;

const SUBCOMMANDS = ['save', 'list', 'delete'] as const;

function describeQuery(q: SavedQuery): string {
  const params = q.params.map((p) => `$${p.name}:${p.type}`).join(' ');
  return `${q.name}\t${q.target}${params ? `\t${params}` : ''}`;
}

export const queriesCommand: CliCommand = {
  name: 'queries',
  summary: 'Save, list and delete saved queries (with typed parameters).',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(queriesCommand, argv, {
      workspace: { type: 'string' },
      sql: { type: 'string' },
      param: { type: 'string', multiple: true },
      target: { type: 'string' },
      overwrite: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const [sub, ...names] = positionals;
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
      throw new CliError(`Say what to do: queries ${SUBCOMMANDS.join('|')}. Run \`battery-workbench queries --help\` for the options.`, 2);
    }
    const needsName = sub !== 'list';
    if (needsName ? names.length !== 1 : names.length !== 0) {
      throw new CliError(needsName ? `queries ${sub} takes one NAME (quote a name with spaces).` : 'queries list takes no NAME.', 2);
    }
    const specs = (values.param as string[] | undefined) ?? [];
    if (sub !== 'save' && (values.sql !== undefined || specs.length > 0 || values.target !== undefined || values.overwrite)) {
      throw new CliError('--sql, --param, --target and --overwrite are for queries save.', 2);
    }
    if (sub !== 'list' && values.json) throw new CliError('--json is for queries list.', 2);
    const target = values.target ?? 'workspace';
    if (target !== 'workspace' && target !== 'hot') throw new CliError(`--target must be "workspace" or "hot", not "${target}".`, 2);
    if (sub === 'save' && !values.sql?.trim()) throw new CliError('queries save needs the query: --sql "SELECT ...".', 2);
    const params = parseParamDecls(specs);

    const session = await openCliWorkbench(values.workspace);
    try {
      const api = session.api.savedQueries;
      if (sub === 'save') {
        const saved = await api.save({
          name: names[0],
          sql: values.sql ?? '',
          target: target as QueryTarget,
          params,
          overwrite: values.overwrite === true,
        });
        if (!saved.ok) throw new CliError(describeApiError(saved.error));
        io.stderr.write(`Saved "${saved.value.name}".\n`);
      } else if (sub === 'delete') {
        const deleted = await api.delete({ name: names[0] });
        if (!deleted.ok) throw new CliError(describeApiError(deleted.error));
        io.stderr.write(`Deleted "${names[0]}".\n`);
      } else {
        const listed = await api.list({});
        if (!listed.ok) throw new CliError(describeApiError(listed.error));
        const queries = listed.value.queries;
        if (values.json) await writeOut(io.stdout, `${JSON.stringify(queries, null, 2)}\n`);
        else if (queries.length === 0)
          io.stderr.write('No saved queries yet. Save one with: battery-workbench queries save NAME --sql SQL\n');
        else await writeOut(io.stdout, `${queries.map(describeQuery).join('\n')}\n`);
      }
      return 0;
    } finally {
      await session.close();
    }
  },
};
