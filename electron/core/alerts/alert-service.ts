import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import type { AlertEpisode, AlertRule, AlertRuleSetRequest, AlertRunReport, AlertTestReport, FiredAlert } from '../../../shared/api/alerts';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import type { EventBus } from '../events';
import { HOT_SCHEMA } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import { runHook } from './alert-hook';
import { alertTypeOf } from './alert-rules';
import { episodesSql } from './alert-sql';
import type { AlertStore } from './alert-store';

const ALERT = qualifiedName(HOT_SCHEMA, 'alert');
/** One rules run at a time per hot store (an advisory lock held for the run's transaction). */
const RUN_LOCK = "hashtext('battery-workbench:alert-rules')";
const DAY_MS = 86_400_000;

export interface AlertServiceDeps {
  engine: Engine;
  store: AlertStore;
  hotStore: () => Promise<HotStore>;
  /** Raised alerts are told here ('alerts.raised'), for the app's notices. */
  events?: EventBus;
  now?: () => Date;
}

/** The range a run evaluates a rule over: its duration plus a day, up to `to` (so a condition open since before still spans it). */
export function runWindow(rule: Pick<AlertRule, 'forMinutes'>, to: Date): { from: string; to: string } {
  return { from: new Date(to.getTime() - rule.forMinutes * 60_000 - DAY_MS).toISOString(), to: to.toISOString() };
}

function iso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const d = new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

function episodeOf(rule: AlertRule, r: Record<string, unknown>): AlertEpisode {
  return {
    rule: rule.id,
    battery_id: Number(r.jar),
    string_id: Number(r.string_id),
    severity: rule.severity,
    start: iso(r.start),
    firedAt: iso(r.fired_at),
    end: r.end_ts === null || r.end_ts === undefined ? null : iso(r.end_ts),
    peak: Number(r.peak),
    readings: Number(r.readings),
  };
}

/** The key an episode or an alert row is tracked by: the jar of a jar rule, the string of a string rule. */
function keyOf(rule: AlertRule, row: { battery_id: number; string_id: number }): number {
  return rule.key === 'battery' ? row.battery_id : row.string_id;
}

function messageOf(rule: AlertRule, e: AlertEpisode): string {
  const where = rule.key === 'battery' ? `jar ${e.battery_id}` : `string ${e.string_id} (jar ${e.battery_id})`;
  return `${rule.title}: ${where}, ${rule.op === 'below' ? 'lowest' : 'highest'} ${e.peak.toFixed(3)} (threshold ${rule.threshold})`;
}

/**
 * Alert rules without a server: a dry run over any past range, and a run over the recent window that writes to the
 * hot store's `alert` table (alert_type `rule:<id>`), so that fired alerts mirror, archive and show like any alert.
 * A rule's alert is raised once per episode (never while one of the same rule and key is open) and cleared when
 * the condition ends; each raise and clear goes to the command hook when one is set.
 */
export class AlertService {
  private readonly now: () => Date;

