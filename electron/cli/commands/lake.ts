import { storageApi, type LakePin, type LakeStatus } from '../../../shared/api/storage';
import { formatBytes, formatCount, formatDuration } from '../../../shared/format';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { DDL_ENGINES, isDdlEngine, lakeDdl, lakeDdlScript, liveDdlFiles, type DdlEngine, type DdlLake } from '../../core/lake/lake-ddl';
import { openLake, parseS3Url } from '../../core/lake/open-lake';
import { defaultWorkspaceDir, workspacePaths } from '../../core/workspace/paths';
import { assertSettingsUsable, lakeFlagHelp, resolveStores } from '../../core/workspace/stores';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { jobReport, openCliWorkbench, valueOf } from '../workbench-client';
import { writeOut } from '../write-out';

const HELP = `Usage: battery-workbench lake check [--dataset D] [--repair] [--json] [--workspace DIR]
       battery-workbench lake compact --dataset D [--json] [--workspace DIR]
       battery-workbench lake status [--json] [--workspace DIR]
       battery-workbench lake pull [--dataset D] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--workspace DIR]
       battery-workbench lake pin --dataset D [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--workspace DIR]
       battery-workbench lake unpin --dataset D [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--workspace DIR]
       battery-workbench lake ddl --engine trino|spark|athena|duckdb [--schema NAME] [--json] [--workspace DIR] [--lake DIR|S3URL]

check    Reads every manifest and file of the lake (or of one dataset) and reports each problem with its
         kind, dataset, path (relative to the lake) and detail. It proves that every file a manifest names
         is there with its recorded sha256 and row count, that no visible Parquet file is unknown, that no
         key is visible from two files or from both the lake and the hot tier, and that no temp file,
         hidden file or half-done job is left over, and that the workspace's catalog of the lake (what the
         views are made from, see README "Lake catalog") equals the manifests' live set.
           missing-file, checksum-mismatch, unlisted-file, overlap, stray-temp, unreadable-manifest,
           unfinished-job, catalog-stale, outside-partition, two-tiers
         --repair does only what loses nothing: it finishes journaled compactions, conversions, retentions and
         lifecycle moves, drops a lake-folder copy whose archive-folder copy matches its manifest, removes
         temp and hidden files whose rows are proven present elsewhere, rebuilds a catalog that differs
         from the manifests, and says what it did.
compact  Rewrites every partition of a dataset that holds several files into one (the Inspector's button):
         verified (schema, rows, content checksum), published before the originals go, crash-safe.
status   Per dataset: the days the lake holds, the days cached locally (DuckDB's cold views read only
         those) and their bytes; for an S3 lake also online/offline, the last successful contact and the
         cache's size, cap and pins. A local folder lake is always complete.
pull     Fetches the lake's files (all, or one dataset's days from..to) into the local cache, verified
         against the manifests, then refreshes the cold views. A local lake has nothing to pull.
pin      Keeps a dataset's days from..to (open ends allowed) in the cache whatever its cap (S3 lakes).
unpin    Takes back a pin given with the same --dataset, --from and --to.
ddl      Prints the external-table DDL of every partitioned lake dataset (telemetry, string_telemetry,
         environmental_telemetry, alert, maintenance_event, rul_prediction) for Trino (Hive connector), Spark SQL, Athena (S3 only; partition
         projection, no repair needed) or DuckDB: column types from the dataset registry, the hive partition
         date=YYYY-MM-DD, the location (a folder as a file: URI, or s3://bucket/prefix/<dataset>/). Trino, Spark
         and Athena read every Parquet file of a day's folder: mid-compaction a day can hold a merged file and its
         originals, so run \`lake check\` first. The DuckDB views list exactly the manifests' live files (run it
         again after archival or compaction). Opens only the lake, never the workspace database.

Options:
  --dataset D        One lake dataset (check, pull: default the whole lake; compact, pin, unpin: required).
  --from YYYY-MM-DD  pull, pin, unpin: the first day (inclusive; default: the first).
  --to YYYY-MM-DD    pull, pin, unpin: the last day (inclusive; default: the last).
  --repair           check only: repair what can be repaired without losing anything.
  --engine E         ddl only: trino, spark, athena or duckdb.
  --schema NAME      ddl only: the schema (Spark, Athena: database) of the tables (default battery_workbench).
${lakeFlagHelp(21)}
  --json             Print the report (status: the lake status; pin, unpin: the pins) as one JSON object.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  -h, --help         Show this help.

Exit codes: 0 the lake is healthy (check), compacted (compact), pulled (pull) or the status was read
(offline included), 1 a problem was found or the job failed (a pull with the S3 lake out of reach:
LAKE_OFFLINE; status: the S3 lake refused the credentials or has no such bucket), 2 bad usage,
130 cancelled.`;

