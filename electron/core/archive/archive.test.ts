import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveRequest, type ArchiveReport } from '../../../shared/api/archive';
import type { JobSummary } from '../../../shared/api/jobs';
import { DATASETS, type DatasetSpec } from '../../../shared/domain/datasets';
import { queryNumber } from '../engine/duck-query';
import { loadHotIdentity } from '../hot/hot-identity';
import { ROLE_NAMES, type HotRole } from '../hot/hot-roles';
import { applicationName, HotStore } from '../hot/hot-store';
import { seededRandom } from '../../../shared/domain/demo-fleet';
import { demoWorkspace as demoFleet, lakeCheck, runCli } from '../testing/cli-process.fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { cutoffFor } from './archiver';
import { daysBetween, ensureDayPartitions } from '../hot/hot-schema';
import { digestFromRow, digestQuery, duckDigestSelect, duckRowHash, GROUPED_PREFIX, pgDigestSelect, pgRowHash } from './checksum';

const made: string[] = [];

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** A small demo fleet: 4 days in PostgreSQL, 1 in the lake. */
function demoWorkspace(): Promise<string> {
  return demoFleet(made);
}

interface ViewCounts {
  telemetry: number;
  telemetryKeys: number;
  stringTelemetry: number;
  stringKeys: number;
  maintenance: number;
}

/** What a user sees offline (no PostgreSQL): the unified views over the mirror and the lake. */
async function viewCounts(ws: string): Promise<ViewCounts> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
  try {
    const conn = await wb.engine.connect();
    try {
      return {
        telemetry: await queryNumber(conn, 'SELECT count(*) FROM telemetry'),
        telemetryKeys: await queryNumber(conn, 'SELECT count(DISTINCT (battery_id, ts)) FROM telemetry'),
        stringTelemetry: await queryNumber(conn, 'SELECT count(*) FROM string_telemetry'),
        stringKeys: await queryNumber(conn, 'SELECT count(DISTINCT (string_id, ts)) FROM string_telemetry'),
        maintenance: await queryNumber(conn, 'SELECT count(DISTINCT event_id) FROM maintenance_event'),
      };
    } finally {
      conn.closeSync();
    }
  } finally {
    await wb.close();
  }
}

async function lakeTemps(ws: string): Promise<string[]> {
  const all = await readdir(join(ws, 'lake'), { recursive: true });
  return all.map(String).filter((f) => f.split('/').some((p) => p.startsWith('.bw-tmp-')));
}