  constructor(private readonly deps: AlertServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The rules and the command hook as stored (the hook is set from the command line only). */
  get store(): AlertStore {
    return this.deps.store;
  }

  rules(): Promise<AlertRule[]> {
    return this.deps.store.rules();
  }

  async rule(id: string): Promise<AlertRule> {
    const rules = await this.rules();
    const rule = rules.find((r) => r.id === id);
    if (!rule)
      throw new WorkbenchError('NOT_FOUND', `There is no alert rule "${id}"; the rules are: ${rules.map((r) => r.id).join(', ')}.`);
    return rule;
  }

  async setRule(req: AlertRuleSetRequest): Promise<AlertRule> {
    const existing = (await this.rules()).find((r) => r.id === req.id) ?? null;
    if (existing?.builtIn && (req.sql !== undefined || req.key !== undefined || req.op !== undefined)) {
      throw new WorkbenchError(
        'BAD_INPUT',
        `"${req.id}" ships with the workbench: its SQL, key and condition are fixed. Change its threshold, duration, severity or enabled, or make a rule of your own with another id.`,
      );
    }
    if (!existing) {
      const missing = (['title', 'key', 'sql', 'op', 'threshold'] as const).filter((k) => req[k] === undefined);
      if (missing.length > 0) throw new WorkbenchError('BAD_INPUT', `A new rule "${req.id}" needs ${missing.join(', ')}.`);
    }
    const rule: AlertRule = {
      id: req.id,
      title: req.title ?? existing!.title,
      key: req.key ?? existing!.key,
      sql: req.sql ?? existing!.sql,
      op: req.op ?? existing!.op,
      threshold: req.threshold ?? existing!.threshold,
      forMinutes: req.forMinutes ?? existing?.forMinutes ?? 30,
      severity: req.severity ?? existing?.severity ?? 'warning',
      enabled: req.enabled ?? existing?.enabled ?? true,
      builtIn: existing?.builtIn ?? false,
      updatedAt: this.now().toISOString(),
    };
    if (!rule.builtIn) await this.checkSql(rule);
    await this.deps.store.put(rule);
    return rule;
  }

  /** A rule's SQL is one SELECT whose rows have the rule's columns; else BAD_INPUT with the engine's reason. */
  private async checkSql(rule: AlertRule): Promise<void> {
    await this.deps.engine.withConnection(async (conn) => {
      const statements = await conn.extractStatements(rule.sql).catch((err: unknown) => {
        throw new WorkbenchError('BAD_INPUT', `The rule's SQL does not parse: ${errorMessage(err)}`);
      });
      if (statements.count !== 1) throw new WorkbenchError('BAD_INPUT', "A rule's SQL is one SELECT statement.");
      const prepared = await statements.prepare(0).catch((err: unknown) => {
        throw new WorkbenchError('BAD_INPUT', `The rule's SQL does not run: ${errorMessage(err)}`);
      });
      if (prepared.statementType !== StatementType.SELECT) {
        throw new WorkbenchError('BAD_INPUT', "A rule's SQL is a SELECT: it reads, it never changes anything.");
      }
      const cols = rule.key === 'battery' ? 'battery_id, ts, value' : 'string_id, ts, value, battery_id';
      try {
        await conn.run(`SELECT * FROM (${episodesSql(rule)}) LIMIT 0`, [this.now().toISOString(), this.now().toISOString()]);
      } catch (err) {
        throw new WorkbenchError('BAD_INPUT', `The rule's rows need the columns ${cols}: ${errorMessage(err)}`);
      }
    });
  }

  private async episodes(conn: DuckDBConnection, rule: AlertRule, from: string, to: string): Promise<AlertEpisode[]> {
    const rows = await queryRows(conn, episodesSql(rule), [from, to]);
    return rows.map((r) => episodeOf(rule, r));
  }

  /** What the rule would have fired over [from, to): writes nothing. */
  async test(ruleId: string, from: string, to: string): Promise<AlertTestReport> {
    const rule = await this.rule(ruleId);
    if (Date.parse(from) >= Date.parse(to))
      throw new WorkbenchError('BAD_INPUT', `The range is empty: from ${from} is not before to ${to}.`);
    const t0 = performance.now();
    const episodes = await this.deps.engine.withConnection((conn) => this.episodes(conn, rule, from, to));
    return { rule, from, to, episodes, ms: performance.now() - t0 };
  }

  /**
   * Evaluates the enabled rules over their recent window (each rule's duration plus a day, up to now) and brings the
   * hot store's alerts in line: a new episode raises an alert (none while one of the same rule and key overlaps it),
   * an open alert whose condition no longer holds is cleared at the first reading past it.
   */
  async run(): Promise<AlertRunReport> {
    const t0 = performance.now();
    const to = this.now();
    const rules = (await this.rules()).filter((r) => r.enabled);
    const hot = await this.deps.hotStore().catch((err: unknown) => {
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        `Alert rules raise and clear their alerts in the PostgreSQL hot store, which this run cannot reach: ${errorMessage(err)} A dry run (alerts test) needs no hot store.`,
      );
    });
    const raised: FiredAlert[] = [];
    const cleared: FiredAlert[] = [];
    let open = 0;
    let earliest = to.toISOString();
    await hot.withClient('writer', async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`SELECT pg_advisory_xact_lock(${RUN_LOCK})`);
        await this.deps.engine.withConnection(async (conn) => {
          for (const rule of rules) {
            const { from } = runWindow(rule, to);
            if (from < earliest) earliest = from;
            const r = await this.runRule(conn, client, rule, from, to.toISOString());
            raised.push(...r.raised);
            cleared.push(...r.cleared);
            open += r.open;
          }
        });
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    const fresh = raised.filter((a) => a.clearedAt === null);
    if (fresh.length > 0) this.deps.events?.emit('alerts.raised', { alerts: fresh });
    const hook = await this.deliver([...raised, ...cleared]);
    return { rules: rules.map((r) => r.id), from: earliest, to: to.toISOString(), raised, cleared, open, hook, ms: performance.now() - t0 };
  }

