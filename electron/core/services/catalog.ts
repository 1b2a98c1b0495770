import type { CatalogApi } from '../../../shared/api/contract';
import type { Engine } from '../engine/engine';

export function createCatalogService(engine: Engine): CatalogApi {
  return {
    tree: () => engine.catalogTree(),
  };
}
