import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { DATASETS, INGEST_COLUMN } from '../shared/domain/datasets';
import { quoteIdent } from '../shared/sql';
import { queryNumber } from '../electron/core/engine/duck-query';
import { createHotTable, indexSql } from '../electron/core/hot/hot-schema';
import { HotStore } from '../electron/core/hot/hot-store';
import { ensureMetaSchema } from '../electron/core/mirror/meta';
import { MirrorSync } from '../electron/core/mirror/mirror-sync';

const ROWS = 5_000_000;

/**
 * A new hot `telemetry` table (no day partitions) holding `rows` readings of 2,500 jars, one every 5 minutes from
 * 2024-01-01, with the workbench's indexes, analyzed: what a first mirror sync copies.
 */
export async function loadMirrorRows(hot: HotStore, rows: number): Promise<void> {
  const spec = DATASETS.telemetry;
  await hot.withClient(async (c) => {
    await c.query('DROP TABLE IF EXISTS telemetry');
    await createHotTable(c, spec, false);
    await c.query(
      `INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm)
       SELECT g % 2500 + 1, timestamptz '2024-01-01 00:00:00+00' + (g / 2500) * interval '5 minutes',
         13.5 + random() * 0.2, 22 + random() * 6, 3 + random()
       FROM generate_series(0, ${rows - 1}) g`,
    );
  });
  await hot.withClient(async (c) => {
    for (const sql of indexSql(spec)) await c.query(sql);
    await c.query('ANALYZE telemetry');
  });
}

/**
 * Mirror sync of 5,000,000 telemetry rows (PostgreSQL -> COPY CSV -> DuckDB mirror table, committed with
 * watermarks) against the baseline of the same rows through a raw `COPY ... TO STDOUT` via pg-copy-streams
 * into nothing, in the same run on the same embedded PostgreSQL. Target: ratio <= 1.5. Then the incremental
 * cost: a sync with nothing new (copies 0 rows), and one after 10,000 corrected and 1,000 deleted readings.
 */
export async function benchMirrorSync(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-bench-mirror-'));
  const hot = await HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: dir, workspacePgDir: join(dir, 'pg') });
  const dataDir = hot.info.dataDir;
  const instance = await DuckDBInstance.create(join(dir, 'workspace.duckdb'));
  const duck = await instance.connect();
  try {
    const spec = DATASETS.telemetry;
    const loadStart = Date.now();
    await loadMirrorRows(hot, ROWS);
    const loadMs = Date.now() - loadStart;

    const cols = [...spec.columns.map((c) => quoteIdent(c.name)), quoteIdent(INGEST_COLUMN)].join(', ');
    const rawRun = async (): Promise<{ ms: number; bytes: number; rows: number }> =>
      hot.withClient(async (c) => {
        const t0 = performance.now();
        let bytes = 0;
        const stream = c.query(
          copyTo(`COPY (SELECT ${cols} FROM public.telemetry WHERE ${quoteIdent(INGEST_COLUMN)} > 0) TO STDOUT WITH (FORMAT csv)`),
        );
        await pipeline(
          stream,
          new Writable({
            write(chunk: Buffer, _enc, cb) {
              bytes += chunk.length;
              cb();
            },
          }),
        );
        return { ms: performance.now() - t0, bytes, rows: stream.rowCount };
      });

    const raw1 = await rawRun();
    await ensureMetaSchema(duck);
    const sync = new MirrorSync({ duck, hot, tmpDir: join(dir, 'tmp') });
    const t0 = performance.now();
    const report = await sync.sync({ datasets: ['telemetry'] });
    const mirrorMs = performance.now() - t0;
    const raw2 = await rawRun();
    const mirrored = await queryNumber(duck, 'SELECT count(*) FROM hot.telemetry');
    const rawMs = Math.min(raw1.ms, raw2.ms);
    // Incremental cost, as the background sync runs it: nothing new, then 10,000 corrected and 1,000 deleted readings.
    const t1 = performance.now();
    const idle = await sync.sync({ datasets: ['telemetry'], reconcile: 'periodic' });
    const idleMs = performance.now() - t1;
    await hot.withClient(async (c) => {
      // 2,000 readings per jar: five jars corrected, half of one jar's deleted.
      await c.query('UPDATE telemetry SET voltage_v = 1.234 WHERE battery_id BETWEEN 1 AND 5');
      await c.query(
        `DELETE FROM telemetry WHERE battery_id = 8 AND ts < timestamptz '2024-01-01 00:00:00+00' + 1000 * interval '5 minutes'`,
      );
    });
    const t2 = performance.now();
    const changed = await sync.sync({ datasets: ['telemetry'], reconcile: 'periodic' });
    const changedMs = performance.now() - t2;
    return {
      rows: ROWS,
      mirroredRows: mirrored,
      pgLoadMs: loadMs,
      rawCopyMs: Math.round(rawMs),
      rawCopyRuns: [Math.round(raw1.ms), Math.round(raw2.ms)],
      rawCopyBytes: raw1.bytes,
      mirrorSyncMs: Math.round(mirrorMs),
      mirrorBytes: report.bytes,
      ratio: Number((mirrorMs / rawMs).toFixed(3)),
      idleSyncMs: Math.round(idleMs),
      idleSyncRows: idle.rows,
      changedSyncMs: Math.round(changedMs),
      changedSyncRows: changed.rows,
      changedSyncKeys: changed.datasets[0]?.changes ?? 0,
      target: 'ratio <= 1.5',
      pass: mirrorMs / rawMs <= 1.5 && mirrored === ROWS && idle.rows === 0,
    };
  } finally {
    duck.closeSync();
    instance.closeSync();
    await hot.close();
    await rm(dir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
