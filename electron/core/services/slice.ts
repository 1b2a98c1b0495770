import type { DuckDBConnection } from '@duckdb/node-api';
import type { SliceApi } from '../../../shared/api/contract';
import { checkSliceSpec } from '../../../shared/domain/slice-spec';
import type { Engine } from '../engine/engine';
import type { JobRunner } from '../jobs/runner';
import type { Lake } from '../lake/lake';
import { estimateSlice } from '../export/slice-estimate';
import { sliceOptions } from '../export/slice-options';
import { resolveSliceDir, writeSlice } from '../export/slice-run';

export interface SliceServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  lake: Lake;
  /** `<workspace>/exports`: where slices go by default. */
  exportsDir: string;
  appVersion: string;
  /** Scratch folder (size samples). */
  tmpDir: string;
}

/** slice.*: the training-slice export (options for pickers, validate, estimate, run as a job). */
export function createSliceService(deps: SliceServiceDeps): SliceApi {
  const withConn = <T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> => deps.engine.withConnection(fn);
  return {
    options: () => withConn((conn) => sliceOptions(conn, deps.exportsDir)),
    validate: async (req) => checkSliceSpec(req.spec),
    estimate: (req) => withConn((conn) => estimateSlice(conn, deps.lake, req.spec, deps.tmpDir)),
    run: async (req) => {
      // A taken folder is an immediate error, not a failed job.
      const dir = await resolveSliceDir(req.spec, req.path, deps.exportsDir);
      const { jobId } = deps.jobs.start(
        'slice',
        // The slice is sorted and written under the job budget: a slice of any size spills, not grows (and where DuckDB
        // cannot spill it, it is written once more under the workspace's limit).
        (ctx) =>
          deps.engine.withJobMemoryOrMore(
            () =>
              withConn((conn) =>
                writeSlice(conn, req.spec, dir, {
                  lake: deps.lake,
                  exportsDir: deps.exportsDir,
                  appVersion: deps.appVersion,
                  duckdbVersion: deps.engine.duckdbVersion,
                  signal: ctx.signal,
                  onProgress: (p) => ctx.progress(p),
                }),
              ),
            (message) => ctx.progress({ phase: 'plan', fraction: 0, message }),
            ctx.note,
          ),
        { phase: 'plan' },
      );
      return { jobId, dir };
    },
  };
}
