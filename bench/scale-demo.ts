import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atMost, type ScaleFigure } from './scale-kit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What `demo --json` prints (the fields this part reads). */
interface DemoJson {
  rows: Record<string, { hot: number; cold: number }>;
  promised: { telemetry: { hot: number; cold: number } };
  lake: { files: number; bytes: number };
  mirror: { elapsedMs: number };
  rollupMs: number;
  elapsedMs: number;
  peakRssBytes: number;
  hotDataDir: string | null;
}

/**
 * `demo --scale year` (ask 1 of the scale issue): the CLI in a process of its own on a fresh temp workspace, every
 * run, so both figures are measured (a cached year workspace has no generation to time, and this benchmark's own
 * process has held other parts' memory). Wall time is from spawning the CLI to its exit (generation, mirror sync,
 * the last rollups); peak RSS is the CLI's own `peakRssBytes` (Node and DuckDB; PostgreSQL runs in processes of its
 * own). The workspace and its PostgreSQL data folder are deleted afterwards.
 */
export async function scaleDemo(): Promise<ScaleFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-scale-demo-'));
  let hotDataDir: string | null = null;
  try {
    const t0 = performance.now();
    // --no-features: the generation as measured before the demo materialized its feature sets (bench/features.ts times those).
    const out = await runCli(['demo', '--scale', 'year', '--no-features', '--json', '--workspace', join(dir, 'ws')]);
    const wallMs = performance.now() - t0;
    const report = JSON.parse(out) as DemoJson;
    hotDataDir = report.hotDataDir;
    const t = report.rows.telemetry ?? { hot: 0, cold: 0 };
    const detail = {
      telemetryRows: t.hot + t.cold,
      promisedTelemetry: report.promised.telemetry.hot + report.promised.telemetry.cold,
      lakeFiles: report.lake.files,
      lakeBytes: report.lake.bytes,
      generateMs: report.elapsedMs - report.mirror.elapsedMs - report.rollupMs,
      mirrorSyncMs: report.mirror.elapsedMs,
      lastRollupsMs: report.rollupMs,
    };
    if (detail.telemetryRows !== detail.promisedTelemetry)
      throw new Error(`demo --scale year wrote ${detail.telemetryRows} telemetry rows, not the ${detail.promisedTelemetry} it promised`);
    return [
      atMost('demo year: generation wall time', wallMs, 'ms', 300_000, detail),
      atMost('demo year: peak RSS (CLI process, DuckDB included; not PostgreSQL)', report.peakRssBytes / 2 ** 20, 'MB', 1536),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
    if (hotDataDir) await rm(hotDataDir, { recursive: true, force: true });
  }
}

/** The CLI from source in a child process; its stdout, or an error with its stderr when it fails. */
function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'electron/cli/index.ts'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`battery-workbench ${args.join(' ')} exited with ${String(code)}: ${stderr.slice(-2000)}`));
    });
  });
}
