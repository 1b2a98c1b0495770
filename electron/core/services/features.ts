import type { FeaturesApi } from '../../../shared/api/contract';
import { WorkbenchError } from '../../../shared/api/errors';
import type { FeatureMaterializeReport, FeatureSetInfo } from '../../../shared/api/features';
import {
  ENTITY_KEYS,
  FEATURE_TIME_COLUMN,
  featureColumns,
  featureLatestName,
  featureLineage,
  featureViewName,
  type FeatureSetDefinition,
} from '../../../shared/domain/features';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import type { Engine } from '../engine/engine';
import { featureDrift, readDriftThreshold, writeDriftThreshold } from '../features/drift';
import { FEATURES_DATASET } from '../features/feature-views';
import { materializeSets, refreshLatest } from '../features/materialize';
import { currentDefinitions, definitionHash, requireVersion, storedSetNames, storedVersions } from '../features/registry';
import type { JobRunner } from '../jobs/runner';
import { LakeIntents } from '../lake/intents';
import type { Lake } from '../lake/lake';
import type { Statement } from '../mirror/meta';

export interface FeaturesServiceDeps {
  engine: Engine;
  jobs: JobRunner;
  lake: Lake;
  /** Statements + view re-creation in one transaction (DataPlatform.commitViews). */
  commitViews(statements: readonly Statement[], datasets: readonly string[]): Promise<void>;
}

