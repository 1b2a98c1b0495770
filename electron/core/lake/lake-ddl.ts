import { pathToFileURL } from 'node:url';
import { lakeDatasets, type ColumnSpec, type DatasetSpec } from '../../../shared/domain/datasets';
import { quoteIdent, quoteIdentBacktick, quoteLiteral, quoteLiteralBackslash } from '../../../shared/sql';
import type { Lake } from './lake';

/**
 * External-table DDL for the lake, so a Trino or Spark cluster, Athena or a plain DuckDB reads it as it is:
 * `<lake>/<dataset>/date=YYYY-MM-DD/part-*.parquet`, one table (DuckDB: view) per partitioned registry dataset, its
 * columns typed from the dataset registry and `date` (the UTC day of the partition column) as the hive partition.
 */
export const DDL_ENGINES = ['trino', 'spark', 'athena', 'duckdb'] as const;
export type DdlEngine = (typeof DDL_ENGINES)[number];

export function isDdlEngine(name: string): name is DdlEngine {
  return (DDL_ENGINES as readonly string[]).includes(name);
}

/** The schema (Spark, Athena: database) the tables are created in unless one is named. */
export const DEFAULT_DDL_SCHEMA = 'battery_workbench';

/** The hive partition column of every lake dataset (`date=YYYY-MM-DD`). */
export const PARTITION_COLUMN = 'date';

/** Where the lake is, as the DDL names it. */
export type DdlLake = { kind: 'local'; path: string } | { kind: 's3'; bucket: string; prefix: string };

export interface LakeDdl {
  engine: DdlEngine;
  /** The lake's root as the engine reads it: `file:///…/`, `s3://bucket/prefix/` or (DuckDB) the folder. */
  location: string;
  /** The schema statement run first. */
  setup: string;
  datasets: { name: string; ddl: string }[];
}

interface Dialect {
  ident(name: string): string;
  literal(value: string): string;
  type(column: ColumnSpec): string;
}

const DECIMAL = /^DECIMAL\((\d+),(\d+)\)$/;

/** The registry's DuckDB type text in each engine; a type without a mapping is a programming error, never guessed. */
function typeFor(engine: DdlEngine, duck: string): string {
  const dec = DECIMAL.exec(duck);
  if (dec) return engine === 'athena' ? `decimal(${dec[1]},${dec[2]})` : `DECIMAL(${dec[1]},${dec[2]})`;
  const table: Record<string, Record<DdlEngine, string>> = {
    INTEGER: { trino: 'INTEGER', spark: 'INT', athena: 'int', duckdb: 'INTEGER' },
    BIGINT: { trino: 'BIGINT', spark: 'BIGINT', athena: 'bigint', duckdb: 'BIGINT' },
    VARCHAR: { trino: 'VARCHAR', spark: 'STRING', athena: 'string', duckdb: 'VARCHAR' },
    DOUBLE: { trino: 'DOUBLE', spark: 'DOUBLE', athena: 'double', duckdb: 'DOUBLE' },
    DATE: { trino: 'DATE', spark: 'DATE', athena: 'date', duckdb: 'DATE' },
    // Instants in UTC. Trino's Hive connector has no TIMESTAMP WITH TIME ZONE column, Athena none at all; Spark's
    // TIMESTAMP is an instant shown in the session time zone.
    TIMESTAMPTZ: { trino: 'TIMESTAMP(6)', spark: 'TIMESTAMP', athena: 'timestamp', duckdb: 'TIMESTAMPTZ' },
  };
  const t = table[duck]?.[engine];
  if (t === undefined) throw new Error(`No ${engine} type for the registry type ${duck}`);
  return t;
}

const DIALECTS: Record<DdlEngine, Dialect> = {
  trino: { ident: quoteIdent, literal: quoteLiteral, type: (c) => typeFor('trino', c.duck) },
  spark: { ident: quoteIdentBacktick, literal: quoteLiteralBackslash, type: (c) => typeFor('spark', c.duck) },
  athena: { ident: quoteIdentBacktick, literal: quoteLiteralBackslash, type: (c) => typeFor('athena', c.duck) },
  duckdb: { ident: quoteIdent, literal: quoteLiteral, type: (c) => typeFor('duckdb', c.duck) },
};

