import { z } from 'zod';
import { method } from './define';

export interface WorkspaceInfo {
  /** Folder that holds workspace.duckdb, the lake and the embedded hot store. */
  path: string;
  duckdbVersion: string;
  appVersion: string;
}

export const workspaceApi = {
  info: method<WorkspaceInfo>()(z.object({}).default({})),
};
