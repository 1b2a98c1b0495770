import type { ReactNode } from 'react';

/** What an error shows: an ApiError, a job's error, a report's failure. Its texts may come from a database: shown as text only. */
export interface ShownError {
  code?: string;
  message: string;
  detail?: string;
}

interface Props {
  /** The error, or a sentence (a form's problem). */
  error: ShownError | string;
  /**
   * `box` (default): the code and the message in a framed box, the advice under them.
   * `inline`: one line of text (the message, after `prefix`).
   */
  variant?: 'box' | 'inline';
  /** Box: the lines under the message (default: the error's detail). */
  advice?: ReactNode;
  /** Box: a cancelled run is a warning, not an error. */
  warning?: boolean;
  /** Inline: the code in bold before the message. */
  showCode?: boolean;
  /** Inline: words before the message, e.g. `Could not load the datasets: `. */
  prefix?: ReactNode;
  /** Inline: the detail follows the message. */
  withDetail?: boolean;
  /** Announced to screen readers (role=alert); default true. */
  alert?: boolean;
  testId?: string;
}

/** An error from the core or a job, drawn one way everywhere. */
export function ErrorBox({ error: shown, variant = 'box', advice, warning, showCode, prefix, withDetail, alert = true, testId }: Props) {
  const error = typeof shown === 'string' ? { message: shown } : shown;
  const role = alert ? 'alert' : undefined;
  if (variant === 'inline') {
    return (
      <div className="inline-error" role={role} data-testid={testId}>
        {showCode && error.code && <strong>{error.code}</strong>}
        {showCode && error.code && ' '}
        {prefix}
        {error.message}
        {withDetail && error.detail ? ` ${error.detail}` : ''}
      </div>
    );
  }
  const below = advice !== undefined ? advice : error.detail && <div className="error-advice">{error.detail}</div>;
  return (
    <div className={warning ? 'lake-warning' : 'convert-error'} role={role} data-testid={testId}>
      <span className="error-code">{error.code}</span> <span className="error-text">{error.message}</span>
      {below}
    </div>
  );
}
