/**
 * The battery monitoring system's entities, one name per idea across layers: the same
 * names are PostgreSQL tables, lake datasets, DuckDB views and UI labels.
 * Timestamps travel as ISO-8601 strings (UTC); decimals as numbers at their stated resolution.
 */

export type SystemType = 'ups' | 'rectifier';

export interface Location {
  location_id: number;
  code: string;
  name: string;
  city: string;
  country: string;
  /** IANA time zone of the site, e.g. `Europe/Berlin`. */
  time_zone: string;
  latitude: number;
  longitude: number;
}

export interface BatteryModel {
  model_id: number;
  manufacturer: string;
  model_name: string;
  chemistry: string;
  /** Nominal jar voltage (V). */
  nominal_voltage_v: number;
  capacity_ah: number;
  cells: number;
  /** Float charge voltage per jar (V). */
  float_voltage_v: number;
  /** Internal resistance of a new jar at 25 C (mOhm). */
  nominal_resistance_mohm: number;
  design_life_years: number;
}

export interface BatterySystem {
  system_id: number;
  location_id: number;
  name: string;
  system_type: SystemType;
  rated_power_kw: number;
  commissioned_on: string;
}

export interface BatteryString {
  string_id: number;
  system_id: number;
  string_no: number;
  jar_count: number;
  model_id: number;
}

export interface Battery {
  battery_id: number;
  string_id: number;
  /** Position of the jar in its string, 1..jar_count. */
  position: number;
  serial_no: string;
  model_id: number;
  installed_on: string;
}

export type EnvironmentalSensorType = 'temperature' | 'humidity';

/** A sensor in a site's battery room; its readings are `environmental_telemetry` rows in `unit`. */
export interface EnvironmentalSensor {
  sensor_id: number;
  location_id: number;
  /** The room the sensor is in (the site's battery room). */
  room: string;
  sensor_type: EnvironmentalSensorType;
  /** `degC` for temperature, `%RH` for relative humidity. */
  unit: string;
}

/** One reading per jar every 5 minutes. */
export interface Telemetry {
  battery_id: number;
  ts: string;
  /** Jar voltage, mV resolution. */
  voltage_v: number;
  /** Jar temperature, 0.1 C resolution. */
  temperature_c: number;
  /** Internal resistance, 0.01 mOhm resolution. */
  resistance_mohm: number;
}

export interface StringTelemetry {
  string_id: number;
  ts: string;
  voltage_v: number;
  /** Positive = charging, negative = discharging. */
  current_a: number;
  ambient_c: number;
}

export type AlertType = 'resistance_high' | 'temperature_high' | 'voltage_low';
export type Severity = 'warning' | 'critical';

export interface Alert {
  alert_id: number;
  battery_id: number;
  string_id: number;
  alert_type: AlertType;
  severity: Severity;
  raised_at: string;
  /** Null while the alert is active. */
  cleared_at: string | null;
  value: number;
  threshold: number;
  message: string;
}

export type MaintenanceType = 'routine_inspection' | 'alert_inspection' | 'capacity_test';

export interface MaintenanceEvent {
  event_id: number;
  string_id: number;
  battery_id: number | null;
  event_type: MaintenanceType;
  performed_at: string;
  technician: string;
  notes: string;
}

export interface CapacityTest {
  test_id: number;
  string_id: number;
  started_at: string;
  ended_at: string;
  discharge_current_a: number;
  end_voltage_v: number;
  capacity_pct: number;
  result: 'pass' | 'fail';
}

export interface ImpedanceMeasurement {
  measurement_id: number;
  battery_id: number;
  measured_at: string;
  impedance_mohm: number;
  instrument: string;
}

export interface RulPrediction {
  battery_id: number;
  predicted_at: string;
  rul_days: number;
  resistance_mohm: number;
  confidence: number;
  model_version: string;
}
