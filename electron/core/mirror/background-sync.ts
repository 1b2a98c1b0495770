import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import type { BackgroundSyncStatus } from '../../../shared/api/data';
import type { EventBus } from '../events';
import type { JobRunner } from '../jobs/runner';
import type { SyncReport } from './mirror-sync';

export interface BackgroundSyncDeps {
  jobs: JobRunner;
  events: EventBus;
  /** settings.json `sync.intervalSeconds`; 0 = off. */
  intervalSeconds: number;
  /** One incremental sync; the views and rollups are refreshed only when something changed. */
  sync(signal: AbortSignal): Promise<SyncReport>;
  /** A sync is running already (Sync now, the start-up sync, a job's). */
  busy(): boolean;
}

/** While paused, how often to look whether the job that holds the mirror has ended. */
const PAUSE_CHECK_MS = 1000;
/** The longest wait between attempts after failures. */
const MAX_BACKOFF_MS = 15 * 60_000;
/** A sync never takes more than about a fifth of the time: the next one waits at least 4x the last one's duration. */
const MAX_DUTY_FACTOR = 4;

/**
 * Keeps the mirror fresh while the app or web host is open: an incremental sync every `intervalSeconds`
 * (cheap when little changed, see mirror-sync.ts). Never two at once (a running sync is left alone), paused
 * while a long exclusive job (demo, archive, compaction, the start-up sync) holds the mirror, backing off
 * after failures (PostgreSQL unreachable: until it answers again), stopped on close. Every run, pause and
 * failure is announced as 'data.status', so "synced N ago" and the background state stay current.
 */
export class BackgroundSync {
  private intervalMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private controller: AbortController | null = null;
  private started = false;
  private stopped = false;
  private failures = 0;
  private state: BackgroundSyncStatus;

  constructor(private readonly deps: BackgroundSyncDeps) {
    this.intervalMs = Math.max(0, deps.intervalSeconds) * 1000;
    this.state = {
      state: 'off',
      intervalSeconds: deps.intervalSeconds,
      pausedBy: null,
      lastRunAt: null,
      lastChanges: null,
      lastError: null,
      nextRunAt: null,
    };
  }

  /** Starts the schedule: the first run one interval from now. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(this.intervalMs);
  }

  /** A new interval (0 = off), e.g. just saved in the settings; applies at once. */
  setInterval(seconds: number): void {
    this.intervalMs = Math.max(0, seconds) * 1000;
    this.state = { ...this.state, intervalSeconds: seconds };
    if (this.started && !this.stopped && this.running === null) this.schedule(this.intervalMs);
    this.announce('settings');
  }

  status(): BackgroundSyncStatus {
    return { ...this.state };
  }

  /** Stops the schedule and cancels a run in flight (its committed ranges are kept). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
    await this.running;
    this.state = { ...this.state, state: 'off', nextRunAt: null };
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || !this.started || this.intervalMs === 0) {
      this.state = { ...this.state, state: 'off', pausedBy: null, nextRunAt: null };
      return;
    }
    if (this.state.state === 'off') this.state = { ...this.state, state: 'idle' };
    this.state = { ...this.state, nextRunAt: new Date(Date.now() + delayMs).toISOString() };
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
      });
    }, delayMs);
    // A pending background run never keeps the process alive.
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.intervalMs === 0) return;
    const holder = this.deps.jobs.runningExclusive()[0];
    if (holder) {
      const changed = this.state.state !== 'paused' || this.state.pausedBy !== holder.kind;
      this.state = { ...this.state, state: 'paused', pausedBy: holder.kind };
      if (changed) this.announce('paused');
      this.schedule(Math.min(this.intervalMs, PAUSE_CHECK_MS));
      return;
    }
    if (this.deps.busy()) {
      this.schedule(this.intervalMs);
      return;
    }
    this.state = { ...this.state, state: 'syncing', pausedBy: null };
    const controller = new AbortController();
    this.controller = controller;
    const started = Date.now();
    let delay: number;
    try {
      const report = await this.deps.sync(controller.signal);
      this.failures = 0;
      const changes = report.datasets.reduce((a, d) => a + d.rows + d.changes, 0);
      this.state = { ...this.state, state: 'idle', lastRunAt: new Date().toISOString(), lastChanges: changes, lastError: null };
      delay = Math.max(this.intervalMs, (Date.now() - started) * MAX_DUTY_FACTOR);
    } catch (err) {
      if (this.stopped) return;
      this.failures++;
      const unreachable = err instanceof WorkbenchError && err.code === 'HOT_UNAVAILABLE';
      const message = errorMessage(err);
      this.state = { ...this.state, state: unreachable ? 'waiting' : 'failing', lastRunAt: new Date().toISOString(), lastError: message };
      delay = Math.min(this.intervalMs * 2 ** this.failures, Math.max(MAX_BACKOFF_MS, this.intervalMs));
    } finally {
      this.controller = null;
    }
    this.schedule(delay);
    this.announce('background-sync');
  }

  private announce(reason: string): void {
    this.deps.events.emit('data.status', { reason });
  }
}
