import type pg from 'pg';
import type { LiveFeedStatus } from '../../../shared/api/data';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { MAX_LIVE_SPEED } from '../../../shared/api/settings';
import { DEMO_SERIAL_PATTERN, seededRandom } from '../../../shared/domain/demo-fleet';
import { SLOT_MS } from '../../../shared/domain/demo-scale';
import { TEMPERATURE_WARNING_C } from '../../../shared/domain/thresholds';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { ensureDayPartitions, HOT_SCHEMA } from '../hot/hot-schema';
import type { HotStore } from '../hot/hot-store';

/**
 * The live demo feed: while it runs, every tick writes one reading per jar and string for the whole demo fleet
 * into PostgreSQL (jar and string telemetry, each jar's series continued from its last reading), one per battery-room
 * sensor (the room's temperature is its strings' ambient, its humidity wanders from its last reading) and now and then
 * raises a temperature alert that it clears a few ticks later, so the background sync, freshness and alerts can be
 * seen working. A tick comes every 5 minutes (the demo's reading interval), or `speed` times more often (speed 60:
 * every 5 s). Readings are stamped with the time they are written, never ahead of the clock, so the dashboards'
 * "now" ranges show them at once. Values go in as bound parameters, one transaction per tick.
 * Used by `demo --live` (CLI) and the Settings toggle (desktop app, web host).
 */

/** A --speed value or the Settings field: a positive number up to MAX_LIVE_SPEED, else a clear error. */
export function parseLiveSpeed(text: string | number): number {
  const n = typeof text === 'number' ? text : Number(String(text).trim());
  if (String(text).trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_LIVE_SPEED)
    throw new WorkbenchError(
      'BAD_INPUT',
      `The live feed's speed must be a number above 0 and at most ${MAX_LIVE_SPEED}, not "${String(text)}". ` +
        '1 writes readings every 5 minutes; 60 writes them every 5 s.',
    );
  return n;
}

export interface LiveTick {
  /** The slot written (ISO-8601). */
  ts: string;
  readings: number;
  stringReadings: number;
  /** Battery-room sensor readings (environmental_telemetry). */
  roomReadings: number;
  alertsRaised: number;
  alertsCleared: number;
}

export interface LiveFeedOptions {
  hot: () => Promise<HotStore>;
  speed: number;
  /** Seed of the readings' noise and of which jar runs hot. */
  seed?: number;
  /** True while the feed must not write (a demo being generated replaces the tables): the tick is skipped. */
  paused?: () => string | null;
  onTick?: (tick: LiveTick) => void;
  /** The status changed (a tick, a wait, a stop). */
  onStatus?: (status: LiveFeedStatus) => void;
  /** The clock (tests); default Date.now. */
  now?: () => number;
}

interface Jar {
  id: number;
  stringId: number;
  v: number;
  t: number;
  r: number;
  /** The levels the series continues from: voltage and temperature wander around them. */
  v0: number;
  t0: number;
}

interface Str {
  id: number;
  current: number;
  ambient: number;
}

/** A battery-room sensor: a temperature sensor reads its site's strings' ambient, a humidity sensor wanders. */
interface Sensor {
  id: number;
  type: string;
  /** The strings of its site. */
  strings: Str[];
  value: number;
}

interface FeedState {
  jars: Jar[];
  strings: Str[];
  sensors: Sensor[];
  /** The last slot written (epoch ms); the next tick writes the slot after it. */
  lastMs: number;
  /** The UTC day whose partition exists. */
  partitionDay: string | null;
}

/** A raised alert: its jar runs hot until `untilTick`, then the alert is cleared. */
interface Excursion {
  alertId: number;
  jar: Jar;
  temperature: number;
  untilTick: number;
}

/** One alert every this many ticks (an hour of readings), the first at the first tick; it lasts EXCURSION_TICKS. */
export const ALERT_EVERY_TICKS = 12;
const EXCURSION_TICKS = 3;
const WAIT_RETRY_MS = 5_000;

const T = {
  battery: qualifiedName(HOT_SCHEMA, 'battery'),
  model: qualifiedName(HOT_SCHEMA, 'battery_model'),
  string: qualifiedName(HOT_SCHEMA, 'battery_string'),
  telemetry: qualifiedName(HOT_SCHEMA, 'telemetry'),
  stringTelemetry: qualifiedName(HOT_SCHEMA, 'string_telemetry'),
  system: qualifiedName(HOT_SCHEMA, 'battery_system'),
  sensor: qualifiedName(HOT_SCHEMA, 'environmental_sensor'),
  environmental: qualifiedName(HOT_SCHEMA, 'environmental_telemetry'),
  alert: qualifiedName(HOT_SCHEMA, 'alert'),
};

