/**
 * The dataset registry: every entity's columns with their DuckDB and PostgreSQL types,
 * how it is split between the hot store and the cold lake, and how the mirror syncs it.
 * The hot store DDL, the mirror, the lake layout and the unified views are all derived from it.
 */

export interface ColumnSpec {
  name: string;
  /** DuckDB type text. */
  duck: string;
  /** PostgreSQL type text. */
  pg: string;
  nullable?: boolean;
}

/**
 * - `master`: lives only in PostgreSQL; the mirror refreshes it in full.
 * - `timeseries`: recent rows in PostgreSQL, older rows in the lake; split at the tier watermark on `timeColumn`;
 *   the mirror syncs it incrementally by PostgreSQL's `ingest_id` identity column.
 * - `events`: rows stay in PostgreSQL while open (`splitColumn` is null) or recently closed; rows closed before
 *   the watermark live in the lake. The mirror refreshes it in full (open rows change).
 */
export type DatasetKind = 'master' | 'timeseries' | 'events' | 'derived';

export interface DatasetSpec<N extends string = DatasetName | DerivedDatasetName> {
  name: N;
  kind: DatasetKind;
  columns: readonly ColumnSpec[];
  primaryKey: readonly string[];
  /** Column the lake partitions by (`date=YYYY-MM-DD`, UTC); null for master data. */
  partitionColumn: string | null;
  /** Column compared with the tier watermark; null for master data. */
  splitColumn: string | null;
}

export const DATASET_NAMES = [
  'location',
  'battery_model',
  'battery_system',
  'battery_string',
  'battery',
  'environmental_sensor',
  'telemetry',
  'string_telemetry',
  'environmental_telemetry',
  'alert',
  'maintenance_event',
  'capacity_test',
  'impedance_measurement',
  'rul_prediction',
] as const;

export type DatasetName = (typeof DATASET_NAMES)[number];

/** The identity column PostgreSQL assigns to every row of a time-series table (mirror watermark). */
export const INGEST_COLUMN = 'ingest_id';

const int = (name: string, nullable = false): ColumnSpec => ({ name, duck: 'INTEGER', pg: 'integer', nullable });
const big = (name: string): ColumnSpec => ({ name, duck: 'BIGINT', pg: 'bigint' });
const text = (name: string, nullable = false): ColumnSpec => ({ name, duck: 'VARCHAR', pg: 'text', nullable });
const dec = (name: string, p: number, s: number, nullable = false): ColumnSpec => ({
  name,
  duck: `DECIMAL(${p},${s})`,
  pg: `numeric(${p},${s})`,
  nullable,
});
const dbl = (name: string): ColumnSpec => ({ name, duck: 'DOUBLE', pg: 'double precision' });
const tstz = (name: string, nullable = false): ColumnSpec => ({ name, duck: 'TIMESTAMPTZ', pg: 'timestamptz', nullable });
const date = (name: string): ColumnSpec => ({ name, duck: 'DATE', pg: 'date' });

