interface Props {
  view: 'grid' | 'chart';
  onChange: (view: 'grid' | 'chart') => void;
}

const VIEWS = [
  ['grid', 'Grid'],
  ['chart', 'Chart'],
] as const;

/** The tabs above a result: its rows in the grid, or a chart of them. */
export function ResultsViewSwitch({ view, onChange }: Props) {
  return (
    <div className="results-switch" role="tablist" aria-label="Result view">
      {VIEWS.map(([v, label]) => (
        <button key={v} type="button" role="tab" aria-selected={view === v} onClick={() => onChange(v)} data-testid={`results-view-${v}`}>
          {label}
        </button>
      ))}
    </div>
  );
}
