import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchiveReport } from '../../../shared/api/archive';
import { queryNumber } from '../engine/duck-query';
import { loadHotIdentity } from '../hot/hot-identity';
import { ROLE_NAMES } from '../hot/hot-roles';
import { demoWorkspace as demoFleet, lakeCheck, runCli, withTestWorkbench } from '../testing/cli-process.fixture';
import { openWorkbench } from '../workbench';
import { manifestKey } from '../lake/manifest';
import { cutoffFor } from './archiver';
import { daysBetween, ensureDayPartitions } from '../hot/hot-schema';
import { archiveInProcess, hotRowsBefore, lakeTemps, sessionRoles, viewCounts, withPg } from './archive.fixture';

const made: string[] = [];

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** Readings the gold hourly rollups account for, per family (equal to the views' rows when the rollups are current). */
async function rolledUpReadings(ws: string): Promise<{ jars: number; strings: number }> {
  return withTestWorkbench(ws, async (_wb, conn) => ({
    jars: await queryNumber(conn, 'SELECT coalesce(sum(n), 0) FROM gold.jar_hourly'),
    strings: await queryNumber(conn, 'SELECT coalesce(sum(n), 0) FROM gold.string_hourly'),
  }));
}

/** A small demo fleet: 4 days in PostgreSQL, 1 in the lake. */
function demoWorkspace(): Promise<string> {
  return demoFleet(made);
}

// Each test runs the CLI several times, and every demo and archive run ends with its rollup refresh.
describe('archival', { timeout: 240_000 }, () => {
  it('moves old days to the lake, verified, and the views neither lose nor double a row', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    const cutoff = cutoffFor(new Date(), 2);
    // Two alerts raised and cleared three days ago: a day of a few events for the dry run's size estimate.
    await withPg(ws, async (wb) =>
      (await wb.data.hotStore()).withClient((c) =>
        c.query(
          `INSERT INTO alert (alert_id, battery_id, string_id, alert_type, severity, raised_at, cleared_at, value, threshold, message)
           SELECT 900000 + i, b.battery_id, b.string_id, 'temperature_high', 'warning', $1::timestamptz, $1::timestamptz + INTERVAL '1 hour', 41.5, 40, 'test'
           FROM (SELECT battery_id, string_id FROM battery ORDER BY battery_id LIMIT 1) b, generate_series(1, 2) i`,
          [new Date(cutoff.getTime() - 86_400_000 + 3_600_000).toISOString()],
        ),
      ),
    );
    const dry = await runCli(['archive', '--older-than', '2d', '--dry-run', '--json', '--workspace', ws]);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as ArchiveReport;
    const telePlan = plan.plan.find((p) => p.dataset === 'telemetry');
    expect(telePlan?.partitions.length).toBe(2);
    expect(telePlan?.rows).toBeGreaterThan(0);
    expect(telePlan?.postgresBytes).toBeGreaterThan(0);

    const run = await runCli(['archive', '--older-than', '2d', '--json', '--workspace', ws]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ArchiveReport;
    expect(report.rowsArchived).toBe(plan.plan.reduce((a, p) => a + p.rows, 0));
    expect(report.batches.every((b) => b.state === 'done' && b.checksum !== null && b.sha256 !== null)).toBe(true);
    // The dry run's Parquet size is the order of what was written, for the datasets of many rows a day and those of a
    // few (a day of two alerts is a whole file, footer and all), with lake files to learn from or none.
    const written = (dataset: string): number =>
      report.batches.filter((b) => b.dataset === dataset).reduce((a, b) => a + b.parquetBytes, 0);
    const estimates = plan.plan
      .filter((p) => p.rows > 0)
      .map((p) => ({ dataset: p.dataset, ratio: p.estimatedParquetBytes / written(p.dataset) }));
    expect(estimates.map((e) => e.dataset)).toEqual(expect.arrayContaining(['telemetry', 'alert', 'maintenance_event']));
    for (const e of estimates) expect([e.dataset, e.ratio > 0.5 && e.ratio < 2]).toEqual([e.dataset, true]);
    expect(report.vacuum.length).toBeGreaterThan(0);
    expect(report.masterSnapshot).toContain(`master/battery/snapshot=${new Date().toISOString().slice(0, 10)}/part-0.parquet`);
    // The master snapshots are bookkeeping next to the data, not a dataset: no `cold.master` view unions their tables.
    const coldViews = await withTestWorkbench(ws, async (_wb, conn) =>
      (await conn.runAndReadAll(`SELECT view_name FROM duckdb_views() WHERE schema_name = 'cold' ORDER BY 1`))
        .getRowObjectsJS()
        .map((r) => String(r.view_name)),
    );
    expect(coldViews).toContain('telemetry');
    expect(coldViews).not.toContain('master');

    const after = await viewCounts(ws);
    expect(after).toEqual(before);
    expect(after.telemetryKeys).toBe(after.telemetry);
    expect(after.environmentalKeys).toBe(after.environmental);
    expect(after.environmental).toBeGreaterThan(0);
    // The run ended with the gold rollups following the moved rows: they count every reading of the views.
    expect(report.rollupMs).toBeGreaterThanOrEqual(0);
    expect(report.rollupError).toBeUndefined();
    expect(await rolledUpReadings(ws)).toEqual({ jars: after.telemetry, strings: after.stringTelemetry });
    await withPg(ws, async (wb) => {
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoff)).toBe(0);
      expect(await hotRowsBefore(wb, 'string_telemetry', 'ts', cutoff)).toBe(0);
      expect(await hotRowsBefore(wb, 'environmental_telemetry', 'ts', cutoff)).toBe(0);
      // The hot time series are kept in day partitions: each archived day's was emptied with TRUNCATE and
      // dropped; the days after the cut-off (and ahead) keep theirs.
      const hot = await wb.data.hotStore();
      const parts = await hot.withClient(async (c) =>
        (
          await c.query<{ name: string }>(
            "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telemetry'::regclass ORDER BY 1",
          )
        ).rows.map((r) => r.name),
      );
      for (const day of telePlan?.partitions ?? []) expect(parts).not.toContain(`telemetry_p${day.replaceAll('-', '')}`);
      expect(parts).toContain(`telemetry_p${cutoff.toISOString().slice(0, 10).replaceAll('-', '')}`);
      expect(parts).toContain('telemetry_default');
      expect(
        await hot.withClient(async (c) =>
          Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM telemetry_default')).rows[0].n),
        ),
      ).toBe(0);
      const series = ['telemetry', 'string_telemetry', 'environmental_telemetry'];
      expect(report.batches.filter((b) => series.includes(b.dataset)).map((b) => b.deletedBy)).toEqual(Array(6).fill('partition'));
      // The battery rooms' readings moved with the jars': their days are in the lake, none in PostgreSQL.
      const envPlan = plan.plan.find((p) => p.dataset === 'environmental_telemetry');
      expect(envPlan?.partitions).toEqual(telePlan?.partitions);
      expect(report.batches.filter((b) => b.dataset === 'environmental_telemetry').reduce((a, b) => a + b.rows, 0)).toBe(envPlan?.rows);
      // A row arriving later for an archived day lands in the default partition; no partition can be made
      // for that day any more (PostgreSQL would refuse), so none is, and the row is archived row by row.
      const archivedDay = telePlan?.partitions[0] ?? '';
      await hot.withClient((c) =>
        c.query(`INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) VALUES (1, $1, 2.2, 21.0, 0.5)`, [
          `${archivedDay} 06:00:07+00`,
        ]),
      );
      const created = await hot.withClient((c) =>
        ensureDayPartitions(c, daysBetween(new Date(`${archivedDay}T00:00:00Z`), new Date(`${archivedDay}T00:00:00Z`))),
      );
      expect(created).not.toContain(`telemetry_p${archivedDay.replaceAll('-', '')}`);
      expect(created).toContain(`string_telemetry_p${archivedDay.replaceAll('-', '')}`);
      await hot.withClient((c) => c.query('DELETE FROM telemetry WHERE ts = $1', [`${archivedDay} 06:00:07+00`]));
      // Audit: the manifest names the batch, its rows, checksum, host and user.
      const b = report.batches.find((x) => x.dataset === 'telemetry');
      const manifest = JSON.parse(await readFile(join(ws, 'lake', '_manifests', 'telemetry', `${b?.batchId}.json`), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(manifest.rows).toBe(b?.rows);
      expect(manifest.checksum).toBe(b?.checksum);
      expect(typeof manifest.host).toBe('string');
      // History is kept in the workspace.
      const hist = await wb.core.archive.history({ limit: 10 }, { transport: 'test' });
      expect(hist.runs.some((r) => r.runId === report.runId && r.rowsArchived === report.rowsArchived)).toBe(true);
    });
    expect(await lakeTemps(ws)).toEqual([]);

    // A run killed between a snapshot's publish and its manifest leaves the snapshot named by no manifest: the next
    // run names it.
    const snapshotDay = /snapshot=([\d-]+)\//.exec(report.masterSnapshot.find((k) => k.startsWith('master/battery/')) ?? '')?.[1];
    const snapshotManifest = join(ws, 'lake', manifestKey('master', `snapshot-battery-${String(snapshotDay)}`));
    await rm(snapshotManifest);
    expect((await lakeCheck(ws)).problems.map((p) => p.kind)).toEqual(['unlisted-file']);

    // A second run finds nothing left to move and changes nothing.
    const again = await runCli(['archive', '--older-than', '2d', '--json', '--workspace', ws]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as ArchiveReport).rowsArchived).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    const check = await lakeCheck(ws);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.exitCode).toBe(0);
    expect(check.files).toBeGreaterThan(10);
  });

  it('archives rows that arrive late for an archived day; they are visible the whole time, never twice', async () => {
    const ws = await demoWorkspace();
    const first = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--workspace', ws]);
    expect(first.code, first.stderr).toBe(0);
    const before = await viewCounts(ws);
    const day = cutoffFor(new Date(), 4).toISOString().slice(0, 10);
    // A jar that reported late: 12 readings for the archived day arrive in PostgreSQL now.
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      await hot.withClient((c) =>
        c.query(
          `INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm)
           SELECT 1, $1::timestamptz + (i * interval '1 minute') + interval '7 seconds', 2.2, 21.0, 0.5 FROM generate_series(0, 11) i`,
          [`${day} 06:00:00+00`],
        ),
      );
      await wb.data.syncNow(['telemetry']);
    });
    const withLate = await viewCounts(ws);
    expect(withLate.telemetry).toBe(before.telemetry + 12);
    expect(withLate.telemetryKeys).toBe(withLate.telemetry);
    // Killed with the late rows' file on disk but not yet switched in: still counted once.
    for (const step of ['publish:linked', 'delete:after']) {
      const killed = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--workspace', ws], {
        BW_KILL_AT: `archive:${step}`,
      });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(await viewCounts(ws), `after a kill at ${step}`).toEqual(withLate);
    }
    const done = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(done.code, done.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(withLate);
    await withPg(ws, async (wb) => {
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(new Date(), 3))).toBe(0);
      await wb.data.syncNow(['telemetry']);
    });
    expect(await viewCounts(ws)).toEqual(withLate);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('keeps rows that arrive for a day while it is being archived: exactly the verified rows go', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    const cutoff = cutoffFor(new Date(), 2);
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      const reading = (day: string) =>
        hot.withClient((c) =>
          c.query(`INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) VALUES (1, $1, 2.2, 21.0, 0.5)`, [
            `${day} 06:00:07+00`,
          ]),
        );
      let first: string | null = null;
      let blocked: Promise<unknown> | null = null;
      let waited = false;
      const archiverSessions: string[] = [];
      const summary = await archiveInProcess(wb, { datasets: ['telemetry'] }, async (step, _staged, batch) => {
        if (step === 'delete' && archiverSessions.length === 0) archiverSessions.push(...(await sessionRoles(wb, 'archiver')));
        // The first day: a jar reports a reading for it after the plan, before its rows are fetched. Its partition
        // then holds a row the batch does not: the verified rows are deleted by key range, the new one stays.
        if (step === 'export' && first === null) {
          first = batch.day;
          await reading(batch.day);
        }
        // The second day: a reading arrives while the day is held (locked from its COPY to its delete). The insert
        // waits for the delete to commit and then lands in the emptied day; nothing is lost.
        if (step === 'delete' && first !== null && batch.day !== first && blocked === null) {
          blocked = reading(batch.day).then(() => (waited = true));
          await new Promise((r) => setTimeout(r, 300));
          expect(waited).toBe(false);
        }
      });
      expect(summary.state, JSON.stringify(summary.error)).toBe('done');
      await blocked;
      expect(waited).toBe(true);
      const report = summary.report as ArchiveReport;
      expect(report.batches.every((b) => b.state === 'done')).toBe(true);
      expect(report.batches.map((b) => b.deletedBy)).toEqual(['rows', 'partition']);
      // The archiver's sessions (lock, held day, deletes) run as its own role, which is no superuser.
      expect(archiverSessions.length).toBeGreaterThan(0);
      expect(new Set(archiverSessions)).toEqual(new Set([`${ROLE_NAMES.archiver} superuser=false`]));
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoff)).toBe(2);
      await wb.data.syncNow(['telemetry']);
    });
    const after = await viewCounts(ws);
    expect(after.telemetry).toBe(before.telemetry + 2);
    expect(after.telemetryKeys).toBe(after.telemetry);
    // The next run takes the late rows too.
    const rerun = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((JSON.parse(rerun.stdout) as ArchiveReport).rowsArchived).toBe(2);
    expect(await viewCounts(ws)).toEqual(after);
    await withPg(ws, async (wb) => expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoff)).toBe(0));
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('withdraws the published file when PostgreSQL changed before the delete, and exports the day again: never two files', async () => {
    const ws = await demoWorkspace();
    const day = cutoffFor(new Date(), 4).toISOString().slice(0, 10);
    // Killed at the delete step: the day's file is published and the views read it from the lake.
    const killed = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--workspace', ws], {
      BW_KILL_AT: 'archive:delete',
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    // Meanwhile one reading of that day is deleted in PostgreSQL (a manual correction).
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      const gone = await hot.withClient((c) =>
        c.query(
          `DELETE FROM telemetry WHERE (battery_id, ts) = (SELECT battery_id, ts FROM telemetry WHERE ts >= $1::timestamptz ORDER BY ts, battery_id LIMIT 1)`,
          [`${day} 00:00:00+00`],
        ),
      );
      expect(gone.rowCount).toBe(1);
    });
    const run = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ArchiveReport;
    expect(report.batches.map((b) => b.state)).toEqual(['withdrawn', 'done']);
    const after = await viewCounts(ws);
    expect(after.telemetryKeys).toBe(after.telemetry);
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      const pgRows = await hot.withClient(async (c) =>
        Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM telemetry')).rows[0].n),
      );
      const conn = await wb.engine.connect();
      try {
        // Exactly one file for the day, holding what PostgreSQL held at the second export.
        const files = await conn.runAndReadAll(
          `SELECT DISTINCT filename AS f FROM read_parquet('${join(ws, 'lake', 'telemetry', `date=${day}`, '*.parquet')}', filename = true)`,
        );
        expect(files.getRowObjectsJS()).toHaveLength(1);
        const cold = await queryNumber(
          conn,
          `SELECT count(*) FROM telemetry WHERE tier = 'cold' AND ts >= TIMESTAMPTZ '${day} 00:00:00+00' AND ts < TIMESTAMPTZ '${day} 00:00:00+00' + INTERVAL 1 DAY`,
        );
        expect(cold).toBe(report.batches[1].rows);
        expect(pgRows + cold).toBe(
          after.telemetry -
            (await queryNumber(conn, `SELECT count(*) FROM telemetry WHERE tier = 'cold' AND ts < TIMESTAMPTZ '${day} 00:00:00+00'`)),
        );
      } finally {
        conn.closeSync();
      }
    });
    // The withdrawn file is gone, and a manifest says so.
    const manifests = await readdir(join(ws, 'lake', '_manifests', 'telemetry'));
    expect(manifests.filter((m) => m.startsWith('withdraw-'))).toHaveLength(1);
    expect(await lakeTemps(ws)).toEqual([]);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('never deletes a row that was updated between export and delete: the day is exported again with the new values', async () => {
    const ws = await demoWorkspace();
    const cutoff = cutoffFor(new Date(), 2);
    // An alert cleared three days ago, so the alert archive has a batch too.
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      await hot.withClient((c) =>
        c.query(
          `INSERT INTO alert (alert_id, battery_id, string_id, alert_type, severity, raised_at, cleared_at, value, threshold, message)
           SELECT max(alert_id) + 1, 1, 1, 'high_temperature', 'warning', $1::timestamptz - interval '1 hour', $1::timestamptz, 41.0, 40.0, 'first text' FROM alert`,
          [new Date(cutoff.getTime() - 86_400_000).toISOString()],
        ),
      );
      await wb.data.syncNow(['alert']);
    });
    const before = await viewCounts(ws);
    // Telemetry days are held (locked) from their COPY to their delete, so an UPDATE waits for the delete; the rows
    // can change between export and delete only across a crash. Killed at the delete step, then corrected:
    const killed = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--workspace', ws], {
      BW_KILL_AT: 'archive:delete',
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    let corrected: { battery_id: number; ts: string } | null = null;
    let cleared: string | null = null;
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      const r = await hot.withClient((c) =>
        c.query<{ battery_id: number; ts: string }>(
          `UPDATE telemetry SET voltage_v = 1.234 WHERE (battery_id, ts) = (SELECT battery_id, ts FROM telemetry WHERE ts < $1 ORDER BY ts, battery_id LIMIT 1) RETURNING battery_id, ts::text AS ts`,
          [cutoff.toISOString()],
        ),
      );
      corrected = r.rows[0] ?? null;
      // Alerts have no day partitions: between verify and delete, the cleared alert's text is corrected.
      const summary = await archiveInProcess(wb, { datasets: ['telemetry', 'alert'] }, async (step, _staged, batch) => {
        if (step !== 'delete' || batch.dataset !== 'alert' || cleared !== null) return;
        const a = await hot.withClient((c) =>
          c.query<{ alert_id: string }>(
            `UPDATE alert SET message = 'corrected after review' WHERE alert_id = (SELECT alert_id FROM alert WHERE cleared_at < $1 ORDER BY cleared_at LIMIT 1) RETURNING alert_id::text`,
            [cutoff.toISOString()],
          ),
        );
        cleared = a.rows[0]?.alert_id ?? 'none';
      });
      expect(summary.state, JSON.stringify(summary.error)).toBe('done');
      const report = summary.report as ArchiveReport;
      expect(report.batches.filter((b) => b.state === 'withdrawn').map((b) => b.dataset)).toEqual(['telemetry', 'alert']);
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoff)).toBe(0);
    });
    expect(corrected).not.toBeNull();
    expect(cleared).not.toBe('none');
    const after = await viewCounts(ws);
    expect(after).toEqual(before);
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      const conn = await wb.engine.connect();
      const c = corrected as unknown as { battery_id: number; ts: string };
      const v = await conn.runAndReadAll(
        `SELECT voltage_v::VARCHAR AS v, tier FROM telemetry WHERE battery_id = $1 AND ts = CAST($2 AS TIMESTAMPTZ)`,
        [c.battery_id, c.ts],
      );
      expect(v.getRowObjectsJS()).toEqual([{ v: '1.234', tier: 'cold' }]);
      const m = await conn.runAndReadAll(`SELECT message, tier FROM alert WHERE alert_id = CAST($1 AS BIGINT)`, [String(cleared)]);
      expect(m.getRowObjectsJS()).toEqual([{ message: 'corrected after review', tier: 'cold' }]);
      conn.closeSync();
    } finally {
      await wb.close();
    }
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('archives from an external PostgreSQL too: the rows come over the connection, no server-written file', async () => {
    const ws = await demoWorkspace();
    const other = await mkdtemp(join(tmpdir(), 'bw-arch-ext-'));
    made.push(other);
    await withPg(ws, async (owner) => {
      const hot = await owner.data.hotStore();
      const { password } = await loadHotIdentity(ws);
      const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${hot.embedded?.port ?? 0}/postgres`;
      const planned = await hotRowsBefore(owner, 'telemetry', 'ts', cutoffFor(new Date(), 2));
      const wb = await openWorkbench({ workspaceDir: other, entry: 'test', data: { start: 'lazy' }, pgUrl: url });
      try {
        expect(await (await wb.data.hotStore()).serverOutbox()).toBeNull();
        const summary = await archiveInProcess(wb, { datasets: ['telemetry'] });
        expect(summary.state, JSON.stringify(summary.error)).toBe('done');
        const report = summary.report as ArchiveReport;
        expect(report.rowsArchived).toBe(planned);
        expect(report.batches.map((b) => b.deletedBy)).toEqual(report.batches.map(() => 'partition'));
        const conn = await wb.engine.connect();
        const inLake = await queryNumber(
          conn,
          `SELECT count(*) FROM read_parquet('${join(other, 'lake', 'telemetry', '*', '*.parquet')}')`,
        );
        conn.closeSync();
        expect(inLake).toBe(planned);
      } finally {
        await wb.close();
      }
      expect(await hotRowsBefore(owner, 'telemetry', 'ts', cutoffFor(new Date(), 2))).toBe(0);
    });
    expect((await readdir(join(other, 'tmp')).catch(() => [] as string[])).filter((n) => n.startsWith('archive-'))).toEqual([]);
  });
});
