import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureSetDefinition } from '../../../shared/domain/features';
import { psiFromCounts } from '../../../shared/domain/psi';
import { quoteIdent } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';
import { defaultReference, defaultReferenceDays, featureDrift, readDriftThreshold, writeDriftThreshold } from './drift';

/** A set whose version 1 is a hand-made view: 10 jars, 8 weeks of days from Monday 2026-01-05. */
const DEF: FeatureSetDefinition = {
  name: 'drift_probe',
  description: 'test',
  owner: 'test',
  entity: 'jar',
  inputs: ['telemetry'],
  lookbackDays: 0,
  lagMinutes: 0,
  sql: 'SELECT 1',
  columns: [
    { name: 'steady', type: 'DOUBLE', quantity: 'voltage', unit: 'V', description: 'same distribution every week' },
    { name: 'moving', type: 'DECIMAL(6,3)', quantity: 'voltage', unit: 'V', description: 'jumps up in week 6' },
    { name: 'label', type: 'VARCHAR', quantity: 'text', unit: null, description: 'not a number: no drift' },
  ],
};

describe('feature drift (PSI by week of a materialized version)', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run('CREATE SCHEMA features');
    await conn.run(`CREATE SCHEMA ${quoteIdent(INTERNAL_SCHEMA)}`);
    // steady: the values 1..10 (one per jar) every day. moving: the same, until 2026-02-09 (week 6), from which
    // every jar reads 9 or 10 (the top fifth of the reference).
    await conn.run(`CREATE TABLE features.t AS
      SELECT battery_id, DATE '2026-01-05' + CAST(d AS INTEGER) AS day, CAST(battery_id AS DOUBLE) AS steady,
        CAST(CASE WHEN d >= 35 THEN 9 + battery_id % 2 ELSE battery_id END AS DECIMAL(6,3)) AS moving, 'x' AS label
      FROM range(1, 11) j(battery_id), range(0, 56) r(d)`);
    await conn.run('CREATE VIEW features.drift_probe_v1 AS SELECT * FROM features.t');
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it('measures each numeric column by UTC week against the first 28 days, and names the weeks past the line', async () => {
    const d = await featureDrift(conn, DEF, 1, { threshold: 0.25 });
    expect(d.reference).toEqual({ from: '2026-01-05', to: '2026-02-02' });
    expect(d.columns.map((c) => c.name)).toEqual(['steady', 'moving']);
    const [steady, moving] = d.columns;
    expect(steady!.weeks).toHaveLength(8);
    expect(steady!.weeks.every((w) => w.rows === 70 && Math.abs(w.psi!) < 1e-12)).toBe(true);
    expect(steady!.maxPsi).toBeCloseTo(0, 12);
    expect(steady!.shiftedWeeks).toEqual([]);
    // Deciles of 1..10: one value per bin; from week 6 every row is a 9 or a 10, half and half.
    const ref = Array.from({ length: 10 }, () => 28);
    const shifted = psiFromCounts(ref, [0, 0, 0, 0, 0, 0, 0, 0, 35, 35])!;
    expect(moving!.weeks.slice(0, 5).every((w) => Math.abs(w.psi!) < 1e-12)).toBe(true);
    expect(moving!.weeks[5]!.psi).toBeCloseTo(shifted, 9);
    expect(moving!.maxPsi).toBeCloseTo(shifted, 9);
    expect(moving!.shiftedWeeks).toEqual(['2026-02-09', '2026-02-16', '2026-02-23']);
    expect(moving!.unit).toBe('V');
  });

  it('takes half of a history shorter than 8 weeks as the default reference, at least a week', () => {
    expect([3, 15, 40, 56, 57, 365].map(defaultReferenceDays)).toEqual([7, 7, 20, 28, 28, 28]);
  });

  it("starts the default reference after a set's lookback days, whose values had part of their window", async () => {
    // A 6-day lookback (jar_daily_stats' 7-day slope) with 20 days: the reference is the week after it.
    expect(defaultReference('2026-11-21', 20, 6)).toEqual({ from: '2026-11-27', to: '2026-12-04' });
    // Less than two weeks left after the lookback (the small demo's 15 days): from the first day, as a set without one,
    // so there is a week after the reference to compare.
    expect(defaultReference('2026-11-21', 15, 6)).toEqual({ from: '2026-11-21', to: '2026-11-28' });
    expect(defaultReference('2026-01-05', 56, 0)).toEqual({ from: '2026-01-05', to: '2026-02-02' });
    // Here the first 6 days read as a shift of their own: with them skipped, only the real one (week 6) is flagged.
    await conn.run(`CREATE OR REPLACE VIEW features.drift_probe_v1 AS
      SELECT battery_id, day, CASE WHEN day < DATE '2026-01-11' THEN steady * 100 ELSE steady END AS steady, moving, label FROM features.t`);
    try {
      const skipped = await featureDrift(conn, { ...DEF, lookbackDays: 6 }, 1, { threshold: 0.25 });
      expect(skipped.reference).toEqual({ from: '2026-01-11', to: '2026-02-05' }); // half of the 50 days left
      expect(skipped.columns.map((c) => [c.name, c.shiftedWeeks])).toEqual([
        ['steady', []],
        ['moving', ['2026-02-09', '2026-02-16', '2026-02-23']],
      ]);
      const whole = await featureDrift(conn, DEF, 1, { threshold: 0.25 });
      expect(whole.columns.find((c) => c.name === 'steady')?.shiftedWeeks.length).toBeGreaterThan(0);
    } finally {
      await conn.run('CREATE OR REPLACE VIEW features.drift_probe_v1 AS SELECT * FROM features.t');
    }
  });

  it('takes a reference window and a threshold, and keeps the workspace threshold in its settings', async () => {
    const late = await featureDrift(conn, DEF, 1, { reference: { from: '2026-02-09', to: '2026-03-02' }, threshold: 100 });
    expect(late.columns[1]!.weeks.slice(5).every((w) => Math.abs(w.psi!) < 1e-12)).toBe(true);
    expect(late.columns[1]!.shiftedWeeks).toEqual([]);
    expect(await readDriftThreshold(conn)).toEqual({ threshold: 0.25, isDefault: true });
    await writeDriftThreshold(conn, 0.4);
    expect(await readDriftThreshold(conn)).toEqual({ threshold: 0.4, isDefault: false });
    await writeDriftThreshold(conn, null);
    expect((await readDriftThreshold(conn)).isDefault).toBe(true);
  });

  it('says what to do for a version with nothing materialized, and refuses a window that ends before it starts', async () => {
    await expect(featureDrift(conn, DEF, 2, { threshold: 0.25 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/Version 2 of drift_probe has no materialized rows/),
      detail: 'Run `features materialize --set drift_probe`.',
    });
    await expect(featureDrift(conn, DEF, 1, { reference: { from: '2026-02-01', to: '2026-01-01' }, threshold: 0.25 })).rejects.toThrow(
      /must end after it starts/,
    );
  });
});
