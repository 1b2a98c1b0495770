import type { ReactNode } from 'react';

interface Props {
  /** 0..1, or null when unknown. */
  fraction: number | null;
  /** What the job says it is doing, shown after the bar. */
  children?: ReactNode;
  testId?: string;
}

/** A running job's progress: a bar and its message. */
export function JobProgress({ fraction, children, testId }: Props) {
  const pct = fraction === null ? undefined : Math.round(fraction * 100);
  return (
    <div className="run-progress" data-testid={testId}>
      <span className="progress-track wide" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
        <span className="progress-fill" style={{ width: `${pct ?? 0}%` }} />
      </span>
      {children}
    </div>
  );
}
