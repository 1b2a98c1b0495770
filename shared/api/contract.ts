import type { ContractClient, ContractImpl } from './define';
import { catalogApi } from './catalog';
import { jobsApi, type JobProgress } from './jobs';
import { queryApi, type QueryProgressEvent } from './query';
import { workspaceApi } from './workspace';

/**
 * The whole contract between renderer (or any client) and core. Channel names,
 * the typed client and the dispatcher are all derived from this one object.
 */
export const contract = {
  query: queryApi,
  catalog: catalogApi,
  workspace: workspaceApi,
  jobs: jobsApi,
};

export type Contract = typeof contract;
export type WorkbenchApi = ContractClient<Contract>;
export type WorkbenchCore = ContractImpl<Contract>;

export type QueryApi = WorkbenchCore['query'];
export type CatalogApi = WorkbenchCore['catalog'];
export type WorkspaceApi = WorkbenchCore['workspace'];
export type JobsApi = WorkbenchCore['jobs'];

/** Events the core pushes to every subscriber, by name. */
export interface EventMap {
  'query.progress': QueryProgressEvent;
  'job.progress': JobProgress;
  'catalog.changed': { reason: string };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = ['query.progress', 'job.progress', 'catalog.changed'];
