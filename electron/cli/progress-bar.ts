import type { JobProgress } from '../../shared/api/jobs';
import type { EventBus } from '../core/events';

export interface ProgressUpdate {
  /** 0..1, or null when unknown (an indeterminate bar). */
  fraction: number | null;
  phase?: string;
  rows?: number;
  bytes?: number;
  message?: string;
}

export interface ProgressBarOptions {
  /** Where to draw (stderr, so stdout stays clean for data). */
  stream: NodeJS.WritableStream;
  /** Draw only on a terminal; elsewhere the bar stays silent. */
  isTTY: boolean;
  columns?: number;
  label?: string;
  /** Minimum ms between redraws. */
  intervalMs?: number;
  now?: () => number;
}

export interface ProgressBar {
  update(progress: ProgressUpdate): void;
  /** Clears the bar; prints `finalLine` (if any) on its own line. */
  done(finalLine?: string): void;
}

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function bytesText(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

/** The text of one frame of the bar (pure; exported for tests). */
export function renderProgressLine(label: string, p: ProgressUpdate, width: number, tick = 0): string {
  const barWidth = Math.max(10, Math.min(30, width - 60));
  let bar: string;
  let pct: string;
  if (p.fraction === null || !Number.isFinite(p.fraction)) {
    const at = tick % barWidth;
    bar = Array.from({ length: barWidth }, (_, i) => (Math.abs(i - at) < 3 ? '=' : ' ')).join('');
    pct = '  ?%';
  } else {
    const f = Math.min(1, Math.max(0, p.fraction));
    const full = Math.round(f * barWidth);
    bar = '#'.repeat(full) + '-'.repeat(barWidth - full);
    pct = `${String(Math.floor(f * 100)).padStart(3)}%`;
  }
  const facts = [p.phase, p.rows ? `${compact(p.rows)} rows` : '', p.bytes ? bytesText(p.bytes) : '', p.message]
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .join(' · ');
  const line = `${label ? `${label} ` : ''}[${bar}] ${pct}${facts ? ` ${facts}` : ''}`;
  return line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
}

/** A one-line progress bar redrawn in place with \r on a TTY, throttled. */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 100;
  let last = -Infinity;
  let tick = 0;
  let drawn = false;
  const width = (): number => options.columns ?? 100;
  return {
    update(progress) {
      if (!options.isTTY) return;
      const t = now();
      if (t - last < interval && progress.fraction !== 1) return;
      last = t;
      options.stream.write(`\r\x1b[2K${renderProgressLine(options.label ?? '', progress, width(), tick++)}`);
      drawn = true;
    },
    done(finalLine) {
      if (options.isTTY && drawn) options.stream.write('\r\x1b[2K');
      if (finalLine) options.stream.write(`${finalLine}\n`);
    },
  };
}

/**
 * Follows one job's 'job.progress' events into a bar until the job leaves 'running';
 * resolves with its last progress event.
 */
export function followJob(events: Pick<EventBus, 'on'>, jobId: string, bar: ProgressBar): Promise<JobProgress> {
  return new Promise((resolve) => {
    const off = events.on((event, payload) => {
      if (event !== 'job.progress') return;
      const p = payload as JobProgress;
      if (p.jobId !== jobId) return;
      bar.update({ fraction: p.fraction, phase: p.phase, rows: p.rows, bytes: p.bytes, message: p.message });
      if (p.state !== 'running') {
        off();
        resolve(p);
      }
    });
  });
}
