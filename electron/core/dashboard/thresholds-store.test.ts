import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../../shared/domain/health';
import { quoteIdent } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';
import { readThresholds, writeThresholds } from './thresholds-store';

let db: DuckDBInstance | null = null;
afterEach(() => {
  db?.closeSync();
  db = null;
});

async function freshWorkspace(): Promise<DuckDBInstance> {
  db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`CREATE SCHEMA ${quoteIdent(INTERNAL_SCHEMA)}`);
  conn.closeSync();
  return db;
}

describe('health thresholds in the workspace', () => {
  it('many panels reading them at once on a fresh workspace all get the defaults: a read creates nothing', async () => {
    const instance = await freshWorkspace();
    const conns = await Promise.all(Array.from({ length: 8 }, () => instance.connect()));
    // Each panel request reads the thresholds on its own connection, at the same time.
    const results = await Promise.allSettled(conns.map((c) => readThresholds(c)));
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(Array(8).fill('ok'));
    for (const r of results) {
      if (r.status === 'fulfilled') expect(r.value).toEqual({ thresholds: DEFAULT_HEALTH_THRESHOLDS, isDefault: true });
    }
    for (const c of conns) c.closeSync();
  });

  it('written thresholds are read back; null goes back to the defaults', async () => {
    const instance = await freshWorkspace();
    const conn = await instance.connect();
    const t = { watchPct: 10, degradedPct: 20, replacePct: 40, baselineDays: 14 };
    await writeThresholds(conn, t);
    expect(await readThresholds(conn)).toEqual({ thresholds: t, isDefault: false });
    await writeThresholds(conn, null);
    expect(await readThresholds(conn)).toEqual({ thresholds: DEFAULT_HEALTH_THRESHOLDS, isDefault: true });
    conn.closeSync();
  });
});