/** features.*: the feature store (list the sets and their versions, serve the latest vectors, materialize as a job). */
export function createFeaturesService(deps: FeaturesServiceDeps): FeaturesApi {
  const { engine, lake } = deps;
  const defined = (): Map<string, FeatureSetDefinition> => currentDefinitions();

  const viewExists = async (name: string, version: number): Promise<boolean> =>
    engine.withConnection(
      async (conn) =>
        (
          await queryRows(conn, `SELECT 1 FROM duckdb_views() WHERE schema_name = $1 AND view_name = $2`, [
            FEATURES_DATASET,
            featureViewName(name, version),
          ])
        ).length > 0,
    );

  /** The version `get` serves by default: the current definition's, else the newest stored. */
  const defaultVersion = async (name: string): Promise<number> => {
    const versions = await storedVersions(lake, name);
    const def = defined().get(name);
    const current = def ? versions.find((v) => v.hash === definitionHash(def)) : undefined;
    const chosen = current ?? versions[versions.length - 1];
    if (!chosen) {
      if (!def) throw new WorkbenchError('NOT_FOUND', `There is no feature set ${name}; \`features list\` shows those there are.`);
      throw new WorkbenchError(
        'NOT_FOUND',
        `The feature set ${name} has not been materialized yet.`,
        `Run \`features materialize --set ${name}\`.`,
      );
    }
    return chosen.version;
  };

  return {
    list: async () => {
      const defs = defined();
      const names = [...new Set([...defs.keys(), ...(await storedSetNames(lake))])].sort();
      const sets: FeatureSetInfo[] = [];
      for (const name of names) {
        const versions = await storedVersions(lake, name);
        const def = defs.get(name) ?? versions[versions.length - 1]?.definition;
        if (!def) continue;
        const currentHash = defs.has(name) ? definitionHash(def) : null;
        const infos: FeatureSetInfo['versions'] = [];
        for (const v of versions) {
          let stats = { days: 0, rows: 0, latest: null as string | null };
          if (await viewExists(name, v.version)) {
            const view = qualifiedName(FEATURES_DATASET, featureViewName(name, v.version));
            const r = await engine.withConnection((conn) =>
              queryRows(
                conn,
                `SELECT count(DISTINCT day) AS d, count(*) AS n, strftime(max(${quoteIdent(FEATURE_TIME_COLUMN)}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS t FROM ${view}`,
              ),
            );
            stats = { days: Number(r[0].d), rows: Number(r[0].n), latest: r[0].t === null ? null : String(r[0].t) };
          }
          infos.push({
            version: v.version,
            hash: v.hash,
            createdAt: v.createdAt,
            current: v.hash === currentHash,
            days: stats.days,
            rows: stats.rows,
            latestEventTime: stats.latest,
            view: `${FEATURES_DATASET}.${featureViewName(name, v.version)}`,
          });
        }
        sets.push({
          name,
          description: def.description,
          owner: def.owner,
          entity: def.entity,
          key: ENTITY_KEYS[def.entity],
          lagMinutes: def.lagMinutes,
          lineage: featureLineage(def),
          columns: [...def.columns],
          versions: infos,
          defined: defs.has(name),
          sql: def.sql.trim(),
        });
      }
      return { sets };
    },

    get: async (req) => {
      const version = req.version ?? (await defaultVersion(req.set));
      const stored = await requireVersion(lake, req.set, version);
      const def = stored.definition;
      const key = ENTITY_KEYS[def.entity];
      const table = qualifiedName(FEATURES_DATASET, featureLatestName(req.set, version));
      return engine.withConnection(async (conn) => {
        const made = await queryRows(conn, `SELECT 1 FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2`, [
          FEATURES_DATASET,
          featureLatestName(req.set, version),
        ]);
        // A workspace opened on a lake materialized elsewhere: the serving table is made from the version's view.
        if (made.length === 0) await refreshLatest(conn, def, version);
        const cols = featureColumns(def);
        const rows = await queryRows(
          conn,
          `SELECT ${cols.map((c) => quoteIdent(c.name)).join(', ')} FROM ${table}${req.entity === undefined ? '' : ` WHERE ${quoteIdent(key)} = $1`} ORDER BY ${quoteIdent(key)}`,
          req.entity === undefined ? undefined : [req.entity],
        );
        return {
          set: req.set,
          version,
          key,
          columns: cols.map((c) => ({ name: c.name, type: c.type, unit: c.unit })),
          rows,
        };
      });
    },

    drift: async (req) => {
      const version = req.version ?? (await defaultVersion(req.set));
      const { definition } = await requireVersion(lake, req.set, version);
      return engine.withConnection(async (conn) =>
        featureDrift(conn, definition, version, {
          ...(req.reference ? { reference: req.reference } : {}),
          ...(req.bins !== undefined ? { bins: req.bins } : {}),
          threshold: req.threshold ?? (await readDriftThreshold(conn)).threshold,
        }),
      );
    },

    driftThreshold: () => engine.withConnection((conn) => readDriftThreshold(conn)),

    setDriftThreshold: (req) =>
      engine.withConnection(async (conn) => {
        await writeDriftThreshold(conn, req.threshold);
        return readDriftThreshold(conn);
      }),

    materialize: async (req) => {
      const defs = defined();
      if (req.set !== undefined && !defs.has(req.set))
        throw new WorkbenchError(
          'NOT_FOUND',
          `There is no feature set ${req.set} to materialize; the workspace defines ${[...defs.keys()].join(', ')}.`,
        );
      const chosen = req.set === undefined ? [...defs.values()] : [defs.get(req.set) as FeatureSetDefinition];
      await lake.requireOnline('Materializing feature sets');
      const { jobId } = deps.jobs.start<FeatureMaterializeReport>(
        'features',
        (ctx) =>
          engine.withJobMemory(
            () =>
              engine.withConnection(async (conn) => {
                const intents = new LakeIntents(conn);
                await intents.ensure();
                return materializeSets({ conn, lake, intents, commitViews: (st, ds) => deps.commitViews(st, ds) }, chosen, {
                  ...(req.from !== undefined ? { from: req.from } : {}),
                  ...(req.to !== undefined ? { to: req.to } : {}),
                  full: req.full,
                  signal: ctx.signal,
                  onProgress: (p) =>
                    ctx.progress({
                      phase: 'materialize',
                      fraction: p.fraction,
                      message: p.message,
                      ...(p.rows !== undefined ? { rows: p.rows } : {}),
                    }),
                });
              }),
            ctx.note,
          ),
        { exclusive: true, phase: 'materialize' },
      );
      return { jobId };
    },
  };
}
