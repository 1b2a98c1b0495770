import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES } from '../../../shared/domain/datasets';
import { ensureHotSchema, ensureUpcomingPartitions, hotStoreIsEmpty, partitionHasDayBounds, totalBytesSql } from './hot-schema';
import { HotStore } from './hot-store';
import { HOT_IDENTITY_FILE } from './hot-identity';
import { redactedUrl, externalConnection } from './hot-config';

describe('embedded hot store', () => {
  let dir: string;
  let dataDir: string | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-hot-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a real PostgreSQL, keeps data across restarts, recovers from a crash', async () => {
    const open = () => HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: dir, workspacePgDir: join(dir, 'pg') });
    const a = await open();
    dataDir = a.info.dataDir;
    const version = await a.withClient(
      async (c) => (await c.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v')).rows[0].v,
    );
    expect(version).toMatch(/^18\./);
    await a.withClient(async (c) => {
      expect(await hotStoreIsEmpty(c)).toBe(true);
      await ensureHotSchema(c);
      const t = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition",
      );
      expect(t.rows[0].n).toBe(DATASET_NAMES.length);
      // The time series are kept in day partitions (archiving a day is then a TRUNCATE), with a default one.
      const partitioned = await c.query<{ name: string }>(
        "SELECT relname AS name FROM pg_class WHERE relkind = 'p' AND relname NOT LIKE '%_idx' AND relname NOT LIKE '%_pkey' ORDER BY 1",
      );
      expect(partitioned.rows.map((r) => r.name)).toEqual(['environmental_telemetry', 'string_telemetry', 'telemetry']);
      expect((await ensureUpcomingPartitions(c, new Date('2024-01-10T12:00:00Z'))).filter((n) => n.startsWith('telemetry_'))).toEqual(
        ['20240109', '20240110', '20240111', '20240112', '20240113', '20240114', '20240115', '20240116', '20240117'].map(
          (d) => `telemetry_p${d}`,
        ),
      );
      await c.query('BEGIN');
      expect(await partitionHasDayBounds(c, 'telemetry_p20240110', '2024-01-10')).toBe(true);
      expect(await partitionHasDayBounds(c, 'telemetry_p20240110', '2024-01-11')).toBe(false);
      expect(await partitionHasDayBounds(c, 'telemetry_default', '2024-01-10')).toBe(false);
      await c.query('COMMIT');
      await c.query(
        "INSERT INTO telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm) VALUES (1, '2024-01-10 08:00:00+00', 2.2, 21, 0.5), (1, '2030-01-01 00:00:00+00', 2.2, 21, 0.5)",
      );
      const where = await c.query<{ t: string }>('SELECT tableoid::regclass::text AS t FROM telemetry ORDER BY ts');
      expect(where.rows.map((r) => r.t)).toEqual(['telemetry_p20240110', 'telemetry_default']);
      // Sizes count every partition of a partitioned table, and a plain table as itself.
      const bytes = async (t: string): Promise<number> =>
        Number((await c.query<{ b: string }>(`SELECT ${totalBytesSql(`'${t}'`)}::text AS b`)).rows[0].b);
      const leaves = await c.query<{ b: string }>(
        "SELECT sum(pg_total_relation_size(relid))::text AS b FROM pg_partition_tree('telemetry')",
      );
      expect(await bytes('telemetry')).toBe(Number(leaves.rows[0].b));
      expect(await bytes('telemetry')).toBeGreaterThan(0);
      expect(await bytes('battery')).toBe(
        Number((await c.query<{ b: string }>("SELECT pg_total_relation_size('battery')::text AS b")).rows[0].b),
      );
      expect(await bytes('battery')).toBeGreaterThan(0);
      await c.query('TRUNCATE telemetry');
      await c.query("INSERT INTO battery VALUES (1, 1, 1, 'X-1', 1, '2024-01-01')");
      expect(await hotStoreIsEmpty(c)).toBe(false);
    });
    // The password file is private and the password is not in any URL we show.
    const identity = await readFile(join(dir, HOT_IDENTITY_FILE), 'utf8');
    expect(a.info.target).not.toContain(JSON.parse(identity).password);

    // Crash 1: the postmaster dies, leaving postmaster.pid with a dead pid.
    a.embedded?.killHard();
    await new Promise((r) => setTimeout(r, 500));
    const b = await open();
    expect(await b.withClient(async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM battery')).rows[0].n)).toBe(1);

    // Crash 2: the owning process vanishes while its postmaster keeps running (an orphan).
    const orphanPid = b.embedded?.pid;
    expect(orphanPid).toBeTypeOf('number');
    const c2 = await open();
    expect(c2.embedded?.pid).not.toBe(orphanPid);
    expect(await c2.withClient(async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM battery')).rows[0].n)).toBe(1);
    await c2.close();
  });
});

describe('external hot store config', () => {
  it('never keeps a password in the URL it stores', () => {
    expect(redactedUrl('postgres://ann:s3cret@db.example:5432/fleet')).toBe('postgres://ann@db.example:5432/fleet');
    const conn = externalConnection({ kind: 'external', url: 'postgres://ann:s%40x@db:5432/f' }, {});
    expect(conn.password).toBe('s@x');
    expect(conn.connectionString).not.toContain('s%40x');
    expect(externalConnection({ kind: 'external', url: 'postgres://ann@db/f' }, { PGPASSWORD: 'env' }).password).toBe('env');
  });
});
