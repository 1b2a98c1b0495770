import type { PanelData } from '../../../shared/api/dashboard';
import { hrefFor } from '../../app/router';
import { fixed, records, text } from './panelData';
import { formatTime } from './timeFormat';

const MAX_ROWS = 200;

/** Alerts as a table; messages are data and render as text. */
export function AlertTable({ data, zone }: { data: PanelData; zone: string }) {
  const rows = records(data);
  return (
    <div className="dash-table-wrap">
      <table className="dash-table" data-testid="alerts-table">
        <thead>
          <tr>
            <th>Raised</th>
            <th>Cleared</th>
            <th>Severity</th>
            <th>Type</th>
            <th>Jar</th>
            <th className="num">Value</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {rows
            .slice(-MAX_ROWS)
            .reverse()
            .map((r) => (
              <tr key={text(r.alert_id)}>
                <td>{typeof r.raised_at === 'number' ? formatTime(r.raised_at, zone) : ''}</td>
                <td>{typeof r.cleared_at === 'number' ? formatTime(r.cleared_at, zone) : <b>open</b>}</td>
                <td>
                  <span className={`sev sev-${text(r.severity) === 'critical' ? 'critical' : 'warning'}`}>{text(r.severity)}</span>
                </td>
                <td>{text(r.alert_type)}</td>
                <td>
                  <a href={hrefFor('battery', text(r.battery_id))}>{text(r.battery_id)}</a>
                </td>
                <td className="num">{fixed(r.value, 2)}</td>
                <td className="msg">{text(r.message)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {rows.length > MAX_ROWS && (
        <div className="dim">
          Newest {MAX_ROWS} of {rows.length} shown; export for all.
        </div>
      )}
    </div>
  );
}

/** Maintenance visits and capacity tests as a table. */
export function EventTable({ data, zone }: { data: PanelData; zone: string }) {
  const rows = records(data);
  return (
    <div className="dash-table-wrap">
      <table className="dash-table" data-testid="events-table">
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th>String</th>
            <th>Jar</th>
            <th>By</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows
            .slice(-MAX_ROWS)
            .reverse()
            .map((r, i) => (
              <tr key={i}>
                <td>{typeof r.started_at === 'number' ? formatTime(r.started_at, zone) : ''}</td>
                <td>{text(r.kind) === 'capacity_test' ? `capacity test (${text(r.type)})` : text(r.type).replaceAll('_', ' ')}</td>
                <td>
                  <a href={hrefFor('string', text(r.string_id))}>{text(r.string_id)}</a>
                </td>
                <td>{r.battery_id === null ? '' : <a href={hrefFor('battery', text(r.battery_id))}>{text(r.battery_id)}</a>}</td>
                <td>{text(r.who)}</td>
                <td className="msg">{text(r.text)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
