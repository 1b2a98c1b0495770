import { useState } from 'react';
import type { EditorTab } from './tabsStore';

interface Props {
  tabs: EditorTab[];
  activeId: string;
  runningIds: ReadonlySet<string>;
  onActivate: (id: string) => void;
  onAdd: () => void;
  onClose: (id: string) => void;
  onRename: (id: string, title: string) => void;
}

/** Editor tabs: click to switch, double-click to rename, × or middle-click to close, + to add. */
export function EditorTabs({ tabs, activeId, runningIds, onActivate, onAdd, onClose, onRename }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const commit = () => {
    if (editing) onRename(editing, draft);
    setEditing(null);
  };
  return (
    <div className="editor-tabs" role="tablist" aria-label="Editor tabs">
      {tabs.map((t) => (
        <div
          key={t.id}
          role="tab"
          aria-selected={t.id === activeId}
          className={t.id === activeId ? 'editor-tab active' : 'editor-tab'}
          onClick={() => onActivate(t.id)}
          onAuxClick={(e) => {
            if (e.button === 1) onClose(t.id);
          }}
          onDoubleClick={() => {
            setEditing(t.id);
            setDraft(t.title);
          }}
          title="Double-click to rename"
          data-testid="editor-tab"
        >
          {runningIds.has(t.id) && <span className="running-dot" aria-label="running" />}
          {editing === t.id ? (
            <input
              className="tab-rename"
              value={draft}
              autoFocus
              onChange={(e) => setDraft(e.target.value)}
              onBlur={commit}
              onKeyDown={(e) => {
                if (e.key === 'Enter') commit();
                if (e.key === 'Escape') setEditing(null);
              }}
              onClick={(e) => e.stopPropagation()}
              aria-label="Tab name"
            />
          ) : (
            <span className="tab-title">{t.title}</span>
          )}
          <button
            type="button"
            className="tab-close"
            aria-label={`Close ${t.title}`}
            title="Close tab"
            onClick={(e) => {
              e.stopPropagation();
              onClose(t.id);
            }}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" className="tab-add" onClick={onAdd} title="New editor tab" aria-label="New editor tab" data-testid="add-tab">
        +
      </button>
    </div>
  );
}
