import { contract, type WorkbenchCore } from '../../shared/api/contract';
import { DEFAULT_SYNC_INTERVAL_SECONDS } from '../../shared/api/settings';
import { createDispatcher, type Dispatch } from './dispatcher';
import { Engine } from './engine/engine';
import type { HotRunner } from './engine/hot-runner';
import type { EntryPoint } from './engine/lock-info';
import { EventBus } from './events';
import { JobRunner } from './jobs/runner';
import { ArchiveJob } from './archive/archive-job';
import { ArchiveJournal } from './archive/state';
import { ConversionHistory } from './convert/history';
import { DemoJob } from './demo/demo-job';
import { LiveFeedSwitch } from './demo/live-feed-switch';
import { createArchiveService } from './services/archive';
import { createExportService } from './services/export';
import { exportsDirOf } from './export/export-paths';
import { createSliceService } from './services/slice';
import { createFeaturesService } from './services/features';
import { createCatalogService } from './services/catalog';
import { createConvertService } from './services/convert';
import { createFilesService } from './services/files';
import { createDashboardService } from './services/dashboard';
import { createAnalyticsService } from './services/analytics';
import { RollupService } from './rollups/rollup-service';
import { createStorageService } from './services/storage';
import { createJobsService } from './services/jobs';
import { createQueryService } from './services/query';
import { createSavedQueriesService } from './services/saved-queries';
import { createWorkspaceService } from './services/workspace';
import { DataPlatform, type DataPlatformConfig } from './mirror/data-platform';
import type { Statement } from './mirror/meta';
import { createDataService } from './services/data';
import { workspacePaths, type WorkspacePaths } from './workspace/paths';
import type { SecretStore } from './workspace/secrets';
import { createSettingsService } from './services/settings';
import { createSohService } from './services/soh';
import { createScheduleService } from './services/schedule';
import { createAlertsService } from './services/alerts';
import { createLifecycleService } from './services/lifecycle';
import { AlertService } from './alerts/alert-service';
import { AlertStore } from './alerts/alert-store';
import { registerAlertsJob } from './alerts/alert-job';
import { registerBuiltInJobs, ScheduledJobRegistry } from './schedule/job-registry';
import { ScheduleStore } from './schedule/schedule-store';
import { Scheduler } from './schedule/scheduler';
import { StartupGate } from './system/startup-gate';
import { trace } from './system/startup-trace';
import { assertSettingsUsable, resolveStores } from './workspace/stores';

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
   * disables the hot store for any entry point. An eager start also syncs the mirror in the background
   * (settings.json `sync.intervalSeconds`, default 60; `data.backgroundSync` overrides it).
   */
  data?: DataPlatformConfig;
  /**
   * `--pg-url` (CLI, web host): the hot store for this run, over settings.json; its password from the URL or
   * PGPASSWORD, never stored. An explicit `data.hot` wins over both.
   */
  pgUrl?: string | null;
  /**
   * `--lake <folder | s3://bucket/prefix>` (CLI, web host): the lake for this run, over settings.json (a folder
   * relative to the current directory; an S3 URL with the region, endpoint and cache size of the settings' S3 lake).
   */
  lakeFlag?: string | null;
  /** Where secrets are kept (desktop: the OS keychain via safeStorage); without one, settings refuse passwords. */
  secrets?: SecretStore;
  /**
   * Desktop and web host on a workspace whose rollups hold data: the eager start (hot store, mirror sync, live feed,
   * rollups' catch-up) waits until the first panels are answered, or this long at most (default 5000 ms).
   */
  startupHoldMs?: number;
}

