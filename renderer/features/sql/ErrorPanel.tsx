import { useState } from 'react';
import { ERROR_CODES, type ApiError } from '../../../shared/api/errors';

interface Props {
  error: ApiError;
  /** What was being done, e.g. "The query". */
  title?: string;
}

/** An error from the core, shown as text: code, message, the code's advice, and the detail on demand. */
export function ErrorPanel({ error, title }: Props) {
  const [showDetail, setShowDetail] = useState(false);
  const advice = ERROR_CODES[error.code] ?? '';
  return (
    <div className="error-panel" data-testid="query-error" role="alert">
      <div className="error-head">
        <span className="error-code">{error.code}</span>
        {title && <span className="error-title">{title}</span>}
      </div>
      <pre className="error-message">{error.message}</pre>
      {advice && <div className="error-advice">{advice}</div>}
      {error.detail && (
        <>
          <button type="button" className="link-btn" onClick={() => setShowDetail((v) => !v)}>
            {showDetail ? 'Hide detail' : 'Show detail'}
          </button>
          {showDetail && <pre className="error-detail">{error.detail}</pre>}
        </>
      )}
    </div>
  );
}
