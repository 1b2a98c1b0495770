/**
 * Holds background start-up work (the hot store's start, the mirror sync, the rollups' catch-up) until the first
 * panels of the app are answered, so on a 2-core laptop they do not compete with the first chart. Opens when every
 * tracked call has answered after the first one began, or after `fallbackMs` (a window on a view without panels,
 * a web host nobody opens), or on `open()`. Once open it stays open.
 */
export class StartupGate {
  private inFlight = 0;
  private isOpen = false;
  private disposed = false;
  private release: () => void = () => undefined;
  private readonly timer: ReturnType<typeof setTimeout> | null;
  /** Resolves when the gate opens. */
  readonly opened: Promise<void>;

  constructor(fallbackMs: number) {
    this.opened = new Promise<void>((resolve) => {
      this.release = resolve;
    });
    this.timer = Number.isFinite(fallbackMs) ? setTimeout(() => this.open(), fallbackMs) : null;
    // A pending start never keeps the process alive.
    this.timer?.unref?.();
  }

  /** An open gate: nothing waits (the CLI, tests). */
  static opened(): StartupGate {
    const gate = new StartupGate(Infinity);
    gate.open();
    return gate;
  }

  get isOpened(): boolean {
    return this.isOpen;
  }

  /** Runs `fn` as one of the first answers: the gate opens once no tracked call is left in flight. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    if (this.isOpen) return fn();
    this.inFlight++;
    try {
      return await fn();
    } finally {
      if (--this.inFlight === 0) this.open();
    }
  }

  /** Runs `fn` once the gate is open (now, when it is); never after dispose(). */
  after(fn: () => void): void {
    if (this.disposed) return;
    if (this.isOpen) fn();
    else
      void this.opened.then(() => {
        if (!this.disposed) fn();
      });
  }

  /** The workspace closes: what still waits never runs. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    if (this.timer) clearTimeout(this.timer);
    this.release();
  }
}
