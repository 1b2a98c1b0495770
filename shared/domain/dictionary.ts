import { DATASETS, DATASET_NAMES, DERIVED_DATASETS, isDerivedDatasetName, type DatasetName, type DerivedDatasetName } from './datasets';

/**
 * The data dictionary: what every column of every dataset means. One entry per column of each dataset in
 * `datasets.ts` (a unit test holds them in step): the physical quantity, its unit (null for identifiers and
 * text), the sign convention where a sign carries meaning, and a one-line description. The schema browser shows
 * it on hover, the Export view beside the columns, and exported Parquet files carry it as key-value metadata.
 */

export interface ColumnMeaning {
  /** The quantity measured or the kind of value: "voltage", "identifier", "time". */
  quantity: string;
  /** SI-style unit text ("V", "A", "mOhm", "degC", "%"); null when the value has none. */
  unit: string | null;
  /** The sign convention, where the sign of the value carries meaning. */
  sign?: string;
  description: string;
}

/** The convention of every current in the workbench: a string charging reads positive. */
export const CURRENT_SIGN_CONVENTION = 'positive = charge, negative = discharge';

const id = (what: string): ColumnMeaning => ({ quantity: 'identifier', unit: null, description: what });
const txt = (what: string): ColumnMeaning => ({ quantity: 'text', unit: null, description: what });
const time = (what: string): ColumnMeaning => ({ quantity: 'time', unit: 'UTC', description: what });
const day = (what: string): ColumnMeaning => ({ quantity: 'date', unit: null, description: what });
const q = (quantity: string, unit: string | null, description: string, sign?: string): ColumnMeaning =>
  sign === undefined ? { quantity, unit, description } : { quantity, unit, sign, description };

