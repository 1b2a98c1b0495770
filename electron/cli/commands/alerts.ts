import type { AlertEpisode, AlertRule, AlertRuleSetRequest } from '../../../shared/api/alerts';
import { CliError } from '../cli-error';
import { parseCommandArgs, subcommandOf, type CliCommand, type CliIo } from '../command';
import { textTable } from '../output/table';
import { describeApiError, openCliWorkbench } from '../workbench-client';
import { writeOut } from '../write-out';

const HELP = `Usage: battery-workbench alerts list [--json] [--workspace DIR]
       battery-workbench alerts test --rule R [--from ISO] [--to ISO] [--json]
       battery-workbench alerts run [--json] [--pg-url URL] [--lake DIR|s3://...]
       battery-workbench alerts set --rule R [--threshold N] [--for MINUTES] [--severity warning|critical] [--enable | --disable]
                                    [--title T --key battery|string --op below|above --sql "SELECT ..."]
       battery-workbench alerts hook [--set '["program", "arg"]' [--timeout-ms N] | --clear]

Alert rules without a server. A rule is a SELECT over the workspace (unified views, gold rollups) whose rows are
battery_id, ts, value (a jar rule) or string_id, ts, value, battery_id (a string rule, naming the jar the alert
points at), with a threshold, a condition (below or above) and a duration: the rule fires when the condition holds
that long (first to last breaching reading, no gap over 15 minutes) and clears at the first reading past it.
Three rules ship: jar-voltage-low, string-spread-high, jar-hotspot.

list   Every rule: id, enabled, condition, duration, severity.
test   A dry run over a past range (default: the last 7 days): what would have fired. Writes nothing.
run    Evaluates the enabled rules now, over each rule's duration plus a day: raises alerts in PostgreSQL's alert
       table (alert_type rule:<id>; never a second one while one of the same rule and key is open), clears those
       whose condition ended, and hands each raised or cleared alert to the hook. The scheduler's alerts job does
       the same every 5 minutes when enabled (\`schedule set --job alerts --enable\`).
set    Changes a rule (threshold, duration, severity, enabled), or makes one of your own (a new --rule id with
       --title, --key, --op, --threshold and --sql). A SQL that is not one SELECT with those columns is refused.
hook   Shows, sets or clears the command run for each raised or cleared alert: a program and its arguments as a
       JSON array (no shell), given {"event": "raised"|"cleared", "alert": {...}} as JSON on stdin; it has
       --timeout-ms (default 10000) to finish. A hook that fails is reported; the alerts are written anyway.
       Only the command line sets the hook.

Options:
  --json             Print JSON.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  -h, --help         Show this help.

Exit codes: 0 done, 1 failed (for run: a hook failed; the alerts were written), 2 bad usage.`;

const SUBCOMMANDS = ['list', 'test', 'run', 'set', 'hook'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const TAKES: Record<string, readonly Sub[]> = {
  rule: ['test', 'set'],
  from: ['test'],
  to: ['test'],
  threshold: ['set'],
  for: ['set'],
  severity: ['set'],
  enable: ['set'],
  disable: ['set'],
  title: ['set'],
  key: ['set'],
  op: ['set'],
  sql: ['set'],
  set: ['hook'],
  clear: ['hook'],
  'timeout-ms': ['hook'],
  'pg-url': ['run'],
  lake: ['run'],
};

function rulesText(rules: AlertRule[], width: number | undefined): string {
  return textTable(
    ['rule', 'enabled', 'key', 'condition', 'for', 'severity', 'title'],
    rules.map((r) => [r.id, r.enabled ? 'yes' : 'no', r.key, `${r.op} ${r.threshold}`, `${r.forMinutes} min`, r.severity, r.title]),
    width,
  );
}

function episodesText(episodes: AlertEpisode[], width: number | undefined): string {
  if (episodes.length === 0) return 'Nothing would have fired.\n';
  return textTable(
    ['jar', 'string', 'start', 'fired at', 'end', 'peak', 'readings'],
    episodes.map((e) => [
      String(e.battery_id),
      String(e.string_id),
      e.start,
      e.firedAt,
      e.end ?? 'still holds',
      String(e.peak),
      String(e.readings),
    ]),
    width,
  );
}

function number(flag: string, text: string | undefined, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new CliError(`--${flag} must be ${integer ? 'a whole number' : 'a number'}, not ${text}.`, 2);
  return n;
}

function hookArgv(text: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CliError(
      `--set takes the program and its arguments as a JSON array, e.g. '["/usr/local/bin/notify", "--team", "ops"]', not ${text}.`,
      2,
    );
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0))
    throw new CliError('--set takes a non-empty JSON array of strings: the program, then its arguments.', 2);
  return v as string[];
}

