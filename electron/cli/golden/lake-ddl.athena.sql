-- battery-workbench lake ddl --engine athena: the lake at s3://fleet-lake/prod/lake/

CREATE DATABASE IF NOT EXISTS `battery_workbench`;

-- telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: s3://fleet-lake/prod/lake/telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.
CREATE EXTERNAL TABLE IF NOT EXISTS `battery_workbench`.`telemetry` (
  `battery_id` int,
  `ts` timestamp,
  `voltage_v` decimal(6,3),
  `temperature_c` decimal(4,1),
  `resistance_mohm` decimal(6,2)
)
PARTITIONED BY (`date` string)
STORED AS PARQUET
LOCATION 's3://fleet-lake/prod/lake/telemetry/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2000-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS'
);

-- string_telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: s3://fleet-lake/prod/lake/string_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.
CREATE EXTERNAL TABLE IF NOT EXISTS `battery_workbench`.`string_telemetry` (
  `string_id` int,
  `ts` timestamp,
  `voltage_v` decimal(8,3),
  `current_a` decimal(7,2),
  `ambient_c` decimal(4,1)
)
PARTITIONED BY (`date` string)
STORED AS PARQUET
LOCATION 's3://fleet-lake/prod/lake/string_telemetry/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2000-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS'
);

-- environmental_telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: s3://fleet-lake/prod/lake/environmental_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.
CREATE EXTERNAL TABLE IF NOT EXISTS `battery_workbench`.`environmental_telemetry` (
  `sensor_id` int,
  `ts` timestamp,
  `value` decimal(6,2)
)
PARTITIONED BY (`date` string)
STORED AS PARQUET
LOCATION 's3://fleet-lake/prod/lake/environmental_telemetry/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2000-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS'
);

-- alert: the lake's cold tier (events), hive-partitioned by date=YYYY-MM-DD, the UTC day of raised_at.
-- Location: s3://fleet-lake/prod/lake/alert/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.
CREATE EXTERNAL TABLE IF NOT EXISTS `battery_workbench`.`alert` (
  `alert_id` bigint,
  `battery_id` int,
  `string_id` int,
  `alert_type` string,
  `severity` string,
  `raised_at` timestamp,
  `cleared_at` timestamp,
  `value` decimal(8,3),
  `threshold` decimal(8,3),
  `message` string
)
PARTITIONED BY (`date` string)
STORED AS PARQUET
LOCATION 's3://fleet-lake/prod/lake/alert/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2000-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS'
);

-- maintenance_event: the lake's cold tier (events), hive-partitioned by date=YYYY-MM-DD, the UTC day of performed_at.
-- Location: s3://fleet-lake/prod/lake/maintenance_event/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.
CREATE EXTERNAL TABLE IF NOT EXISTS `battery_workbench`.`maintenance_event` (
  `event_id` bigint,
  `string_id` int,
  `battery_id` int,
  `event_type` string,
  `performed_at` timestamp,
  `technician` string,
  `notes` string
)
PARTITIONED BY (`date` string)
STORED AS PARQUET
LOCATION 's3://fleet-lake/prod/lake/maintenance_event/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2000-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS'
);

-- rul_prediction: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of predicted_at.
-- Location: s3://fleet-lake/prod/lake/rul_prediction/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.
CREATE EXTERNAL TABLE IF NOT EXISTS `battery_workbench`.`rul_prediction` (
  `battery_id` int,
  `predicted_at` timestamp,
  `rul_days` int,
  `resistance_mohm` decimal(6,2),
  `confidence` decimal(4,3),
  `model_version` string
)
PARTITIONED BY (`date` string)
STORED AS PARQUET
LOCATION 's3://fleet-lake/prod/lake/rul_prediction/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2000-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS'
);

-- calc_telemetry: the lake's cold tier (derived), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: s3://fleet-lake/prod/lake/calc_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
-- Partition projection computes the days (2000-01-01 to today, UTC): no MSCK REPAIR TABLE, new days are seen at once.
CREATE EXTERNAL TABLE IF NOT EXISTS `battery_workbench`.`calc_telemetry` (
  `battery_id` int,
  `ts` timestamp,
  `string_id` int,
  `voltage_deviation_mv` decimal(9,3),
  `temperature_rise_c` decimal(5,2),
  `resistance_drift_pct` decimal(8,3),
  `soc_pct` decimal(5,1)
)
PARTITIONED BY (`date` string)
STORED AS PARQUET
LOCATION 's3://fleet-lake/prod/lake/calc_telemetry/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2000-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS'
);
