import { Cron } from 'croner';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';

/** What the due check needs of a schedule. */
export interface SlotSchedule {
  cron: string;
  timeZone: string;
  enabled: boolean;
  /** ISO instant: slots at or before it never run (when the schedule was created, changed or enabled). */
  since: string;
}

export interface DueCheck {
  /** A slot passed since the last scheduled run (and since `since`) and has not run yet. */
  due: boolean;
  /** The latest such slot (ISO, UTC): the one a catch-up runs for, once, however many were missed. */
  slot: string | null;
  /** Slots that passed unrun, counting `slot` (at most 1000 are counted). */
  missed: number;
  /** The next slot after now (null when disabled or never again). */
  next: string | null;
}

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** True for 'UTC' and every IANA zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() !== zone || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The cron of a schedule, checked: 5 fields (minute hour day-of-month month day-of-week) or a nickname, in 'UTC'
 * or an IANA zone, and firing at least once. BAD_INPUT says which part is wrong.
 */
export function parseCron(cron: string, timeZone: string): Cron {
  if (!isTimeZone(timeZone)) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `"${timeZone}" is not a time zone: use UTC or an IANA zone such as Europe/Berlin or America/New_York.`,
    );
  }
  const text = cron.trim().replace(/\s+/g, ' ');
  const fields = text.split(' ');
  if (!(text.startsWith('@') ? NICKNAMES.has(text.toLowerCase()) : fields.length === 5)) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `"${cron}" is not a cron expression: give 5 fields (minute hour day-of-month month day-of-week, e.g. "0 2 * * *" for 02:00 daily) or one of ${[...NICKNAMES].join(', ')}.`,
    );
  }
  let parsed: Cron;
  try {
    parsed = new Cron(text, { timezone: timeZone, paused: true });
  } catch (err) {
    const reason = errorMessage(err).replace(/^CronPattern: /, '');
    throw new WorkbenchError('BAD_INPUT', `"${cron}" is not a valid cron expression: ${reason}.`, errorMessage(err));
  }
  if (parsed.nextRun(new Date(0)) === null) {
    throw new WorkbenchError('BAD_INPUT', `"${cron}" never fires (no date matches it): check its day and month fields.`);
  }
  return parsed;
}

/** Slots are whole seconds; a reference exactly on a slot counts that slot as passed. */
function latestAtOrBefore(cron: Cron, at: Date): Date | null {
  const [prev] = cron.previousRuns(1, new Date(at.getTime() + 1000));
  return prev && prev.getTime() <= at.getTime() ? prev : null;
}

/**
 * What is due of `schedule` at `now`, given the slot of its last scheduled run (null: never ran). A job whose slots
 * passed while nothing ran (the machine slept, the app was closed) is due once, for the latest of them; a slot that
 * has a run is never due again.
 */
export function dueSlot(schedule: SlotSchedule, lastSlot: string | null, now: Date): DueCheck {
  if (!schedule.enabled) return { due: false, slot: null, missed: 0, next: null };
  const cron = parseCron(schedule.cron, schedule.timeZone);
  const sinceMs = Date.parse(schedule.since);
  const lastMs = lastSlot === null ? Number.NEGATIVE_INFINITY : Date.parse(lastSlot);
  const fromMs = Math.max(Number.isFinite(sinceMs) ? sinceMs : Number.NEGATIVE_INFINITY, lastMs);
  const nextRun = cron.nextRun(now);
  const next = nextRun ? nextRun.toISOString() : null;
  const latest = latestAtOrBefore(cron, now);
  if (latest === null || latest.getTime() <= fromMs) return { due: false, slot: null, missed: 0, next };
  let missed = 0;
  if (Number.isFinite(fromMs)) {
    for (const run of cron.enumerate(new Date(fromMs))) {
      if (run.getTime() > latest.getTime() || ++missed >= 1000) break;
    }
  } else {
    missed = 1;
  }
  return { due: true, slot: latest.toISOString(), missed, next };
}