/** The lake's root as the engine reads it, ending in '/' (a local folder: a `file:` URI, DuckDB: the folder). */
export function ddlRoot(engine: DdlEngine, lake: DdlLake): string {
  if (lake.kind === 's3') return `s3://${lake.bucket}/${lake.prefix}`;
  if (engine === 'athena') {
    throw new Error(`Athena reads only S3, and this lake is the folder ${lake.path}: give the S3 lake with --lake s3://bucket/prefix.`);
  }
  if (engine === 'duckdb') return lake.path.endsWith('/') ? lake.path : `${lake.path}/`;
  const href = pathToFileURL(lake.path).href;
  return href.endsWith('/') ? href : `${href}/`;
}

const WHAT_IT_SEES =
  'Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next ' +
  'compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, ' +
  'and those rows then count twice. Run `lake check` first; it must be clean.';

function header(engine: DdlEngine, spec: DatasetSpec, location: string): string[] {
  return [
    `-- ${spec.name}: the lake's cold tier (${spec.kind}), hive-partitioned by ${PARTITION_COLUMN}=YYYY-MM-DD, the UTC day of ${spec.partitionColumn ?? ''}.`,
    `-- Location: ${location}. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.`,
    ...(engine === 'duckdb'
      ? [
          '-- Lists exactly the live files of the manifests (superseded and unfinished files are not read): run `lake ddl` again after archival or compaction.',
        ]
      : [`-- ${WHAT_IT_SEES}`]),
  ];
}

function columnLines(d: Dialect, spec: DatasetSpec, partitionType: string | null): string {
  const cols = spec.columns.map((c) => `  ${d.ident(c.name)} ${d.type(c)}`);
  if (partitionType !== null) cols.push(`  ${d.ident(PARTITION_COLUMN)} ${partitionType}`);
  return cols.join(',\n');
}

function trinoDdl(spec: DatasetSpec, schema: string, location: string): string {
  const d = DIALECTS.trino;
  const table = `${d.ident(schema)}.${d.ident(spec.name)}`;
  return [
    ...header('trino', spec, location),
    `CREATE TABLE IF NOT EXISTS ${table} (`,
    columnLines(d, spec, 'DATE'),
    ')',
    'WITH (',
    `  external_location = ${d.literal(location)},`,
    `  format = 'PARQUET',`,
    `  partitioned_by = ARRAY[${d.literal(PARTITION_COLUMN)}]`,
    ');',
    '-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).',
    `CALL system.sync_partition_metadata(schema_name => ${d.literal(schema)}, table_name => ${d.literal(spec.name)}, mode => 'FULL');`,
  ].join('\n');
}

function sparkDdl(spec: DatasetSpec, schema: string, location: string): string {
  const d = DIALECTS.spark;
  const table = `${d.ident(schema)}.${d.ident(spec.name)}`;
  return [
    ...header('spark', spec, location),
    `CREATE TABLE IF NOT EXISTS ${table} (`,
    columnLines(d, spec, 'DATE'),
    ')',
    'USING PARQUET',
    `PARTITIONED BY (${d.ident(PARTITION_COLUMN)})`,
    `LOCATION ${d.literal(location)};`,
    '-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).',
    `MSCK REPAIR TABLE ${table} SYNC PARTITIONS;`,
  ].join('\n');
}

