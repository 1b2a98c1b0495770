import type { LiveFeedStatus } from '../../../shared/api/data';
import { DEFAULT_LIVE_SPEED } from '../../../shared/api/settings';
import type { EventBus } from '../events';
import type { DataPlatform } from '../mirror/data-platform';
import { LiveFeed } from './live-feed';

/** How often a running feed's ticks are announced at most (each announcement makes the renderer reload data.status). */
const ANNOUNCE_EVERY_MS = 5_000;

/**
 * The Settings toggle's side of the live demo feed (desktop app, web host): settings.json `liveFeed` applied at
 * open and whenever Settings changes it; the feed waits while the hot store holds no demo fleet or a demo is being
 * generated, and stops when the workspace closes. Its state goes out as 'data.status' events.
 */
export class LiveFeedSwitch {
  private feed: LiveFeed | null = null;
  private speed = DEFAULT_LIVE_SPEED;
  private announced = 0;
  private lastState: string | null = null;

  constructor(private readonly deps: { data: DataPlatform; events: EventBus }) {}

  /** Start, restart at a new speed, or stop the feed. */
  async apply(setting: { enabled: boolean; speed: number } | undefined): Promise<void> {
    const enabled = setting?.enabled === true;
    const speed = setting?.speed ?? DEFAULT_LIVE_SPEED;
    if (this.feed && (!enabled || speed !== this.speed)) {
      const feed = this.feed;
      this.feed = null;
      await feed.stop();
    }
    this.speed = speed;
    if (!enabled || this.feed) {
      this.announce(true);
      return;
    }
    const { data } = this.deps;
    this.feed = new LiveFeed({
      hot: () => data.hotStore(),
      speed,
      paused: () => (data.syncHoldReason ? `Paused: ${data.syncHoldReason}` : null),
      onStatus: () => this.announce(false),
    });
    this.feed.start();
  }

  status(): LiveFeedStatus {
    return (
      this.feed?.status() ?? { state: 'off', speed: this.speed, ticks: 0, rows: 0, alertsRaised: 0, lastReadingAt: null, message: null }
    );
  }

  async close(): Promise<void> {
    const feed = this.feed;
    this.feed = null;
    await feed?.stop();
  }

  /** A change of state or message at once; ticks at most every ANNOUNCE_EVERY_MS. */
  private announce(force: boolean): void {
    const s = this.status();
    const key = `${s.state}:${s.message ?? ''}`;
    const now = Date.now();
    if (!force && key === this.lastState && now - this.announced < ANNOUNCE_EVERY_MS) return;
    this.lastState = key;
    this.announced = now;
    this.deps.events.emit('data.status', { reason: 'live-feed' });
  }
}
