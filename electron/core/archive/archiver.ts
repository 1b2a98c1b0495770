// Over 400 lines on purpose: one archive run end to end (finishing a killed run, planning, the batch queue with its
// withdrawals, the per-batch state machine in processBatch, vacuum), kept together so the order of the steps reads in
// one place. The steps themselves are in steps.ts, the lock in archive-lock.ts, the master snapshot in master-snapshot.ts.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { ArchivableDataset, ArchiveReport, ArchiveRequest, BatchReport } from '../../../shared/api/archive';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { DATASETS, type DatasetName, type DatasetSpec } from '../../../shared/domain/datasets';
import { qualifiedName, quoteLiteral } from '../../../shared/sql';
import { dropEmptiedPartitions } from '../hot/hot-partitions';
import { ensureUpcomingPartitions, totalBytesSql, HOT_SCHEMA } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';
import { LakeIntents } from '../lake/intents';
import { sweepStrayTemps } from '../lake/sweep';
import { writerTurn, type Lake } from '../lake/lake';
import type { Statement } from '../mirror/meta';
import { killPoint } from '../system/kill-switch';
import { BatchFetcher, hotUnavailable, removeScratchFiles } from './fetch';
import { lockArchive, unlockArchive } from './archive-lock';
import { ensureArchiveLog } from './pg-journal';
import { cutoffFor, planDataset } from './plan';
import type { ArchiveJournal, BatchRecord } from './state';
import { snapshotMaster } from './master-snapshot';
import { BatchSteps, safeUser } from './steps';

export { cutoffFor } from './plan';

/** A day whose rows keep changing under the archiver is tried this many times in one run. */
const MAX_WITHDRAWALS_PER_DAY = 3;

export interface ArchiveProgress {
  phase: string;
  fraction: number | null;
  rows: number;
  bytes: number;
  message: string;
}

export interface ArchiverDeps {
  /** The archiver's own workspace connection. */
  duck: DuckDBConnection;
  hot: HotStore;
  lake: Lake;
  tmpDir: string;
  /** Another connection to the workspace database (the batches' rows are fetched into two of them, turn about). */
  connect(): Promise<DuckDBConnection>;
  journal: ArchiveJournal;
  /** See StepDeps.commitVisibility. */
  commitVisibility(statements: readonly Statement[], dataset: DatasetName): Promise<void>;
  signal?: AbortSignal;
  onProgress?: (p: ArchiveProgress) => void;
  now?: () => Date;
  /** Fault tests: called at each named step, with the batch's staged file if any and which batch it is. */
  atStep?: (step: string, stagedPath: string | null, batch: { dataset: string; day: string }) => Promise<void>;
}

/**
 * Verified archival from PostgreSQL to the Parquet lake, one UTC day of one dataset per batch:
 * plan → export → verify → publish → delete → done (see steps.ts), or withdraw when PostgreSQL changed
 * after the export (and the day is exported again). The journal records each batch's state before each step
 * that writes (the staged file, the lake, PostgreSQL); any rerun resumes or redoes from there. Fault tests:
 * `BW_KILL_AT=archive:<step>` for the steps export, export:after, verify, publish, publish:linked, delete,
 * delete:before-commit, delete:after, withdraw, cleanup.
 */
export class Archiver {
  private readonly fetcher: BatchFetcher;
  private readonly steps: BatchSteps;

  constructor(private readonly deps: ArchiverDeps) {
    this.fetcher = new BatchFetcher(deps.hot, () => deps.connect());
    this.steps = new BatchSteps({
      hot: deps.hot,
      lake: deps.lake,
      tmpDir: deps.tmpDir,
      fetcher: this.fetcher,
      commitVisibility: deps.commitVisibility,
      at: (step, b) => this.at(step, b),
      duck: deps.duck,
      journal: deps.journal,
    });
  }

