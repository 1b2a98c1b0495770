import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES, DATASETS, INGEST_COLUMN, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { pruneChangeLog } from '../hot/change-log';
import { changeLogTable, SKIP_CHANGE_LOG_SQL } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import { openWorkbench, type Workbench } from '../workbench';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';
import { HOT_MIRROR_SCHEMA, META_SCHEMA } from './meta';
import { MirrorSync, type SyncReport } from './mirror-sync';

let dir: string;
let wb: Workbench;
let hot: HotStore;
let duck: DuckDBConnection;

let demo: DemoWorkbench | undefined;

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-mirror-changes-', { scale: 'small', daysHot: 2, daysCold: 1 });
  ({ dir, wb, hot, duck } = demo);
  expect(demo.summary.error).toBeNull();
});

afterAll(async () => {
  await demo?.close();
});

/** One text per row, the same in PostgreSQL and DuckDB: times as epoch microseconds, doubles to 6 places. */
function rowText(spec: DatasetSpec, dialect: 'pg' | 'duck', withIngest: boolean): string {
  const parts = spec.columns.map((c) => {
    const col = quoteIdent(c.name);
    let text: string;
    if (c.duck === 'TIMESTAMPTZ')
      text = dialect === 'pg' ? `(extract(epoch FROM ${col}) * 1000000)::bigint::text` : `CAST(epoch_us(${col}) AS VARCHAR)`;
    else if (c.duck === 'DOUBLE')
      text = dialect === 'pg' ? `round(${col}::numeric, 6)::text` : `CAST(CAST(round(${col}, 6) AS DECIMAL(18,6)) AS VARCHAR)`;
    else text = dialect === 'pg' ? `${col}::text` : `CAST(${col} AS VARCHAR)`;
    return `coalesce(${text}, 'NULL')`;
  });
  if (withIngest) parts.push(dialect === 'pg' ? `${quoteIdent(INGEST_COLUMN)}::text` : `CAST(${quoteIdent(INGEST_COLUMN)} AS VARCHAR)`);
  return `concat_ws('|', ${parts.join(', ')})`;
}

async function pgRows(spec: DatasetSpec, withIngest: boolean): Promise<string[]> {
  return hot.withClient(async (c) =>
    (await c.query<{ r: string }>(`SELECT ${rowText(spec, 'pg', withIngest)} AS r FROM ${qualifiedName('public', spec.name)}`)).rows.map(
      (x) => x.r,
    ),
  );
}

async function duckRows(sql: string): Promise<string[]> {
  return (await queryRows(duck, sql)).map((x) => String(x.r));
}

/** Rows in `a` but not in `b`, as a multiset (at most 5 shown). */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const r of b) left.set(r, (left.get(r) ?? 0) + 1);
  const out: string[] = [];
  for (const r of a) {
    const n = left.get(r) ?? 0;
    if (n > 0) left.set(r, n - 1);
    else out.push(r);
  }
  return out.slice(0, 5);
}

/** Every dataset: the mirror table and the hot tier of the unified view hold exactly PostgreSQL's rows. */
async function expectMirrorEqualsPg(): Promise<void> {
  for (const name of DATASET_NAMES) {
    const spec = DATASETS[name];
    const pg = await pgRows(spec, false);
    const view = await duckRows(`SELECT ${rowText(spec, 'duck', false)} AS r FROM ${qualifiedName('main', name)} WHERE tier = 'hot'`);
    expect({ dataset: name, missing: minus(pg, view), extra: minus(view, pg), rows: view.length }).toEqual({
      dataset: name,
      missing: [],
      extra: [],
      rows: pg.length,
    });
  }
}

function byName(report: SyncReport): Record<DatasetName, SyncReport['datasets'][number]> {
  return Object.fromEntries(report.datasets.map((d) => [d.dataset, d])) as Record<DatasetName, SyncReport['datasets'][number]>;
}

