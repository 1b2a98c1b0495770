import type { DemoFeatures, DemoJobReport } from '../../../shared/api/data';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { DATASET_NAMES, DATASETS } from '../../../shared/domain/datasets';
import type { Engine } from '../engine/engine';
import { materializeSets } from '../features/materialize';
import { currentDefinitions } from '../features/registry';
import { hotStoreIsEmpty } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import type { JobContext, JobRunner, StartedJob } from '../jobs/runner';
import { LakeIntents } from '../lake/intents';
import type { Lake } from '../lake/lake';
import type { RollupService } from '../rollups/rollup-service';
import { toSyncResult, type DataPlatform } from '../mirror/data-platform';
import { setSplitSql } from '../mirror/meta';
import { DEMO_MARKER_KEY, generateDemo, type DemoOptions } from './seed-demo';

/** DuckDB's memory_limit while the demo runs (see Engine.withMemoryBudget). */
export const DEMO_MEMORY_BUDGET = '704MB';

export interface DemoJobDeps {
  data: DataPlatform;
  engine: Engine;
  jobs: JobRunner;
  /** The demo ends with the gold rollups built, so the dashboards show it at once. */
  rollups: RollupService;
  /** Scratch folder for the CSV hand-off to PostgreSQL. */
  tmpDir: string;
}

/** Empty = no fleet in the hot store and no data in the lake (an interrupted demo's lake does not count). */
export async function workspaceIsEmpty(lake: Lake, hot: HotStore): Promise<boolean> {
  if (!(await hot.withClient((c) => hotStoreIsEmpty(c)))) return false;
  if (await lake.exists(DEMO_MARKER_KEY)) return true;
  for (const name of DATASET_NAMES) {
    if (DATASETS[name].partitionColumn && (await lake.list(name)).length > 0) return false;
  }
  return true;
}

/**
 * The demo as a job over the workspace's data platform: the fleet generated into PostgreSQL and the lake
 * (seed-demo.ts) while the mirror's sync is held off, then the splits set, the mirror reset and synced again.
 */
export class DemoJob {
  constructor(private readonly deps: DemoJobDeps) {}

  /** Start the demo as a job (progress on 'job.progress'). */
  start(options: DemoOptions): StartedJob<DemoJobReport> {
    if (this.deps.data.syncHeld) throw new WorkbenchError('CONFLICT', 'A demo is already being generated. Wait for it or cancel it.');
    return this.deps.jobs.start('demo', (ctx) => this.run(options, ctx), { exclusive: true, phase: 'prepare' });
  }

  /** The eager start's seeding: the small demo on an empty workspace; true when it was started. */
  async seedIfEmpty(hot: HotStore): Promise<boolean> {
    if (!(await workspaceIsEmpty(this.deps.data.lake, hot))) return false;
    this.start({ scale: 'small' });
    return true;
  }

  private run(options: DemoOptions, ctx: JobContext): Promise<DemoJobReport> {
    // A year of history is generated within a fixed budget: DuckDB's buffer pool would otherwise keep the growing
    // rollups' blocks up to half the RAM.
    return this.deps.engine.withMemoryBudget(DEMO_MEMORY_BUDGET, () => this.generate(options, ctx), ctx.note);
  }

  private async generate(options: DemoOptions, ctx: JobContext): Promise<DemoJobReport> {
    const { data, engine } = this.deps;
    // The rollups are built as the lake days land (no refresh runs meanwhile); the views switch to the new
    // fleet before a refresh may run again, and the refresh after the sync adds only the hot days.
    const report = await data
      .holdSync('The demo is being generated; the mirror syncs when it ends.', () =>
        this.deps.rollups.feeding(async (rollupProgress) => {
          const hot = await data.hotStore();
          // Let a running sync finish: the demo replaces the tables under it.
          await data.settleSync();
          const generated = await engine.withConnection((conn) =>
            engine.withConnection((feedConn) =>
              generateDemo(options, {
                duck: conn,
                hot,
                lake: data.lake,
                tmpDir: this.deps.tmpDir,
                signal: ctx.signal,
                onProgress: (p) =>
                  ctx.progress({ phase: p.phase, fraction: p.fraction * 0.7, rows: p.rows, bytes: p.bytes, message: p.message }),
                rollups: { conn: feedConn, progress: rollupProgress },
              }),
            ),
          );
          ctx.progress({ phase: 'sync', fraction: 0.7, message: 'Syncing the local mirror' });
          await data.resetMirror();
          const split = generated.window.split;
          await data.commitViews(
            DATASET_NAMES.filter((name) => DATASETS[name].splitColumn).map((name) => ({ sql: setSplitSql(name, split) })),
          );
          return generated;
        }),
      )
      .catch(async (err: unknown) => {
        // Stopped mid-way: the views follow the lake as it was left (the old fleet's files are gone), and the rollups
        // recompute what the feed had landed.
        await data.refresh().catch(() => undefined);
        throw err;
      });
    const sync = await data.syncNow(undefined, {
      ...ctx,
      progress: (u) => ctx.progress({ ...u, phase: 'sync', fraction: 0.7 + 0.1 * (u.fraction ?? 0) }),
    });
    // The sync's view refresh scheduled the rollups: the demo ends when the dashboards can show it.
    const withFeatures = options.features ?? true;
    const rollups = await this.deps.rollups.settle(ctx, [0.8, withFeatures ? 0.9 : 1]);
    const features = withFeatures ? await this.materializeFeatures(ctx, [0.9, 1]) : { features: null };
    return { ...report, sync: toSyncResult(sync), ...rollups, ...features };
  }

  /**
   * The built-in feature sets materialized over the new fleet, so a fresh demo workspace has them in the lake, with
   * their views and serving tables. A failure is reported, not thrown: the fleet itself is complete (as with the
   * rollups); `features materialize` catches up later. Cancelling the job stops it like any other step.
   */
  private async materializeFeatures(ctx: JobContext, [from, to]: [number, number]): Promise<DemoFeatures> {
    const { data, engine } = this.deps;
    ctx.progress({ phase: 'features', fraction: from, message: 'Materializing the feature sets' });
    try {
      const features = await engine.withConnection(async (conn) => {
        const intents = new LakeIntents(conn);
        await intents.ensure();
        return materializeSets(
          { conn, lake: data.lake, intents, commitViews: (st, ds) => data.commitViews(st, ds) },
          [...currentDefinitions().values()],
          {
            signal: ctx.signal,
            onProgress: (p) => ctx.progress({ phase: 'features', fraction: from + (to - from) * p.fraction, message: p.message }),
          },
        );
      });
      return { features };
    } catch (err) {
      if (ctx.signal.aborted || (err instanceof WorkbenchError && err.code === 'CANCELLED')) throw err;
      return { features: null, featuresError: errorMessage(err) };
    }
  }
}
