// Test support for the archive suites: what a user sees of a workspace, and an archive run in this process.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveRequest } from '../../../shared/api/archive';
import type { JobSummary } from '../../../shared/api/jobs';
import { queryNumber } from '../engine/duck-query';
import type { HotRole } from '../hot/hot-roles';
import { applicationName } from '../hot/hot-store';
import { openWorkbench, type Workbench } from '../workbench';

export interface ViewCounts {
  telemetry: number;
  telemetryKeys: number;
  stringTelemetry: number;
  stringKeys: number;
  environmental: number;
  environmentalKeys: number;
  maintenance: number;
}

/** What a user sees offline (no PostgreSQL): the unified views over the mirror and the lake. */
export async function viewCounts(ws: string): Promise<ViewCounts> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
  try {
    const conn = await wb.engine.connect();
    try {
      return {
        telemetry: await queryNumber(conn, 'SELECT count(*) FROM telemetry'),
        telemetryKeys: await queryNumber(conn, 'SELECT count(DISTINCT (battery_id, ts)) FROM telemetry'),
        stringTelemetry: await queryNumber(conn, 'SELECT count(*) FROM string_telemetry'),
        stringKeys: await queryNumber(conn, 'SELECT count(DISTINCT (string_id, ts)) FROM string_telemetry'),
        environmental: await queryNumber(conn, 'SELECT count(*) FROM environmental_telemetry'),
        environmentalKeys: await queryNumber(conn, 'SELECT count(DISTINCT (sensor_id, ts)) FROM environmental_telemetry'),
        maintenance: await queryNumber(conn, 'SELECT count(DISTINCT event_id) FROM maintenance_event'),
      };
    } finally {
      conn.closeSync();
    }
  } finally {
    await wb.close();
  }
}

export async function lakeTemps(ws: string): Promise<string[]> {
  const all = await readdir(join(ws, 'lake'), { recursive: true });
  return all.map(String).filter((f) => f.split('/').some((p) => p.startsWith('.bw-tmp-')));
}

export async function withPg<T>(ws: string, fn: (wb: Workbench) => Promise<T>): Promise<T> {
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
  try {
    return await fn(wb);
  } finally {
    await wb.close();
  }
}

export async function hotRowsBefore(wb: Workbench, table: string, column: string, cutoff: Date): Promise<number> {
  const hot = await wb.data.hotStore();
  return hot.withClient(async (c) =>
    Number(
      (await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE ${column} < $1`, [cutoff.toISOString()])).rows[0].n,
    ),
  );
}

/** The roles of the open sessions serving `role`'s task, each as "<role> superuser=<bool>". */
export async function sessionRoles(wb: Workbench, role: HotRole): Promise<string[]> {
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

export async function archiveInProcess(
  wb: Workbench,
  req: Partial<ArchiveRequest>,
  atStep?: (step: string, staged: string | null, batch: { dataset: string; day: string }) => Promise<void>,
): Promise<JobSummary> {
  const parsed = ArchiveRequest.parse({ olderThanDays: 2, ...req });
  const started = wb.jobs.start('archive', (ctx) => wb.archive.run(parsed, ctx, atStep), { exclusive: true });
  return (await started.done) as JobSummary;
}
