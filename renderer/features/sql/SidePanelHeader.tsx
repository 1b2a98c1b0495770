interface Props {
  title: string;
  /** What the close button says to a screen reader, e.g. `Close history`. */
  closeLabel: string;
  onClose: () => void;
}

/** The title row of a side panel of the SQL view (History, Saved), with its close button. */
export function SidePanelHeader({ title, closeLabel, onClose }: Props) {
  return (
    <div className="panel-header">
      <span className="panel-title">{title}</span>
      <span className="spacer" />
      <button type="button" className="icon-btn" onClick={onClose} aria-label={closeLabel} title={closeLabel}>
        ×
      </button>
    </div>
  );
}