/** The longest the eager start waits for the first panels of a window (see StartupGate). */
const STARTUP_HOLD_MS = 5000;

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
  /** The demo fleet, generated as a job. */
  demo: DemoJob;
  /** The live demo feed as Settings switch it (never started for the CLI, whose `demo --live` runs its own). */
  liveFeed: LiveFeedSwitch;
  /** The archival of old hot rows into the lake, run inside a job (archive.start). */
  archive: ArchiveJob;
  /** The gold rollups the dashboards read. */
  rollups: RollupService;
  /** The periodic jobs on their schedules (ticking while a desktop app or web host has the workspace open). */
  scheduler: Scheduler;
  /** The jobs the scheduler knows; a job registered later gets its defaults stored when the scheduler first sees it. */
  scheduledJobs: ScheduledJobRegistry;
  /** Alert rules: dry runs, and runs that raise and clear alerts in the hot store. */
  alerts: AlertService;
  /** Registers cleanup to run on close (before the engine closes), newest first. */
  onClose(hook: () => Promise<void> | void): void;
  /** Cancels jobs and queries, runs close hooks, releases the workspace. Safe to call twice. */
  close(): Promise<void>;
}

export async function openWorkbench(options: OpenWorkbenchOptions): Promise<Workbench> {
  const ownPaths = workspacePaths(options.workspaceDir);
  const events = options.events ?? new EventBus();
  const appVersion = options.appVersion ?? process.env.npm_package_version ?? '0.0.0-dev';
  const entry: EntryPoint = options.entry ?? (process.versions.electron ? 'desktop' : 'cli');
  // Where the stores are: --pg-url > settings.json (+ secret store or PGPASSWORD) > embedded; --lake > settings > <workspace>/lake.
  const dataConfig = options.data ?? defaultDataConfig(entry);
  const pgUrl = options.pgUrl ?? null;
  const lakeFlag = options.lakeFlag ?? null;
  const stores = await resolveStores({ paths: ownPaths, pgUrl, lakeFlag, secrets: options.secrets, explicitHot: dataConfig.hot });
  if (entry === 'cli') assertSettingsUsable(stores);
  const paths: WorkspacePaths = stores.lakeDir === ownPaths.lake ? ownPaths : { ...ownPaths, lake: stores.lakeDir };
  trace('stores resolved');
  const engine = await Engine.open({
    paths,
    events,
    entry,
    appVersion,
    hotRunner: options.hotRunner ?? null,
    memoryLimit: options.memoryLimit,
    maxResults: options.maxResults,
  });
  trace('engine open');
  const jobs = new JobRunner(events);
  let data: DataPlatform;
  try {
    const backgroundSync =
      dataConfig.backgroundSync ??
      (dataConfig.start === 'eager'
        ? { intervalSeconds: stores.settings.sync?.intervalSeconds ?? DEFAULT_SYNC_INTERVAL_SECONDS }
        : undefined);
    data = await DataPlatform.open(
      { paths, engine, jobs, events },
      { ...dataConfig, hot: stores.hot, lake: dataConfig.lake ?? stores.lake, ...(backgroundSync ? { backgroundSync } : {}) },
    );
  } catch (err) {
    await engine.close();
    throw err;
  }
  trace('data platform open');
  const historyConn = await engine.connect();
  const conversions = new ConversionHistory(historyConn);
  await conversions.ensure();
  // Gold rollups: refreshed after every sync, conversion or archival, and caught up when a dashboard is first opened.
  const rollups = new RollupService({
    engine,
    jobs,
    lake: data.lake,
    events,
    commitViews: (statements, datasets) => data.commitViews(statements, datasets),
  });
  await rollups.ensure();
  trace('rollups ensured');
  data.onRefreshed(() => rollups.schedule());
  // A window opens on charts drawn from the rollups: background work waits for their first answers (startup-gate.ts).
  const gate =
    (entry === 'desktop' || entry === 'web') && (await rollups.holdsData())
      ? new StartupGate(options.startupHoldMs ?? STARTUP_HOLD_MS)
      : StartupGate.opened();
  const lakeChanged = (): Promise<void> => data.refresh();
  const commitViews = (statements: readonly Statement[], datasets: readonly string[]): Promise<void> =>
    data.commitViews(statements, datasets);
  // The one archive journal of the workspace, on a connection of its own (the archive job writes it while
  // archive.history and the lake check read it).
  const journalConn = await engine.connect();
  const archiveJournal = new ArchiveJournal(journalConn);
  await archiveJournal.ensure();
  const demo = new DemoJob({ data, engine, jobs, rollups, tmpDir: paths.tmp });
  const archive = new ArchiveJob({ data, engine, journal: archiveJournal, tmpDir: paths.tmp, rollups });
  const liveFeed = new LiveFeedSwitch({ data, events });
  const scheduledJobs = new ScheduledJobRegistry();
  const scheduler = new Scheduler({ store: new ScheduleStore(engine), registry: scheduledJobs, events });
  const alertStore = new AlertStore(engine);
  await alertStore.ensure();
  const alerts = new AlertService({ engine, store: alertStore, hotStore: () => data.hotStore(), events });
  const core: WorkbenchCore = {
    query: createQueryService(engine, data.lake),
    savedQueries: createSavedQueriesService(engine),
    catalog: createCatalogService(engine),
    workspace: createWorkspaceService(engine, paths, appVersion),
    jobs: createJobsService(jobs),
    data: createDataService(data, demo, liveFeed),
    convert: createConvertService({
      engine,
      jobs,
      history: conversions,
      lake: data.lake,
      commitViews,
      onLakeChanged: lakeChanged,
      rollups,
    }),
    storage: createStorageService({
      engine,
      jobs,
      history: conversions,
      lake: data.lake,
      scratchDir: paths.tmp,
      hotStore: () => data.hotStore(),
      commitViews,
      unfinishedArchive: () => archiveJournal.unfinished(),
      onLakeChanged: lakeChanged,
      rebuildCatalog: () => data.rebuildCatalog(),
      pullLake: (scope, ctx) => data.pullLake(scope, ctx),
    }),
    files: createFilesService(),
    dashboard: createDashboardService({ engine, rollups, gate }),
    soh: createSohService({ engine, rollups }),
    analytics: createAnalyticsService({ engine }),
    export: createExportService({ engine, jobs, exportsDir: exportsDirOf(paths.root) }),
    slice: createSliceService({ engine, jobs, lake: data.lake, exportsDir: exportsDirOf(paths.root), appVersion, tmpDir: paths.tmp }),
    archive: createArchiveService({ jobs, journal: archiveJournal, archive }),
    features: createFeaturesService({ engine, jobs, lake: data.lake, commitViews }),
    settings: createSettingsService({
      paths: ownPaths,
      running: stores,
      pgUrl,
      lakeFlag,
      secrets: options.secrets,
      onSyncInterval: (seconds) => data.background.setInterval(seconds),
      onLiveFeed: (setting) => void liveFeed.apply(entry === 'cli' ? undefined : setting),
    }),
    schedule: createScheduleService(scheduler),
    alerts: createAlertsService(alerts),
    lifecycle: createLifecycleService({
      engine,
      jobs,
      lake: data.lake,
      settingsFile: ownPaths.settings,
      commitViews,
      onLakeChanged: lakeChanged,
    }),
  };
  registerBuiltInJobs(scheduledJobs, { core, jobs, rollups });
  registerAlertsJob(scheduledJobs, alerts);
  await scheduler.ensure();
  const dispatch = createDispatcher(contract, core);
  const hooks: (() => Promise<void> | void)[] = [
    () => historyConn.closeSync(),
    () => journalConn.closeSync(),
    () => data.close(),
    () => rollups.close(),
    // Stopped before PostgreSQL goes.
    () => liveFeed.close(),
    // The runs under way are recorded while the engine is still open.
    () => scheduler.stop(),
  ];
  // Eager start (desktop, web host): PostgreSQL up, then the demo on an empty workspace or a mirror sync.
  gate.after(() => data.start((hot) => demo.seedIfEmpty(hot)));
  if (entry !== 'cli') gate.after(() => void liveFeed.apply(stores.settings.liveFeed));
  // While the desktop app or web host is open, the scheduler ticks (at start, catching up, then every 30 s).
  if (entry === 'desktop' || entry === 'web') gate.after(() => scheduler.start());
  let closing: Promise<void> | null = null;

  return {
    core,
    dispatch,
    events,
    paths,
    engine,
    jobs,
    data,
    demo,
    liveFeed,
    archive,
    rollups,
    scheduler,
    scheduledJobs,
    alerts,
    onClose: (hook) => {
      hooks.push(hook);
    },
    close: () =>
      (closing ??= (async () => {
        gate.dispose();
        // No scheduled job starts once the running ones are cancelled.
        scheduler.halt();
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
