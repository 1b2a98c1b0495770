-- battery-workbench lake ddl --engine spark: the lake at file:///data/lake/

CREATE DATABASE IF NOT EXISTS `battery_workbench`;

-- telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS `battery_workbench`.`telemetry` (
  `battery_id` INT,
  `ts` TIMESTAMP,
  `voltage_v` DECIMAL(6,3),
  `temperature_c` DECIMAL(4,1),
  `resistance_mohm` DECIMAL(6,2),
  `date` DATE
)
USING PARQUET
PARTITIONED BY (`date`)
LOCATION 'file:///data/lake/telemetry/';
-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).
MSCK REPAIR TABLE `battery_workbench`.`telemetry` SYNC PARTITIONS;

-- string_telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/string_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS `battery_workbench`.`string_telemetry` (
  `string_id` INT,
  `ts` TIMESTAMP,
  `voltage_v` DECIMAL(8,3),
  `current_a` DECIMAL(7,2),
  `ambient_c` DECIMAL(4,1),
  `date` DATE
)
USING PARQUET
PARTITIONED BY (`date`)
LOCATION 'file:///data/lake/string_telemetry/';
-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).
MSCK REPAIR TABLE `battery_workbench`.`string_telemetry` SYNC PARTITIONS;

-- environmental_telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/environmental_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS `battery_workbench`.`environmental_telemetry` (
  `sensor_id` INT,
  `ts` TIMESTAMP,
  `value` DECIMAL(6,2),
  `date` DATE
)
USING PARQUET
PARTITIONED BY (`date`)
LOCATION 'file:///data/lake/environmental_telemetry/';
-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).
MSCK REPAIR TABLE `battery_workbench`.`environmental_telemetry` SYNC PARTITIONS;

-- alert: the lake's cold tier (events), hive-partitioned by date=YYYY-MM-DD, the UTC day of raised_at.
-- Location: file:///data/lake/alert/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS `battery_workbench`.`alert` (
  `alert_id` BIGINT,
  `battery_id` INT,
  `string_id` INT,
  `alert_type` STRING,
  `severity` STRING,
  `raised_at` TIMESTAMP,
  `cleared_at` TIMESTAMP,
  `value` DECIMAL(8,3),
  `threshold` DECIMAL(8,3),
  `message` STRING,
  `date` DATE
)
USING PARQUET
PARTITIONED BY (`date`)
LOCATION 'file:///data/lake/alert/';
-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).
MSCK REPAIR TABLE `battery_workbench`.`alert` SYNC PARTITIONS;

-- maintenance_event: the lake's cold tier (events), hive-partitioned by date=YYYY-MM-DD, the UTC day of performed_at.
-- Location: file:///data/lake/maintenance_event/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS `battery_workbench`.`maintenance_event` (
  `event_id` BIGINT,
  `string_id` INT,
  `battery_id` INT,
  `event_type` STRING,
  `performed_at` TIMESTAMP,
  `technician` STRING,
  `notes` STRING,
  `date` DATE
)
USING PARQUET
PARTITIONED BY (`date`)
LOCATION 'file:///data/lake/maintenance_event/';
-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).
MSCK REPAIR TABLE `battery_workbench`.`maintenance_event` SYNC PARTITIONS;

-- rul_prediction: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of predicted_at.
-- Location: file:///data/lake/rul_prediction/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS `battery_workbench`.`rul_prediction` (
  `battery_id` INT,
  `predicted_at` TIMESTAMP,
  `rul_days` INT,
  `resistance_mohm` DECIMAL(6,2),
  `confidence` DECIMAL(4,3),
  `model_version` STRING,
  `date` DATE
)
USING PARQUET
PARTITIONED BY (`date`)
LOCATION 'file:///data/lake/rul_prediction/';
-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).
MSCK REPAIR TABLE `battery_workbench`.`rul_prediction` SYNC PARTITIONS;

-- calc_telemetry: the lake's cold tier (derived), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/calc_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS `battery_workbench`.`calc_telemetry` (
  `battery_id` INT,
  `ts` TIMESTAMP,
  `string_id` INT,
  `voltage_deviation_mv` DECIMAL(9,3),
  `temperature_rise_c` DECIMAL(5,2),
  `resistance_drift_pct` DECIMAL(8,3),
  `soc_pct` DECIMAL(5,1),
  `date` DATE
)
USING PARQUET
PARTITIONED BY (`date`)
LOCATION 'file:///data/lake/calc_telemetry/';
-- Registers the days present now; run it again after each archival (SYNC also drops days that left the lake).
MSCK REPAIR TABLE `battery_workbench`.`calc_telemetry` SYNC PARTITIONS;