  async run(req: ArchiveRequest): Promise<ArchiveReport> {
    const now = this.deps.now?.() ?? new Date();
    const cutoff = cutoffFor(now, req.olderThanDays);
    const report: ArchiveReport = {
      runId: `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomUUID().slice(0, 8)}`,
      dryRun: req.dryRun,
      cutoff: cutoff.toISOString(),
      host: hostname(),
      user: safeUser(),
      startedAt: now.toISOString(),
      endedAt: null,
      rowsArchived: 0,
      batches: [],
      plan: [],
      vacuum: [],
      reclaimedBytes: { reusable: 0, returnedToOs: 0 },
      masterSnapshot: [],
      error: null,
    };

    const retriesBefore = this.deps.lake.retryCount();
    let lockClient: pg.Client;
    try {
      lockClient = await this.deps.hot.connect('archiver');
    } catch (err) {
      throw new WorkbenchError(
        'HOT_UNAVAILABLE',
        `PostgreSQL is not reachable, so nothing was archived: ${errorMessage(err)}. Start it (or check the connection settings) and run the archive again.`,
        errorMessage(err),
      );
    }
    try {
      await lockArchive(lockClient);
      await this.deps.journal.saveRun(report);
      if (req.dryRun) {
        await this.runLocked(req, cutoff, report);
        return report;
      }
      // One writer per lake: the others (and the lake check) wait for this run, and it for them.
      const writer = await writerTurn(this.deps.lake, `an archive run (${report.runId})`, {
        ...(this.deps.signal ? { signal: this.deps.signal } : {}),
        onWait: (message) => this.deps.onProgress?.({ phase: 'waiting', fraction: null, rows: 0, bytes: 0, message }),
      });
      try {
        await ensureArchiveLog(lockClient);
        // Temp files a killed writer left; not those a journal resumes from (this one's, or a compaction's).
        const resumable = new Set((await this.deps.journal.unfinished()).map((b) => b.stagedPath).filter((p): p is string => p !== null));
        for (const i of await new LakeIntents(this.deps.duck).unfinished()) for (const t of i.temps) resumable.add(t);
        await sweepStrayTemps(this.deps.duck, this.deps.lake, resumable);
        await removeScratchFiles(this.deps.tmpDir);
        const outbox = await this.deps.hot.serverOutbox().catch(() => null);
        if (outbox) await removeScratchFiles(outbox);
        await this.runLocked(req, cutoff, report);
      } finally {
        await writer.release();
      }
      return report;
    } catch (err) {
      report.error = errorMessage(err);
      throw err;
    } finally {
      report.endedAt = (this.deps.now?.() ?? new Date()).toISOString();
      report.lakeRetries = this.deps.lake.retryCount() - retriesBefore;
      await this.deps.journal.saveRun(report).catch(() => undefined);
      await unlockArchive(lockClient);
      await lockClient.end().catch(() => undefined);
    }
  }

