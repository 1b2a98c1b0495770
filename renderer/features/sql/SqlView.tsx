import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { HistoryEntry, QueryTarget } from '../../../shared/api/query';
import { setEditorInserter } from '../../app/editorBridge';
import { ResultsGrid } from '../grid/ResultsGrid';
import { ChartPanel } from '../chart/ChartPanel';
import { ColdCoverageNote } from '../../lib/lake/ColdCoverageNote';
import { formatDuration } from '../../../shared/format';
import { useCatalog } from '../schema/catalogStore';
import { defaultDatabase } from '../schema/identifiers';
import { EditorTabs } from './EditorTabs';
import { ErrorPanel } from './ErrorPanel';
import { ExplainPanel, type ExplainRequest } from './ExplainPanel';
import { HistoryPanel } from './HistoryPanel';
import { ParamsForm } from './ParamsForm';
import { forgetTabParams, runParams, setParamValue } from './paramsStore';
import { SavedPanel } from './SavedPanel';
import { openSavedInTab, useSavedLink } from './useSavedLink';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { forgetPivot, PivotPanel } from './PivotPanel';
import { cancelQuery, disposeRun, getRun, runQuery, subscribeRuns, useRun } from './queryRuns';
import { SqlEditor, type EditorHandle } from './SqlEditor';
import { columnCompletion } from './columnCompletion';
import { completionNamespace } from './sqlLanguage';
import { activateTab, addTab, closeTab, patchTab, renameTab, setTabSql, useTabs, type ResultView } from './tabsStore';

const TARGET_KEY = 'bw.sql.target';

function readTarget(): QueryTarget {
  try {
    return localStorage.getItem(TARGET_KEY) === 'hot' ? 'hot' : 'workspace';
  } catch {
    return 'workspace';
  }
}

