// The archive on an S3 lake (a real S3 protocol on loopback: s3rver behind a wrapper that enforces If-None-Match,
// and a TCP fault proxy in front that cuts connections, answers 503 and goes down).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveReport } from '../../../shared/api/archive';
import type { LakePullReport, LakeStatus } from '../../../shared/api/storage';
import type { TierMoveReport, TierPlan } from '../../../shared/api/lifecycle';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadHotIdentity } from '../hot/hot-identity';
import { lakeCheck, runCli, unifiedViewDigests, withTestWorkbench } from '../testing/cli-process.fixture';
import { manifestKey } from '../lake/manifest';
import { startFaultProxy, startS3, type FaultProxy, type S3Fixture } from '../testing/s3-server.fixture';
import { openWorkbench } from '../workbench';
import { cutoffFor } from './archiver';
import { archiveInProcess, hotRowsBefore, viewCounts, withPg } from './archive.fixture';

const made: string[] = [];
let s3: S3Fixture;
let proxy: FaultProxy;
const savedEnv = { ...process.env };

beforeAll(async () => {
  s3 = await startS3({ buckets: ['lake'] });
  proxy = await startFaultProxy(s3.endpoint);
  // In-process workbenches and CLI children find the keys in the standard AWS variables.
  Object.assign(process.env, s3.env);
  delete process.env.AWS_ENDPOINT_URL_S3;
});

afterAll(async () => {
  process.env = savedEnv;
  await proxy?.stop();
  await s3?.stop();
  for (const d of made) await rm(d, { recursive: true, force: true });
});

/** A workspace whose lake is `s3://lake/<prefix>` reached through the fault proxy. */
async function s3Workspace(prefix: string, hot: 'embedded' | null = 'embedded'): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'bw-s3ws-'));
  made.push(ws);
  const settings = {
    hot: { kind: hot ?? 'embedded' },
    lake: { kind: 's3', url: `s3://lake/${prefix}`, endpoint: proxy.endpoint },
  };
  await writeFile(join(ws, 'settings.json'), JSON.stringify(settings, null, 2));
  return ws;
}

async function demoOnS3(prefix: string): Promise<string> {
  const ws = await s3Workspace(prefix);
  const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', data: { start: 'lazy' } });
  try {
    const s = await wb.demo.start({ scale: 'small', daysHot: 4, daysCold: 1 }).done;
    if (s.state !== 'done') throw new Error(`demo failed: ${JSON.stringify(s.error)}`);
  } finally {
    await wb.close();
  }
  return ws;
}

async function coldDigests(ws: string): Promise<Record<string, string>> {
  return withTestWorkbench(ws, async (_wb, conn) => {
    const out: Record<string, string> = {};
    for (const v of ['telemetry', 'string_telemetry', 'environmental_telemetry', 'alert', 'maintenance_event']) {
      const r = await conn.runAndReadAll(`SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(t)), 0)::VARCHAR AS d FROM cold.${v} t`);
      out[v] = String(r.getRowObjectsJS()[0].d);
    }
    return out;
  });
}

