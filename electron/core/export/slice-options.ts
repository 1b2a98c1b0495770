import type { DuckDBConnection } from '@duckdb/node-api';
import type { SliceOptions } from '../../../shared/api/slice';
import { DATASETS } from '../../../shared/domain/datasets';
import { RESAMPLE_PRESETS, SLICE_DATASETS, SLICE_SHAPES, isNumericColumn, labelSourcesFor } from '../../../shared/domain/slice-spec';
import { qualifiedName, quoteIdent } from '../../../shared/sql';

const ISO = (col: string): string => `strftime(${col} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;

/** What the export view's pickers offer: datasets (columns, filter keys, label sources, time extent) and the sites. */
export async function sliceOptions(conn: DuckDBConnection, exportsDir: string): Promise<SliceOptions> {
  const datasets = [];
  for (const name of SLICE_DATASETS) {
    const shape = SLICE_SHAPES[name];
    const spec = DATASETS[name];
    const t = quoteIdent(shape.timeColumn);
    const reader = await conn.runAndReadAll(`SELECT ${ISO(`min(${t})`)}, ${ISO(`max(${t})`)} FROM ${qualifiedName('main', name)}`);
    const [min, max] = reader.getRowsJS()[0] ?? [null, null];
    const own = spec.columns.map((c) => c.name);
    datasets.push({
      name,
      entityColumn: shape.entityColumn,
      timeColumn: shape.timeColumn,
      columns: spec.columns.map((c) => ({ name: c.name, type: c.duck, numeric: isNumericColumn(c) })),
      filterKeys: [
        ...shape.derivedFilters.filter((d) => !own.includes(d)),
        ...spec.columns.filter((c) => /INT|VARCHAR/.test(c.duck)).map((c) => c.name),
      ],
      labelSources: labelSourcesFor(name),
      extent: min === null || max === null || min === undefined || max === undefined ? null : { min: String(min), max: String(max) },
    });
  }
  const loc = await conn.runAndReadAll(`SELECT location_id, code, name FROM ${qualifiedName('main', 'location')} ORDER BY location_id`);
  const locations = loc.getRowsJS().map((r) => ({ id: Number(r[0]), code: String(r[1]), name: String(r[2]) }));
  return { datasets, locations, resamples: [...RESAMPLE_PRESETS], exportsDir };
}
