import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SOH_EOL } from '../../../shared/api/soh';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../../shared/domain/health';
import { quoteIdent } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';
import { readSohEol, readThresholds, writeSohEol, writeThresholds } from './thresholds-store';

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

  it('end-of-life thresholds: read at once on a fresh workspace without creating anything, stored apart from the health classes', async () => {
    const instance = await freshWorkspace();
    const conns = await Promise.all(Array.from({ length: 6 }, () => instance.connect()));
    const results = await Promise.allSettled(conns.map((c) => readSohEol(c)));
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(Array(6).fill('ok'));
    const conn = conns[0];
    const tables = await conn.runAndReadAll(`SELECT count(*)::INTEGER FROM duckdb_tables() WHERE schema_name = '${INTERNAL_SCHEMA}'`);
    expect(tables.getRows()[0][0]).toBe(0);
    expect(await readSohEol(conn)).toEqual({ eol: DEFAULT_SOH_EOL, isDefault: true });

    await writeSohEol(conn, { eolSohPct: 85, eolDriftPct: 40 });
    expect(await readSohEol(conn)).toEqual({ eol: { eolSohPct: 85, eolDriftPct: 40 }, isDefault: false });
    // The health classes keep their own value, and resetting them leaves the end of life alone.
    expect(await readThresholds(conn)).toEqual({ thresholds: DEFAULT_HEALTH_THRESHOLDS, isDefault: true });
    await writeThresholds(conn, { watchPct: 10, degradedPct: 20, replacePct: 40, baselineDays: 14 });
    await writeThresholds(conn, null);
    expect((await readSohEol(conn)).eol).toEqual({ eolSohPct: 85, eolDriftPct: 40 });

    // A stored value that is no longer valid is not used: the defaults apply.
    await conn.run(
      `UPDATE ${quoteIdent(INTERNAL_SCHEMA)}.dashboard_settings SET value = '{"eolSohPct": 150}' WHERE key = 'soh_end_of_life'`,
    );
    expect(await readSohEol(conn)).toEqual({ eol: DEFAULT_SOH_EOL, isDefault: true });
    await writeSohEol(conn, null);
    expect(await readSohEol(conn)).toEqual({ eol: DEFAULT_SOH_EOL, isDefault: true });
    for (const c of conns) c.closeSync();
  });
});
