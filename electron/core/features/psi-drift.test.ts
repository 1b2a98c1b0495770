import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psiFromCounts } from '../../../shared/domain/psi';
import { queryRows } from '../engine/duck-query';
import { weeklyPsi } from './psi-drift';

describe('weekly PSI over a relation', () => {
  let instance: DuckDBInstance;
  let conn: Awaited<ReturnType<DuckDBInstance['connect']>>;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    // Weeks are UTC weeks whatever the session's zone: midnight UTC on a Monday is Sunday evening in New York.
    await conn.run(`SET TimeZone = 'America/New_York'`);
    // Three weeks from Monday 2026-01-05: weeks 1 and 2 hold the values 1..100 once a day-slot each (the same
    // distribution); week 3 holds only values from the top fifth. A NULL and a text column name with a quote in it.
    await conn.run(`CREATE TABLE "feat ""x""" (ts TIMESTAMPTZ, "v""q" DOUBLE, flat DOUBLE)`);
    await conn.run(
      `INSERT INTO "feat ""x""" SELECT TIMESTAMPTZ '2026-01-05 00:00:00+00' + (w * 7 + (i % 7)) * INTERVAL 1 DAY,
         CASE WHEN w < 2 THEN i ELSE 81 + (i % 20) END, 5
       FROM range(3) r(w), range(1, 101) s(i)`,
    );
    await conn.run(`INSERT INTO "feat ""x""" VALUES (TIMESTAMPTZ '2026-01-06 00:00:00+00', NULL, NULL)`);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('is 0 for the reference weeks and large for the week that moved, matching the counts by hand', async () => {
    const drift = await weeklyPsi(conn, {
      relation: '"feat ""x"""',
      timeColumn: 'ts',
      columns: ['v"q', 'flat'],
      reference: { from: '2026-01-05', to: '2026-01-19' },
    });
    const v = drift.get('v"q')!;
    expect(v.map((w) => w.week)).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
    expect(v.map((w) => w.rows)).toEqual([100, 100, 100]);
    expect(v[0]!.psi).toBeCloseTo(0, 9);
    expect(v[1]!.psi).toBeCloseTo(0, 9);
    // Deciles of 1..100 (twice): week 3's values 81..100 fill the top two bins, 10 each.
    const ref = Array.from({ length: 10 }, () => 20);
    const cur = [0, 0, 0, 0, 0, 0, 0, 0, 10, 10];
    expect(v[2]!.psi).toBeCloseTo(psiFromCounts(ref, cur)!, 9);
    // A constant column has one bin: no drift at all.
    expect(drift.get('flat')!.every((w) => w.psi !== null && Math.abs(w.psi) < 1e-12)).toBe(true);
  });

  it('has no figure for weeks when the reference window is empty, and refuses odd bin counts', async () => {
    const drift = await weeklyPsi(conn, {
      relation: '"feat ""x"""',
      timeColumn: 'ts',
      columns: ['v"q'],
      reference: { from: '2025-01-01', to: '2025-02-01' },
    });
    expect(drift.get('v"q')!.every((w) => w.psi === null)).toBe(true);
    await expect(
      weeklyPsi(conn, { relation: '"feat ""x"""', timeColumn: 'ts', columns: ['v"q'], reference: { from: 'a', to: 'b' }, bins: 1 }),
    ).rejects.toThrow(/bins/);
    // The table is unchanged by the reads.
    expect(Number((await queryRows(conn, `SELECT count(*) AS n FROM "feat ""x"""`))[0]!.n)).toBe(301);
  });
});
