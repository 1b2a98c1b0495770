import type { ArchiveReport, ArchiveRequest } from '../../../shared/api/archive';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { Engine } from '../engine/engine';
import type { HotStore } from '../hot/hot-store';
import type { JobContext } from '../jobs/runner';
import type { DataPlatform } from '../mirror/data-platform';
import type { RollupService } from '../rollups/rollup-service';
import { Archiver, type ArchiverDeps } from './archiver';
import type { ArchiveJournal } from './state';

export interface ArchiveJobDeps {
  data: DataPlatform;
  engine: Engine;
  /** The workspace's one archive journal (also read by archive.history and the lake check). */
  journal: ArchiveJournal;
  tmpDir: string;
  /** An archival ends with the gold rollups following the moved rows. */
  rollups: RollupService;
}

/**
 * The body of an archive job (see archiver.ts): verified, crash-safe archival of old hot rows into the lake.
 * Tier switches commit together with the data platform's view refresh, serialised with it.
 */
export class ArchiveJob {
  constructor(private readonly deps: ArchiveJobDeps) {}

  async run(req: ArchiveRequest, ctx: JobContext, atStep?: ArchiverDeps['atStep']): Promise<ArchiveReport> {
    const { data } = this.deps;
    let hot: HotStore;
    try {
      hot = await data.hotStore();
    } catch (err) {
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        `PostgreSQL is not reachable, so nothing was archived: ${errorMessage(err)}. Start it (or check the connection settings) and run the archive again.`,
      );
    }
    // A sync in flight finishes first: the archiver moves tiers under the mirror.
    await data.settleSync();
    // Days are fetched into temporary tables, sorted and written under the job budget: memory stays that of a day.
    return this.deps.engine.withJobMemory(() => this.runBounded(req, ctx, hot, atStep), ctx.note);
  }

  private runBounded(req: ArchiveRequest, ctx: JobContext, hot: HotStore, atStep?: ArchiverDeps['atStep']): Promise<ArchiveReport> {
    const { data } = this.deps;
    return this.deps.engine.withConnection(async (conn) => {
      const archiver = new Archiver({
        duck: conn,
        hot,
        lake: data.lake,
        tmpDir: this.deps.tmpDir,
        connect: () => this.deps.engine.connect(),
        journal: this.deps.journal,
        commitVisibility: (statements, dataset) => data.commitViews(statements, [dataset]),
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p),
        ...(atStep ? { atStep } : {}),
      });
      const report = await archiver.run(req);
      if (req.dryRun) return report;
      // Views, catalog listeners and the gold rollups follow the moved rows; the run ends when the rollups did.
      await data.refresh();
      return { ...report, ...(await this.deps.rollups.settle(ctx)) };
    });
  }
}
