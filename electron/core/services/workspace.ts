import type { WorkspaceApi } from '../../../shared/api/contract';
import type { Engine } from '../engine/engine';
import type { WorkspacePaths } from '../workspace/paths';

export function createWorkspaceService(engine: Engine, paths: WorkspacePaths, appVersion: string): WorkspaceApi {
  return {
    info: async () => ({ path: paths.root, duckdbVersion: engine.duckdbVersion, appVersion }),
  };
}