export const DATA_DICTIONARY: Readonly<Record<DatasetName, Readonly<Record<string, ColumnMeaning>>>> = {
  location: {
    location_id: id('Site (data centre) identifier.'),
    code: txt('Short site code, e.g. FRA1.'),
    name: txt('Site name.'),
    city: txt('City of the site.'),
    country: txt('Country of the site (ISO 3166 code).'),
    time_zone: txt('IANA time zone of the site, e.g. Europe/Berlin.'),
    latitude: q('latitude', 'deg', 'Latitude of the site (WGS 84).', 'positive = north'),
    longitude: q('longitude', 'deg', 'Longitude of the site (WGS 84).', 'positive = east'),
  },
  battery_model: {
    model_id: id('Battery model identifier.'),
    manufacturer: txt('Manufacturer of the jar.'),
    model_name: txt('Model name of the jar.'),
    chemistry: txt('Cell chemistry, e.g. VRLA AGM.'),
    nominal_voltage_v: q('voltage', 'V', 'Nominal voltage of one jar.'),
    capacity_ah: q('charge', 'Ah', 'Rated capacity of one jar.'),
    cells: q('count', 'cells', 'Cells in series in one jar.'),
    float_voltage_v: q('voltage', 'V', 'Float charge voltage of one jar.'),
    nominal_resistance_mohm: q('resistance', 'mOhm', 'Internal resistance of a new jar at 25 degC.'),
    design_life_years: q('duration', 'years', 'Design life of the jar.'),
  },
  battery_system: {
    system_id: id('Battery system (UPS or rectifier) identifier.'),
    location_id: id('Site the system stands in.'),
    name: txt('Name of the system.'),
    system_type: txt('ups or rectifier.'),
    rated_power_kw: q('power', 'kW', 'Rated power of the system.'),
    commissioned_on: day('Day the system went into service.'),
  },
  battery_string: {
    string_id: id('String identifier: jars in series.'),
    system_id: id('System the string belongs to.'),
    string_no: q('count', null, 'Number of the string within its system, from 1.'),
    jar_count: q('count', 'jars', 'Jars in series in the string.'),
    model_id: id('Battery model of the string’s jars.'),
  },
  battery: {
    battery_id: id('Jar identifier.'),
    string_id: id('String the jar sits in.'),
    position: q('position', null, 'Position of the jar in its string, 1..jar_count.'),
    serial_no: txt('Serial number of the jar.'),
    model_id: id('Battery model of the jar.'),
    installed_on: day('Day the jar was installed.'),
  },
  environmental_sensor: {
    sensor_id: id('Environmental sensor identifier.'),
    location_id: id('Site whose battery room the sensor is in.'),
    room: txt('Room the sensor is in: the site’s battery room.'),
    sensor_type: txt('temperature or humidity.'),
    unit: txt('Unit of the sensor’s readings: degC (temperature) or %RH (relative humidity).'),
  },
  telemetry: {
    battery_id: id('Jar the reading is of.'),
    ts: time('Time of the reading (one every 5 minutes).'),
    voltage_v: q('voltage', 'V', 'Jar terminal voltage, mV resolution.'),
    temperature_c: q('temperature', 'degC', 'Jar temperature, 0.1 degC resolution.'),
    resistance_mohm: q('resistance', 'mOhm', 'Jar internal resistance, 0.01 mOhm resolution.'),
  },
  string_telemetry: {
    string_id: id('String the reading is of.'),
    ts: time('Time of the reading (one every 5 minutes).'),
    voltage_v: q('voltage', 'V', 'String voltage (all jars in series).'),
    current_a: q('current', 'A', 'String current; every jar of the string carries it.', CURRENT_SIGN_CONVENTION),
    ambient_c: q('temperature', 'degC', 'Ambient temperature at the string.'),
  },
  environmental_telemetry: {
    sensor_id: id('Environmental sensor the reading is of.'),
    ts: time('Time of the reading (one every 15 minutes in the demo).'),
    value: q(
      'temperature or relative humidity by sensor_type',
      'degC or %RH by environmental_sensor.unit',
      'Room air temperature or relative humidity, 0.01 resolution, in the sensor’s unit.',
    ),
  },
  alert: {
    alert_id: id('Alert identifier.'),
    battery_id: id('Jar the alert is about.'),
    string_id: id('String of the jar.'),
    alert_type: txt('resistance_high, temperature_high or voltage_low.'),
    severity: txt('warning or critical.'),
    raised_at: time('When the alert was raised.'),
    cleared_at: time('When the alert cleared; empty while it is active.'),
    value: q('reading', 'V, degC or mOhm by alert_type', 'The reading that raised the alert, in its quantity’s unit.'),
    threshold: q('reading', 'V, degC or mOhm by alert_type', 'The threshold the reading crossed, in the same unit.'),
    message: txt('Alert text.'),
  },
  maintenance_event: {
    event_id: id('Maintenance event identifier.'),
    string_id: id('String the work was on.'),
    battery_id: id('Jar the work was on; empty for work on the whole string.'),
    event_type: txt('routine_inspection, alert_inspection or capacity_test.'),
    performed_at: time('When the work was done.'),
    technician: txt('Who did the work.'),
    notes: txt('Free-text notes.'),
  },
  capacity_test: {
    test_id: id('Capacity test identifier.'),
    string_id: id('String tested.'),
    started_at: time('Start of the test discharge.'),
    ended_at: time('End of the test discharge.'),
    discharge_current_a: q('current', 'A', 'Constant discharge current of the test, as a magnitude.', 'positive = discharge (a magnitude)'),
    end_voltage_v: q('voltage', 'V', 'String voltage at the end of the test.'),
    capacity_pct: q('ratio', '%', 'Measured capacity as a percentage of rated capacity.'),
    result: txt('pass or fail.'),
  },
  impedance_measurement: {
    measurement_id: id('Impedance measurement identifier.'),
    battery_id: id('Jar measured.'),
    measured_at: time('When the jar was measured.'),
    impedance_mohm: q('impedance', 'mOhm', 'Impedance measured with a hand-held instrument.'),
    instrument: txt('Instrument used.'),
  },
  rul_prediction: {
    battery_id: id('Jar predicted.'),
    predicted_at: time('When the prediction was made.'),
    rul_days: q('duration', 'days', 'Predicted remaining useful life, to the end-of-life resistance.'),
    resistance_mohm: q('resistance', 'mOhm', 'Jar internal resistance the prediction started from.'),
    confidence: q('ratio', '1', 'Confidence of the prediction, 0..1.'),
    model_version: txt('Version of the model that predicted.'),
  },
};

/**
 * The derived (silver) datasets, computed by the workbench from `telemetry` (electron/core/calc/): one row per
 * reading, in the tier of its reading.
 */
