import type { DuckDBConnection } from '@duckdb/node-api';
import type { Engine } from '../engine/engine';
import type { CompactDeps } from '../lake/compact';
import { LakeIntents } from '../lake/intents';
import { writerTurn, type Lake } from '../lake/lake';
import type { Statement } from '../mirror/meta';
import type { JobContext, JobRunner } from '../jobs/runner';

export interface LakeWriterJobDeps {
  engine: Engine;
  jobs: JobRunner;
  lake: Lake;
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
}

/** What a job that writes the lake works with: its connection, the lake, the journal and the view switch. */
export function lakeJobDeps(
  deps: Pick<LakeWriterJobDeps, 'lake' | 'commitViews'>,
  conn: DuckDBConnection,
  signal: AbortSignal,
): CompactDeps {
  return {
    conn,
    lake: deps.lake,
    intents: new LakeIntents(conn),
    commitViews: (statements, datasets) => deps.commitViews(statements, datasets),
    signal,
  };
}

/**
 * Starts an exclusive job that rewrites the lake: on its own workspace connection, in the lake-writer turn (an archival,
 * a compaction, another such job or a lake check is waited for, cancellably, and the wait shown as its progress), with
 * the journal and view switch a lake job needs. Returns the job's id.
 */
export function startLakeWriterJob<R>(
  deps: LakeWriterJobDeps,
  kind: string,
  owner: string,
  run: (jobDeps: CompactDeps, ctx: JobContext) => Promise<R>,
): { jobId: string } {
  const { jobId } = deps.jobs.start(
    kind,
    async (ctx) =>
      deps.engine.withConnection(async (conn) => {
        const writer = await writerTurn(deps.lake, owner, {
          signal: ctx.signal,
          onWait: (message) => ctx.progress({ phase: 'waiting', message }),
        });
        try {
          return await run(lakeJobDeps(deps, conn, ctx.signal), ctx);
        } finally {
          await writer.release();
        }
      }),
    { exclusive: true, phase: kind },
  );
  return { jobId };
}