function athenaDdl(spec: DatasetSpec, schema: string, location: string): string {
  const d = DIALECTS.athena;
  const table = `${d.ident(schema)}.${d.ident(spec.name)}`;
  const prop = (k: string, v: string): string => `  ${d.literal(k)} = ${d.literal(v)}`;
  return [
    ...header('athena', spec, location),
    '-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.',
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${table} (`,
    columnLines(d, spec, null),
    ')',
    `PARTITIONED BY (${d.ident(PARTITION_COLUMN)} string)`,
    'STORED AS PARQUET',
    `LOCATION ${d.literal(location)}`,
    'TBLPROPERTIES (',
    [
      prop('projection.enabled', 'true'),
      prop(`projection.${PARTITION_COLUMN}.type`, 'date'),
      prop(`projection.${PARTITION_COLUMN}.format`, 'yyyy-MM-dd'),
      prop(`projection.${PARTITION_COLUMN}.range`, '2000-01-01,NOW'),
      prop(`projection.${PARTITION_COLUMN}.interval`, '1'),
      prop(`projection.${PARTITION_COLUMN}.interval.unit`, 'DAYS'),
    ].join(',\n'),
    ');',
  ].join('\n');
}

function duckdbDdl(spec: DatasetSpec, schema: string, location: string, files: readonly string[]): string {
  const d = DIALECTS.duckdb;
  const typed = (has: boolean): string =>
    spec.columns.map((c) => `  CAST(${has ? d.ident(c.name) : 'NULL'} AS ${d.type(c)}) AS ${d.ident(c.name)}`).join(',\n');
  const part = d.ident(PARTITION_COLUMN);
  const body =
    files.length === 0
      ? [`SELECT`, `${typed(false)},`, `  CAST(NULL AS DATE) AS ${part}`, 'WHERE false;']
      : [
          'SELECT',
          `${typed(true)},`,
          `  ${part}`,
          'FROM read_parquet([',
          files.map((f) => `  ${d.literal(f)}`).join(',\n'),
          `], hive_partitioning = true, hive_types = {${d.literal(PARTITION_COLUMN)}: DATE}, union_by_name = true);`,
        ];
  return [
    ...header('duckdb', spec, location),
    ...(location.startsWith('s3://') ? ["-- s3:// files need DuckDB's httpfs extension and S3 credentials (CREATE SECRET)."] : []),
    `CREATE OR REPLACE VIEW ${d.ident(schema)}.${d.ident(spec.name)} AS`,
    ...body,
  ].join('\n');
}

export interface LakeDdlInput {
  engine: DdlEngine;
  lake: DdlLake;
  schema?: string;
  /** DuckDB only: each dataset's live files, as paths or URLs DuckDB opens (none: a typed empty view). */
  files?: ReadonlyMap<string, readonly string[]>;
}

/** The DDL of every partitioned registry dataset for one engine. Identifiers and literals go through the engine's quoting. */
export function lakeDdl(input: LakeDdlInput): LakeDdl {
  const { engine, lake } = input;
  const schema = input.schema ?? DEFAULT_DDL_SCHEMA;
  const root = ddlRoot(engine, lake);
  const d = DIALECTS[engine];
  const setup =
    engine === 'trino' || engine === 'duckdb'
      ? `CREATE SCHEMA IF NOT EXISTS ${d.ident(schema)};`
      : `CREATE DATABASE IF NOT EXISTS ${d.ident(schema)};`;
  const datasets = lakeDatasets().map((spec) => {
    const location = `${root}${spec.name}/`;
    const ddl =
      engine === 'trino'
        ? trinoDdl(spec, schema, location)
        : engine === 'spark'
          ? sparkDdl(spec, schema, location)
          : engine === 'athena'
            ? athenaDdl(spec, schema, location)
            : duckdbDdl(spec, schema, location, input.files?.get(spec.name) ?? []);
    return { name: spec.name, ddl };
  });
  return { engine, location: root, setup, datasets };
}

/** The DDL as one script: the schema statement, then each dataset's statements. */
export function lakeDdlScript(ddl: LakeDdl): string {
  return (
    [
      `-- battery-workbench lake ddl --engine ${ddl.engine}: the lake at ${ddl.location}`,
      ddl.setup,
      ...ddl.datasets.map((x) => x.ddl),
    ].join('\n\n') + '\n'
  );
}

/**
 * Each partitioned dataset's live files as DuckDB opens them (a local lake: the file paths; S3: `s3://` URLs): the
 * published files the manifests list and nothing replaced or withdrew, so a superseded original, a file published
 * without its manifest (a killed job) or a temp is never read. A dataset without any manifest (a lake written
 * before manifests) is every published file.
 */
export async function liveDdlFiles(lake: Lake, where: DdlLake): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const spec of lakeDatasets()) {
    // The lake's listing is its manifests' live set already (a lake written before manifests: every published file).
    const files = await lake.list(spec.name);
    out.set(
      spec.name,
      files.map((f) => (where.kind === 's3' ? `s3://${where.bucket}/${where.prefix}${f.key}` : lake.localPath(f.key))),
    );
  }
  return out;
}
