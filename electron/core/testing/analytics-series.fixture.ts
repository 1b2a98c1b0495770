import { DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { HOT_MIRROR_SCHEMA, setSplitSql } from '../mirror/meta';
import type { Workbench } from '../workbench';

/**
 * Hand-made series for the analytics tests, written into a workspace's hot mirror (then the unified views and the
 * gold rollups are refreshed). String 1 (site 1, jars 1-4, 100 Ah): 30 min float at 0.3 A, 30 min discharge at
 * 20 A and 48 V (jar 3 reads 11.8 V at its last reading), 30 min charge at 5 A, 30 min rest, then float. String 2
 * (site 2, jars 5-8): jar 8 reads 14.5 V and 30 °C for 7 hours against siblings at 13.5/13.6/13.7 V and
 * 24.0/24.2/24.4 °C, ambient 22 °C, then reads like jar 6.
 */
export const SERIES_T0 = Date.parse('2024-03-01T00:00:00Z');
export const SERIES_SLOTS = 8 * 12;
export const seriesAt = (slot: number): string => new Date(SERIES_T0 + slot * 300_000).toISOString();

function stringCurrent(slot: number): number {
  if (slot < 6) return 0.3;
  if (slot < 12) return -20;
  if (slot < 18) return 5;
  if (slot < 24) return 0;
  return 0.3;
}

function jarReading(battery: number, slot: number): { v: number; t: number; r: number } {
  if (battery <= 4) return { v: battery === 3 && slot === 11 ? 11.8 : 12.0 + battery / 100, t: 25, r: 3 };
  const k = battery - 5;
  const outlier = battery === 8 && slot < 84;
  return {
    v: outlier ? 14.5 : [13.5, 13.6, 13.7, 13.6][k],
    t: outlier ? 30 : [24, 24.2, 24.4, 24.2][k],
    r: [3.0, 3.1, 3.2, 3.1][k],
  };
}

export async function seedAnalyticsSeries(wb: Workbench): Promise<void> {
  const conn = await wb.engine.connect();
  try {
    const t = (name: string): string => qualifiedName(HOT_MIRROR_SCHEMA, name);
    const into = (name: DatasetName): string => `${t(name)} (${DATASETS[name].columns.map((c) => quoteIdent(c.name)).join(', ')})`;
    await conn.run(
      `INSERT INTO ${into('location')} VALUES (1, 'AAA1', 'Site A', 'A', 'DE', 'UTC', 50, 8), (2, 'BBB1', 'Site B', 'B', 'NL', 'UTC', 52, 4)`,
    );
    await conn.run(`INSERT INTO ${into('battery_model')} VALUES (1, 'Voltaris', 'VX12-100', 'VRLA AGM', 12, 100, 6, 13.62, 3.2, 10)`);
    await conn.run(
      `INSERT INTO ${into('battery_system')} VALUES (1, 1, 'A UPS', 'ups', 400, DATE '2020-01-01'), (2, 2, 'B UPS', 'ups', 400, DATE '2020-01-01')`,
    );
    await conn.run(`INSERT INTO ${into('battery_string')} VALUES (1, 1, 1, 4, 1), (2, 2, 1, 4, 1)`);
    await conn.run(
      `INSERT INTO ${into('battery')} SELECT i, CASE WHEN i <= 4 THEN 1 ELSE 2 END, (i - 1) % 4 + 1, printf('VX-%06d', i), 1, DATE '2022-01-01' FROM range(1, 9) r(i)`,
    );
    const jarRows: string[] = [];
    const stringRows: string[] = [];
    let ingest = 0;
    for (let slot = 0; slot < SERIES_SLOTS; slot++) {
      for (let b = 1; b <= 8; b++) {
        const r = jarReading(b, slot);
        jarRows.push(`(${b}, TIMESTAMPTZ '${seriesAt(slot)}', ${r.v}, ${r.t}, ${r.r}, ${++ingest})`);
      }
      stringRows.push(`(1, TIMESTAMPTZ '${seriesAt(slot)}', 48, ${stringCurrent(slot)}, 22, ${++ingest})`);
      stringRows.push(`(2, TIMESTAMPTZ '${seriesAt(slot)}', 54.4, 0.3, 22, ${++ingest})`);
    }
    await conn.run(`INSERT INTO ${t('telemetry')} VALUES ${jarRows.join(', ')}`);
    await conn.run(`INSERT INTO ${t('string_telemetry')} VALUES ${stringRows.join(', ')}`);
    for (const ds of ['telemetry', 'string_telemetry'] as const) await conn.run(setSplitSql(ds, new Date(SERIES_T0).toISOString()));
  } finally {
    conn.closeSync();
  }
  await wb.data.refresh();
  await wb.rollups.whenIdle();
}