  private async runRule(
    conn: DuckDBConnection,
    client: pg.Client,
    rule: AlertRule,
    from: string,
    to: string,
  ): Promise<{ raised: FiredAlert[]; cleared: FiredAlert[]; open: number }> {
    const type = alertTypeOf(rule.id);
    const keyCol = quoteIdent(rule.key === 'battery' ? 'battery_id' : 'string_id');
    const episodes = await this.episodes(conn, rule, from, to);
    const openRows = await client.query<{ alert_id: string; battery_id: number; string_id: number; raised_at: Date; value: string }>(
      `SELECT alert_id, battery_id, string_id, raised_at, value FROM ${ALERT} WHERE alert_type = $1 AND cleared_at IS NULL`,
      [type],
    );
    const latest = new Map<number, AlertEpisode>();
    for (const e of episodes) latest.set(keyOf(rule, e), e);
    const raised: FiredAlert[] = [];
    const cleared: FiredAlert[] = [];
    let open = 0;
    const openKeys = new Set<number>();
    for (const a of openRows.rows) {
      const key = keyOf(rule, a);
      const e = latest.get(key);
      if (e && e.end === null) {
        openKeys.add(key);
        open++;
        continue;
      }
      const raisedAt = a.raised_at.toISOString();
      const at =
        e && e.end !== null && e.end > raisedAt ? e.end : await this.firstClear(conn, rule, key, raisedAt > from ? raisedAt : from, to);
      if (at === null) {
        openKeys.add(key); // no reading past it yet (the key reports nothing, or nothing that clears it)
        open++;
        continue;
      }
      await client.query(`UPDATE ${ALERT} SET cleared_at = $2 WHERE alert_id = $1 AND cleared_at IS NULL`, [a.alert_id, at]);
      cleared.push({
        alertId: Number(a.alert_id),
        rule: rule.id,
        event: 'cleared',
        battery_id: a.battery_id,
        string_id: a.string_id,
        severity: rule.severity,
        raisedAt,
        clearedAt: at,
        value: Number(a.value),
        threshold: rule.threshold,
        message: `${rule.title}: cleared`,
      });
    }
    for (const e of episodes) {
      const key = keyOf(rule, e);
      if (openKeys.has(key)) continue; // de-duplicated: one open alert per rule and key
      const overlap = await client.query(
        `SELECT 1 FROM ${ALERT} WHERE alert_type = $1 AND ${keyCol} = $2 AND raised_at <= coalesce($3::timestamptz, 'infinity')
           AND coalesce(cleared_at, 'infinity') > $4::timestamptz LIMIT 1`,
        [type, key, e.end, e.firedAt],
      );
      if (overlap.rowCount) continue;
      const message = messageOf(rule, e);
      const ins = await client.query<{ id: string }>(
        `INSERT INTO ${ALERT} (alert_id, battery_id, string_id, alert_type, severity, raised_at, cleared_at, value, threshold, message)
         SELECT coalesce(max(alert_id), 0) + 1, $1::int, $2::int, $3::text, $4::text, $5::timestamptz, $6::timestamptz, $7::numeric, $8::numeric, $9::text
         FROM ${ALERT} RETURNING alert_id AS id`,
        [e.battery_id, e.string_id, type, rule.severity, e.firedAt, e.end, e.peak.toFixed(3), rule.threshold.toFixed(3), message],
      );
      if (e.end === null) {
        openKeys.add(key);
        open++;
      }
      raised.push({
        alertId: Number(ins.rows[0]?.id),
        rule: rule.id,
        event: 'raised',
        battery_id: e.battery_id,
        string_id: e.string_id,
        severity: rule.severity,
        raisedAt: e.firedAt,
        clearedAt: e.end,
        value: e.peak,
        threshold: rule.threshold,
        message,
      });
    }
    return { raised, cleared, open };
  }

  /** The first reading of `key` in [from, to) that does not breach the rule, or null. */
  private async firstClear(conn: DuckDBConnection, rule: AlertRule, key: number, from: string, to: string): Promise<string | null> {
    const keyCol = quoteIdent(rule.key === 'battery' ? 'battery_id' : 'string_id');
    const cmp = rule.op === 'below' ? '>=' : '<=';
    const rows = await queryRows(
      conn,
      `SELECT min(u.ts) AS at FROM (${rule.sql.trim().replace(/;+\s*$/, '')}) AS u
       WHERE u.${keyCol} = $1 AND u.ts >= CAST($2 AS TIMESTAMPTZ) AND u.ts < CAST($3 AS TIMESTAMPTZ) AND u.value ${cmp} $4`,
      [key, from, to, rule.threshold],
    );
    const at = rows[0]?.at;
    return at === null || at === undefined ? null : iso(at);
  }

  /** Each raised and cleared alert to the hook, one run each; failures are collected, never thrown. */
  private async deliver(alerts: readonly FiredAlert[]): Promise<AlertRunReport['hook']> {
    const hook = await this.deps.store.hook();
    if (!hook) return null;
    const failed: string[] = [];
    for (const alert of alerts) {
      const problem = await runHook(hook, { event: alert.event, alert });
      if (problem) failed.push(`alert ${alert.alertId} (${alert.event}): ${problem}`);
    }
    return { ran: alerts.length, failed };
  }
}