export const DATASETS: Readonly<Record<DatasetName, DatasetSpec<DatasetName>>> = {
  location: {
    name: 'location',
    kind: 'master',
    columns: [
      int('location_id'),
      text('code'),
      text('name'),
      text('city'),
      text('country'),
      text('time_zone'),
      dbl('latitude'),
      dbl('longitude'),
    ],
    primaryKey: ['location_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  battery_model: {
    name: 'battery_model',
    kind: 'master',
    columns: [
      int('model_id'),
      text('manufacturer'),
      text('model_name'),
      text('chemistry'),
      dec('nominal_voltage_v', 5, 2),
      dec('capacity_ah', 7, 1),
      int('cells'),
      dec('float_voltage_v', 6, 3),
      dec('nominal_resistance_mohm', 6, 2),
      int('design_life_years'),
    ],
    primaryKey: ['model_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  battery_system: {
    name: 'battery_system',
    kind: 'master',
    columns: [
      int('system_id'),
      int('location_id'),
      text('name'),
      text('system_type'),
      dec('rated_power_kw', 7, 1),
      date('commissioned_on'),
    ],
    primaryKey: ['system_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  battery_string: {
    name: 'battery_string',
    kind: 'master',
    columns: [int('string_id'), int('system_id'), int('string_no'), int('jar_count'), int('model_id')],
    primaryKey: ['string_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  battery: {
    name: 'battery',
    kind: 'master',
    columns: [int('battery_id'), int('string_id'), int('position'), text('serial_no'), int('model_id'), date('installed_on')],
    primaryKey: ['battery_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  environmental_sensor: {
    name: 'environmental_sensor',
    kind: 'master',
    // One battery room per site: the room's sensors (one temperature, one humidity in the demo) watch every jar of the site.
    columns: [int('sensor_id'), int('location_id'), text('room'), text('sensor_type'), text('unit')],
    primaryKey: ['sensor_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  telemetry: {
    name: 'telemetry',
    kind: 'timeseries',
    columns: [int('battery_id'), tstz('ts'), dec('voltage_v', 6, 3), dec('temperature_c', 4, 1), dec('resistance_mohm', 6, 2)],
    primaryKey: ['battery_id', 'ts'],
    partitionColumn: 'ts',
    splitColumn: 'ts',
  },
  string_telemetry: {
    name: 'string_telemetry',
    kind: 'timeseries',
    columns: [int('string_id'), tstz('ts'), dec('voltage_v', 8, 3), dec('current_a', 7, 2), dec('ambient_c', 4, 1)],
    primaryKey: ['string_id', 'ts'],
    partitionColumn: 'ts',
    splitColumn: 'ts',
  },
  environmental_telemetry: {
    name: 'environmental_telemetry',
    kind: 'timeseries',
    // One reading per sensor and time, in the sensor's unit (environmental_sensor.unit).
    columns: [int('sensor_id'), tstz('ts'), dec('value', 6, 2)],
    primaryKey: ['sensor_id', 'ts'],
    partitionColumn: 'ts',
    splitColumn: 'ts',
  },
  alert: {
    name: 'alert',
    kind: 'events',
    columns: [
      big('alert_id'),
      int('battery_id'),
      int('string_id'),
      text('alert_type'),
      text('severity'),
      tstz('raised_at'),
      tstz('cleared_at', true),
      dec('value', 8, 3),
      dec('threshold', 8, 3),
      text('message'),
    ],
    primaryKey: ['alert_id'],
    partitionColumn: 'raised_at',
    splitColumn: 'cleared_at',
  },
  maintenance_event: {
    name: 'maintenance_event',
    kind: 'events',
    columns: [
      big('event_id'),
      int('string_id'),
      int('battery_id', true),
      text('event_type'),
      tstz('performed_at'),
      text('technician'),
      text('notes'),
    ],
    primaryKey: ['event_id'],
    // Done work never changes: events before the split live in the lake (demo, archival), later ones in PostgreSQL.
    partitionColumn: 'performed_at',
    splitColumn: 'performed_at',
  },
  capacity_test: {
    name: 'capacity_test',
    kind: 'master',
    columns: [
      big('test_id'),
      int('string_id'),
      tstz('started_at'),
      tstz('ended_at'),
      dec('discharge_current_a', 7, 2),
      dec('end_voltage_v', 8, 3),
      dec('capacity_pct', 5, 1),
      text('result'),
    ],
    primaryKey: ['test_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  impedance_measurement: {
    name: 'impedance_measurement',
    kind: 'master',
    columns: [big('measurement_id'), int('battery_id'), tstz('measured_at'), dec('impedance_mohm', 6, 2), text('instrument')],
    primaryKey: ['measurement_id'],
    partitionColumn: null,
    splitColumn: null,
  },
  rul_prediction: {
    name: 'rul_prediction',
    kind: 'timeseries',
    columns: [
      int('battery_id'),
      tstz('predicted_at'),
      int('rul_days'),
      dec('resistance_mohm', 6, 2),
      dec('confidence', 4, 3),
      text('model_version'),
    ],
    primaryKey: ['battery_id', 'predicted_at'],
    partitionColumn: 'predicted_at',
    splitColumn: 'predicted_at',
  },
};

/**
 * - `derived`: computed by the workbench from other datasets (silver), never stored in PostgreSQL nor mirrored
 *   or archived from it: the workspace computes its hot rows (`hot.<name>`, with the source row's ingest_id) and
 *   writes its cold days to the lake. Its unified view is split at its `source`'s tier watermark, so each of its
 *   rows is visible exactly when its source row is. Not in DATASET_NAMES (that list is the PostgreSQL schema).
 */
export interface DerivedDatasetSpec extends DatasetSpec<DerivedDatasetName> {
  kind: 'derived';
  /** The time series it is computed from, one row per source row (same key, same tier split). */
  source: 'telemetry';
}

export const DERIVED_DATASET_NAMES = ['calc_telemetry'] as const;
export type DerivedDatasetName = (typeof DERIVED_DATASET_NAMES)[number];

export const DERIVED_DATASETS: Readonly<Record<DerivedDatasetName, DerivedDatasetSpec>> = {
  calc_telemetry: {
    name: 'calc_telemetry',
    kind: 'derived',
    source: 'telemetry',
    // Exact decimals: a recomputation gives the very same values (see electron/core/calc/calc-sql.ts).
    columns: [
      int('battery_id'),
      tstz('ts'),
      int('string_id'),
      dec('voltage_deviation_mv', 9, 3, true),
      dec('temperature_rise_c', 5, 2, true),
      dec('resistance_drift_pct', 8, 3, true),
      dec('soc_pct', 5, 1, true),
    ],
    primaryKey: ['battery_id', 'ts'],
    partitionColumn: 'ts',
    splitColumn: 'ts',
  },
};

export function isDerivedDatasetName(name: string): name is DerivedDatasetName {
  return (DERIVED_DATASET_NAMES as readonly string[]).includes(name);
}

/** The derived datasets computed from `source`. */
export function derivedFrom(source: string): DerivedDatasetSpec[] {
  return DERIVED_DATASET_NAMES.map((n) => DERIVED_DATASETS[n]).filter((d) => d.source === source);
}

/** The dataset whose tier watermark splits `spec` (a derived dataset: its source's). */
export function tierSource(spec: DatasetSpec): string {
  return 'source' in spec && typeof spec.source === 'string' ? spec.source : spec.name;
}

/** A registry dataset or a derived one, by name. */
export function datasetSpec(name: string): DatasetSpec | undefined {
  return (DATASETS as Record<string, DatasetSpec | undefined>)[name] ?? (isDerivedDatasetName(name) ? DERIVED_DATASETS[name] : undefined);
}

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** Datasets that have a cold tier in the lake (the derived ones included). */
export function lakeDatasets(): DatasetSpec[] {
  return [...DATASET_NAMES.map((n) => DATASETS[n]), ...DERIVED_DATASET_NAMES.map((n) => DERIVED_DATASETS[n])].filter(
    (d) => d.partitionColumn !== null,
  );
}
