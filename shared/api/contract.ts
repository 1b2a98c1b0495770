import type { ContractClient, ContractImpl } from './define';
import { alertsApi, type FiredAlert } from './alerts';
import { analyticsApi } from './analytics';
import { archiveApi } from './archive';
import { catalogApi } from './catalog';
import { convertApi } from './convert';
import { dashboardApi } from './dashboard';
import { exportApi } from './export';
import { featuresApi } from './features';
import { filesApi } from './files';
import { dataApi } from './data';
import { jobsApi, type JobProgress } from './jobs';
import { lifecycleApi } from './lifecycle';
import { queryApi, type QueryProgressEvent } from './query';
import { scheduleApi, type ScheduleRun } from './schedule';
import { savedQueriesApi } from './saved-queries';
import { settingsApi } from './settings';
import { sohApi } from './soh';
import { sliceApi } from './slice';
import { storageApi } from './storage';
import { workspaceApi } from './workspace';

/**
 * The whole contract between renderer (or any client) and core. Channel names,
 * the typed client and the dispatcher are all derived from this one object.
 */
export const contract = {
  query: queryApi,
  savedQueries: savedQueriesApi,
  catalog: catalogApi,
  workspace: workspaceApi,
  jobs: jobsApi,
  data: dataApi,
  convert: convertApi,
  storage: storageApi,
  files: filesApi,
  export: exportApi,
  slice: sliceApi,
  dashboard: dashboardApi,
  archive: archiveApi,
  settings: settingsApi,
  soh: sohApi,
  analytics: analyticsApi,
  features: featuresApi,
  schedule: scheduleApi,
  alerts: alertsApi,
  lifecycle: lifecycleApi,
};

export type Contract = typeof contract;
export type WorkbenchApi = ContractClient<Contract>;
export type WorkbenchCore = ContractImpl<Contract>;

export type QueryApi = WorkbenchCore['query'];
export type SavedQueriesApi = WorkbenchCore['savedQueries'];
export type CatalogApi = WorkbenchCore['catalog'];
export type WorkspaceApi = WorkbenchCore['workspace'];
export type JobsApi = WorkbenchCore['jobs'];
export type DataApi = WorkbenchCore['data'];
export type ConvertApi = WorkbenchCore['convert'];
export type StorageApi = WorkbenchCore['storage'];
export type FilesApi = WorkbenchCore['files'];
export type DashboardApi = WorkbenchCore['dashboard'];
export type ExportApi = WorkbenchCore['export'];
export type ArchiveApi = WorkbenchCore['archive'];
export type SliceApi = WorkbenchCore['slice'];
export type SettingsApi = WorkbenchCore['settings'];
export type SohApi = WorkbenchCore['soh'];
export type AnalyticsApi = WorkbenchCore['analytics'];
export type FeaturesApi = WorkbenchCore['features'];
export type ScheduleApi = WorkbenchCore['schedule'];
export type AlertsApi = WorkbenchCore['alerts'];
export type LifecycleApi = WorkbenchCore['lifecycle'];

/** Events the core pushes to every subscriber, by name. */
export interface EventMap {
  'query.progress': QueryProgressEvent;
  'job.progress': JobProgress;
  'catalog.changed': { reason: string };
  /**
   * The gold rollups were rewritten (a refresh that changed rows, a feed as days land): panels re-read when the
   * rollups job ends. A refresh that found nothing new sends none, so nothing re-reads.
   */
  'rollups.changed': { reason: string };
  /** data.status changed without the catalog changing (a background sync ran, paused or failed): reload it. */
  'data.status': { reason: string };
  /** A scheduled or run-now job was claimed and starts (outcome `running`). */
  'schedule.started': { run: ScheduleRun };
  /** A scheduled or run-now job ended (any outcome): its history line. */
  'schedule.ran': { run: ScheduleRun };
  /** A scheduled or run-now job failed, or was found interrupted by a crash: the app tells the user. */
  'schedule.failed': { run: ScheduleRun };
  /** Alert rules raised alerts (a scheduled or asked-for run): the app tells the user. */
  'alerts.raised': { alerts: FiredAlert[] };
}
export type EventName = keyof EventMap;