describe('archival to an S3 lake', () => {
  it('survives SIGKILL at every step and a network cut mid-upload: nothing lost or doubled, lake check clean', async () => {
    const ws = await demoOnS3('faults');
    const before = await viewCounts(ws);
    for (const step of ['export', 'verify', 'publish', 'lake:uploaded', 'publish:linked', 'delete', 'delete:before-commit', 'cleanup']) {
      const killed = await runCli(
        [
          'archive',
          '--older-than',
          step.startsWith('delete') || step === 'cleanup' ? '2d' : '3d',
          '--dataset',
          'telemetry',
          '--workspace',
          ws,
        ],
        {
          BW_KILL_AT: step.includes(':') && step.startsWith('lake') ? step : `archive:${step}`,
        },
      );
      expect(killed.signal, `kill at ${step}: ${killed.stderr}`).toBe('SIGKILL');
      expect(await viewCounts(ws), `views after a kill at ${step}`).toEqual(before);
    }
    // The network cut in the middle of every upload attempt: the run fails (the SDK retried, with backoff) ...
    proxy.cutUpload(2_000, { times: 50, match: (r) => r.method === 'PUT' && r.path.includes('/telemetry/') });
    const cut = await runCli(['archive', '--older-than', '1d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    proxy.clearFaults();
    expect(cut.code, cut.stdout + cut.stderr).not.toBe(0);
    expect(await viewCounts(ws)).toEqual(before);
    // ... and the next one finishes it, saying how many requests it retried.
    proxy.failRequests(503, { times: 2, match: (r) => r.method === 'PUT' });
    const last = await runCli(['archive', '--older-than', '1d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(last.code, last.stderr).toBe(0);
    const report = JSON.parse(last.stdout) as ArchiveReport;
    expect(report.lakeRetries).toBeGreaterThanOrEqual(2);
    expect(await viewCounts(ws)).toEqual(before);
    await withPg(ws, async (wb) => {
      expect(await hotRowsBefore(wb, 'telemetry', 'ts', cutoffFor(new Date(), 1))).toBe(0);
    });
    expect((await lakeCheck(ws)).problems).toEqual([]);
  }, 600_000);

  it('names a master snapshot a killed run published without its manifest, when its cached copy is gone', async () => {
    const ws = await demoOnS3('snapshot-repair');
    const first = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(first.code, first.stderr).toBe(0);
    const key = (JSON.parse(first.stdout) as ArchiveReport).masterSnapshot.find((k) => k.startsWith('master/battery/')) ?? '';
    const day = /snapshot=([\d-]+)\//.exec(key)?.[1];
    expect(day).toBeDefined();
    // As a run killed between the snapshot's publish and its manifest leaves it, with the cache since evicted.
    const client = new S3Client(s3.clientConfig);
    await client.send(
      new DeleteObjectCommand({ Bucket: 'lake', Key: `snapshot-repair/${manifestKey('master', `snapshot-battery-${String(day)}`)}` }),
    );
    client.destroy();
    await rm(join(ws, 'lake-cache', ...key.split('/')));
    const before = await viewCounts(ws);
    const again = await runCli(['archive', '--older-than', '3d', '--dataset', 'telemetry', '--json', '--workspace', ws]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ArchiveReport).masterSnapshot).toContain(key);
    expect(await viewCounts(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);
  }, 300_000);

  it('lifecycle moves change the storage class in place (recorded by S3 and in a manifest); views and lake check unchanged', async () => {
    const ws = await demoOnS3('tiers');
    const before = await coldDigests(ws);
    const keys = await withTestWorkbench(ws, async (wb) => (await wb.data.lake.list('telemetry')).map((f) => f.key));
    expect(keys.length).toBeGreaterThan(0);
    const classes = async (): Promise<string[]> => {
      const client = new S3Client(s3.clientConfig);
      try {
        const out: string[] = [];
        for (const k of keys)
          out.push((await client.send(new HeadObjectCommand({ Bucket: 'lake', Key: `tiers/${k}` }))).StorageClass ?? 'STANDARD');
        return out;
      } finally {
        client.destroy();
      }
    };
    expect(await classes()).toEqual(keys.map(() => 'STANDARD'));
    // A local lake's tier is not one of S3's; a class that needs a restore is never offered.
    for (const tier of ['archive', 'GLACIER', 'DEEP_ARCHIVE']) {
      const r = await runCli(['lifecycle', 'policy', '--dataset', 'telemetry', '--tiers', `${tier}:1`, '--workspace', ws]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/is not a colder tier of this lake; its colder tiers are STANDARD_IA, GLACIER_IR/);
    }
    const set = await runCli(['lifecycle', 'policy', '--dataset', 'telemetry', '--tiers', 'STANDARD_IA:1', '--workspace', ws]);
    expect(set.code, set.stderr).toBe(0);
    const applied = await runCli(['lifecycle', 'tiers', '--apply', '--json', '--workspace', ws]);
    expect(applied.code, applied.stderr).toBe(0);
    expect((JSON.parse(applied.stdout) as TierMoveReport).files).toBe(keys.length);
    expect(await classes()).toEqual(keys.map(() => 'STANDARD_IA'));
    expect(await coldDigests(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);
    // The catalog took the lake's record in: the dry run finds nothing more to move.
    const dry = await runCli(['lifecycle', 'tiers', '--json', '--workspace', ws]);
    const [plan] = (JSON.parse(dry.stdout) as { plans: TierPlan[] }).plans;
    expect(plan.moves).toEqual([]);
    expect(plan.today.map((t) => [t.tier, t.files])).toEqual([
      ['STANDARD', 0],
      ['STANDARD_IA', keys.length],
      ['GLACIER_IR', 0],
    ]);
  }, 300_000);

  it('shares one lake: a second workspace pulls the same cold history, and two archivers of the same rows write them once', async () => {
    const ws = await demoOnS3('shared');
    const before = await viewCounts(ws);
    // The first archiver is cut off after its upload, before its manifest.
    await withPg(ws, async (wb) => {
      const summary = await archiveInProcess(wb, { datasets: ['telemetry'], olderThanDays: 2 }, async (step) => {
        if (step === 'publish:linked') throw new Error('network gone');
      });
      expect(summary.state).toBe('failed');
    });
    // A second workbench on another machine: same PostgreSQL, same S3 lake, its own workspace and journal.
    const other = await s3Workspace('shared');
    await withPg(ws, async (owner) => {
      const hot = await owner.data.hotStore();
      const { password } = await loadHotIdentity(ws);
      const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${hot.embedded?.port ?? 0}/postgres`;
      const wb = await openWorkbench({ workspaceDir: other, entry: 'test', data: { start: 'lazy' }, pgUrl: url });
      try {
        const summary = await archiveInProcess(wb, { datasets: ['telemetry'], olderThanDays: 2 });
        expect(summary.state, JSON.stringify(summary.error)).toBe('done');
      } finally {
        await wb.close();
      }
    });
    // The first one resumes: its rows are in the lake under the same key, deleted by the other: it finishes.
    await withPg(ws, async (wb) => {
      const summary = await archiveInProcess(wb, { datasets: ['telemetry'], olderThanDays: 2 });
      expect(summary.state, JSON.stringify(summary.error)).toBe('done');
    });
    expect(await viewCounts(ws)).toEqual(before);
    expect((await lakeCheck(ws)).problems).toEqual([]);

    // A third workspace with no PostgreSQL at all pulls the lake and sees the same cold history.
    const reader = await s3Workspace('shared');
    const pulled = await runCli(['lake', 'pull', '--json', '--workspace', reader], { BATTERY_WORKBENCH_HOT: 'off' });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((JSON.parse(pulled.stdout) as LakePullReport).status.complete).toBe(true);
    // The first workspace has its own uploads cached, not the other's: after a pull it reads the same cold history.
    expect((await runCli(['lake', 'pull', '--workspace', ws], { BATTERY_WORKBENCH_HOT: 'off' })).code).toBe(0);
    expect(await coldDigests(reader)).toEqual(await coldDigests(ws));
    const perDay = await withTestWorkbench(reader, async (_wb, conn) =>
      (
        await conn.runAndReadAll(
          `SELECT count(DISTINCT filename) AS f, count(*) AS n, count(DISTINCT (battery_id, ts)) AS k FROM read_parquet('${join(reader, 'lake-cache', 'telemetry', '*', '*.parquet')}', filename = true) GROUP BY strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d')`,
        )
      ).getRowObjectsJS(),
    );
    for (const r of perDay) {
      expect(Number(r.f)).toBe(1);
      expect(Number(r.n)).toBe(Number(r.k));
    }
  }, 300_000);

  it('works offline on what the cache covers; jobs that need S3 fail at once and status says offline', async () => {
    const ws = await demoOnS3('offline');
    const digests = await withTestWorkbench(ws, (_wb, conn) => unifiedViewDigests(conn));
    const cold = await withTestWorkbench(ws, async (_wb, conn) => {
      const r = (
        await conn.runAndReadAll(
          `SELECT count(*)::INTEGER AS n, strftime(min(ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS lo, strftime((max(ts) + INTERVAL 1 SECOND) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS hi FROM cold.telemetry`,
        )
      ).getRowObjectsJS()[0];
      return { rows: Number(r.n), from: String(r.lo), to: String(r.hi) };
    });
    expect(cold.rows).toBeGreaterThan(0);
    const spec = join(ws, 'slice.json');
    await writeFile(spec, JSON.stringify({ dataset: 'telemetry', from: cold.from, to: cold.to }));
    await proxy.down();
    try {
      const t0 = Date.now();
      expect(await withTestWorkbench(ws, (_wb, conn) => unifiedViewDigests(conn))).toEqual(digests);
      // The training export reads the cached cold days with the endpoint gone.
      const exported = await runCli(['export', '--spec', spec, '--out', join(ws, 'slice-out'), '--json', '--workspace', ws], {
        BATTERY_WORKBENCH_HOT: 'off',
      });
      expect(exported.code, exported.stderr).toBe(0);
      expect((JSON.parse(exported.stdout) as { rows: number }).rows).toBe(cold.rows);
      const status = await runCli(['lake', 'status', '--json', '--workspace', ws], { BATTERY_WORKBENCH_HOT: 'off' });
      const s = JSON.parse(status.stdout) as LakeStatus;
      expect(s.online).toBe(false);
      expect(s.lastContact).not.toBeNull();
      const archive = await runCli(['archive', '--older-than', '1d', '--workspace', ws]);
      expect(archive.code).not.toBe(0);
      expect(archive.stderr).toMatch(/offline/i);
      const pull = await runCli(['lake', 'pull', '--workspace', ws], { BATTERY_WORKBENCH_HOT: 'off' });
      expect(pull.code).toBe(1);
      expect(pull.stderr).toMatch(/offline/i);
      // "At once": no retry storm against an endpoint that is gone (each CLI start included).
      expect(Date.now() - t0).toBeLessThan(120_000);
    } finally {
      await proxy.up();
    }
  });

  it('says clearly when the credentials are wrong or the bucket is missing', async () => {
    const ws = await s3Workspace('creds');
    const bad = await runCli(['lake', 'status', '--json', '--workspace', ws], {
      BATTERY_WORKBENCH_HOT: 'off',
      AWS_ACCESS_KEY_ID: 'NOT-A-KEY',
    });
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as LakeStatus).lastError).toMatch(/credentials/i);
    const missing = await mkdtemp(join(tmpdir(), 'bw-s3ws-'));
    made.push(missing);
    await writeFile(
      join(missing, 'settings.json'),
      JSON.stringify({ hot: { kind: 'embedded' }, lake: { kind: 's3', url: 's3://no-such-bucket/x', endpoint: proxy.endpoint } }),
    );
    const nob = await runCli(['lake', 'status', '--json', '--workspace', missing], { BATTERY_WORKBENCH_HOT: 'off' });
    expect(nob.code).toBe(1);
    expect((JSON.parse(nob.stdout) as LakeStatus).lastError).toMatch(/bucket does not exist/i);
    // A job that needs the lake says the same, at once.
    const pull = await runCli(['lake', 'pull', '--workspace', missing], { BATTERY_WORKBENCH_HOT: 'off' });
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(/bucket does not exist/i);
  });
});
