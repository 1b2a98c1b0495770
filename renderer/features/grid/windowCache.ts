import type { ApiError, Result } from '../../../shared/api/errors';

/** Anything the cache can hold: a decoded window of `rows` rows. */
export interface CachedWindow {
  rows: number;
}

export type FetchWindow<P extends CachedWindow> = (offset: number, limit: number) => Promise<Result<P>>;

export interface CacheOptions {
  /** Rows per page (one query.window call each). */
  pageSize?: number;
  /** Pages kept before the least recently used is dropped. */
  maxPages?: number;
  /** Page requests in flight at once; further wanted pages wait (newest first). */
  concurrency?: number;
}

/**
 * A cache of fixed-size row pages around the viewport for one (result, sort).
 * Requests are de-duplicated (a page is fetched once while in flight), the newest
 * wanted pages go first, pages no longer wanted are dropped from the queue, and the
 * least recently used pages are evicted past `maxPages`.
 */
export class WindowCache<P extends CachedWindow> {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly concurrency: number;
  private readonly pages = new Map<number, P>();
  private readonly inflight = new Map<number, Promise<P | null>>();
  private queue: number[] = [];
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  private lastError: ApiError | null = null;
  /** Counts every fetch actually sent (for tests and diagnostics). */
  fetches = 0;
  /** Bumped whenever a page lands or fails: a snapshot for useSyncExternalStore. */
  version = 0;

  constructor(
    private readonly fetchWindow: FetchWindow<P>,
    private readonly rowCount: number,
    options: CacheOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.maxPages = Math.max(2, options.maxPages ?? 60);
    this.concurrency = Math.max(1, options.concurrency ?? 3);
  }

  /** The page holding `row` and the row's index inside it, if loaded. */
  locate(row: number): { page: P; index: number } | null {
    const p = Math.floor(row / this.pageSize);
    const page = this.pages.get(p);
    if (!page) return null;
    const index = row - p * this.pageSize;
    return index < page.rows ? { page, index } : null;
  }

  get error(): ApiError | null {
    return this.lastError;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getVersion = (): number => this.version;

  /** Make sure the pages covering rows [start, end) are loaded or on their way. */
  want(start: number, end: number): void {
    if (this.disposed || end <= start) return;
    const first = Math.floor(Math.max(0, start) / this.pageSize);
    const last = Math.floor((Math.min(end, this.rowCount) - 1) / this.pageSize);
    const wanted: number[] = [];
    for (let p = first; p <= last; p++) {
      const page = this.pages.get(p);
      if (page) {
        // Touch for LRU.
        this.pages.delete(p);
        this.pages.set(p, page);
      } else if (!this.inflight.has(p)) {
        wanted.push(p);
      }
    }
    // Only what the viewport wants now stays queued: a fast scroll skips the pages it flew past.
    this.queue = wanted;
    this.pump();
  }

  /** Rows [start, end) in order, fetching what is missing (used for copy). */
  async rows(start: number, end: number): Promise<Result<{ page: P; index: number }[]>> {
    const out: { page: P; index: number }[] = [];
    const first = Math.floor(start / this.pageSize);
    const last = Math.floor((Math.min(end, this.rowCount) - 1) / this.pageSize);
    for (let p = first; p <= last; p++) {
      const page = this.pages.get(p) ?? (await this.load(p));
      if (!page) return { ok: false, error: this.lastError ?? { code: 'INTERNAL', message: 'A result window could not be read.' } };
      const from = Math.max(start, p * this.pageSize) - p * this.pageSize;
      const to = Math.min(end, p * this.pageSize + page.rows) - p * this.pageSize;
      for (let i = from; i < to; i++) out.push({ page, index: i });
    }
    return { ok: true, value: out };
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    this.pages.clear();
    this.listeners.clear();
  }

  private pump(): void {
    while (this.inflight.size < this.concurrency && this.queue.length > 0) {
      const p = this.queue.shift();
      if (p === undefined || this.pages.has(p) || this.inflight.has(p)) continue;
      void this.load(p).then(() => this.pump());
    }
  }

  private load(p: number): Promise<P | null> {
    const existing = this.inflight.get(p);
    if (existing) return existing;
    const offset = p * this.pageSize;
    const limit = Math.max(1, Math.min(this.pageSize, this.rowCount - offset));
    this.fetches++;
    const promise = this.fetchWindow(offset, limit).then(
      (res) => {
        this.inflight.delete(p);
        if (this.disposed) return null;
        if (!res.ok) {
          this.lastError = res.error;
          this.emit();
          return null;
        }
        this.lastError = null;
        this.pages.set(p, res.value);
        while (this.pages.size > this.maxPages) {
          const oldest = this.pages.keys().next().value;
          if (oldest === undefined) break;
          this.pages.delete(oldest);
        }
        this.emit();
        return res.value;
      },
      (err: unknown) => {
        this.inflight.delete(p);
        this.lastError = { code: 'INTERNAL', message: 'A result window could not be read.', detail: String(err) };
        this.emit();
        return null;
      },
    );
    this.inflight.set(p, promise);
    return promise;
  }

  private emit(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
