import { z } from 'zod';
import { method } from './define';

/** What a rule's rows are keyed by: a jar (`battery_id`) or a string (`string_id`, naming a jar of it too). */
export type AlertRuleKey = 'battery' | 'string';
/** The condition: the rule's value below or above its threshold. */
export type AlertRuleOp = 'below' | 'above';
export type AlertSeverity = 'warning' | 'critical';

/**
 * An alert rule: a SELECT over the workspace (unified views, gold rollups, analyses) that yields one value per key
 * and moment (`ts`, `value`, and `battery_id` or `string_id`; a string rule also names a `battery_id`, the jar the
 * alert points at), a threshold, and how long the condition must hold before the rule fires.
 */
export interface AlertRule {
  /** Lower case, digits and dashes; the alert's `alert_type` is `rule:<id>`. */
  id: string;
  title: string;
  key: AlertRuleKey;
  sql: string;
  op: AlertRuleOp;
  threshold: number;
  /** The condition holds this long (first to last breaching reading, no gap longer than the tolerance) before it fires. */
  forMinutes: number;
  severity: AlertSeverity;
  enabled: boolean;
  /** Shipped with the workbench (its SQL and key are fixed; threshold, duration, severity and enabled are yours). */
  builtIn: boolean;
  updatedAt: string;
}

/** One episode of a rule's condition that held for its duration: what fired, or would have fired in a dry run. */
export interface AlertEpisode {
  rule: string;
  battery_id: number;
  string_id: number;
  severity: AlertSeverity;
  /** The first breaching reading. */
  start: string;
  /** When the rule fires: `start` + the rule's duration. */
  firedAt: string;
  /** The first reading past the episode (the condition ended there); null while it still holds at the range's end. */
  end: string | null;
  /** The worst value of the episode (lowest for `below`, highest for `above`). */
  peak: number;
  readings: number;
}

export interface AlertTestReport {
  rule: AlertRule;
  from: string;
  to: string;
  episodes: AlertEpisode[];
  ms: number;
}

/** An alert the run wrote to the hot store's `alert` table. */
export interface FiredAlert {
  alertId: number;
  rule: string;
  event: 'raised' | 'cleared';
  battery_id: number;
  string_id: number;
  severity: AlertSeverity;
  raisedAt: string;
  clearedAt: string | null;
  value: number;
  threshold: number;
  message: string;
}

export interface AlertRunReport {
  /** The enabled rules evaluated. */
  rules: string[];
  from: string;
  to: string;
  raised: FiredAlert[];
  cleared: FiredAlert[];
  /** Alerts of the rules that stay open (their condition still holds). */
  open: number;
  /** The command hook's outcome: null when none is set; `failed` lists what went wrong (the alerts are written regardless). */
  hook: { ran: number; failed: string[] } | null;
  ms: number;
}

const RuleId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a rule id: lower case letters, digits and dashes');
const Iso = z.string().datetime({ offset: true });

export const AlertRuleSetRequest = z
  .object({
    id: RuleId,
    title: z.string().min(1).max(200).optional(),
    key: z.enum(['battery', 'string']).optional(),
    sql: z.string().min(1).max(20_000).optional(),
    op: z.enum(['below', 'above']).optional(),
    threshold: z.number().finite().optional(),
    forMinutes: z
      .number()
      .int()
      .min(0)
      .max(60 * 24 * 30)
      .optional(),
    severity: z.enum(['warning', 'critical']).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type AlertRuleSetRequest = z.infer<typeof AlertRuleSetRequest>;

export const AlertTestRequest = z.object({ rule: RuleId, from: Iso, to: Iso }).strict();
export type AlertTestRequest = z.infer<typeof AlertTestRequest>;

export const alertsApi = {
  /** Every rule, shipped ones first. */
  rules: method<{ rules: AlertRule[] }>()(z.object({}).default({})),
  /** Changes a rule (a new id with title, key, sql, op, threshold makes a new one); a bad SQL is BAD_INPUT, nothing stored. */
  setRule: method<AlertRule>()(AlertRuleSetRequest),
  /** Dry run over a past range: what would have fired. Writes nothing. */
  test: method<AlertTestReport>()(AlertTestRequest),
  /** Evaluates the enabled rules now over their recent window: raises, de-duplicates and clears alerts in the hot store. */
  run: method<AlertRunReport>()(z.object({}).default({})),
};