/** Why the hot store cannot be fed (no fleet, or not the demo's), or null. The feed never writes into a real fleet. */
export async function liveFeedProblem(client: pg.Client): Promise<string | null> {
  const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [T.battery]);
  if (!found.rows[0]?.t) return 'The hot store holds no fleet yet: generate the demo first.';
  const r = await client.query<{ n: string; demo: string }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE serial_no ~ $1) AS demo FROM ${T.battery}`,
    [DEMO_SERIAL_PATTERN],
  );
  const n = Number(r.rows[0]?.n ?? 0);
  if (n === 0) return 'The hot store holds no fleet yet: generate the demo first.';
  if (Number(r.rows[0]?.demo ?? 0) !== n)
    return 'The hot store holds a fleet that is not the demo: the live feed only feeds the demo fleet.';
  return null;
}

async function loadState(client: pg.Client): Promise<FeedState> {
  const jars = await client.query<{
    id: number;
    string_id: number;
    float_v: number;
    r0: number;
    ts: Date | null;
    v: number | null;
    t: number | null;
    r: number | null;
  }>(
    `SELECT b.battery_id AS id, b.string_id, m.float_voltage_v::float8 AS float_v, m.nominal_resistance_mohm::float8 AS r0,
       last.ts, last.voltage_v::float8 AS v, last.temperature_c::float8 AS t, last.resistance_mohm::float8 AS r
     FROM ${T.battery} b JOIN ${T.model} m ON m.model_id = b.model_id
     LEFT JOIN LATERAL (SELECT ts, voltage_v, temperature_c, resistance_mohm FROM ${T.telemetry} x
       WHERE x.battery_id = b.battery_id ORDER BY ts DESC LIMIT 1) last ON true
     ORDER BY b.battery_id`,
  );
  const strings = await client.query<{ id: number; current: number | null; ambient: number | null }>(
    `SELECT s.string_id AS id, last.current_a::float8 AS current, last.ambient_c::float8 AS ambient
     FROM ${T.string} s LEFT JOIN LATERAL (SELECT current_a, ambient_c FROM ${T.stringTelemetry} x
       WHERE x.string_id = s.string_id ORDER BY ts DESC LIMIT 1) last ON true
     ORDER BY s.string_id`,
  );
  const siteOf = await client.query<{ string_id: number; location_id: number }>(
    `SELECT s.string_id, y.location_id FROM ${T.string} s JOIN ${T.system} y ON y.system_id = s.system_id`,
  );
  const sensors = await client.query<{ id: number; location_id: number; type: string; value: number | null }>(
    `SELECT e.sensor_id AS id, e.location_id, e.sensor_type AS type, last.value::float8 AS value
     FROM ${T.sensor} e LEFT JOIN LATERAL (SELECT value FROM ${T.environmental} x
       WHERE x.sensor_id = e.sensor_id ORDER BY ts DESC LIMIT 1) last ON true
     ORDER BY e.sensor_id`,
  );
  // The series' last reading: the next one is stamped after it (and at the wall clock).
  let lastMs = 0;
  for (const j of jars.rows) if (j.ts) lastMs = Math.max(lastMs, j.ts.getTime());
  const feedStrings = strings.rows.map((s) => ({
    id: s.id,
    current: s.current !== null && s.current >= 0 ? s.current : 0.3,
    ambient: s.ambient ?? 23,
  }));
  const site = new Map(siteOf.rows.map((r) => [r.string_id, r.location_id]));
  return {
    sensors: sensors.rows.map((e) => ({
      id: e.id,
      type: e.type,
      strings: feedStrings.filter((s) => site.get(s.id) === e.location_id),
      value: e.value ?? (e.type === 'humidity' ? 45 : 23),
    })),
    jars: jars.rows.map((j) => {
      // A reading taken during a capacity test (well below float) is not the level to continue from.
      const v = j.v !== null && Math.abs(j.v - j.float_v) < 0.03 * j.float_v ? j.v : j.float_v;
      const t = j.t ?? 25;
      return { id: j.id, stringId: j.string_id, v, t, r: j.r ?? j.r0, v0: v, t0: t };
    }),
    strings: feedStrings,
    lastMs,
    partitionDay: null,
  };
}

/**
 * One slot of a time series: the key column (integers) and numeric columns as arrays, bound as parameters and
 * unnested; a row that exists already (another feed on the same store) is skipped. Returns the rows written.
 */
async function insertSlot(
  client: pg.Client,
  table: string,
  columns: readonly [string, ...string[]],
  ts: Date,
  values: readonly (readonly (number | string)[])[],
): Promise<number> {
  const [key, ...rest] = columns;
  const names = columns.map((_, i) => `c${i}`);
  const arrays = columns.map((_, i) => `$${i + 2}::${i === 0 ? 'int' : 'numeric'}[]`);
  const r = await client.query(
    `INSERT INTO ${table} (${[key, 'ts', ...rest].map(quoteIdent).join(', ')})
     SELECT ${[names[0], '$1::timestamptz', ...names.slice(1)].join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})
     ON CONFLICT DO NOTHING`,
    [ts, ...values],
  );
  return r.rowCount ?? 0;
}

export class LiveFeed {
  private readonly speed: number;
  private readonly rnd: () => number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;
  private client: pg.Client | null = null;
  private state: FeedState | null = null;
  private excursions: Excursion[] = [];
  private current: LiveFeedStatus;

  constructor(private readonly options: LiveFeedOptions) {
    this.speed = parseLiveSpeed(options.speed);
    this.rnd = seededRandom(options.seed ?? 20240601);
    this.now = options.now ?? Date.now;
    this.current = { state: 'off', speed: this.speed, ticks: 0, rows: 0, alertsRaised: 0, lastReadingAt: null, message: null };
  }

  /** Milliseconds between ticks. */
  get intervalMs(): number {
    return SLOT_MS / this.speed;
  }

  status(): LiveFeedStatus {
    return { ...this.current };
  }

  /** Start ticking: the first tick at once, then every intervalMs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.update({ state: 'running', message: null, ticks: 0, rows: 0, alertsRaised: 0 });
    this.schedule(0);
  }

  /** Stop ticking: waits for a tick in progress, closes the connection; returns the final status. */
  async stop(): Promise<LiveFeedStatus> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
    await this.client?.end().catch(() => undefined);
    this.client = null;
    this.state = null;
    this.update({ state: 'off', message: null });
    return this.status();
  }

  private update(next: Partial<LiveFeedStatus>): void {
    this.current = { ...this.current, ...next };
    this.options.onStatus?.(this.status());
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const started = this.now();
      this.inFlight = this.safeTick().finally(() => {
        this.inFlight = null;
        // While waiting (no demo fleet yet, a demo being generated), look again soon rather than a slot later.
        const every = this.current.state === 'waiting' ? Math.min(this.intervalMs, WAIT_RETRY_MS) : this.intervalMs;
        this.schedule(Math.max(0, every - (this.now() - started)));
      });
    }, delayMs);
  }

  private async safeTick(): Promise<void> {
    const paused = this.options.paused?.() ?? null;
    if (paused) {
      // Whatever is in the hot store afterwards (a new demo) is read afresh.
      this.state = null;
      this.excursions = [];
      this.update({ state: 'waiting', message: paused });
      return;
    }
    try {
      const tick = await this.tick();
      this.options.onTick?.(tick);
    } catch (err) {
      this.state = null;
      await this.client?.end().catch(() => undefined);
      this.client = null;
      if (this.running) this.update({ state: 'waiting', message: errorMessage(err) });
    }
  }

  /** Write the next slot (one transaction). Exposed for tests; normally driven by start(). */
  async tick(): Promise<LiveTick> {
    this.client ??= await (await this.options.hot()).connect('owner');
    const client = this.client;
    if (!this.state) {
      const problem = await liveFeedProblem(client);
      if (problem) throw new WorkbenchError('CONFLICT', problem);
      this.state = await loadState(client);
      this.excursions = [];
    }
    const state = this.state;
    // Stamped when written (whole seconds), after the series' last reading; never ahead of the clock.
    const ms = Math.max(state.lastMs + 1000, Math.floor(this.now() / 1000) * 1000);
    const ts = new Date(ms);
    const day = ts.toISOString().slice(0, 10);
    if (state.partitionDay !== day) {
      await ensureDayPartitions(client, [day]);
      state.partitionDay = day;
    }
    const tickNo = this.current.ticks;
    const noise = (): number => this.rnd() + this.rnd() - 1;
    // Each jar: its last level plus noise; resistance creeps up with age.
    for (const j of state.jars) {
      j.v += (j.v0 - j.v) * 0.05 + noise() * 0.001;
      j.t += (j.t0 - j.t) * 0.05 + noise() * 0.1;
      j.r *= 1 + 0.000002 + noise() * 0.0005;
    }
    for (const s of state.strings) {
      s.current = Math.max(0.1, s.current + noise() * 0.02);
      s.ambient += noise() * 0.05;
    }
    for (const e of state.sensors) {
      e.value =
        e.type === 'temperature' && e.strings.length > 0
          ? e.strings.reduce((a, s) => a + s.ambient, 0) / e.strings.length + noise() * 0.05
          : Math.min(80, Math.max(20, e.value + noise() * 0.3));
    }
    const cleared = this.excursions.filter((e) => e.untilTick <= tickNo);
    this.excursions = this.excursions.filter((e) => e.untilTick > tickNo);
    let raised: Excursion | null = null;
    if (tickNo % ALERT_EVERY_TICKS === 0 && state.jars.length > 0) {
      const jar = state.jars[Math.floor(this.rnd() * state.jars.length)];
      if (!this.excursions.some((e) => e.jar === jar)) {
        raised = { alertId: 0, jar, temperature: TEMPERATURE_WARNING_C + 1 + this.rnd() * 2, untilTick: tickNo + EXCURSION_TICKS };
      }
    }
    const hot = new Map(this.excursions.map((e) => [e.jar.id, e.temperature]));
    if (raised) hot.set(raised.jar.id, raised.temperature);
    const temperature = (j: Jar): number => hot.get(j.id) ?? j.t;
    const sums = new Map<number, number>();
    for (const j of state.jars) sums.set(j.stringId, (sums.get(j.stringId) ?? 0) + Number(j.v.toFixed(3)));

    let jarRows: number;
    let stringRows: number;
    let roomRows = 0;
    await client.query('BEGIN');
    try {
      jarRows = await insertSlot(client, T.telemetry, ['battery_id', 'voltage_v', 'temperature_c', 'resistance_mohm'], ts, [
        state.jars.map((j) => j.id),
        state.jars.map((j) => j.v.toFixed(3)),
        state.jars.map((j) => temperature(j).toFixed(1)),
        state.jars.map((j) => j.r.toFixed(2)),
      ]);
      stringRows = await insertSlot(client, T.stringTelemetry, ['string_id', 'voltage_v', 'current_a', 'ambient_c'], ts, [
        state.strings.map((s) => s.id),
        state.strings.map((s) => (sums.get(s.id) ?? 0).toFixed(3)),
        state.strings.map((s) => s.current.toFixed(2)),
        state.strings.map((s) => s.ambient.toFixed(1)),
      ]);
      if (state.sensors.length > 0) {
        roomRows = await insertSlot(client, T.environmental, ['sensor_id', 'value'], ts, [
          state.sensors.map((e) => e.id),
          state.sensors.map((e) => e.value.toFixed(2)),
        ]);
      }
      for (const e of cleared) {
        await client.query(`UPDATE ${T.alert} SET cleared_at = $1 WHERE alert_id = $2 AND cleared_at IS NULL`, [ts, e.alertId]);
      }
      if (raised) {
        const value = raised.temperature.toFixed(1);
        const r = await client.query<{ id: string }>(
          `INSERT INTO ${T.alert} (alert_id, battery_id, string_id, alert_type, severity, raised_at, cleared_at, value, threshold, message)
           SELECT coalesce(max(alert_id), 0) + 1, $1::int, $2::int, 'temperature_high', 'warning', $3::timestamptz, NULL, $4::numeric, $5::numeric, $6::text FROM ${T.alert}
           RETURNING alert_id AS id`,
          [
            raised.jar.id,
            raised.jar.stringId,
            ts,
            value,
            TEMPERATURE_WARNING_C,
            `Temperature ${value} C above ${TEMPERATURE_WARNING_C.toFixed(1)} C`,
          ],
        );
        raised.alertId = Number(r.rows[0]?.id);
        this.excursions.push(raised);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    state.lastMs = ms;
    const tick: LiveTick = {
      ts: ts.toISOString(),
      readings: jarRows,
      stringReadings: stringRows,
      roomReadings: roomRows,
      alertsRaised: raised ? 1 : 0,
      alertsCleared: cleared.length,
    };
    this.update({
      state: 'running',
      message: null,
      ticks: tickNo + 1,
      rows: this.current.rows + tick.readings + tick.stringReadings + tick.roomReadings,
      alertsRaised: this.current.alertsRaised + tick.alertsRaised,
      lastReadingAt: tick.ts,
    });
    return tick;
  }
}
