import { app, dialog, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { WorkbenchHolder } from './workbench-holder';
import { errorMessage } from '../../shared/api/errors';

export interface MenuActions {
  holder: WorkbenchHolder;
  getWindow: () => BrowserWindow | null;
  /** The main window, created first if there is none (e.g. on macOS after closing it). */
  ensureWindow: () => BrowserWindow;
  isDev: boolean;
}

/** Renderer views a menu item may open; the hash is a fixed literal, never built from input. */
const VIEW_HASHES = { archive: '#/archive' } as const;

/** Shows (and focuses) the window and switches the renderer to a view by setting its location hash. */
function showView(actions: MenuActions, view: keyof typeof VIEW_HASHES): void {
  const win = actions.ensureWindow();
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  const go = (): void => {
    win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(VIEW_HASHES[view])};`).catch(() => undefined);
  };
  if (win.webContents.isLoading()) win.webContents.once('did-finish-load', go);
  else go();
}

async function chooseWorkspace(actions: MenuActions): Promise<void> {
  const win = actions.getWindow();
  const options = {
    title: 'Open workspace',
    buttonLabel: 'Open workspace',
    defaultPath: actions.holder.workspaceDir,
    properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'>,
  };
  const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  const dir = picked.filePaths[0];
  if (picked.canceled || !dir || dir === actions.holder.workspaceDir) return;
  try {
    await actions.holder.switchTo(dir);
  } catch (err) {
    dialog.showErrorBox('Could not open the workspace', `${dir}\n\n${errorMessage(err)}`);
  }
  actions.getWindow()?.webContents.reload();
}

async function showAbout(actions: MenuActions): Promise<void> {
  let duckdb = 'unknown';
  try {
    const info = await (await actions.holder.dispatch())('workspace.info', {}, { transport: 'ipc' });
    if (info.ok) duckdb = (info.value as { duckdbVersion: string }).duckdbVersion;
  } catch {
    // About still shows what it knows.
  }
  const options = {
    type: 'info' as const,
    title: 'About Battery Workbench',
    message: `Battery Workbench ${app.getVersion()}`,
    detail: `Local-first analytics for battery-fleet history.\n\nWorkspace: ${actions.holder.workspaceDir}\nDuckDB: ${duckdb}\nElectron: ${process.versions.electron}\nNode: ${process.versions.node}`,
  };
  const win = actions.getWindow();
  if (win) await dialog.showMessageBox(win, options);
  else await dialog.showMessageBox(options);
}

export function buildMenu(actions: MenuActions): Menu {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open workspace…', accelerator: 'CmdOrCtrl+O', click: () => void chooseWorkspace(actions) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(actions.isDev ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Tools',
      submenu: [{ label: 'Archive old data…', click: () => showView(actions, 'archive') }],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'About Battery Workbench', click: () => void showAbout(actions) },
        { label: 'Open workspace folder', click: () => void shell.openPath(actions.holder.workspaceDir) },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
