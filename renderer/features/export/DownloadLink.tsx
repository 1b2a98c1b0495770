import { useState, type ReactNode } from 'react';
import { errorMessage } from '../../../shared/api/errors';
import { downloadExport, downloadHref } from './download';

interface Props {
  /** The export's download id; nothing is shown without one or in the desktop app. */
  downloadId: string | null;
  /** The name the browser saves under; empty = the host's (Content-Disposition). */
  fileName?: string;
  testId: string;
  children: ReactNode;
}

/**
 * A download of an export from the web host. The link's href is the plain path (it holds no
 * credential); a click fetches a one-time URL with the token header and downloads that.
 */
export function DownloadLink({ downloadId, fileName = '', testId, children }: Props) {
  const [error, setError] = useState<string | null>(null);
  const href = downloadHref(downloadId);
  if (href === null || downloadId === null) return null;
  return (
    <>
      <a
        className="btn small"
        href={href}
        download={fileName}
        data-testid={testId}
        onClick={(e) => {
          e.preventDefault();
          setError(null);
          downloadExport(downloadId, fileName).catch((err: unknown) => setError(errorMessage(err)));
        }}
      >
        {children}
      </a>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
    </>
  );
}
