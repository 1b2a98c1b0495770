import { Suspense, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { WorkspaceInfo } from '../../shared/api/workspace';
import { ActivityIndicator } from '../features/activity/ActivityIndicator';
import { SchemaBrowser } from '../features/schema/SchemaBrowser';
import { ErrorBoundary } from './ErrorBoundary';
import { getView, hrefFor, listViews, useRoute } from './router';

/** The shell: top bar with the views, the schema browser on the left, the routed view in the middle. */
export function App() {
  const route = useRoute();
  const view = getView(route.view);
  const [info, setInfo] = useState<WorkspaceInfo | null>(null);
  const [sidebarOpen, setSidebarOpen] = useState(true);

  // The view the page opens on asks for its first data now, while its code loads.
  useEffect(() => {
    getView(route.view)?.prefetch?.(route.rest);
    // Only the view the page opened on: later views load their data themselves.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    let live = true;
    void api.workspace.info({}).then((res) => {
      if (live && res.ok) setInfo(res.value);
    });
    return () => {
      live = false;
    };
  }, []);

  const View = view?.component;
  return (
    <div className="app">
      <header className="topbar">
        <button
          type="button"
          className="icon-btn"
          title={sidebarOpen ? 'Hide the schema browser' : 'Show the schema browser'}
          aria-label="Toggle schema browser"
          onClick={() => setSidebarOpen((v) => !v)}
        >
          ☰
        </button>
        <span className="app-name">Battery Workbench</span>
        <nav className="view-tabs" aria-label="Views">
          {listViews()
            .filter((v) => !v.hidden)
            .map((v) => (
              <a
                key={v.id}
                href={hrefFor(v.id)}
                className={v.id === route.view ? 'view-tab active' : 'view-tab'}
                aria-current={v.id === route.view ? 'page' : undefined}
              >
                {v.title}
              </a>
            ))}
        </nav>
        <span className="spacer" />
        <ActivityIndicator />
        {info && (
          <span className="workspace-info" title={`Workspace folder: ${info.path}`}>
            {info.path} · DuckDB {info.duckdbVersion}
          </span>
        )}
      </header>
      <div className="body">
        {sidebarOpen && (
          <aside className="sidebar" aria-label="Schema browser">
            <ErrorBoundary name="schema browser">
              <SchemaBrowser />
            </ErrorBoundary>
          </aside>
        )}
        <main className="main">
          {View ? (
            <ErrorBoundary key={route.view} name={view.title}>
              <Suspense fallback={<div className="empty">Loading…</div>}>
                <View />
              </Suspense>
            </ErrorBoundary>
          ) : (
            <div className="empty">No views are registered.</div>
          )}
        </main>
      </div>
    </div>
  );
}
