import { ARCHIVABLE_DATASETS } from '../../../shared/api/archive';
import { WorkbenchError } from '../../../shared/api/errors';
import type { LifecyclePolicies, LifecyclePolicy, TierMoveReport } from '../../../shared/api/lifecycle';
import type { LifecycleApi } from '../../../shared/api/contract';
import type { Engine } from '../engine/engine';
import type { JobRunner } from '../jobs/runner';
import type { Lake } from '../lake/lake';
import { applyRetention, notRetirableWhy, planRetention } from '../lifecycle/retention';
import { applyTiers, finishTierMoves, planTiers, tierStepsProblem } from '../lifecycle/tiers';
import type { Statement } from '../mirror/meta';
import { patchSettings, readSettingsFile } from '../workspace/settings';
import { startLakeWriterJob } from './lake-writer-job';

export interface LifecycleServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  lake: Lake;
  /** The workspace's settings.json, where the policies live. */
  settingsFile: string;
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
  onLakeChanged: () => Promise<void>;
  /** The clock (tests fix it). */
  now?: () => number;
}

function isArchivable(dataset: string): boolean {
  return (ARCHIVABLE_DATASETS as readonly string[]).includes(dataset);
}

/** lifecycle.*: the policies per dataset (settings.json), the retention dry run, and retention applied as a job. */
export function createLifecycleService(deps: LifecycleServiceDeps): LifecycleApi {
  const { lake } = deps;
  const now = deps.now ?? Date.now;
  const saved = async (): Promise<Record<string, LifecyclePolicy>> => (await readSettingsFile(deps.settingsFile))?.lifecycle ?? {};
  /** The lake's datasets, and those with a policy (retention may have taken every file of one). */
  const datasets = async (all: Record<string, LifecyclePolicy>): Promise<string[]> =>
    [...new Set([...(await lake.datasets()), ...Object.keys(all)])].sort();
  const policyOf = async (dataset: string): Promise<LifecyclePolicy> => {
    const all = await saved();
    if (!(await datasets(all)).includes(dataset)) throw new WorkbenchError('NOT_FOUND', `The lake has no dataset "${dataset}".`);
    return all[dataset] ?? {};
  };
  const policies = async (): Promise<LifecyclePolicies> => {
    const all = await saved();
    return {
      lake: { kind: lake.kind, location: lake.location, tiers: [...lake.tiers] },
      policies: (await datasets(all)).map((dataset) => {
        const why = notRetirableWhy(dataset);
        return {
          dataset,
          archivable: isArchivable(dataset),
          hotDays: all[dataset]?.hotDays ?? null,
          tiers: all[dataset]?.tiers ?? [],
          retainDays: all[dataset]?.retainDays ?? null,
          legalHold: all[dataset]?.legalHold === true,
          retirable: why === null,
          why,
        };
      }),
    };
  };

  return {
    policies,
    setPolicy: async (req) => {
      const current = await policyOf(req.dataset);
      const next: LifecyclePolicy = { ...current };
      if (req.retainDays === null) delete next.retainDays;
      else if (req.retainDays !== undefined) next.retainDays = req.retainDays;
      if (req.legalHold !== undefined) next.legalHold = req.legalHold;
      if (req.hotDays === null) delete next.hotDays;
      else if (req.hotDays !== undefined) next.hotDays = req.hotDays;
      if (req.tiers !== undefined && req.tiers.length === 0) delete next.tiers;
      else if (req.tiers !== undefined) next.tiers = req.tiers;
      const why = notRetirableWhy(req.dataset);
      if (next.retainDays !== undefined && why !== null) throw new WorkbenchError('BAD_INPUT', why);
      if (next.hotDays !== undefined && !isArchivable(req.dataset))
        throw new WorkbenchError('BAD_INPUT', `${req.dataset} is not archived from PostgreSQL: it has no hot window.`);
      const tierWhy = tierStepsProblem(lake, next.tiers ?? []);
      if (tierWhy !== null && req.tiers !== undefined) throw new WorkbenchError('BAD_INPUT', tierWhy);
      const all = { ...(await saved()) };
      if (Object.entries(next).every(([k, v]) => v === undefined || (k === 'legalHold' && v === false))) delete all[req.dataset];
      else all[req.dataset] = next;
      await patchSettings(deps.settingsFile, { lifecycle: all }, `The lifecycle policy of ${req.dataset}`);
      return policies();
    },
    retention: async (req) => {
      const policy = await policyOf(req.dataset);
      return deps.engine.withConnection(async (conn) => {
        const { planned: _planned, ...plan } = await planRetention({ conn, lake }, req.dataset, policy, now());
        return plan;
      });
    },
    tierPlan: async (req) => {
      const policy = await policyOf(req.dataset);
      return deps.engine.withConnection(async (conn) => {
        const { planned: _planned, ...plan } = await planTiers({ conn, lake }, req.dataset, policy, now());
        return plan;
      });
    },
    applyTiers: async (req) => {
      const all = await saved();
      const scope = req.dataset === undefined ? Object.keys(all).filter((d) => (all[d].tiers ?? []).length > 0) : [req.dataset];
      for (const d of scope) {
        const why = tierStepsProblem(lake, (await policyOf(d)).tiers ?? []);
        if (why !== null) throw new WorkbenchError('BAD_INPUT', `The tier policy of ${d} cannot apply to this lake: ${why}`);
      }
      await lake.requireOnline('A lifecycle move');
      return startLakeWriterJob(deps, 'lifecycle', 'a lifecycle move', async (jobDeps, ctx) => {
        const started = Date.now();
        const report: TierMoveReport = { datasets: [], files: 0, bytes: 0, ms: 0 };
        // A move a killed run left is finished first, whatever the scope.
        await finishTierMoves(jobDeps);
        for (const dataset of scope) {
          ctx.progress({ phase: 'lifecycle', message: `Moving ${dataset} to its colder tiers` });
          const moves = await applyTiers(jobDeps, dataset, await policyOf(dataset), now(), (done, total) =>
            ctx.progress({ phase: 'lifecycle', message: `Moving ${dataset}: ${done} of ${total} file(s)`, fraction: done / total }),
          );
          report.datasets.push({ dataset, moves });
          report.files += moves.reduce((a, m) => a + m.files, 0);
          report.bytes += moves.reduce((a, m) => a + m.bytes, 0);
        }
        if (report.files > 0) await deps.onLakeChanged();
        report.ms = Date.now() - started;
        return report;
      });
    },
    applyRetention: async (req) => {
      const policy = await policyOf(req.dataset);
      if (policy.retainDays === undefined)
        throw new WorkbenchError(
          'BAD_INPUT',
          `No retention period is set for ${req.dataset}: set one first (its raw rows are kept for ever).`,
        );
      if (policy.legalHold === true)
        throw new WorkbenchError('BAD_INPUT', `A legal hold is on for ${req.dataset}: nothing of it is deleted while it is on.`);
      await lake.requireOnline(`Retention of ${req.dataset}`);
      return startLakeWriterJob(deps, 'retention', `the retention of ${req.dataset}`, async (jobDeps, ctx) => {
        ctx.progress({ phase: 'retention', message: `Verifying the rollups of ${req.days.length} day(s) of ${req.dataset}` });
        const report = await applyRetention(jobDeps, req.dataset, policy, req.days, now());
        if (report.days.length > 0) await deps.onLakeChanged();
        return report;
      });
    },
  };
}
