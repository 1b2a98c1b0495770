import type { PanelData } from '../../../shared/api/dashboard';
import { hrefFor } from '../../app/router';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { JarLink } from './JarLink';
import { fixed, records, text } from './panelData';
import { formatTime } from './timeFormat';

const MAX_ROWS = 200;

type Row = ReturnType<typeof records>[number];

/** The newest rows first, at most MAX_ROWS. */
function newest(rows: readonly Row[]): Row[] {
  return rows.slice(-MAX_ROWS).reverse();
}

function timeCell(value: unknown, zone: string): string {
  return typeof value === 'number' ? formatTime(value, zone) : '';
}

function alertColumns(zone: string): Column<Row>[] {
  return [
    { header: 'Raised', cell: (r) => timeCell(r.raised_at, zone) },
    { header: 'Cleared', cell: (r) => (typeof r.cleared_at === 'number' ? formatTime(r.cleared_at, zone) : <b>open</b>) },
    {
      header: 'Severity',
      cell: (r) => <span className={`sev sev-${text(r.severity) === 'critical' ? 'critical' : 'warning'}`}>{text(r.severity)}</span>,
    },
    { header: 'Type', cell: (r) => text(r.alert_type) },
    { header: 'Jar', cell: (r) => <JarLink id={r.battery_id} name={r.jar} /> },
    { header: 'Value', className: 'num', cell: (r) => fixed(r.value, 2) },
    { header: 'Message', className: 'msg', cell: (r) => text(r.message) },
  ];
}

function eventColumns(zone: string): Column<Row>[] {
  return [
    { header: 'When', cell: (r) => timeCell(r.started_at, zone) },
    {
      header: 'What',
      cell: (r) => (text(r.kind) === 'capacity_test' ? `capacity test (${text(r.type)})` : text(r.type).replaceAll('_', ' ')),
    },
    {
      header: 'String',
      cell: (r) => (
        <a href={hrefFor('string', text(r.string_id))} title={`String id ${text(r.string_id)}`}>
          {text(r.string_name) || text(r.string_id)}
        </a>
      ),
    },
    { header: 'Jar', cell: (r) => (r.battery_id === null ? '' : <JarLink id={r.battery_id} name={r.jar} />) },
    { header: 'By', cell: (r) => text(r.who) },
    { header: 'Notes', className: 'msg', cell: (r) => text(r.text) },
  ];
}

/** Alerts as a table; messages are data and render as text. */
export function AlertTable({ data, zone }: { data: PanelData; zone: string }) {
  const rows = records(data);
  return (
    <div className="dash-table-wrap">
      <DataTable
        columns={alertColumns(zone)}
        rows={newest(rows)}
        rowKey={(r) => text(r.alert_id)}
        className="dash-table"
        testId="alerts-table"
        wrap={null}
      />
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
  return (
    <DataTable
      columns={eventColumns(zone)}
      rows={newest(records(data))}
      rowKey={(_r, i) => String(i)}
      className="dash-table"
      testId="events-table"
      wrap="dash-table-wrap"
    />
  );
}