export const DERIVED_DICTIONARY: Readonly<Record<DerivedDatasetName, Readonly<Record<string, ColumnMeaning>>>> = {
  calc_telemetry: {
    battery_id: id('Jar read (telemetry.battery_id).'),
    ts: time('Time of the reading (telemetry.ts).'),
    string_id: id('String the jar belongs to.'),
    voltage_deviation_mv: q(
      'voltage',
      'mV',
      "The jar's voltage minus the mean voltage of its string's jars read at the same instant.",
      'positive = above the string mean',
    ),
    temperature_rise_c: q(
      'temperature',
      'degC',
      "The jar's temperature minus its site's battery-room temperature (environmental_sensor of type temperature): the room " +
        "sensor's latest reading at or before the jar's, if at most one day old (else empty).",
      'positive = warmer than the room',
    ),
    resistance_drift_pct: q(
      'ratio',
      '%',
      "The jar's internal resistance against its baseline: (resistance - baseline) / baseline * 100. The baseline is the mean " +
        "resistance of the jar's readings in the 7 days from its first reading; it follows new readings in that window " +
        'until the jar has a reading past it, then it is kept (later late rows inside the window do not move it).',
      'positive = above baseline',
    ),
    soc_pct: q(
      'state of charge',
      '%',
      'State-of-charge estimate from the voltage per cell (voltage / battery_model.cells), lead-acid figures: at or above the ' +
        "model's float voltage = 100 (on float charge); below, linear from 1.98 V/cell (0, a rested cell fully discharged) " +
        'to 2.125 V/cell (100, a rested full cell; 12.75 V for a 6-cell jar), clamped to 0..100. An estimate: a voltage under ' +
        'load or charge is not an open-circuit voltage.',
    ),
  },
};

/** The meaning of `dataset.column`, or undefined when either is unknown. */
export function columnMeaning(dataset: string, column: string): ColumnMeaning | undefined {
  if (isDerivedDatasetName(dataset)) return DERIVED_DICTIONARY[dataset][column];
  if (!(DATASET_NAMES as readonly string[]).includes(dataset)) return undefined;
  return DATA_DICTIONARY[dataset as DatasetName][column];
}

/** One line for a hover title: `voltage, V: Jar terminal voltage. Sign: ...`. Plain text, never HTML. */
export function describeColumn(m: ColumnMeaning): string {
  const head = m.unit === null ? m.quantity : `${m.quantity}, ${m.unit}`;
  return `${head}: ${m.description}${m.sign === undefined ? '' : ` Sign: ${m.sign}.`}`;
}

/**
 * The meaning of an output column of an export of `dataset`: a dataset column, or one derived from it by the
 * slice export (`<column>_mean|_min|_max` of a resample, `label_<column>` of a label source, `samples`).
 */
export function outputColumnMeaning(dataset: DatasetName, column: string, labelSource?: DatasetName): ColumnMeaning | undefined {
  const own = DATA_DICTIONARY[dataset][column];
  if (own) return own;
  if (column === 'samples') return { quantity: 'count', unit: null, description: 'Readings in the resample bucket.' };
  const agg = /^(.*)_(mean|min|max)$/.exec(column);
  if (agg) {
    const base = DATA_DICTIONARY[dataset][agg[1]];
    if (base) return { ...base, description: `${agg[2]} over the resample bucket of: ${base.description}` };
  }
  if (labelSource && column.startsWith('label_')) {
    const base = DATA_DICTIONARY[labelSource][column.slice('label_'.length)];
    if (base) return { ...base, description: `Label from ${labelSource}: ${base.description}` };
  }
  return undefined;
}

/** The Parquet key-value metadata key holding the meaning of one column. */
export function columnMetadataKey(column: string): string {
  return `battery_workbench.column.${column}`;
}

/** The key-value metadata an exported file carries: the dataset, and each known column's meaning as JSON. */
export function dictionaryMetadata(dataset: DatasetName, columns: readonly string[], labelSource?: DatasetName): Record<string, string> {
  const out: Record<string, string> = { 'battery_workbench.dataset': dataset };
  for (const c of columns) {
    const m = outputColumnMeaning(dataset, c, labelSource);
    if (m) out[columnMetadataKey(c)] = JSON.stringify(m);
  }
  return out;
}

/** Every derived dataset column, for checks: `[dataset, column]`. */
export function derivedColumnPairs(): [DerivedDatasetName, string][] {
  return (Object.keys(DERIVED_DATASETS) as DerivedDatasetName[]).flatMap((d) =>
    DERIVED_DATASETS[d].columns.map((c): [DerivedDatasetName, string] => [d, c.name]),
  );
}

/** Every dataset column, for checks: `[dataset, column]`. */
export function datasetColumnPairs(): [DatasetName, string][] {
  return DATASET_NAMES.flatMap((d) => DATASETS[d].columns.map((c): [DatasetName, string] => [d, c.name]));
}
