import type { ReactNode } from 'react';

interface Props {
  /** 0..1, or null when unknown. */
  fraction: number | null;
  /** What the job says it is doing, shown after the bar. */
  children?: ReactNode;
  /** The bar's accessible name, e.g. "Export progress". */
  label?: string;
  testId?: string;
}

/** A job's fraction as a whole percent (0..100), or null when unknown. */
export function percentOf(fraction: number | null): number | null {
  return fraction === null ? null : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}

/** A running job's progress: a bar and its message. Every job view (export, convert, archive, compact, demo) draws it so. */
export function JobProgress({ fraction, children, label, testId }: Props) {
  const pct = percentOf(fraction);
  return (
    <div className="run-progress" data-testid={testId}>
      <span
        className="progress-track wide"
        role="progressbar"
        aria-label={label}
        aria-valuenow={pct ?? undefined}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <span className="progress-fill" style={{ width: `${pct ?? 0}%` }} />
      </span>
      {children}
    </div>
  );
}
