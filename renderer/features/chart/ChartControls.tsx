import {
  BAR_AGGREGATES,
  CHART_TYPES,
  chartColumnKind,
  type BarAggregate,
  type ChartColumnKind,
  type ChartSettings,
  type ChartType,
} from '../../../shared/api/chart';
import type { ColumnInfo } from '../../../shared/api/query';
import { ChipGroup } from '../../lib/ui/ChipGroup';

interface Props {
  columns: readonly ColumnInfo[];
  settings: ChartSettings;
  onChange: (settings: ChartSettings) => void;
}

const TYPE_LABELS: Readonly<Record<ChartType, string>> = {
  line: 'Line',
  bar: 'Bar',
  scatter: 'Scatter',
  histogram: 'Histogram',
  heatmap: 'Heatmap',
};

/** The kinds of column each role takes, per chart type (the core checks the same). */
function kindsFor(type: ChartType, role: 'x' | 'y'): readonly ChartColumnKind[] {
  if (role === 'x') return type === 'bar' ? ['time', 'number', 'text'] : ['time', 'number'];
  return type === 'heatmap' ? ['time', 'number'] : ['number'];
}

/** The chart's settings: type, x, y columns, series split, and the bar aggregate or the bins. Column names show as text. */
export function ChartControls({ columns, settings, onChange }: Props) {
  const names = (kinds: readonly ChartColumnKind[]) => columns.filter((c) => kinds.includes(chartColumnKind(c.type))).map((c) => c.name);
  const xs = names(kindsFor(settings.type, 'x'));
  const ys = names(kindsFor(settings.type, 'y'));
  const set = (patch: Partial<ChartSettings>) => onChange({ ...settings, ...patch });
  const setType = (type: ChartType) => {
    // Keep what still fits the new type; take the first column that does otherwise.
    const nextXs = names(kindsFor(type, 'x'));
    const nextYs = names(kindsFor(type, 'y'));
    const x = settings.x !== null && nextXs.includes(settings.x) ? settings.x : (nextXs[0] ?? null);
    const kept = settings.y.filter((y) => nextYs.includes(y) && y !== x);
    const y = type === 'histogram' ? [] : kept.length > 0 ? kept : nextYs.filter((n) => n !== x).slice(0, 1);
    onChange({ ...settings, type, x, y: type === 'heatmap' ? y.slice(0, 1) : y });
  };
  const toggleY = (name: string, on: boolean) => {
    if (settings.type === 'heatmap') set({ y: on ? [name] : [] });
    else set({ y: on ? [...settings.y, name].slice(-8) : settings.y.filter((y) => y !== name) });
  };
  return (
    <div className="result-chart-controls" data-testid="chart-controls">
      <label>
        <span>Chart</span>
        <select value={settings.type} onChange={(e) => setType(e.target.value as ChartType)} data-testid="chart-type">
          {CHART_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>x</span>
        <select value={settings.x ?? ''} onChange={(e) => set({ x: e.target.value || null })} data-testid="chart-x">
          {settings.x === null && <option value="">(choose)</option>}
          {xs.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {settings.type !== 'histogram' && (
        <div className="result-chart-y">
          <span>{settings.type === 'heatmap' ? 'y' : settings.type === 'bar' ? `${settings.aggregate} of` : 'y'}</span>
          <ChipGroup
            label="y columns"
            chips={ys.filter((n) => n !== settings.x).map((n) => ({ value: n, label: n }))}
            selected={settings.y}
            onToggle={toggleY}
            empty={<span className="hint">no numeric column</span>}
          />
        </div>
      )}
      {settings.type !== 'heatmap' && (
        <label>
          <span>series</span>
          <select value={settings.series ?? ''} onChange={(e) => set({ series: e.target.value || null })} data-testid="chart-series">
            <option value="">(none)</option>
            {columns.map((c, i) => (
              <option key={i} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {settings.type === 'bar' && (
        <label>
          <span>aggregate</span>
          <select value={settings.aggregate} onChange={(e) => set({ aggregate: e.target.value as BarAggregate })}>
            {BAR_AGGREGATES.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      )}
      {(settings.type === 'line' || settings.type === 'scatter' || settings.type === 'bar') && (
        <label title="Columns whose values one axis would flatten get a second axis, on the right">
          <input
            type="checkbox"
            checked={settings.splitAxes !== false}
            onChange={(e) => set({ splitAxes: e.target.checked })}
            data-testid="chart-split-axes"
          />
          <span>second axis when scales differ</span>
        </label>
      )}
      {(settings.type === 'histogram' || settings.type === 'heatmap') && (
        <label>
          <span>bins</span>
          <input
            type="number"
            min={2}
            max={500}
            value={settings.bins}
            onChange={(e) => {
              const n = Math.round(Number(e.target.value));
              if (n >= 2 && n <= 500) set({ bins: n });
            }}
          />
        </label>
      )}
    </div>
  );
}
