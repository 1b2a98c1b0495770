import type { ConvertApi } from '../../../shared/api/contract';
import { emptyConvertReport, type ConvertReport } from '../../../shared/api/convert';
import { toApiError, WorkbenchError } from '../../../shared/api/errors';
import { convertCsvFiles } from '../convert/convert';
import { listInputs, previewCsv } from '../convert/csv';
import type { ConversionHistory } from '../convert/history';
import type { Engine } from '../engine/engine';
import type { JobRunner } from '../jobs/runner';
import { LakeIntents } from '../lake/intents';
import { writerTurn, type Lake } from '../lake/lake';
import type { Statement } from '../mirror/meta';
import type { RollupService } from '../rollups/rollup-service';

export interface ConvertServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  history: ConversionHistory;
  lake: Lake;
  /** Statements + view re-creation in one transaction (DataPlatform.commitViews). */
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
  /** Called after files were published into the lake (views pick them up). */
  onLakeChanged: () => Promise<void>;
  /** A conversion into the lake ends with the gold rollups including its rows. */
  rollups: RollupService;
}

/** convert.*: preview (sniff), start (a job with progress and cancel), history of reports. */
export function createConvertService(deps: ConvertServiceDeps): ConvertApi {
  return {
    preview: async (req) => {
      return deps.engine.withConnection(async (conn) => {
        const files = await listInputs(req.inputs);
        const previews = [];
        for (const f of files.slice(0, 20)) previews.push(await previewCsv(conn, f, req.dialect, req.rows));
        return { previews };
      });
    },
    start: async (req) => {
      // Validate the inputs before a job exists, so a wrong path is an immediate error.
      await listInputs(req.inputs);
      // Under the job budget: the CSV is read and its Parquet written in row groups, whatever its size.
      const { jobId } = deps.jobs.start('convert', (ctx) =>
        deps.engine.withJobMemory(
          () =>
            deps.engine.withConnection(async (conn) => {
              const startedAt = new Date();
              let report: ConvertReport;
              try {
                // Into the lake: its turn among the lake's writers (an archive run, a compaction, a lake check are waited for).
                const writer =
                  req.target.kind === 'lake'
                    ? await writerTurn(deps.lake, 'a conversion into the lake', {
                        signal: ctx.signal,
                        onWait: (message) => ctx.progress({ phase: 'waiting', message }),
                      })
                    : null;
                try {
                  report = await convertCsvFiles(conn, req, {
                    lake: { lake: deps.lake, intents: new LakeIntents(conn), commitViews: (st, ds) => deps.commitViews(st, ds) },
                    signal: ctx.signal,
                    onProgress: (p) => ctx.progress(p),
                  });
                } finally {
                  await writer?.release();
                }
                await deps.history.record(startedAt, report, null);
                if (req.target.kind === 'lake') await deps.onLakeChanged();
              } catch (err) {
                const failed = emptyConvertReport(req.codec, req.target);
                const bad = err instanceof WorkbenchError ? err.data?.rejects : undefined;
                const warned = err instanceof WorkbenchError ? err.data?.warnings : undefined;
                if (warned) failed.warnings = warned;
                if (bad) {
                  failed.rejects = bad.rows;
                  failed.rejected = bad.total;
                }
                await deps.history.record(startedAt, failed, toApiError(err)).catch(() => undefined);
                throw err;
              }
              // Into the lake: the job ends when the gold rollups include the new rows (the conversion itself is recorded).
              return req.target.kind === 'lake' ? { ...report, ...(await deps.rollups.settle(ctx)) } : report;
            }),
          ctx.note,
        ),
      );
      return { jobId };
    },
    history: async (req) => ({ reports: await deps.history.list(req.limit) }),
  };
}
