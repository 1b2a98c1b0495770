import { useEffect, useRef } from 'react';

export type MenuAction = 'copy-cell' | 'copy-selection' | 'copy-with-header' | 'copy-column-name';

interface Props {
  x: number;
  y: number;
  onAction: (action: MenuAction) => void;
  onClose: () => void;
}

const ITEMS: { action: MenuAction; label: string; keys?: string }[] = [
  { action: 'copy-cell', label: 'Copy cell' },
  { action: 'copy-selection', label: 'Copy selection', keys: 'Ctrl+C' },
  { action: 'copy-with-header', label: 'Copy selection with header', keys: 'Ctrl+Shift+C' },
  { action: 'copy-column-name', label: 'Copy column name' },
];

/** The grid's right-click menu; closes on a click elsewhere or Esc. */
export function GridContextMenu({ x, y, onAction, onClose }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && e.target instanceof Node && !ref.current.contains(e.target)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    ref.current?.querySelector('button')?.focus();
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  const left = Math.min(x, window.innerWidth - 240);
  const top = Math.min(y, window.innerHeight - 140);
  return (
    <div className="context-menu" role="menu" ref={ref} style={{ left, top }} data-testid="grid-context-menu">
      {ITEMS.map((it) => (
        <button key={it.action} type="button" role="menuitem" className="menu-item" onClick={() => onAction(it.action)}>
          <span>{it.label}</span>
          {it.keys && <span className="menu-keys">{it.keys}</span>}
        </button>
      ))}
    </div>
  );
}