  private async runLocked(req: ArchiveRequest, cutoff: Date, report: ArchiveReport): Promise<void> {
    const { journal } = this.deps;
    let done = 0;
    let total = 0;
    const finished: BatchRecord[] = [];
    const withdrawals = new Map<string, number>();
    const queue: BatchRecord[] = [];
    /** A finished batch: into the report; a withdrawn day is planned again from what PostgreSQL holds now. */
    const record = async (result: BatchRecord): Promise<void> => {
      done++;
      finished.push(result);
      report.batches.push(toReport(result));
      if (result.state === 'done') report.rowsArchived += result.rows;
      if (result.state === 'withdrawn') {
        const key = `${result.dataset}/${result.day}`;
        const tries = (withdrawals.get(key) ?? 0) + 1;
        withdrawals.set(key, tries);
        if (tries >= MAX_WITHDRAWALS_PER_DAY) {
          throw new WorkbenchError(
            'CONFLICT',
            `${result.dataset} ${result.day}: PostgreSQL changed the day's rows ${tries} times while they were being archived; they stay in PostgreSQL and nothing was lost. Run the archive again when the writes have settled.`,
          );
        }
        const again = (await this.plan(DATASETS[result.dataset], cutoff, report.runId, result.day)).batches;
        total += again.length;
        queue.unshift(...again);
      }
      this.deps.onProgress?.({
        phase: 'batch done',
        fraction: total > 0 ? done / total : null,
        rows: report.rowsArchived,
        bytes: 0,
        message: `${result.dataset} ${result.day}: ${result.state}`,
      });
    };
    const step = async (b: BatchRecord): Promise<void> => {
      const progress = (phase: string): void =>
        this.deps.onProgress?.({
          phase,
          fraction: total > 0 ? done / total : null,
          rows: report.rowsArchived,
          bytes: 0,
          message: `${b.dataset} ${b.day}: ${phase}`,
        });
      await record(await this.processBatch(b, progress));
    };
    /**
     * Takes the next batch off the queue; the one after it is fetched meanwhile. A planned batch is journaled
     * by its export, with the staged file's name, before that file is written (nothing is written before it).
     */
    const next = async (): Promise<void> => {
      if (this.deps.signal?.aborted) {
        throw new WorkbenchError(
          'CANCELLED',
          `The archive run was cancelled after ${done} of ${total} batches; every finished batch is complete. Run again to go on.`,
        );
      }
      const b = queue.shift() as BatchRecord;
      this.steps.upNext = queue[0]?.state === 'planned' ? queue[0] : null;
      await step(b);
    };
    const sizesBefore = new Map<string, number>();
    const measure = async (tables: Iterable<string>): Promise<void> => {
      for (const t of tables) if (!sizesBefore.has(t)) sizesBefore.set(t, await this.tableBytes(t));
    };

    // 1. What an earlier run left between steps is finished first (whatever its cut-off was), before
    //    planning, so a day half-archived by a killed run is never planned twice.
    if (!req.dryRun) {
      const leftovers = await journal.unfinished();
      total = leftovers.length;
      await measure(new Set(leftovers.map((b) => b.dataset)));
      queue.push(...leftovers);
    }
    /** Works the queue off (a withdrawn day comes back on it); its wall time is the batches'. */
    let batchesMs = 0;
    const drain = async (): Promise<void> => {
      const t0 = performance.now();
      while (queue.length > 0) await next();
      batchesMs += performance.now() - t0;
    };
    try {
      await drain();
      // 2. Plan: one batch per UTC day before the cut-off, per dataset.
      const planStarted = performance.now();
      const planned: BatchRecord[] = [];
      for (const name of req.datasets) {
        const { summary, batches } = await this.plan(DATASETS[name], cutoff, report.runId);
        report.plan.push(summary);
        planned.push(...batches);
      }
      report.timingsMs = { ...report.timingsMs, plan: performance.now() - planStarted };
      if (req.dryRun) return;
      await measure(new Set(planned.map((p) => p.dataset)));
      // Rows arriving from now on land in a partition of their own day (a no-op on unpartitioned tables). Not
      // needed for correctness: a user without the right to create tables archives those days row by row.
      // Partitions are DDL: the tables' owner makes and drops them.
      await this.deps.hot.withClient('owner', (c) => ensureUpcomingPartitions(c, this.deps.now?.() ?? new Date())).catch(() => undefined);
      total += planned.length;
      queue.push(...planned);
      await drain();
    } finally {
      this.steps.upNext = null;
      await this.fetcher.close();
    }
    report.timingsMs = { ...report.timingsMs, batches: batchesMs };
    await dropEmptiedPartitions(
      () => this.deps.hot.connect('owner'),
      finished.filter((b) => b.state === 'done'),
    );

    // 3. Give the space back to PostgreSQL and say how much.
    const vacuumStarted = performance.now();
    for (const t of sizesBefore.keys()) {
      const before = sizesBefore.get(t) ?? 0;
      const t0 = performance.now();
      await this.deps.hot
        .withClient('archiver', (c) => c.query(`VACUUM (ANALYZE) ${qualifiedName(HOT_SCHEMA, t)}`))
        .catch((err: unknown) => {
          throw hotUnavailable(err, `vacuuming ${t}`);
        });
      const after = await this.tableBytes(t);
      report.vacuum.push({ table: t, bytesBefore: before, bytesAfter: after, elapsedMs: performance.now() - t0 });
      report.reclaimedBytes.returnedToOs += Math.max(0, before - after);
    }
    for (const plan of report.plan) {
      const archived = report.batches.filter((b) => b.dataset === plan.dataset && b.state === 'done').reduce((a, b) => a + b.rows, 0);
      report.reclaimedBytes.reusable += plan.rows > 0 ? Math.round((plan.postgresBytes * archived) / plan.rows) : 0;
    }
    report.timingsMs = { ...report.timingsMs, vacuum: performance.now() - vacuumStarted };
    // 4. Master data next to the cold data.
    const snapshotStarted = performance.now();
    report.masterSnapshot = await snapshotMaster(this.deps, cutoff);
    report.timingsMs = { ...report.timingsMs, snapshot: performance.now() - snapshotStarted };
  }

