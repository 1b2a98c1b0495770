import type { DuckDBConnection } from '@duckdb/node-api';
import type { AlertRule, AlertRuleKey, AlertRuleOp, AlertSeverity } from '../../../shared/api/alerts';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import { INTERNAL_SCHEMA } from '../engine/history';
import { SHIPPED_RULES } from './alert-rules';

const RULES = qualifiedName(INTERNAL_SCHEMA, 'alert_rule');
const HOOK = qualifiedName(INTERNAL_SCHEMA, 'alert_hook');

/** The command run for each raised or cleared alert, with the alert as JSON on stdin (set from the command line only). */
export interface AlertHook {
  argv: string[];
  timeoutMs: number;
}

function ruleOf(r: Record<string, unknown>): AlertRule {
  return {
    id: String(r.id),
    title: String(r.title),
    key: String(r.key_kind) as AlertRuleKey,
    sql: String(r.sql),
    op: String(r.op) as AlertRuleOp,
    threshold: Number(r.threshold),
    forMinutes: Number(r.for_minutes),
    severity: String(r.severity) as AlertSeverity,
    enabled: r.enabled === true,
    builtIn: r.built_in === true,
    updatedAt: String(r.updated_at),
  };
}

/** Alert rules (shipped ones stored on first open, with the user's changes) and the command hook, in the workspace database. */
export class AlertStore {
  constructor(private readonly engine: Engine) {}

  private with<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.engine.withConnection(fn);
  }

  async ensure(): Promise<void> {
    await this.with(async (conn) => {
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${qualifiedName(INTERNAL_SCHEMA)}`);
      await conn.run(
        `CREATE TABLE IF NOT EXISTS ${RULES} (id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, key_kind VARCHAR NOT NULL,
           sql VARCHAR NOT NULL, op VARCHAR NOT NULL, threshold DOUBLE NOT NULL, for_minutes INTEGER NOT NULL,
           severity VARCHAR NOT NULL, enabled BOOLEAN NOT NULL, built_in BOOLEAN NOT NULL, updated_at VARCHAR NOT NULL)`,
      );
      await conn.run(`CREATE TABLE IF NOT EXISTS ${HOOK} (id INTEGER PRIMARY KEY, argv VARCHAR NOT NULL, timeout_ms INTEGER NOT NULL)`);
      const now = new Date().toISOString();
      for (const r of SHIPPED_RULES) {
        await this.write(conn, { ...r, builtIn: true, updatedAt: now }, 'INSERT INTO', 'ON CONFLICT DO NOTHING');
      }
      // A shipped rule's SQL and key follow the release; what the user set (threshold, duration, severity, enabled) stays.
      for (const r of SHIPPED_RULES) {
        await conn.run(`UPDATE ${RULES} SET sql = $2, key_kind = $3, op = $4, title = $5 WHERE id = $1 AND built_in`, [
          r.id,
          r.sql,
          r.key,
          r.op,
          r.title,
        ]);
      }
    });
  }

  private async write(conn: DuckDBConnection, r: AlertRule, verb: string, tail = ''): Promise<void> {
    await conn.run(`${verb} ${RULES} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ${tail}`, [
      r.id,
      r.title,
      r.key,
      r.sql,
      r.op,
      r.threshold,
      r.forMinutes,
      r.severity,
      r.enabled,
      r.builtIn,
      r.updatedAt,
    ]);
  }

  async rules(): Promise<AlertRule[]> {
    const rows = await this.with((conn) => queryRows(conn, `SELECT * FROM ${RULES} ORDER BY NOT built_in, id`));
    return rows.map(ruleOf);
  }

  async put(rule: AlertRule): Promise<void> {
    await this.with((conn) => this.write(conn, rule, 'INSERT OR REPLACE INTO'));
  }

  async hook(): Promise<AlertHook | null> {
    const rows = await this.with((conn) => queryRows(conn, `SELECT argv, timeout_ms FROM ${HOOK} WHERE id = 1`));
    const row = rows[0];
    if (!row) return null;
    const argv = JSON.parse(String(row.argv)) as unknown;
    return Array.isArray(argv) && argv.length > 0 ? { argv: argv.map(String), timeoutMs: Number(row.timeout_ms) } : null;
  }

  async setHook(hook: AlertHook | null): Promise<void> {
    await this.with(async (conn) => {
      await conn.run(`DELETE FROM ${HOOK}`);
      if (hook) await conn.run(`INSERT INTO ${HOOK} VALUES (1, $1, $2)`, [JSON.stringify(hook.argv), hook.timeoutMs]);
    });
  }
}
