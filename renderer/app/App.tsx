import { Suspense, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { WorkspaceInfo } from '../../shared/api/workspace';
import { ActivityIndicator } from '../features/activity/ActivityIndicator';
import { ScheduleNotices } from '../features/activity/ScheduleNotices';
import { SchemaBrowser } from '../features/schema/SchemaBrowser';
import { setThemePreference, useThemePreference, type ThemePreference } from '../lib/theme';
import { ErrorBoundary } from './ErrorBoundary';
import { ShortcutSheet, typingTarget } from './ShortcutSheet';
import { getView, hrefFor, listViews, useRoute } from './router';

/** The shell: top bar with the views, the schema browser on the left, the routed view in the middle. */
export function App() {
  const route = useRoute();
  const view = getView(route.view);
  const [info, setInfo] = useState<WorkspaceInfo | null>(null);
  const [sidebarOpen, setSidebarOpen] = useState(true);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const theme = useThemePreference();

  // `?` outside a text field shows the keyboard shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || typingTarget(e.target)) return;
      e.preventDefault();
      setShortcutsOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

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
        <ScheduleNotices />
        <select
          className="theme-select"
          value={theme}
          onChange={(e) => setThemePreference(e.target.value as ThemePreference)}
          aria-label="Theme"
          title="Light or dark: follow the system, or choose"
          data-testid="theme-select"
        >
          <option value="system">◐ System theme</option>
          <option value="light">☀ Light</option>
          <option value="dark">☾ Dark</option>
        </select>
        <button
          type="button"
          className="icon-btn"
          title="Keyboard shortcuts (?)"
          aria-label="Keyboard shortcuts"
          data-testid="shortcuts-button"
          onClick={() => setShortcutsOpen(true)}
        >
          ?
        </button>
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
      {shortcutsOpen && <ShortcutSheet onClose={() => setShortcutsOpen(false)} />}
    </div>
  );
}
