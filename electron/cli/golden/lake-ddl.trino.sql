-- battery-workbench lake ddl --engine trino: the lake at file:///data/lake/

CREATE SCHEMA IF NOT EXISTS "battery_workbench";

-- telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS "battery_workbench"."telemetry" (
  "battery_id" INTEGER,
  "ts" TIMESTAMP(6),
  "voltage_v" DECIMAL(6,3),
  "temperature_c" DECIMAL(4,1),
  "resistance_mohm" DECIMAL(6,2),
  "date" DATE
)
WITH (
  external_location = 'file:///data/lake/telemetry/',
  format = 'PARQUET',
  partitioned_by = ARRAY['date']
);
-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).
CALL system.sync_partition_metadata(schema_name => 'battery_workbench', table_name => 'telemetry', mode => 'FULL');

-- string_telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/string_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS "battery_workbench"."string_telemetry" (
  "string_id" INTEGER,
  "ts" TIMESTAMP(6),
  "voltage_v" DECIMAL(8,3),
  "current_a" DECIMAL(7,2),
  "ambient_c" DECIMAL(4,1),
  "date" DATE
)
WITH (
  external_location = 'file:///data/lake/string_telemetry/',
  format = 'PARQUET',
  partitioned_by = ARRAY['date']
);
-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).
CALL system.sync_partition_metadata(schema_name => 'battery_workbench', table_name => 'string_telemetry', mode => 'FULL');

-- environmental_telemetry: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/environmental_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS "battery_workbench"."environmental_telemetry" (
  "sensor_id" INTEGER,
  "ts" TIMESTAMP(6),
  "value" DECIMAL(6,2),
  "date" DATE
)
WITH (
  external_location = 'file:///data/lake/environmental_telemetry/',
  format = 'PARQUET',
  partitioned_by = ARRAY['date']
);
-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).
CALL system.sync_partition_metadata(schema_name => 'battery_workbench', table_name => 'environmental_telemetry', mode => 'FULL');

-- alert: the lake's cold tier (events), hive-partitioned by date=YYYY-MM-DD, the UTC day of raised_at.
-- Location: file:///data/lake/alert/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS "battery_workbench"."alert" (
  "alert_id" BIGINT,
  "battery_id" INTEGER,
  "string_id" INTEGER,
  "alert_type" VARCHAR,
  "severity" VARCHAR,
  "raised_at" TIMESTAMP(6),
  "cleared_at" TIMESTAMP(6),
  "value" DECIMAL(8,3),
  "threshold" DECIMAL(8,3),
  "message" VARCHAR,
  "date" DATE
)
WITH (
  external_location = 'file:///data/lake/alert/',
  format = 'PARQUET',
  partitioned_by = ARRAY['date']
);
-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).
CALL system.sync_partition_metadata(schema_name => 'battery_workbench', table_name => 'alert', mode => 'FULL');

-- maintenance_event: the lake's cold tier (events), hive-partitioned by date=YYYY-MM-DD, the UTC day of performed_at.
-- Location: file:///data/lake/maintenance_event/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS "battery_workbench"."maintenance_event" (
  "event_id" BIGINT,
  "string_id" INTEGER,
  "battery_id" INTEGER,
  "event_type" VARCHAR,
  "performed_at" TIMESTAMP(6),
  "technician" VARCHAR,
  "notes" VARCHAR,
  "date" DATE
)
WITH (
  external_location = 'file:///data/lake/maintenance_event/',
  format = 'PARQUET',
  partitioned_by = ARRAY['date']
);
-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).
CALL system.sync_partition_metadata(schema_name => 'battery_workbench', table_name => 'maintenance_event', mode => 'FULL');

-- rul_prediction: the lake's cold tier (timeseries), hive-partitioned by date=YYYY-MM-DD, the UTC day of predicted_at.
-- Location: file:///data/lake/rul_prediction/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS "battery_workbench"."rul_prediction" (
  "battery_id" INTEGER,
  "predicted_at" TIMESTAMP(6),
  "rul_days" INTEGER,
  "resistance_mohm" DECIMAL(6,2),
  "confidence" DECIMAL(4,3),
  "model_version" VARCHAR,
  "date" DATE
)
WITH (
  external_location = 'file:///data/lake/rul_prediction/',
  format = 'PARQUET',
  partitioned_by = ARRAY['date']
);
-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).
CALL system.sync_partition_metadata(schema_name => 'battery_workbench', table_name => 'rul_prediction', mode => 'FULL');

-- calc_telemetry: the lake's cold tier (derived), hive-partitioned by date=YYYY-MM-DD, the UTC day of ts.
-- Location: file:///data/lake/calc_telemetry/. Timestamps are UTC instants. Newer rows (and open events) are in PostgreSQL, not here.
-- Reads every Parquet file under the folder: during a compaction (and after one killed mid-way, until the next compaction or `lake check --repair` finishes it) a day can hold both the merged file and the files it replaces, and those rows then count twice. Run `lake check` first; it must be clean.
CREATE TABLE IF NOT EXISTS "battery_workbench"."calc_telemetry" (
  "battery_id" INTEGER,
  "ts" TIMESTAMP(6),
  "string_id" INTEGER,
  "voltage_deviation_mv" DECIMAL(9,3),
  "temperature_rise_c" DECIMAL(5,2),
  "resistance_drift_pct" DECIMAL(8,3),
  "soc_pct" DECIMAL(5,1),
  "date" DATE
)
WITH (
  external_location = 'file:///data/lake/calc_telemetry/',
  format = 'PARQUET',
  partitioned_by = ARRAY['date']
);
-- Registers the days present now; run it again after each archival (FULL also drops days that left the lake).
CALL system.sync_partition_metadata(schema_name => 'battery_workbench', table_name => 'calc_telemetry', mode => 'FULL');
