import { useState } from 'react';
import { WallClockInput } from '../../lib/ui/WallClockInput';
import { RANGE_PRESETS, setDashboardSettings, useDashboardSettings } from './timeRange';
import { formatTime, fromLocalInput, toLocalInput } from './timeFormat';

interface Props {
  fromMs: number;
  toMs: number;
  /** The site's zone, shown as the "site" choice; null on the fleet view (sites differ). */
  siteZone: string | null;
  /** The zone times are shown in now. */
  zone: string;
}

/** 24 h / 7 d / 30 d / 90 d / 1 y or a custom range (typed, or dragged on any chart), in site time or UTC. */
export function TimeRangePicker({ fromMs, toMs, siteZone, zone }: Props) {
  const { range, zone: zoneChoice } = useDashboardSettings();
  const [editing, setEditing] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const startCustom = () => {
    setFrom(toLocalInput(fromMs, zone));
    setTo(toLocalInput(toMs, zone));
    setProblem(null);
    setEditing(true);
  };
  const apply = () => {
    const f = fromLocalInput(from, zone);
    const t = fromLocalInput(to, zone);
    if (!Number.isFinite(f) || !Number.isFinite(t)) return setProblem('Enter both times.');
    if (t <= f) return setProblem('The end must be after the start.');
    setDashboardSettings({ range: { kind: 'custom', fromMs: f, toMs: t } });
    setEditing(false);
  };

  return (
    <div className="range-picker" role="group" aria-label="Time range">
      {RANGE_PRESETS.map((p) => (
        <button
          key={p.id}
          type="button"
          className={range.kind === 'preset' && range.preset === p.id ? 'btn small toggled' : 'btn small'}
          aria-pressed={range.kind === 'preset' && range.preset === p.id}
          data-testid={`range-${p.id}`}
          onClick={() => setDashboardSettings({ range: { kind: 'preset', preset: p.id } })}
        >
          {p.label}
        </button>
      ))}
      <button
        type="button"
        className={range.kind === 'custom' ? 'btn small toggled' : 'btn small'}
        aria-pressed={range.kind === 'custom'}
        onClick={startCustom}
        data-testid="range-custom"
      >
        Custom…
      </button>
      <span className="range-text dim" data-testid="range-text" title="Drag across a time chart to zoom in">
        {formatTime(fromMs, zone)} – {formatTime(toMs, zone)} ({zone})
      </span>
      <span className="spacer" />
      <label className="dim range-zone">
        Times in{' '}
        <select
          value={zoneChoice}
          onChange={(e) => setDashboardSettings({ zone: e.target.value === 'utc' ? 'utc' : 'site' })}
          aria-label="Time zone"
        >
          <option value="site">{siteZone ? `site time (${siteZone})` : 'site time'}</option>
          <option value="utc">UTC</option>
        </select>
      </label>
      {editing && (
        <div className="range-custom">
          <label>
            From <WallClockInput value={from} onChange={setFrom} ariaLabel="From" />
          </label>
          <label>
            To <WallClockInput value={to} onChange={setTo} ariaLabel="To" />
          </label>
          <button type="button" className="btn small primary" onClick={apply}>
            Apply
          </button>
          <button type="button" className="btn small" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {problem && <span className="inline-error">{problem}</span>}
        </div>
      )}
    </div>
  );
}
