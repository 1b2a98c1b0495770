import type { SettingsInfo } from '../../../shared/api/settings';
import { formatBytes, formatCount } from '../../../shared/format';
import { backgroundSyncText } from '../schema/backgroundSyncText';
import { formatAgo } from '../schema/relativeTime';
import { useDataStatus } from '../schema/dataStatusStore';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { LakeCachePanel } from './LakeCachePanel';

interface Props {
  info: SettingsInfo | null;
}

const SOURCE_TEXT: Record<SettingsInfo['running']['hot']['source'], string> = {
  flag: 'from --pg-url (over the settings)',
  settings: 'from the settings',
  default: 'the default',
  off: 'off for this run',
};

/** What this run uses right now: data.status (hot store, lake, freshness) and where that came from. */
export function StatusCard({ info }: Props) {
  const { status, error, now } = useDataStatus();
  const hot = status?.hot;
  const ago = formatAgo(status?.syncedAt ?? null, now);
  const background = backgroundSyncText(status?.background, now);
  return (
    <Card label="Current status" testId="settings-status" title="Now running">
      {error && <ErrorBox variant="inline" showCode error={error} />}
      {hot && (
        <dl className="settings-facts">
          <dt>Hot store</dt>
          <dd data-testid="status-hot">
            <span className={hot.kind === 'none' ? 'state-dot off' : hot.reachable ? 'state-dot ok' : 'state-dot bad'} aria-hidden="true" />
            {hot.kind === 'none' ? 'none' : `PostgreSQL, ${hot.kind}`}
            {info && <span className="dim"> · {SOURCE_TEXT[info.running.hot.source]}</span>}
          </dd>
          <dt>State</dt>
          <dd data-testid="status-reachable">
            {hot.kind === 'none' ? 'no PostgreSQL in this run' : hot.reachable ? 'reachable' : hot.error ? 'unreachable' : 'starting…'}
          </dd>
          {hot.target && (
            <>
              <dt>Target</dt>
              <dd className="mono">{hot.target}</dd>
            </>
          )}
          {hot.error && (
            <>
              <dt>Error</dt>
              <dd className="bad-text">{hot.error}</dd>
            </>
          )}
          <dt>Lake</dt>
          <dd>
            <span className="mono" data-testid="status-lake">
              {status.lake.location}
            </span>
            <span className="dim">
              {' '}
              · <span data-testid="status-lake-kind">{status.lake.kind === 's3' ? 'S3' : 'local folder'}</span> ·{' '}
              {formatCount(status.lake.files)} files · {formatBytes(status.lake.bytes)}
            </span>
            <LakeCachePanel />
          </dd>
          <dt>Mirror</dt>
          <dd>{status.syncing ? 'syncing…' : ago ? `synced ${ago}` : 'not synced yet'}</dd>
          {background && (
            <>
              <dt>Background sync</dt>
              <dd className={background.bad ? 'bad-text' : undefined} data-testid="status-background">
                {background.text}
              </dd>
            </>
          )}
        </dl>
      )}
    </Card>
  );
}