const SUBCOMMANDS = ['check', 'compact', 'status', 'pull', 'pin', 'unpin', 'ddl'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
/** Which subcommands take which of the options beyond --json and --workspace. */
const TAKES: Record<string, readonly Sub[]> = {
  repair: ['check'],
  dataset: ['check', 'compact', 'pull', 'pin', 'unpin'],
  from: ['pull', 'pin', 'unpin'],
  to: ['pull', 'pin', 'unpin'],
  engine: ['ddl'],
  schema: ['ddl'],
  lake: ['ddl'],
};
const NEEDS_DATASET: readonly Sub[] = ['compact', 'pin', 'unpin'];

function pinText(p: LakePin): string {
  return `${p.dataset} ${p.from ?? '…'} .. ${p.to ?? '…'}`;
}

/** `lake status` for people: where the lake is, whether it is reachable, and each dataset's days and bytes. */
export function lakeStatusText(s: LakeStatus): string {
  const lines = [`Lake: ${s.location} (${s.kind})`];
  if (s.kind === 's3') {
    const state = s.online === null ? 'not contacted yet' : s.online ? 'online' : 'OFFLINE';
    lines.push(`  ${state}, last contact ${s.lastContact ?? 'never'}${s.lastError && s.online === false ? ` (${s.lastError})` : ''}`);
  }
  if (s.cache) {
    lines.push(
      `  cache ${s.cache.dir}: ${formatBytes(s.cache.bytes)}${s.cache.maxBytes !== null ? ` of ${formatBytes(s.cache.maxBytes)}` : ', no cap'}`,
    );
    for (const p of s.cache.pins) lines.push(`  pinned: ${pinText(p)}`);
  }
  lines.push(
    s.kind === 'local'
      ? '  a local folder: every day is on disk'
      : s.complete
        ? '  every day is cached: the cold views read the whole lake'
        : '  some days are not cached: the cold views read only the cached days',
  );
  if (s.datasets.length === 0) return `${lines.join('\n')}\n  no datasets yet\n`;
  const width = Math.max(7, ...s.datasets.map((d) => d.dataset.length));
  lines.push(`  ${'dataset'.padEnd(width)}  days remote  days cached  bytes cached / remote`);
  for (const d of s.datasets) {
    lines.push(
      `  ${d.dataset.padEnd(width)}  ${formatCount(d.daysRemote).padStart(11)}  ${formatCount(d.daysCached).padStart(11)}  ` +
        `${formatBytes(d.bytesCached)} / ${formatBytes(d.bytesRemote)}${d.firstDay ? `  (${d.firstDay} .. ${d.lastDay ?? ''})` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `lake ddl`: the lake's place from the workspace settings (or --lake), without opening the workspace database;
 * DuckDB's views also read the manifests for the live files.
 */
async function printDdl(engine: DdlEngine, workspace: string | undefined, lakeFlag: string | undefined, schema: string | undefined) {
  if (schema !== undefined && schema.trim() === '') throw new CliError('--schema needs a name.', 2);
  try {
    const paths = workspacePaths(workspace ?? defaultWorkspaceDir());
    const stores = await resolveStores({ paths, lakeFlag: lakeFlag ?? null });
    assertSettingsUsable(stores);
    const where: DdlLake =
      stores.lake.kind === 'local' ? { kind: 'local', path: stores.lake.path } : { kind: 's3', ...parseS3Url(stores.lake.settings.url) };
    const files = engine === 'duckdb' ? await liveDdlFiles(await openLake(stores.lake), where) : undefined;
    return lakeDdl({ engine, lake: where, ...(schema !== undefined ? { schema } : {}), ...(files ? { files } : {}) });
  } catch (err) {
    throw new CliError(`lake ddl: ${errorMessage(err)}`, err instanceof WorkbenchError && err.code === 'BAD_INPUT' ? 2 : 1);
  }
}

export const lakeCommand: CliCommand = {
  name: 'lake',
  summary: 'The lake: check it (--repair), compact a dataset, its cache status, pull, pin and unpin (S3).',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(lakeCommand, argv, {
      dataset: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      repair: { type: 'boolean' },
      engine: { type: 'string' },
      schema: { type: 'string' },
      lake: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const sub = positionals[0] as Sub | undefined;
    if (positionals.length !== 1 || !SUBCOMMANDS.includes(sub as Sub)) {
      throw new CliError(
        `Say what to do: \`lake ${SUBCOMMANDS.join('|')}\`${sub ? `, not "${positionals.join(' ')}"` : ''}. Run \`battery-workbench lake --help\`.`,
        2,
      );
    }
    const op = sub as Sub;
    for (const [option, subs] of Object.entries(TAKES)) {
      if (values[option as keyof typeof values] !== undefined && !subs.includes(op))
        throw new CliError(`--${option} belongs to lake ${subs.join(', ')}.`, 2);
    }
    if (NEEDS_DATASET.includes(op) && !values.dataset) throw new CliError(`lake ${op} needs --dataset D.`, 2);
    if (op === 'ddl') {
      const engine = values.engine ?? '';
      if (!isDdlEngine(engine)) {
        throw new CliError(
          `lake ddl needs --engine ${DDL_ENGINES.join('|')}${values.engine === undefined ? '' : `, not ${JSON.stringify(engine.slice(0, 100))}`}.`,
          2,
        );
      }
      const ddl = await printDdl(engine, values.workspace, values.lake, values.schema);
      await writeOut(io.stdout, values.json ? `${JSON.stringify(ddl, null, 2)}\n` : lakeDdlScript(ddl));
      return 0;
    }
    const dataset = values.dataset ? { dataset: values.dataset } : {};
    const days = { ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) };
    /** The report as JSON with --json, else the text for people. */
    const print = async (report: unknown, text: () => string): Promise<void> => {
      await writeOut(io.stdout, values.json ? `${JSON.stringify(report, null, 2)}\n` : text());
    };
    // Days and dataset checked before the workspace opens: bad usage never waits for (or locks) a workspace.
    const scope = storageApi.pullLake.request.safeParse({ ...dataset, ...days });
    if (!scope.success) {
      const issue = scope.error.issues[0];
      throw new CliError(`${issue?.path.join('.') || 'the days'} ${issue?.message ?? 'are not valid'}.`, 2);
    }
    const { workbench, api, close } = await openCliWorkbench(values.workspace);
    try {
      switch (op) {
        case 'status': {
          const status = valueOf(await api.storage.lakeStatus({}));
          await print(status, () => lakeStatusText(status));
          // Offline is a state the cache serves; refused credentials or a missing bucket are a problem to fix.
          return status.lastError !== null && status.online !== false ? 1 : 0;
        }
        case 'pin':
        case 'unpin': {
          const req = { dataset: values.dataset as string, ...days };
          const { pins } = valueOf(await (op === 'pin' ? api.storage.pinLake(req) : api.storage.unpinLake(req)));
          const pin = pinText({ dataset: req.dataset, from: req.from ?? null, to: req.to ?? null });
          await print({ pins }, () => `${op === 'pin' ? 'Pinned' : 'Unpinned'} ${pin}; ${pins.length} pin(s) now\n`);
          return 0;
        }
        case 'pull': {
          const started = valueOf(await api.storage.pullLake({ ...dataset, ...days }));
          const r = await jobReport(workbench, io, started, 'lake pull', 'Cancelled. Every file fetched so far is verified and cached.');
          if (r === 130) return r;
          await print(
            r,
            () =>
              `Pulled ${formatCount(r.fetched)} file(s), ${formatBytes(r.fetchedBytes)} (${formatCount(r.alreadyCached)} already cached, ` +
              `${formatCount(r.refetched)} refetched, ${formatCount(r.evicted)} evicted, ${formatCount(r.skipped)} over the cache cap) in ${formatDuration(r.elapsedMs)}\n${lakeStatusText(r.status)}`,
          );
          return 0;
        }
        case 'compact': {
          const started = valueOf(await api.storage.compact({ dataset: values.dataset as string }));
          const r = await jobReport(
            workbench,
            io,
            started,
            'compact',
            'Cancelled. Every finished partition is complete; the others are as they were.',
          );
          if (r === 130) return r;
          await print(
            r,
            () =>
              `Compacted ${r.partitions} partition(s): ${r.filesBefore} files → ${r.filesAfter}, ${formatCount(r.rows)} rows, ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)}\n`,
          );
          return 0;
        }
        case 'check': {
          const started = valueOf(await api.storage.checkLake({ ...dataset, repair: values.repair === true }));
          const r = await jobReport(workbench, io, started, 'lake check', 'Cancelled.');
          if (r === 130) return r;
          await print(r, () => {
            const lines = [
              `${r.ok ? 'The lake is healthy' : `${r.problems.length} problem(s)`}: ${r.location}${r.dataset ? ` (${r.dataset})` : ''}, ${formatCount(r.files)} files, ${formatCount(r.rows)} rows, ${formatBytes(r.bytes)}`,
            ];
            for (const line of r.repaired) lines.push(`  repaired: ${line}`);
            for (const p of r.problems) lines.push(`  ${p.kind}  ${p.path}  ${p.detail}`);
            return `${lines.join('\n')}\n`;
          });
          return r.ok ? 0 : 1;
        }
      }
    } finally {
      await close();
    }
  },
};