/** The SQL view: editor tabs, toolbar, editor, results, history. */
export function SqlView() {
  const { tabs, activeId } = useTabs();
  const active = tabs.find((t) => t.id === activeId) ?? tabs[0];
  const run = useRun(active.id);
  const [target, setTarget] = useState<QueryTarget>(readTarget);
  // Tabs whose PostgreSQL session may write: off for every tab until turned on, never remembered across reloads.
  const [writableTabs, setWritableTabs] = useState<ReadonlySet<string>>(() => new Set());
  const allowWrites = writableTabs.has(active.id);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [savedOpen, setSavedOpen] = useState(false);
  const linkError = useSavedLink(setTarget);
  const [historyKey, setHistoryKey] = useState(0);
  const [editorHeight, setEditorHeight] = useState(260);
  const [formatProblem, setFormatProblem] = useState<string | null>(null);
  // Per tab: the statement its Explain was last pressed on.
  const [explains, setExplains] = useState<ReadonlyMap<string, ExplainRequest>>(() => new Map());
  const editor = useRef<EditorHandle | null>(null);
  const { tree } = useCatalog();
  const schema = useMemo(() => completionNamespace(tree, defaultDatabase(tree)), [tree]);
  const columnSource = useMemo(() => columnCompletion(tree, defaultDatabase(tree)), [tree]);
  const runningIds = useRunningIds(tabs.map((t) => t.id));
  const resultView: ResultView = active.view ?? 'grid';

  const onReady = useCallback((h: EditorHandle | null) => {
    editor.current = h;
    setEditorInserter(h ? (text) => h.insert(text) : null);
  }, []);

  const start = useCallback(
    (sql: string, on: QueryTarget = target) => {
      // A run shows its result: the plan of an earlier Explain steps aside.
      if (active.view === 'plan') patchTab(active.id, { view: 'grid' });
      void runQuery(active.id, sql, on, allowWrites, runParams(active.id, sql)).then(() => setHistoryKey((k) => k + 1));
    },
    [active.id, active.view, target, allowWrites],
  );
  /** A past run again: its SQL into the editor, run on its target. */
  const rerun = useCallback(
    (entry: HistoryEntry) => {
      setTarget(entry.target);
      editor.current?.replaceAll(entry.sql);
      // The run's own parameter values go back into the form, so the run is the same.
      for (const [name, value] of Object.entries(entry.params)) {
        if (value !== null && value !== undefined) setParamValue(active.id, name, String(value));
      }
      start(entry.sql, entry.target);
    },
    [start, active.id],
  );
  const cancel = useCallback(() => cancelQuery(active.id), [active.id]);
  const onChange = useCallback((id: string, doc: string) => {
    setTabSql(id, doc);
    setFormatProblem(null);
  }, []);

  useEffect(() => {
    try {
      localStorage.setItem(TARGET_KEY, target);
    } catch {
      // Not persisted; fine.
    }
  }, [target]);

  const runAtCursor = () => {
    const text = editor.current?.runnableText();
    if (text) start(text);
  };
  const onFormatError = useCallback((message: string) => setFormatProblem(message), []);
  const formatSqlText = () => setFormatProblem(editor.current?.format() ?? null);
  const explain = () => {
    const text = editor.current?.runnableText();
    if (!text) return;
    setExplains((prev) => new Map(prev).set(active.id, { sql: text, seq: (prev.get(active.id)?.seq ?? 0) + 1 }));
    patchTab(active.id, { view: 'plan' });
  };
  const runAll = () => {
    const text = editor.current?.allText() ?? '';
    if (text.trim()) start(text);
  };

  const setTabWrites = (id: string, on: boolean) =>
    setWritableTabs((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const onCloseTab = (id: string) => {
    setTabWrites(id, false);
    disposeRun(id);
    forgetPivot(id);
    forgetTabParams(id);
    closeTab(id);
  };

  const startResize = (e: React.MouseEvent) => {
    e.preventDefault();
    const y0 = e.clientY;
    const h0 = editorHeight;
    const move = (ev: MouseEvent) => setEditorHeight(Math.max(80, Math.min(window.innerHeight - 200, h0 + ev.clientY - y0)));
    const up = () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };

  const running = run.status === 'running';
  const shown = run.status === 'done' ? run.result : run.status === 'running' || run.status === 'error' ? run.previous : null;

  return (
    <div
      className="sql-view"
      onKeyDown={(e) => {
        // Esc cancels from anywhere in the view (the editor handles its own Esc first).
        if (e.key === 'Escape' && !e.defaultPrevented && running) cancel();
      }}
    >
      <div className="sql-main">
        <EditorTabs
          tabs={tabs}
          activeId={active.id}
          runningIds={runningIds}
          onActivate={activateTab}
          onAdd={() => addTab()}
          onClose={onCloseTab}
          onRename={renameTab}
        />
        <div className="toolbar">
          <button
            type="button"
            className="btn primary"
            onClick={runAtCursor}
            disabled={running}
            data-testid="run-button"
            title="Run the statement at the cursor or the selection (Ctrl/Cmd+Enter)"
          >
            ▶ Run
          </button>
          <button
            type="button"
            className="btn"
            onClick={runAll}
            disabled={running}
            data-testid="run-all-button"
            title="Run every statement (Ctrl/Cmd+Shift+Enter)"
          >
            Run all
          </button>
          <button
            type="button"
            className="btn"
            onClick={formatSqlText}
            data-testid="format-button"
            title="Format the SQL: the selection, or all of it (Shift+Alt+F)"
          >
            Format
          </button>
          <button
            type="button"
            className="btn"
            onClick={explain}
            disabled={running || target === 'hot'}
            data-testid="explain-button"
            title={
              target === 'hot'
                ? 'Explain shows DuckDB plans: switch the target to the DuckDB workspace (or run EXPLAIN on PostgreSQL)'
                : 'The plan of the statement at the cursor: rows and time per operator, and the lake files and hot rows it reads'
            }
          >
            Explain
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => cancel()}
            disabled={!running}
            data-testid="cancel-button"
            title="Cancel the running query (Esc)"
          >
            ■ Cancel
          </button>
          <label className="target-switch" title="Where the SQL runs">
            <span>on</span>
            <select
              value={target}
              onChange={(e) => setTarget(e.target.value === 'hot' ? 'hot' : 'workspace')}
              data-testid="target-select"
              aria-label="Query target"
            >
              <option value="workspace">DuckDB workspace</option>
              <option value="hot">PostgreSQL hot</option>
            </select>
          </label>
          {target === 'hot' && (
            <label
              className={allowWrites ? 'write-switch on' : 'write-switch'}
              title="Off: this tab's PostgreSQL session is read-only. On: INSERT, UPDATE and DELETE run, for this tab only."
            >
              <input
                type="checkbox"
                checked={allowWrites}
                onChange={(e) => setTabWrites(active.id, e.target.checked)}
                data-testid="allow-writes"
              />
              Allow writes
            </label>
          )}
          {run.status === 'running' && <RunProgress startedAt={run.startedAt} progress={run.progress} />}
          {formatProblem && (
            <span className="format-problem" role="status" data-testid="format-problem" title={formatProblem}>
              {formatProblem}
            </span>
          )}
          <span className="spacer" />
          <span className="hint">Ctrl/Cmd+Enter run · Ctrl/Cmd+Shift+Enter run all · Esc cancel · ? shortcuts</span>
          <button
            type="button"
            className={savedOpen ? 'btn toggled' : 'btn'}
            onClick={() => setSavedOpen((v) => !v)}
            data-testid="saved-toggle"
            aria-pressed={savedOpen}
            title="Saved queries: save this tab, open, rename, delete"
          >
            Saved
          </button>
          <button
            type="button"
            className={historyOpen ? 'btn toggled' : 'btn'}
            onClick={() => setHistoryOpen((v) => !v)}
            data-testid="history-toggle"
            aria-pressed={historyOpen}
          >
            History
          </button>
        </div>
        {linkError && <ErrorBox variant="inline" showCode error={linkError} prefix="Could not open the saved query: " />}
        <ParamsForm tabId={active.id} sql={active.sql} />
        <div className="editor-pane" style={{ height: editorHeight }}>
          <SqlEditor
            docId={active.id}
            initialDoc={active.sql}
            openDocIds={tabs.map((t) => t.id)}
            schema={schema}
            columns={columnSource}
            onChange={onChange}
            onRun={start}
            onRunAll={start}
            onCancel={cancel}
            onReady={onReady}
            onFormatError={onFormatError}
          />
        </div>
        <div className="split-handle" onMouseDown={startResize} role="separator" aria-orientation="horizontal" aria-label="Resize editor" />
        <div className={running ? 'results-pane stale' : 'results-pane'}>
          <ResultViewTabs view={resultView} onChange={(view) => patchTab(active.id, { view })} />
          {resultView === 'plan' ? (
            <ExplainPanel key={active.id} request={explains.get(active.id) ?? null} />
          ) : (
            <>
              {run.status === 'error' && (
                <ErrorPanel error={run.error} title={run.error.code === 'CANCELLED' ? 'Query cancelled' : 'Query failed'} />
              )}
              {shown && resultView === 'chart' ? (
                <ChartPanel
                  key={shown.resultId}
                  result={shown}
                  settings={active.chart}
                  onSettings={(chart) => patchTab(active.id, { chart })}
                />
              ) : shown && resultView === 'pivot' ? (
                <PivotPanel key={active.id} tabId={active.id} source={shown} />
              ) : shown ? (
                <ResultsGrid
                  key={shown.resultId}
                  result={shown}
                  // PostgreSQL (the hot target) holds no cold rows; the workspace's views read the cached days.
                  caveat={run.status !== 'idle' && run.target === 'hot' ? null : <ColdCoverageNote />}
                />
              ) : (
                run.status !== 'error' && (
                  <div className="results-empty">{running ? 'Running…' : 'Run a query to see its result here.'}</div>
                )
              )}
            </>
          )}
        </div>
      </div>
      {savedOpen && (
        <SavedPanel
          tabId={active.id}
          tabTitle={active.title}
          sql={active.sql}
          target={target}
          chart={active.chart}
          onOpen={(q) => setTarget(openSavedInTab(q))}
          onClose={() => setSavedOpen(false)}
        />
      )}
      {historyOpen && (
        <HistoryPanel
          refreshKey={historyKey}
          onPick={(sql) => editor.current?.replaceAll(sql)}
          onRerun={rerun}
          onClose={() => setHistoryOpen(false)}
        />
      )}
    </div>
  );
}

const RESULT_VIEW_TABS: readonly { view: ResultView; label: string; title: string }[] = [
  { view: 'grid', label: 'Grid', title: 'The rows of the result' },
  { view: 'chart', label: 'Chart', title: 'A chart of the result, drawn from points computed in DuckDB at the chart’s width' },
  { view: 'pivot', label: 'Pivot', title: 'Rows, columns and values with an aggregate, computed by DuckDB PIVOT on the result' },
  { view: 'plan', label: 'Plan', title: 'The plan of the statement Explain was pressed on' },
];

/** Grid, Chart or Pivot of the tab's result, or the Plan of the statement explained. */
function ResultViewTabs({ view, onChange }: { view: ResultView; onChange: (v: ResultView) => void }) {
  return (
    <div className="result-views" role="tablist" aria-label="Result views">
      {RESULT_VIEW_TABS.map((v) => (
        <button
          key={v.view}
          type="button"
          role="tab"
          aria-selected={view === v.view}
          className={view === v.view ? 'result-view on' : 'result-view'}
          title={v.title}
          data-testid={`result-view-${v.view}`}
          onClick={() => onChange(v.view)}
        >
          {v.label}
        </button>
      ))}
    </div>
  );
}

interface RunProgressProps {
  startedAt: number;
  progress: number | null;
}

/** Elapsed time (ticking) and the engine's percentage while a query runs. */
function RunProgress({ startedAt, progress }: RunProgressProps) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(t);
  }, []);
  return (
    <span className="run-progress" data-testid="run-progress">
      <span className="spinner" aria-hidden />
      <span>Running {formatDuration(Math.max(0, now - startedAt))}</span>
      {progress !== null && (
        <>
          <span className="progress-track" aria-hidden>
            <span className="progress-fill" style={{ width: `${Math.min(100, Math.max(0, progress))}%` }} />
          </span>
          <span>{progress.toFixed(0)}%</span>
        </>
      )}
    </span>
  );
}

/** Which tabs have a query running (for the tab dots). */
function useRunningIds(ids: string[]): ReadonlySet<string> {
  const snapshot = useSyncExternalStore(subscribeRuns, () => ids.filter((id) => getRun(id).status === 'running').join(','));
  return useMemo(() => new Set(snapshot ? snapshot.split(',') : []), [snapshot]);
}
