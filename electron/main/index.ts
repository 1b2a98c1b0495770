import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, Menu, session } from 'electron';
import { APP_NAME } from '../core/workspace/paths';
import { bindIpc, type IpcBinding } from './ipc';
import { buildMenu } from './menu';
import { APP_INDEX_URL } from './app-protocol';
import { hardenSession, lockNavigation, registerAppScheme, serveRenderer } from './security';
import type { FiredAlert } from '../../shared/api/alerts';
import type { ScheduleRun } from '../../shared/api/schedule';
import type { RendererLocation } from './url-policy';
import { notifyAlertsRaised, notifyScheduleFailure } from './schedule-notice';
import { WorkbenchHolder } from './workbench-holder';

const here = fileURLToPath(new URL('.', import.meta.url));
const devServerUrl = !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;
const where: RendererLocation = { rendererDir: join(here, '..', 'renderer'), devServerUrl };

// The workspace is the per-user app data folder, the same path electron/core/workspace/paths.ts
// computes for the web host and the CLI (fixed here so a packaged productName cannot move it).
app.setPath('userData', join(app.getPath('appData'), APP_NAME));
const workspaceDir = process.env.BATTERY_WORKBENCH_WORKSPACE ? resolve(process.env.BATTERY_WORKBENCH_WORKSPACE) : app.getPath('userData');

app.enableSandbox();
// The built renderer is served from app://bundle/ (a real origin with a CSP header), never from file://.
registerAppScheme();
// One app per workspace: a second start focuses the running instance instead.
const isPrimaryInstance = app.requestSingleInstanceLock();
if (!isPrimaryInstance) app.exit(0);

let mainWindow: BrowserWindow | null = null;
let ipc: IpcBinding | null = null;
const holder = new WorkbenchHolder(workspaceDir, app.getVersion(), (event, payload) => {
  ipc?.forward(event, payload);
  // A scheduled job that failed is told even when no window shows the schedule history.
  if (event === 'schedule.failed') notifyScheduleFailure((payload as { run: ScheduleRun }).run);
  if (event === 'alerts.raised') notifyAlertsRaised((payload as { alerts: FiredAlert[] }).alerts);
});

function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'Battery Workbench',
    backgroundColor: '#1e1f22',
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  lockNavigation(win.webContents, where);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(devServerUrl ?? APP_INDEX_URL);
  return win;
}

app.on('second-instance', () => {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
});

app.on('web-contents-created', (_event, contents) => {
  // Belt and braces for any web contents besides the main window.
  lockNavigation(contents, where);
});

app.whenReady().then(() => {
  if (!isPrimaryInstance) return;
  hardenSession(session.defaultSession, devServerUrl);
  serveRenderer(where);
  ipc = bindIpc({
    getWindow: () => mainWindow,
    getDispatch: () => holder.dispatch(),
    where,
    revealRoots: () => holder.storageRoots(),
  });
  Menu.setApplicationMenu(
    buildMenu({
      holder,
      getWindow: () => mainWindow,
      ensureWindow: () => (mainWindow ??= createMainWindow()),
      isDev: !app.isPackaged,
    }),
  );
  // Open the workspace while the window loads; calls wait for it.
  void holder.get().catch((err: unknown) => process.stderr.write(`Workspace ${workspaceDir} did not open: ${String(err)}\n`));
  mainWindow = createMainWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closed = false;
app.on('will-quit', (event) => {
  if (closed) return;
  // Close DuckDB and stop PostgreSQL cleanly before the process goes away.
  event.preventDefault();
  ipc?.dispose();
  void holder.close().finally(() => {
    closed = true;
    app.quit();
  });
});