export const alertsCommand: CliCommand = {
  name: 'alerts',
  summary: 'Alert rules: list, dry-run over a past range, run now (raise and clear alerts), set, command hook.',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(alertsCommand, argv, {
      json: { type: 'boolean' },
      rule: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      threshold: { type: 'string' },
      for: { type: 'string' },
      severity: { type: 'string' },
      enable: { type: 'boolean' },
      disable: { type: 'boolean' },
      title: { type: 'string' },
      key: { type: 'string' },
      op: { type: 'string' },
      sql: { type: 'string' },
      set: { type: 'string' },
      clear: { type: 'boolean' },
      'timeout-ms': { type: 'string' },
      workspace: { type: 'string' },
      'pg-url': { type: 'string' },
      lake: { type: 'string' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const sub = subcommandOf(alertsCommand, positionals, SUBCOMMANDS, TAKES, values);
    if ((sub === 'test' || sub === 'set') && values.rule === undefined)
      throw new CliError(`alerts ${sub} needs --rule R (see \`alerts list\`).`, 2);
    if (values.enable && values.disable) throw new CliError('Give --enable or --disable, not both.', 2);
    if (values.set !== undefined && values.clear) throw new CliError('Give --set or --clear, not both.', 2);
    const json = values.json === true;
    const out = (value: unknown, text: string): Promise<void> | void =>
      writeOut(io.stdout, json ? `${JSON.stringify(value, null, 2)}\n` : text);
    const flags = { ...(values['pg-url'] ? { pgUrl: values['pg-url'] } : {}), ...(values.lake ? { lake: values.lake } : {}) };
    const { api, workbench, close } = await openCliWorkbench(values.workspace, undefined, flags);
    try {
      if (sub === 'list') {
        const r = await api.alerts.rules({});
        if (!r.ok) throw new CliError(describeApiError(r.error));
        await out(r.value, rulesText(r.value.rules, io.columns));
        return 0;
      }
      if (sub === 'test') {
        const to = values.to ?? new Date().toISOString();
        const from = values.from ?? new Date(Date.parse(to) - 7 * 86_400_000).toISOString();
        const r = await api.alerts.test({ rule: values.rule ?? '', from, to });
        if (!r.ok) throw new CliError(describeApiError(r.error));
        await out(r.value, `${r.value.rule.title}, ${from} to ${to}:\n${episodesText(r.value.episodes, io.columns)}`);
        return 0;
      }
      if (sub === 'run') {
        const r = await api.alerts.run({});
        if (!r.ok) throw new CliError(describeApiError(r.error));
        const rep = r.value;
        const lines = [
          ...rep.raised.map(
            (a) =>
              `raised  #${a.alertId} ${a.rule} jar ${a.battery_id}${a.clearedAt ? ` (already cleared ${a.clearedAt})` : ''}: ${a.message}`,
          ),
          ...rep.cleared.map((a) => `cleared #${a.alertId} ${a.rule} jar ${a.battery_id} at ${a.clearedAt}`),
          `${rep.rules.length} rule(s): ${rep.raised.length} raised, ${rep.cleared.length} cleared, ${rep.open} open.`,
          ...(rep.hook?.failed ?? []).map((f) => `hook failed: ${f}`),
        ];
        await out(rep, `${lines.join('\n')}\n`);
        return rep.hook && rep.hook.failed.length > 0 ? 1 : 0;
      }
      if (sub === 'hook') {
        const store = workbench.alerts.store;
        if (values.clear) await store.setHook(null);
        else if (values.set !== undefined)
          await store.setHook({ argv: hookArgv(values.set), timeoutMs: number('timeout-ms', values['timeout-ms'], true) ?? 10_000 });
        const hook = await store.hook();
        await out({ hook }, hook ? `${JSON.stringify(hook.argv)} (timeout ${hook.timeoutMs} ms)\n` : 'No hook is set.\n');
        return 0;
      }
      const req: AlertRuleSetRequest = {
        id: values.rule ?? '',
        ...(values.title !== undefined ? { title: values.title } : {}),
        ...(values.key !== undefined ? { key: values.key as AlertRuleSetRequest['key'] } : {}),
        ...(values.op !== undefined ? { op: values.op as AlertRuleSetRequest['op'] } : {}),
        ...(values.sql !== undefined ? { sql: values.sql } : {}),
        ...(values.threshold !== undefined ? { threshold: number('threshold', values.threshold) } : {}),
        ...(values.for !== undefined ? { forMinutes: number('for', values.for, true) } : {}),
        ...(values.severity !== undefined ? { severity: values.severity as AlertRuleSetRequest['severity'] } : {}),
        ...(values.enable ? { enabled: true } : values.disable ? { enabled: false } : {}),
      };
      const r = await api.alerts.setRule(req);
      if (!r.ok) throw new CliError(describeApiError(r.error), r.error.code === 'BAD_INPUT' ? 2 : 1);
      await out(r.value, rulesText([r.value], io.columns));
      return 0;
    } finally {
      await close();
    }
  },
};
