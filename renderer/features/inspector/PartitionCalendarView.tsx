import type { PartitionCalendar } from '../../../shared/api/storage';
import { formatCount } from '../../../shared/format';
import { calendarMonths } from './calendar';

interface Props {
  calendar: PartitionCalendar;
}

const DAY_NUMBERS = Array.from({ length: 31 }, (_, i) => i + 1);

/** Days with a partition folder and the gaps between the first and the last, one row per month. */
export function PartitionCalendarView({ calendar }: Props) {
  const months = calendarMonths(calendar);
  return (
    <div className="partition-calendar" data-testid="partition-calendar">
      <div className="lake-facts">
        <span>
          key <b className="mono">{calendar.key}</b>
        </span>
        <span>
          {calendar.first ?? '–'} … {calendar.last ?? '–'}
        </span>
        <span data-testid="partitions-present">{formatCount(calendar.present.length)} days present</span>
        <span className={calendar.missing.length > 0 ? 'danger' : undefined} data-testid="partitions-missing">
          {formatCount(calendar.missing.length)} missing
        </span>
        <span className="legend">
          <i className="cal-day present" /> present <i className="cal-day missing" /> missing
        </span>
      </div>
      <div className="cal-grid" role="table" aria-label="Partitions by day">
        <div className="cal-row cal-head" role="row">
          <span className="cal-month" role="columnheader" />
          {DAY_NUMBERS.map((d) => (
            <span key={d} className="cal-num" role="columnheader">
              {d % 5 === 0 || d === 1 ? d : ''}
            </span>
          ))}
        </div>
        {months.map((m) => (
          <div key={m.month} className="cal-row" role="row">
            <span className="cal-month" role="rowheader" title={`${m.present} present, ${m.missing} missing`}>
              {m.month}
            </span>
            {m.days.map((d) => (
              <span
                key={d.day}
                role="cell"
                className={`cal-day ${d.state}`}
                title={d.state === 'none' ? undefined : `${d.day}: ${d.state}`}
                data-day={d.state === 'none' ? undefined : d.day}
              />
            ))}
          </div>
        ))}
      </div>
      {calendar.missing.length > 0 && (
        <details className="lake-details">
          <summary>Missing days ({formatCount(calendar.missing.length)})</summary>
          <div className="mono missing-list">{calendar.missing.join(', ')}</div>
        </details>
      )}
    </div>
  );
}