  private async plan(
    spec: DatasetSpec,
    cutoff: Date,
    runId: string,
    onlyDay?: string,
  ): Promise<{ summary: ArchiveReport['plan'][number]; batches: BatchRecord[] }> {
    const plan = await planDataset(this.deps.hot, this.deps.duck, this.deps.lake, spec, cutoff, onlyDay).catch((err: unknown) => {
      throw hotUnavailable(err, `planning ${spec.name}`);
    });
    const batches = plan.days.map((d): BatchRecord => {
      const batchId = `${spec.name}-${d.day}-${randomUUID().slice(0, 8)}`;
      return {
        batchId,
        runId,
        dataset: spec.name as ArchivableDataset,
        day: d.day,
        highIngestId: plan.high,
        state: 'planned',
        stagedPath: null,
        fileKey: `${spec.name}/date=${d.day}/part-archive-${batchId}.parquet`,
        rows: 0,
        checksum: null,
        minUs: null,
        maxUs: null,
        parquetBytes: 0,
        sha256: null,
        timings: {},
        error: null,
      };
    });
    return { summary: plan.summary, batches };
  }

  private async tableBytes(table: string): Promise<number> {
    return this.deps.hot
      .withClient('archiver', async (c) =>
        Number(
          (await c.query<{ b: string }>(`SELECT ${totalBytesSql(quoteLiteral(qualifiedName(HOT_SCHEMA, table)))}::text AS b`)).rows[0].b,
        ),
      )
      .catch((err: unknown) => {
        throw hotUnavailable(err, `measuring ${table}`);
      });
  }

  private async at(step: string, b: BatchRecord): Promise<void> {
    killPoint('archive', step);
    await this.deps.atStep?.(step, b.stagedPath, { dataset: b.dataset, day: b.day });
  }

  /** Drives one batch from whatever state it is in to done, withdrawn (or failed). */
  private async processBatch(b: BatchRecord, progress: (phase: string) => void): Promise<BatchRecord> {
    const spec = DATASETS[b.dataset];
    const { steps } = this;
    const { journal } = steps;
    const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      progress(name);
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        b.timings[name] = (b.timings[name] ?? 0) + (performance.now() - t0);
      }
    };
    let verifyAttempts = 0;
    for (;;) {
      switch (b.state) {
        case 'planned':
          await this.at('export', b);
          await timed('export', () => steps.export(spec, b));
          b.state = 'exported';
          await this.at('export:after', b);
          // Not journaled: the verify that follows only reads, and the journal's `planned` with this staged file
          // (written by the export) redoes the export after a kill, as `exported` would have the verify.
          break;
        case 'exported': {
          await this.at('verify', b);
          const ok = await timed('verify', () => steps.verify(spec, b));
          if (!ok) {
            verifyAttempts++;
            if (b.stagedPath) await rm(b.stagedPath, { force: true });
            b.stagedPath = null;
            if (verifyAttempts >= 2) {
              b.state = 'failed';
              await journal.save(b);
              throw new WorkbenchError(
                'LAKE_ERROR',
                `${b.dataset} ${b.day}: the Parquet file did not match PostgreSQL twice in a row (${b.error}). Nothing was deleted. Check the disk and run again.`,
              );
            }
            // Re-export once: a file damaged between write and verify is simply written again.
            b.state = 'planned';
            await journal.save(b);
            break;
          }
          b.state = 'verified';
          b.error = null;
          await journal.save(b);
          break;
        }
        case 'verified':
          await this.at('publish', b);
          if (!(await timed('publish', () => steps.publish(spec, b)))) {
            // Killed between verify and publish with the staged file gone: export again.
            b.state = 'planned';
            await journal.save(b);
          }
          break;
        case 'published': {
          await this.at('delete', b);
          const outcome = await timed('delete', () => steps.delete(spec, b));
          if (outcome.kind === 'changed') {
            await timed('withdraw', () => steps.withdraw(spec, b, outcome.reason));
            break;
          }
          b.state = 'deleted';
          await this.at('delete:after', b);
          // Not journaled: the cleanup commits `done` with its own change. After a kill here the journal's
          // `published` runs the delete again, which finds the rows gone and logged as this batch's (deleteHeld/delete).
          break;
        }
        case 'deleted':
          await this.at('cleanup', b);
          await timed('cleanup', () => steps.cleanup(spec, b));
          return b;
        case 'withdrawing':
          await timed('withdraw', () => steps.finishWithdraw(spec, b));
          return b;
        case 'done':
        case 'withdrawn':
        case 'failed':
          return b;
      }
    }
  }
}

function toReport(b: BatchRecord): BatchReport {
  return {
    batchId: b.batchId,
    dataset: b.dataset,
    day: b.day,
    state: b.state,
    rows: b.rows,
    parquetBytes: b.parquetBytes,
    checksum: b.checksum,
    sha256: b.sha256,
    file: b.fileKey,
    timingsMs: b.timings,
    error: b.error,
    deletedBy: b.deletedBy ?? null,
  };
}
