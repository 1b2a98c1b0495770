import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../electron/core/files/atomic';
import { errorMessage } from '../shared/api/errors';

/**
 * `npm run bench [-- <name>...]`: runs each benchmark module and writes
 * bench/results/<name>.json (figures + timestamp + machine). Benchmarks are not tests:
 * they measure, each against a baseline taken in the same run.
 */
const here = dirname(fileURLToPath(import.meta.url));

interface BenchModule {
  name: string;
  file: string;
  exportName: string;
  about: string;
}

const BENCHES: readonly BenchModule[] = [
  {
    name: 'arrow-vs-json',
    file: 'arrow-vs-json.ts',
    exportName: 'benchArrowVsJson',
    about: '1M x 10 window: Arrow IPC vs row-object JSON',
  },
  { name: 'scroll', file: 'scroll.ts', exportName: 'benchScroll', about: 'grid scroll frame time, 5M vs 10k rows in Chromium' },
  {
    name: 'mirror-sync',
    file: 'mirror-sync.ts',
    exportName: 'benchMirrorSync',
    about: '5M telemetry rows: mirror sync vs raw COPY TO STDOUT',
  },
  { name: 'convert', file: 'convert.ts', exportName: 'benchConvert', about: '10M-row telemetry CSV: workbench convert vs raw DuckDB COPY' },
  {
    name: 'export',
    file: 'export.ts',
    exportName: 'benchExport',
    about: '10M-row training slice across tiers vs raw DuckDB COPY of the same SELECT',
  },
  {
    name: 'archive',
    file: 'archive.ts',
    exportName: 'benchArchive',
    about: '5M telemetry rows: archive end to end vs raw COPY TO STDOUT (csv, binary)',
  },
  {
    name: 's3-lake',
    file: 's3-lake.ts',
    exportName: 'benchS3Lake',
    about: 'S3 lake on loopback s3rver: archive vs local lake, lake pull vs raw GETs, multipart upload memory',
  },
  {
    name: 'fingerprint',
    file: 'fingerprint.ts',
    exportName: 'benchFingerprint',
    about: "5M-row result: the run history's result fingerprint vs SELECT count(*) of the same query (target <= 3x)",
  },
  { name: 'demo-full', file: 'demo-full.ts', exportName: 'benchDemoFull', about: 'demo --scale full: wall time and peak memory' },
  {
    name: 'dashboards',
    file: 'dashboards.ts',
    exportName: 'benchDashboards',
    about:
      'demo --scale full: p95 per fleet panel, per jar panel (7 and 90 days) and a 1-year jar series (M4) vs the same aggregate on raw telemetry',
  },
  {
    name: 'chart',
    file: 'chart.ts',
    exportName: 'benchChart',
    about: 'chart of a 5M-row time-series result (M4 at 1,200 px): p95 to its points vs the grid first window',
  },
  {
    name: 'analytics',
    file: 'analytics.ts',
    exportName: 'benchAnalytics',
    about:
      'demo --scale full (90 days): sibling anomalies of the fleet (<= 1 s), events of one string (<= 300 ms), SoH and knee of every jar (<= 2 s), each vs raw telemetry',
  },
  {
    name: 'features',
    file: 'features.ts',
    exportName: 'benchFeatures',
    about:
      'demo --scale full (90 days): one new day of jar_daily_stats (<= 2 s), a 90-day rebuild vs CREATE TABLE AS, a slice with a feature set joined vs without (<= 1.5x)',
  },
  {
    name: 'alerts',
    file: 'alerts.ts',
    exportName: 'benchAlerts',
    about: 'demo --scale full (90 days): every shipped alert rule evaluated as a run does (<= 2 s), and runs that write to the hot store',
  },
  {
    name: 'lifecycle',
    file: 'lifecycle.ts',
    exportName: 'benchLifecycle',
    about: 'demo --scale full: 30 days of telemetry moved to a local archive folder by policy vs a plain copy of the same files',
  },
  {
    name: 'scale',
    file: 'scale.ts',
    exportName: 'benchScale',
    about: 'a year of the full fleet vs 90 days: generation, panels, app open, views, archival vs binary COPY, memory at 10x',
  },
];

function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    platform: platform(),
    release: release(),
    arch: arch(),
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    totalMemoryBytes: totalmem(),
    node: process.version,
  };
}

/** Top-level numbers and ratios for the summary line. */
function headline(figures: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(figures)) {
    if (typeof v === 'number') parts.push(`${k}=${Math.round(v * 100) / 100}`);
    else if (typeof v === 'boolean') parts.push(`${k}=${v}`);
  }
  return parts.join(' ');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown benchmark ${unknown.join(', ')}. Known: ${BENCHES.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? BENCHES.filter((b) => wanted.includes(b.name)) : BENCHES;
  if (selected.length > 1) {
    // Each benchmark in its own process: peak memory and JIT/GC state of one never leak into the next.
    let failed = 0;
    for (const bench of selected) {
      const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), bench.name], { stdio: 'inherit' });
      if (r.status !== 0) failed += 1;
    }
    process.exitCode = failed > 0 ? 1 : 0;
    return;
  }
  const summary: string[] = [];
  let failures = 0;
  for (const bench of selected) {
    const file = join(here, bench.file);
    if (!existsSync(file)) {
      summary.push(`${bench.name}: not present (${bench.file}), skipped`);
      continue;
    }
    process.stderr.write(`\n▶ ${bench.name}: ${bench.about}\n`);
    const started = Date.now();
    try {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const fn = mod[bench.exportName];
      if (typeof fn !== 'function') throw new Error(`${bench.file} does not export ${bench.exportName}()`);
      const figures = (await (fn as () => Promise<Record<string, unknown>>)()) ?? {};
      const record = {
        name: bench.name,
        about: bench.about,
        timestamp: new Date().toISOString(),
        wallMs: Date.now() - started,
        machine: machine(),
        figures,
      };
      const out = join(here, 'results', `${bench.name}.json`);
      await writeFileAtomic(out, `${JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
      summary.push(`${bench.name}: ${headline(figures)} → ${out}`);
    } catch (err) {
      failures += 1;
      summary.push(`${bench.name}: FAILED: ${errorMessage(err)}`);
    }
  }
  process.stdout.write(`\nBenchmarks\n${summary.map((s) => `  ${s}`).join('\n')}\n`);
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
