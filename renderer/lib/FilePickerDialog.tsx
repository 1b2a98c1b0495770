import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../shared/api/errors';
import type { FileEntry, FileListing } from '../../shared/api/files';
import { formatBytes } from '../../shared/format';
import { api } from '../api/client';
import { ErrorBox } from './ui/ErrorBox';

export type PickerMode = 'file' | 'files' | 'folder';

interface Props {
  mode: PickerMode;
  title: string;
  /** Lower-case endings shown in file modes (`.csv`, `.csv.gz`); empty = all files. */
  extensions?: readonly string[];
  /** Folder to open; default the last one used, else the home folder. */
  initialPath?: string;
  onChoose: (paths: string[]) => void;
  onClose: () => void;
}

let lastFolder: string | undefined;

function matches(entry: FileEntry, extensions: readonly string[]): boolean {
  if (extensions.length === 0) return true;
  const lower = entry.name.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext));
}

function shortDate(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}

/**
 * The in-app file and folder picker (files.list): works the same in the desktop app and the
 * browser, because the core lists the folders of its own machine. Type or paste a path and
 * press Enter; a path to a file selects it.
 */
export function FilePickerDialog({ mode, title, extensions = [], initialPath, onChoose, onClose }: Props) {
  const [listing, setListing] = useState<FileListing | null>(null);
  const [pathText, setPathText] = useState(initialPath ?? lastFolder ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<string[]>([]);
  const [showAll, setShowAll] = useState(false);
  const pathInput = useRef<HTMLInputElement | null>(null);
  const request = useRef(0);
  /** The request that was in flight when the user last typed a path: its answer must not overwrite what they typed. */
  const typedDuring = useRef(-1);

  /** Lists a folder; the latest request wins. */
  const fetchListing = useCallback(
    (path: string | undefined) => {
      const id = ++request.current;
      return api.files.list(path ? { path } : {}).then((res) => {
        if (id !== request.current) return;
        setLoading(false);
        if (!res.ok) {
          setError(res.error);
          return;
        }
        setError(null);
        setListing(res.value);
        if (typedDuring.current !== id) setPathText(res.value.path);
        lastFolder = res.value.path;
        setSelected(res.value.file !== null && mode !== 'folder' ? [res.value.file] : []);
      });
    },
    [mode],
  );

  const open = (path: string | undefined) => {
    setLoading(true);
    return fetchListing(path);
  };

  useEffect(() => {
    void fetchListing(initialPath ?? lastFolder);
    pathInput.current?.focus();
    // Opened once per dialog.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const visible = (listing?.entries ?? []).filter((e) => e.kind === 'dir' || (mode !== 'folder' && (showAll || matches(e, extensions))));

  const clickEntry = (e: FileEntry) => {
    if (e.kind === 'dir') {
      void open(e.path);
      return;
    }
    if (mode === 'files') setSelected((s) => (s.includes(e.path) ? s.filter((p) => p !== e.path) : [...s, e.path]));
    else setSelected([e.path]);
  };

  const choose = () => {
    if (mode === 'folder') {
      if (listing) onChoose([listing.path]);
      return;
    }
    if (selected.length > 0) onChoose(selected);
  };

  const canChoose = mode === 'folder' ? listing !== null && !loading : selected.length > 0;

  return (
    <div className="picker-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="picker" role="dialog" aria-modal="true" aria-label={title} data-testid="file-picker">
        <div className="picker-head">
          <span className="picker-title">{title}</span>
          <span className="spacer" />
          <button type="button" className="icon-btn" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            ×
          </button>
        </div>
        <form
          className="picker-bar"
          onSubmit={(e) => {
            e.preventDefault();
            void open(pathText.trim() || undefined);
          }}
        >
          <button type="button" className="btn" title="Home folder" onClick={() => void open(listing?.home)}>
            ⌂
          </button>
          <button
            type="button"
            className="btn"
            title="Up one folder"
            disabled={!listing?.parent}
            onClick={() => listing?.parent && void open(listing.parent)}
          >
            ↑
          </button>
          <input
            ref={pathInput}
            className="picker-path"
            data-testid="picker-path"
            aria-label="Path"
            spellCheck={false}
            value={pathText}
            placeholder="Type a folder or file path and press Enter"
            onChange={(e) => {
              typedDuring.current = request.current;
              setPathText(e.target.value);
            }}
          />
          <button type="submit" className="btn">
            Go
          </button>
        </form>
        {error && <ErrorBox variant="inline" error={error} />}
        <div
          className="picker-list"
          role="listbox"
          aria-label="Folder contents"
          aria-multiselectable={mode === 'files'}
          aria-busy={loading}
        >
          {listing && visible.length === 0 && (
            <div className="empty">{mode === 'folder' ? 'No sub-folders here.' : 'Nothing here matches.'}</div>
          )}
          {visible.map((e) => {
            const isSel = selected.includes(e.path);
            return (
              <div
                key={e.path}
                role="option"
                aria-selected={isSel}
                tabIndex={0}
                className={`picker-entry ${e.kind}${isSel ? ' selected' : ''}`}
                data-testid="picker-entry"
                title={e.path}
                onClick={() => clickEntry(e)}
                onDoubleClick={() => e.kind === 'file' && onChoose(mode === 'files' ? [...new Set([...selected, e.path])] : [e.path])}
                onKeyDown={(k) => {
                  if (k.key === 'Enter' || k.key === ' ') {
                    k.preventDefault();
                    clickEntry(e);
                  }
                }}
              >
                <span className="picker-icon" aria-hidden="true">
                  {e.kind === 'dir' ? '▸' : '·'}
                </span>
                <span className="picker-name">{e.name}</span>
                <span className="picker-size">{e.kind === 'file' ? formatBytes(e.bytes) : ''}</span>
                <span className="picker-date">{shortDate(e.modifiedAt)}</span>
              </div>
            );
          })}
          {listing?.truncated && (
            <div className="hint picker-note">This folder has more entries than are shown; type a path to reach the rest.</div>
          )}
        </div>
        <div className="picker-foot">
          {mode !== 'folder' && extensions.length > 0 && (
            <label className="picker-filter">
              <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> Show all files (not only{' '}
              {extensions.join(', ')})
            </label>
          )}
          <span className="spacer" />
          <span className="hint">
            {mode === 'folder' ? listing?.path : selected.length > 0 ? `${selected.length} selected` : 'Nothing selected'}
          </span>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" data-testid="picker-choose" disabled={!canChoose} onClick={choose}>
            {mode === 'folder' ? 'Choose this folder' : 'Choose'}
          </button>
        </div>
      </div>
    </div>
  );
}
