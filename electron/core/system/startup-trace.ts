/**
 * BATTERY_WORKBENCH_TRACE=1: one stderr line per step of a start (workspace open, listening, each call, each job),
 * with the milliseconds since the process started, to see what an app open waits for. Silent otherwise.
 */
const enabled = process.env.BATTERY_WORKBENCH_TRACE === '1';

export function trace(step: string): void {
  if (enabled) process.stderr.write(`[trace ${Math.round(performance.now())} ms] ${step}\n`);
}

/** `fn`'s start and end as two trace lines (just `fn()` when tracing is off). */
export async function traced<T>(step: string, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  trace(`${step} start`);
  try {
    return await fn();
  } finally {
    trace(`${step} end`);
  }
}