async function withPg<T>(ws: string, fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
  try {
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

async function hotRowsBefore(wb: Workbench, table: string, column: string, cutoff: Date): Promise<number> {
  const hot = await wb.data.hotStore();
  return hot.withClient(async (c) =>
    Number(
      (await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${column} < $1`, [cutoff.toISOString()])).rows[0].n,
    ),
  );
}

/** The roles of the open sessions serving `role`'s task, each as "<role> superuser=<bool>". */
async function sessionRoles(wb: Workbench, role: HotRole): Promise<string[]> {
  const hot = await wb.data.hotStore();
  return hot.withClient(async (c) =>
    (
      await c.query<{ s: string }>(
        "SELECT a.usename || ' superuser=' || r.rolsuper AS s FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename WHERE a.application_name = $1",
        [applicationName(role)],
      )
    ).rows.map((r) => r.s),
  );
}

async function archiveInProcess(
  wb: Workbench,
  req: Partial<ArchiveRequest>,
  atStep?: (step: string, staged: string | null, batch: { dataset: string; day: string }) => Promise<void>,
): Promise<JobSummary> {
  const parsed = ArchiveRequest.parse({ olderThanDays: 2, ...req });
  const started = wb.jobs.start('archive', (ctx) => wb.data.archive(parsed, ctx, atStep), { exclusive: true });
  return (await started.done) as JobSummary;
}

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

describe('archival', () => {
  it('moves old days to the lake, verified, and the views neither lose nor double a row', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    const cutoff = cutoffFor(new Date(), 2);
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
    expect(report.vacuum.length).toBeGreaterThan(0);
    expect(report.masterSnapshot).toContain(`master/battery/snapshot=${new Date().toISOString().slice(0, 10)}/part-0.parquet`);

    const after = await viewCounts(ws);
    expect(after).toEqual(before);
    expect(after.telemetryKeys).toBe(after.telemetry);
    await withPg(ws, async (wb) => {
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoff)).toBe(0);
      expect(await hotRowsBefore(wb, 'string_telemetry', 'ts', cutoff)).toBe(0);
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
      expect(report.batches.filter((b) => b.dataset === 'telemetry' || b.dataset === 'string_telemetry').map((b) => b.deletedBy)).toEqual(
        Array(4).fill('partition'),
      );
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

  it('survives SIGKILL at every step: the next run finishes with nothing lost or doubled', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    const steps = [
      'export',
      'export:after',
      'verify',
      'publish',
      'publish:linked',
      'delete',
      'delete:before-commit',
      'delete:after',
      'cleanup',
    ];
    // Each kill lands on the first batch that reaches the step; later runs resume it and go on.
    for (const step of steps.slice(0, 5)) {
      const killed = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--workspace', ws], {
        BW_KILL_AT: `archive:${step}`,
      });
      expect(killed.signal, `kill at ${step}: ${killed.stderr}`).toBe('SIGKILL');
      expect(await viewCounts(ws), `views after a kill at ${step}`).toEqual(before);
    }
    const first = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(first.code, first.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    for (const step of steps.slice(5)) {
      const killed = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--workspace', ws], {
        BW_KILL_AT: `archive:${step}`,
      });
      expect(killed.signal, `kill at ${step}: ${killed.stderr}`).toBe('SIGKILL');
      expect(await viewCounts(ws), `views after a kill at ${step}`).toEqual(before);
    }
    const last = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(last.code, last.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    expect(await lakeTemps(ws)).toEqual([]);
    const scratch = await readdir(join(ws, 'tmp')).catch(() => [] as string[]);
    expect(scratch.filter((n) => n.startsWith('archive-'))).toEqual([]);
    await withPg(ws, async (wb) => {
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(new Date(), 2))).toBe(0);
      const conn = await wb.engine.connect();
      // Every archived day is in the lake exactly once.
      const perDay = await conn.runAndReadAll(
        `SELECT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d') AS d, count(*) AS n, count(DISTINCT filename) AS f FROM read_parquet('${join(ws, 'lake', 'telemetry', '*', '*.parquet')}', filename = true) GROUP BY 1 ORDER BY 1`,
      );
      for (const r of perDay.getRowObjectsJS()) expect(Number(r.f), `files for ${String(r.d)}`).toBe(1);
      conn.closeSync();
    });
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('survives SIGKILL at random moments: the views never change and the lake checks clean after the next run', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    // Seeded, so a failure can be replayed: delays across start-up, export, verify, publish and delete.
    const random = seededRandom(20261201);
    for (let i = 0; i < 4; i++) {
      const delay = 1500 + Math.floor(random() * 4000);
      const killed = await runCli(['archive', '--older-than', '1d', '--workspace', ws], {}, delay);
      expect(await viewCounts(ws), `views after a kill at ${delay} ms (${killed.signal ?? `exit ${String(killed.code)}`})`).toEqual(before);
    }
    const last = await runCli(['archive', '--older-than', '1d', '--json', '--workspace', ws]);
    expect(last.code, last.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);
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

  it('keeps everything when PostgreSQL stops mid-delete, and finishes on the next run', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    await withPg(ws, async (wb) => {
      const summary = await archiveInProcess(wb, { datasets: ['telemetry'] }, async (step) => {
        if (step === 'delete:before-commit') await (await wb.data.hotStore()).embedded?.stop();
      });
      expect(summary.state).toBe('failed');
      expect(summary.error?.code).toBe('HOT_UNAVAILABLE');
      expect(summary.error?.message).toMatch(/Nothing was lost.*run the archive again/);
    });
    expect(await viewCounts(ws)).toEqual(before);
    const rerun = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    await withPg(ws, async (wb) => expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(new Date(), 2))).toBe(0));
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('re-exports a file corrupted between write and verify', async () => {
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    let corrupted = 0;
    await withPg(ws, async (wb) => {
      const summary = await archiveInProcess(wb, { datasets: ['telemetry'] }, async (step, staged) => {
        if (step === 'verify' && staged && corrupted === 0) {
          corrupted++;
          await truncate(staged, 1000);
        }
      });
      expect(summary.state, JSON.stringify(summary.error)).toBe('done');
      const report = summary.report as ArchiveReport;
      expect(report.batches.every((b) => b.state === 'done')).toBe(true);
    });
    expect(corrupted).toBe(1);
    expect(await viewCounts(ws)).toEqual(before);
  });

  it('stops with a clear message when the lake disk is full, losing nothing', async () => {
    if (process.getuid?.() !== 0) throw new Error('This test mounts a small tmpfs and must run as root (CI does).');
    const ws = await demoWorkspace();
    const before = await viewCounts(ws);
    const day = cutoffFor(new Date(), 3).toISOString().slice(0, 10);
    const dir = join(ws, 'lake', 'telemetry', `date=${day}`);
    await mkdir(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    try {
      await withPg(ws, async (wb) => {
        const summary = await archiveInProcess(wb, { datasets: ['telemetry'] });
        expect(summary.state).toBe('failed');
        expect(summary.error?.message).toMatch(/disk holding the lake is full.*Nothing was deleted/);
      });
      expect(await readdir(dir)).toEqual([]);
      expect(await viewCounts(ws)).toEqual(before);
    } finally {
      execFileSync('umount', [dir]);
    }
    const rerun = await runCli(['archive', '--older-than', '2d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  });

  it('lets only one archiver run against a PostgreSQL, and says who holds it', async () => {
    const ws = await demoWorkspace();
    await withPg(ws, async (wb) => {
      const hot = await wb.data.hotStore();
      const holder = await hot.connect();
      try {
        await holder.query("SELECT pg_advisory_lock(hashtext('battery-workbench:archive'))");
        const summary = await archiveInProcess(wb, {});
        expect(summary.state).toBe('failed');
        expect(summary.error?.code).toBe('CONFLICT');
        expect(summary.error?.message).toMatch(/Another archive run holds the archive lock.*backend pid \d+/);
      } finally {
        await holder.end();
      }
    });
  });

  it('says what to do when PostgreSQL is unreachable at start', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'bw-arch-nopg-'));
    made.push(ws);
    await writeFile(join(ws, '.keep'), '');
    const r = await runCli(['archive', '--older-than', '7d', '--workspace', ws, '--pg-url', 'postgres://nobody@127.0.0.1:9/none']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PostgreSQL is not reachable, so nothing was archived.*run the archive again/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