describe('the mirror sees every change in the hot store', () => {
  it('shows exactly PostgreSQL’s rows after updates, deletes and inserts, in every kind of table', async () => {
    await wb.data.syncNow();
    await expectMirrorEqualsPg();
    const key = await hot.withClient(async (c) => {
      // The corrected reading and the deleted one on different days (a day count alone would not see the correction).
      const [a] = (await c.query<{ battery_id: number; ts: Date }>('SELECT battery_id, ts FROM telemetry ORDER BY ts, battery_id LIMIT 1'))
        .rows;
      const [b] = (
        await c.query<{ battery_id: number; ts: Date }>('SELECT battery_id, ts FROM telemetry ORDER BY ts DESC, battery_id LIMIT 1')
      ).rows;
      await c.query('UPDATE telemetry SET voltage_v = 1.234 WHERE battery_id = $1 AND ts = $2', [a.battery_id, a.ts]);
      await c.query('DELETE FROM telemetry WHERE battery_id = $1 AND ts = $2', [b.battery_id, b.ts]);
      await c.query(
        `INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm)
         SELECT 99998, max(ts) + interval '5 minutes', 13.2, 25.0, 3.1 FROM telemetry`,
      );
      await c.query('UPDATE alert SET cleared_at = now() WHERE alert_id = (SELECT min(alert_id) FROM alert WHERE cleared_at IS NULL)');
      await c.query("UPDATE location SET name = 'Renamed site' WHERE location_id = (SELECT min(location_id) FROM location)");
      await c.query('DELETE FROM maintenance_event WHERE event_id = (SELECT min(event_id) FROM maintenance_event)');
      await c.query(
        'UPDATE string_telemetry SET current_a = current_a + 1 WHERE (string_id, ts) = (SELECT string_id, ts FROM string_telemetry ORDER BY string_id, ts LIMIT 1)',
      );
      await c.query(
        'DELETE FROM rul_prediction WHERE (battery_id, predicted_at) = (SELECT battery_id, predicted_at FROM rul_prediction ORDER BY 1, 2 LIMIT 1)',
      );
      return a;
    });
    const report = byName(await wb.data.syncNow());
    await expectMirrorEqualsPg();
    const corrected = await queryRows(
      duck,
      'SELECT CAST(voltage_v AS VARCHAR) AS v FROM main.telemetry WHERE battery_id = $1 AND ts = $2',
      [key.battery_id, key.ts.toISOString()],
    );
    expect(corrected).toEqual([{ v: '1.234' }]);
    // What moved: the new versions of changed rows, and the keys of changed or deleted ones.
    expect([report.telemetry.rows, report.telemetry.changes]).toEqual([2, 2]);
    expect([report.alert.rows, report.alert.changes]).toEqual([1, 1]);
    expect([report.location.rows, report.location.changes]).toEqual([1, 1]);
    expect([report.maintenance_event.rows, report.maintenance_event.changes]).toEqual([0, 1]);
  });

  it('copies nothing for any dataset when nothing changed', async () => {
    const report = await wb.data.syncNow();
    expect(report.datasets.map((d) => [d.dataset, d.rows, d.changes, d.repairedDays])).toEqual(DATASET_NAMES.map((n) => [n, 0, 0, []]));
    expect(report.rows).toBe(0);
  });

  it('ends right when a key is updated twice, or deleted and inserted again, however the id ranges are cut', async () => {
    const conn = await wb.engine.connect();
    try {
      const [a, b] = await hot.withClient(async (c) => {
        const keys = (
          await c.query<{ battery_id: number; ts: Date }>('SELECT battery_id, ts FROM telemetry ORDER BY ts, battery_id OFFSET 10 LIMIT 2')
        ).rows;
        await c.query('UPDATE telemetry SET voltage_v = 11.111 WHERE battery_id = $1 AND ts = $2', [keys[0].battery_id, keys[0].ts]);
        await c.query('UPDATE telemetry SET voltage_v = 12.222 WHERE battery_id = $1 AND ts = $2', [keys[0].battery_id, keys[0].ts]);
        await c.query('DELETE FROM telemetry WHERE battery_id = $1 AND ts = $2', [keys[1].battery_id, keys[1].ts]);
        await c.query(
          'INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) VALUES ($1, $2, 10.5, 20.0, 3.0)',
          [keys[1].battery_id, keys[1].ts],
        );
        await c.query("UPDATE alert SET message = 'first' WHERE alert_id = (SELECT max(alert_id) FROM alert)");
        await c.query("UPDATE alert SET message = 'second' WHERE alert_id = (SELECT max(alert_id) FROM alert)");
        return keys;
      });
      // One id per committed range: every cut between a change-log entry and the row's new version is tried.
      const sync = new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp'), batchIds: 1 });
      const report = byName(await sync.sync({ datasets: ['telemetry', 'alert'] }));
      // The current versions of the two keys; the keys of two updates and a delete.
      expect([report.telemetry.rows, report.telemetry.changes]).toEqual([2, 3]);
      await expectMirrorEqualsPg();
      const v = async (k: { battery_id: number; ts: Date }): Promise<unknown[]> =>
        (
          await queryRows(duck, 'SELECT CAST(voltage_v AS VARCHAR) AS v FROM telemetry WHERE battery_id = $1 AND ts = $2', [
            k.battery_id,
            k.ts.toISOString(),
          ])
        ).map((r) => r.v);
      expect(await v(a)).toEqual(['12.222']);
      expect(await v(b)).toEqual(['10.500']);
    } finally {
      conn.closeSync();
    }
  });

  it('waits for transactions still writing, and reads their range again when one stays open', async () => {
    const conn = await wb.engine.connect();
    const writer = await hot.connect();
    try {
      const sync = new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp'), settleMs: 300 });
      const [k] = (
        await writer.query<{ battery_id: number; ts: Date }>(
          'SELECT battery_id, ts FROM telemetry ORDER BY ts, battery_id OFFSET 20 LIMIT 1',
        )
      ).rows;
      // An update takes its ids first, then a later insert commits: id order is not commit order.
      await writer.query('BEGIN');
      await writer.query('UPDATE telemetry SET voltage_v = 2.222 WHERE battery_id = $1 AND ts = $2', [k.battery_id, k.ts]);
      await hot.withClient((c) =>
        c.query(
          'INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) SELECT 99997, max(ts), 13.0, 21.0, 3.3 FROM telemetry',
        ),
      );
      const open = byName(await sync.sync({ datasets: ['telemetry'] }));
      expect(open.telemetry.note).toMatch(/still open/);
      expect(await queryNumber(duck, 'SELECT count(*) FROM telemetry WHERE battery_id = 99997')).toBe(1);
      await writer.query('COMMIT');
      const after = byName(await sync.sync({ datasets: ['telemetry'] }));
      expect(after.telemetry.note).toBeNull();
      expect(
        (
          await queryRows(duck, 'SELECT CAST(voltage_v AS VARCHAR) AS v FROM telemetry WHERE battery_id = $1 AND ts = $2', [
            k.battery_id,
            k.ts.toISOString(),
          ])
        )[0]?.v,
      ).toBe('2.222');
      // A writer that commits while the sync waits is read in the same sync.
      await writer.query('BEGIN');
      await writer.query('UPDATE telemetry SET voltage_v = 3.333 WHERE battery_id = $1 AND ts = $2', [k.battery_id, k.ts]);
      setTimeout(() => void writer.query('COMMIT'), 200);
      const waited = byName(
        await new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp'), settleMs: 10_000 }).sync({ datasets: ['telemetry'] }),
      );
      expect([waited.telemetry.note, waited.telemetry.rows]).toEqual([null, 1]);
      await expectMirrorEqualsPg();
    } finally {
      await writer.end();
      conn.closeSync();
    }
  });

  it('a sync asked for while one runs is a run of its own after it, shared by every caller meanwhile: it sees what they wrote', async () => {
    const conn = await wb.engine.connect();
    const writer = await hot.connect();
    try {
      const sync = new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp'), settleMs: 30_000 });
      await sync.sync();
      // A background sync, kept waiting by a writer after it read its high marks (it waits for transactions still writing).
      await writer.query('BEGIN');
      await writer.query('UPDATE telemetry SET voltage_v = voltage_v WHERE ts = (SELECT min(ts) FROM telemetry)');
      const first = sync.sync({ reconcile: 'periodic' });
      await expect
        .poll(() =>
          hot.withClient(async (c) =>
            Number(
              (
                await c.query<{ n: string }>(
                  "SELECT count(*)::text AS n FROM pg_stat_activity WHERE query LIKE '%virtualtransaction AS vxid%' AND query NOT LIKE '%pg_stat_activity%'",
                )
              ).rows[0]?.n,
            ),
          ),
        )
        .toBeGreaterThan(0);
      // Then a site is renamed and committed: a "Sync now" after it must show the new name.
      await hot.withClient((c) =>
        c.query("UPDATE location SET name = 'Renamed meanwhile' WHERE location_id = (SELECT min(location_id) FROM location)"),
      );
      expect(sync.busy).toBe(true);
      const asked = sync.sync({ datasets: ['location'] });
      const alsoAsked = sync.sync({ datasets: ['alert'], reconcile: 'periodic' });
      let idle = false;
      const idled = sync.idle().then(() => {
        idle = true;
      });
      await writer.query('COMMIT');
      const [before, after, shared] = await Promise.all([first, asked, alsoAsked]);
      // The first run missed the rename (its marks were read before it); the next one has it, for both callers.
      expect(byName(before).location.rows).toBe(0);
      expect(byName(after).location.rows).toBe(1);
      expect(await queryRows(conn, 'SELECT name FROM hot.location WHERE name = $1', ['Renamed meanwhile'])).toHaveLength(1);
      expect(after).toBe(shared);
      expect(after.datasets.map((d) => d.dataset).sort()).toEqual(['alert', 'location']);
      await idled;
      expect([idle, sync.busy]).toEqual([true, false]);
      await expectMirrorEqualsPg();
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await writer.end();
      conn.closeSync();
    }
  });

  it('does not log the archiver’s deletes (made with SKIP_CHANGE_LOG_SQL)', async () => {
    const logged = async (): Promise<number> =>
      hot.withClient(async (c) =>
        Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM workbench.telemetry_changes')).rows[0].n),
      );
    const before = await logged();
    await hot.withClient(async (c) => {
      await c.query('BEGIN');
      await c.query(SKIP_CHANGE_LOG_SQL);
      await c.query('DELETE FROM telemetry WHERE battery_id = 99997');
      await c.query('COMMIT');
      // The setting ends with its transaction.
      await c.query('DELETE FROM telemetry WHERE battery_id = 99998');
    });
    expect(await logged()).toBe(before + 1);
  });

  it('catches changes no trigger saw by the day counts: on every manual sync, every 15 min in the background', async () => {
    const conn = await wb.engine.connect();
    const unlogged = (batteryId: number): Promise<unknown> =>
      hot.withClient(async (c) => {
        await c.query('BEGIN');
        await c.query(SKIP_CHANGE_LOG_SQL);
        await c.query(
          'DELETE FROM telemetry WHERE (battery_id, ts) = (SELECT battery_id, ts FROM telemetry WHERE battery_id = $1 ORDER BY ts LIMIT 1)',
          [batteryId],
        );
        await c.query('COMMIT');
      });
    try {
      await wb.data.syncNow(['telemetry']);
      const sync = new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp') });
      await unlogged(3);
      // A sync's first check is due at once.
      expect(byName(await sync.sync({ datasets: ['telemetry'], reconcile: 'periodic' })).telemetry.repairedDays).toHaveLength(1);
      await unlogged(4);
      await hot.withClient((c) =>
        c.query(
          'UPDATE telemetry SET voltage_v = 9.999 WHERE (battery_id, ts) = (SELECT battery_id, ts FROM telemetry ORDER BY ts DESC LIMIT 1)',
        ),
      );
      const background = byName(await sync.sync({ datasets: ['telemetry'], reconcile: 'periodic' }));
      expect([background.telemetry.rows, background.telemetry.repairedDays]).toEqual([1, []]);
      expect(byName(await sync.sync({ datasets: ['telemetry'] })).telemetry.repairedDays).toHaveLength(1);
      await expectMirrorEqualsPg();
    } finally {
      conn.closeSync();
    }
  });

  it('copies in full once when the change log was pruned past the mirror', async () => {
    await wb.data.syncNow();
    const pruned = await hot.withClient(async (c) => {
      await c.query("UPDATE workbench.telemetry_changes SET logged_at = now() - interval '8 days'");
      return pruneChangeLog(c, 'telemetry');
    });
    expect(pruned).toBeGreaterThan(0);
    expect(
      await hot.withClient(async (c) =>
        Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM workbench.telemetry_changes')).rows[0].n),
      ),
    ).toBe(0);
    // A mirror that last synced before the cut cannot know what it missed.
    await duck.run("UPDATE _workbench.mirror_state SET watermark = 5 WHERE dataset = 'telemetry'");
    const report = byName(await wb.data.syncNow(['telemetry']));
    expect(report.telemetry.mode).toBe('full');
    expect(report.telemetry.note).toMatch(/change log/);
    await expectMirrorEqualsPg();
    expect(byName(await wb.data.syncNow(['telemetry'])).telemetry.mode).toBe('incremental');
  });

  it('copies in full, and says why, where PostgreSQL refuses change tracking (a role that does not own the tables)', async () => {
    const other = await mkdtemp(join(tmpdir(), 'bw-mirror-reader-'));
    await hot.withClient(async (c) => {
      await c.query('DROP TRIGGER location_track_change ON location');
      await c.query("CREATE ROLE mirror_reader LOGIN PASSWORD 'reader-pw'");
      await c.query('GRANT USAGE ON SCHEMA public TO mirror_reader');
      await c.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO mirror_reader');
    });
    const grantChangeLogs = (): Promise<unknown> =>
      hot.withClient(async (c) => {
        await c.query('GRANT USAGE ON SCHEMA workbench TO mirror_reader');
        await c.query('GRANT SELECT ON ALL TABLES IN SCHEMA workbench TO mirror_reader');
      });
    const url = `postgres://mirror_reader:reader-pw@127.0.0.1:${hot.embedded?.port ?? 0}/postgres`;
    const reader = await openWorkbench({ workspaceDir: other, entry: 'test', data: { start: 'lazy' }, pgUrl: url });
    try {
      // Without rights on the change logs, everything is copied in full; the note says which grant is missing.
      const blind = byName(await reader.data.syncNow());
      expect([blind.telemetry.mode, blind.telemetry.tracking]).toEqual(['full', 'none']);
      expect(blind.telemetry.note).toMatch(/may not read telemetry's change log \(GRANT USAGE ON SCHEMA workbench/);
      await grantChangeLogs();
      const first = byName(await reader.data.syncNow());
      expect([first.location.mode, first.location.tracking]).toEqual(['full', 'none']);
      expect(first.location.note).toMatch(/must be owner/);
      expect(first.telemetry.tracking).toBe('triggers');
      expect(first.telemetry.rows).toBeGreaterThan(0);
      await hot.withClient(async (c) => {
        await c.query("UPDATE location SET name = 'Renamed again' WHERE location_id = (SELECT min(location_id) FROM location)");
        await c.query(
          'UPDATE telemetry SET voltage_v = 4.444 WHERE (battery_id, ts) = (SELECT battery_id, ts FROM telemetry ORDER BY ts LIMIT 1)',
        );
      });
      const second = byName(await reader.data.syncNow());
      expect([second.location.mode, second.telemetry.mode, second.telemetry.rows, second.telemetry.changes]).toEqual([
        'full',
        'incremental',
        1,
        1,
      ]);
      const conn = await reader.engine.connect();
      try {
        for (const name of ['location', 'telemetry', 'alert'] as const) {
          const spec = DATASETS[name];
          const mirrored = (await queryRows(conn, `SELECT ${rowText(spec, 'duck', false)} AS r FROM hot.${name}`)).map((x) => String(x.r));
          const pg = await pgRows(spec, false);
          expect({ name, missing: minus(pg, mirrored), extra: minus(mirrored, pg) }).toEqual({ name, missing: [], extra: [] });
        }
      } finally {
        conn.closeSync();
      }
    } finally {
      await reader.close();
      await rm(other, { recursive: true, force: true });
    }
    // The owner's next sync puts the tracking back.
    const back = byName(await wb.data.syncNow(['location']));
    expect(back.location.tracking).toBe('triggers');
  });

  it('upgrades a hot store and a mirror from before every table had an ingest_id: tracking added, everything copied once', async () => {
    await hot.withClient(async (c) => {
      await c.query('DROP TRIGGER battery_track_change ON battery');
      await c.query('ALTER TABLE battery DROP COLUMN ingest_id');
    });
    await duck.run('ALTER TABLE hot.battery DROP COLUMN ingest_id');
    const conn = await wb.engine.connect();
    try {
      const sync = new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp') });
      const first = await sync.sync();
      expect(first.datasets.filter((d) => d.rows > 0).every((d) => d.mode === 'full' && d.tracking === 'triggers')).toBe(true);
      expect(byName(first).battery.rows).toBeGreaterThan(0);
      await expectMirrorEqualsPg();
      await hot.withClient((c) =>
        c.query("UPDATE battery SET serial_no = 'SN-REPLACED' WHERE battery_id = (SELECT min(battery_id) FROM battery)"),
      );
      const next = byName(await sync.sync());
      expect([next.battery.mode, next.battery.rows, next.battery.changes]).toEqual(['incremental', 1, 1]);
      await expectMirrorEqualsPg();
    } finally {
      conn.closeSync();
    }
  });

  it('creates the tables of datasets added since the hot store was made (battery rooms), then syncs them like the others', async () => {
    const added: DatasetName[] = ['environmental_sensor', 'environmental_telemetry'];
    // A hot store and a mirror from before the battery rooms: no tables in PostgreSQL, nothing mirrored.
    await hot.withClient(async (c) => {
      for (const name of added) {
        await c.query(`DROP TABLE ${qualifiedName('public', name)}`);
        await c.query(`DROP TABLE ${changeLogTable(name)}`);
      }
    });
    for (const name of added) {
      await duck.run(`DELETE FROM ${qualifiedName(HOT_MIRROR_SCHEMA, name)}`);
      await duck.run(`DELETE FROM ${qualifiedName(META_SCHEMA, 'mirror_state')} WHERE dataset = $1`, [name]);
    }
    const conn = await wb.engine.connect();
    try {
      const sync = new MirrorSync({ duck: conn, hot, tmpDir: join(dir, 'tmp') });
      const first = byName(await sync.sync());
      for (const name of added) expect([first[name].rows, first[name].tracking], name).toEqual([0, 'triggers']);
      // The new tables are tracked: a sensor and its readings written now reach the mirror at the next sync.
      await hot.withClient(async (c) => {
        await c.query("INSERT INTO environmental_sensor VALUES (99, 1, 'Battery room', 'humidity', '%RH')");
        await c.query(
          "INSERT INTO environmental_telemetry (sensor_id, ts, value) VALUES (99, now(), 41.5), (99, now() - interval '5 minutes', 42)",
        );
      });
      const next = byName(await sync.sync());
      // (A table's first rows are read from id 0: the report calls that a full copy.)
      expect([next.environmental_sensor.rows, next.environmental_telemetry.rows]).toEqual([1, 2]);
      expect(next.telemetry.rows).toBe(0);
      await expectMirrorEqualsPg();
    } finally {
      conn.closeSync();
    }
  });
});
