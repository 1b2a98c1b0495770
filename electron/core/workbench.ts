import { contract, type WorkbenchCore } from '../../shared/api/contract';
import { createDispatcher, type Dispatch } from './dispatcher';
import { Engine } from './engine/engine';
import type { HotRunner } from './engine/hotRunner';
import type { EntryPoint } from './engine/lockInfo';
import { EventBus } from './events';
import { JobRunner } from './jobs/runner';
import { ConversionHistory } from './convert/history';
import { createCatalogService } from './services/catalog';
import { createConvertService } from './services/convert';
import { createStorageService } from './services/storage';
import { createJobsService } from './services/jobs';
import { createQueryService } from './services/query';
import { createWorkspaceService } from './services/workspace';
import { DataPlatform, type DataPlatformConfig } from './mirror/data-platform';
import { createDataService } from './mirror/data-service';
import { workspacePaths, type WorkspacePaths } from './workspace/paths';

export interface OpenWorkbenchOptions {
  /** Folder holding workspace.duckdb, the lake and the hot store; created if missing. */
  workspaceDir: string;
  appVersion?: string;
  /** Share an event bus with the caller; a new one by default. */
  events?: EventBus;
  /** Who opens the workspace; named to a second process that finds it locked. Default: desktop under Electron, else cli. */
  entry?: EntryPoint;
  /** PostgreSQL for query.run({ target: 'hot' }); can also be set later with engine.setHotRunner. */
  hotRunner?: HotRunner | null;
  /** DuckDB memory_limit (e.g. '4GB'); default half the RAM. */
  memoryLimit?: string;
  /** Kept query results before the least recently used are dropped; default 20. */
  maxResults?: number;
  /**
   * The data platform (PostgreSQL hot store, lake, mirror, views). Default by entry point: desktop and web
   * start the embedded hot store eagerly, sync the mirror and seed the small demo on an empty workspace;
   * cli starts it on first use; test opens no hot store (the views still exist). BATTERY_WORKBENCH_HOT=off
   * disables the hot store for any entry point.
   */
  data?: DataPlatformConfig;
}

function defaultDataConfig(entry: EntryPoint): DataPlatformConfig {
  if (process.env.BATTERY_WORKBENCH_HOT === 'off' || entry === 'test') return { hot: 'none' };
  if (entry === 'cli') return { start: 'lazy' };
  return { start: 'eager', autoSeed: true };
}

/** The whole core of one workspace, as every entry point (Electron main, web host, CLI, tests) uses it. */
export interface Workbench {
  core: WorkbenchCore;
  dispatch: Dispatch;
  events: EventBus;
  paths: WorkspacePaths;
  engine: Engine;
  jobs: JobRunner;
  /** Hot store, lake, mirror and views. */
  data: DataPlatform;
  /** Registers cleanup to run on close (before the engine closes), newest first. */
  onClose(hook: () => Promise<void> | void): void;
  /** Cancels jobs and queries, runs close hooks, releases the workspace. Safe to call twice. */
  close(): Promise<void>;
}

export async function openWorkbench(options: OpenWorkbenchOptions): Promise<Workbench> {
  const paths = workspacePaths(options.workspaceDir);
  const events = options.events ?? new EventBus();
  const appVersion = options.appVersion ?? process.env.npm_package_version ?? '0.0.0-dev';
  const entry: EntryPoint = options.entry ?? (process.versions.electron ? 'desktop' : 'cli');
  const engine = await Engine.open({
    paths,
    events,
    entry,
    appVersion,
    hotRunner: options.hotRunner ?? null,
    memoryLimit: options.memoryLimit,
    maxResults: options.maxResults,
  });
  const jobs = new JobRunner(events);
  let data: DataPlatform;
  try {
    data = await DataPlatform.open({ paths, engine, jobs, events }, options.data ?? defaultDataConfig(entry));
  } catch (err) {
    await engine.close();
    throw err;
  }
  const historyConn = await engine.connect();
  const conversions = new ConversionHistory(historyConn);
  await conversions.ensure();
  const lakeChanged = (): Promise<void> => data.refresh();
  const core: WorkbenchCore = {
    query: createQueryService(engine),
    catalog: createCatalogService(engine),
    workspace: createWorkspaceService(engine, paths, appVersion),
    jobs: createJobsService(jobs),
    data: createDataService(data),
    convert: createConvertService({ engine, jobs, history: conversions, lakeRoot: paths.lake, onLakeChanged: lakeChanged }),
    storage: createStorageService({
      engine,
      jobs,
      history: conversions,
      lakeRoot: paths.lake,
      scratchDir: paths.tmp,
      hotStore: () => data.hotStore(),
      onLakeChanged: lakeChanged,
    }),
  };
  const dispatch = createDispatcher(contract, core);
  const hooks: (() => Promise<void> | void)[] = [() => historyConn.closeSync(), () => data.close()];
  let closing: Promise<void> | null = null;

  return {
    core,
    dispatch,
    events,
    paths,
    engine,
    jobs,
    data,
    onClose: (hook) => {
      hooks.push(hook);
    },
    close: () =>
      (closing ??= (async () => {
        await jobs.cancelAll();
        for (const hook of [...hooks].reverse()) {
          try {
            await hook();
          } catch {
            // One failing cleanup must not keep the workspace locked.
          }
        }
        await engine.close();
      })()),
  };
}
