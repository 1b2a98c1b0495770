import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATASETS, type DatasetSpec } from '../../../shared/domain/datasets';
import { HotStore } from '../hot/hot-store';
import { openWorkbench } from '../workbench';
import { digestFromRow, digestQuery, duckDigestSelect, duckRowHash, GROUPED_PREFIX, pgDigestSelect, pgRowHash } from './checksum';

const made: string[] = [];

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('row checksum', () => {
  it('is the same in PostgreSQL and DuckDB for every column type the archiver moves', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'bw-sum-'));
    made.push(ws);
    const hot = await HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: ws, workspacePgDir: join(ws, 'pg') });
    try {
      const spec = DATASETS.maintenance_event;
      const rows = [
        [1, 10, null, 'capacity_test', '2024-01-01 00:00:00.123456+00', 'Zoë Ærø', ''],
        [2, 11, 7, 'inspection', '2024-01-01 23:59:59+00', 'O\'Brien, "J"', 'line1\nline2'],
        [3, 12, 8, '電池', '1999-12-31 12:00:00+00', '', null],
      ];
      await hot.withClient(async (c) => {
        await c.query(
          'CREATE TABLE sums (event_id bigint, string_id int, battery_id int, event_type text, performed_at timestamptz, technician text, notes text)',
        );
        for (const r of rows) await c.query('INSERT INTO sums VALUES ($1,$2,$3,$4,$5,$6,$7)', r);
        await c.query('CREATE TABLE decs (v numeric(6,3), t numeric(4,1))');
        await c.query('INSERT INTO decs VALUES (2.251, -4.5), (0, 0.1), (NULL, 12.0)');
      });
      const pgDigest = await hot.withClient(async (c) =>
        digestFromRow(
          (await c.query(`SELECT ${pgDigestSelect(spec.columns, 'performed_at')} FROM sums`)).rows[0] as Record<string, unknown>,
        ),
      );
      const wb = await openWorkbench({ workspaceDir: join(ws, 'duck'), entry: 'test' });
      try {
        const conn = await wb.engine.connect();
        await conn.run(
          `CREATE TABLE sums (event_id BIGINT, string_id INTEGER, battery_id INTEGER, event_type VARCHAR, performed_at TIMESTAMPTZ, technician VARCHAR, notes VARCHAR)`,
        );
        for (const r of rows) await conn.run('INSERT INTO sums VALUES ($1,$2,$3,$4,CAST($5 AS TIMESTAMPTZ),$6,$7)', r);
        const duckDigest = digestFromRow(
          (await conn.runAndReadAll(`SELECT ${duckDigestSelect(spec.columns, 'performed_at')} FROM sums`)).getRowObjectsJS()[0],
        );
        expect(duckDigest).toEqual(pgDigest);
        expect(pgDigest.rows).toBe(3);
        // Decimals keep their scale as text on both sides.
        const dec = [
          { name: 'v', duck: 'DECIMAL(6,3)', pg: 'numeric(6,3)' },
          { name: 't', duck: 'DECIMAL(4,1)', pg: 'numeric(4,1)' },
        ];
        await conn.run(`CREATE TABLE decs (v DECIMAL(6,3), t DECIMAL(4,1)); INSERT INTO decs VALUES (2.251, -4.5), (0, 0.1), (NULL, 12.0)`);
        const a = await hot.withClient(
          async (c) => (await c.query<{ s: string }>(`SELECT sum(${pgRowHash(dec)})::text AS s FROM decs`)).rows[0].s,
        );
        const b = String((await conn.runAndReadAll(`SELECT sum(${duckRowHash(dec)})::VARCHAR FROM decs`)).getRowsJS()[0][0]);
        expect(b).toBe(a);
        conn.closeSync();
      } finally {
        await wb.close();
      }
    } finally {
      await hot.close();
    }
  });

  it('has a grouped digest for numeric time series, equal in both engines and changed by any moved or altered value', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'bw-gsum-'));
    made.push(ws);
    // Telemetry plus a nullable decimal, with negatives, NULLs and sub-second times.
    const spec: DatasetSpec = {
      ...DATASETS.telemetry,
      columns: [...DATASETS.telemetry.columns, { name: 'extra', duck: 'DECIMAL(8,3)', pg: 'numeric(8,3)', nullable: true }],
    };
    const rows: (string | number | null)[][] = [
      [1, '2024-03-01 00:00:00+00', 2.251, -4.5, 0.45, null],
      [1, '2024-03-01 00:05:00.123456+00', 2.252, 21.0, 0.46, -12.5],
      [2, '2024-03-01 00:00:00+00', 2.249, 22.1, 0.51, 0],
      [2, '2024-03-01 23:59:59.999999+00', -0.001, 0.1, 0.52, 99999.999],
      [7, '2024-03-01 12:00:00+00', 0, 0, 0, null],
    ];
    const cols = 'battery_id, ts, voltage_v, temperature_c, resistance_mohm, extra';
    const anchor = '2024-03-01 00:00:00+00';
    const hot = await HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: ws, workspacePgDir: join(ws, 'pg') });
    const wb = await openWorkbench({ workspaceDir: join(ws, 'duck'), entry: 'test' });
    try {
      await hot.withClient(async (c) => {
        await c.query(
          'CREATE TABLE g (battery_id int, ts timestamptz, voltage_v numeric(6,3), temperature_c numeric(4,1), resistance_mohm numeric(6,2), extra numeric(8,3))',
        );
        for (const r of rows) await c.query(`INSERT INTO g (${cols}) VALUES ($1, $2, $3, $4, $5, $6)`, r);
      });
      const pg = await hot.withClient(async (c) =>
        digestFromRow((await c.query(digestQuery(spec, 'ts', 'pg', 'g', '', anchor))).rows[0] as Record<string, unknown>),
      );
      const conn = await wb.engine.connect();
      const duck = async (): Promise<ReturnType<typeof digestFromRow>> =>
        digestFromRow((await conn.runAndReadAll(digestQuery(spec, 'ts', 'duck', 'g', '', anchor))).getRowObjectsJS()[0]);
      await conn.run(
        'CREATE TABLE g (battery_id INTEGER, ts TIMESTAMPTZ, voltage_v DECIMAL(6,3), temperature_c DECIMAL(4,1), resistance_mohm DECIMAL(6,2), extra DECIMAL(8,3))',
      );
      for (const r of rows) await conn.run(`INSERT INTO g (${cols}) VALUES ($1, CAST($2 AS TIMESTAMPTZ), $3, $4, $5, $6)`, r);
      expect(pg.checksum.startsWith(GROUPED_PREFIX)).toBe(true);
      expect(pg.rows).toBe(5);
      expect(await duck()).toEqual(pg);
      // Every kind of damage changes the checksum: a value moved to another jar, a changed value, a shifted
      // time, a NULL that became 0, one row doubled and another lost.
      const damage = [
        [
          'UPDATE g SET voltage_v = 2.249 WHERE battery_id = 1 AND voltage_v = 2.251',
          'UPDATE g SET voltage_v = 2.251 WHERE battery_id = 2 AND voltage_v = 2.249',
        ],
        ['UPDATE g SET temperature_c = 21.1 WHERE battery_id = 1 AND temperature_c = 21.0'],
        ["UPDATE g SET ts = ts + INTERVAL '1 microsecond' WHERE battery_id = 7"],
        ['UPDATE g SET extra = 0 WHERE battery_id = 7'],
        [
          'INSERT INTO g SELECT * FROM g WHERE battery_id = 2 AND voltage_v = 2.249',
          'DELETE FROM g WHERE battery_id = 2 AND voltage_v = -0.001',
        ],
      ];
      for (const statements of damage) {
        await conn.run('BEGIN');
        for (const sql of statements) await conn.run(sql);
        const got = await duck();
        await conn.run('ROLLBACK');
        expect(got.checksum, statements.join('; ')).not.toBe(pg.checksum);
      }
      expect(await duck()).toEqual(pg);
      conn.closeSync();
    } finally {
      await wb.close();
      await hot.close();
    }
  });
});
