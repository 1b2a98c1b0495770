import { ipcMain, shell, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { fail, type Result } from '../../shared/api/errors';
import type { EventName, EventMap } from '../../shared/api/contract';
import type { Dispatch } from '../core/dispatcher';
import { IPC_CHANNELS, isChannelName } from '../../shared/api/define';
import { revealablePath, RevealDestinations } from './reveal-policy';
import { isOwnRendererUrl, type RendererLocation } from './url-policy';

/**
 * The one invoke channel (request/response), the one event channel (core → renderer) and, desktop only, the reveal
 * channel (show a file or folder the core wrote in the OS file manager).
 */
const { invoke: INVOKE_CHANNEL, event: EVENT_CHANNEL, reveal: REVEAL_CHANNEL } = IPC_CHANNELS;

export interface IpcBinding {
  /** Sends one core event to the window (if it is still there). */
  forward<E extends EventName>(event: E, payload: EventMap[E]): void;
  dispose(): void;
}

/**
 * Binds the dispatcher to IPC. Every call is checked: it must come from the main window's
 * top frame showing our own renderer page; anything else is refused without reaching the core.
 * Reveal shows only paths inside `revealRoots()` (the workspace, the lake) or an export or slice
 * destination the core reported over this binding.
 */
export function bindIpc(options: {
  getWindow: () => BrowserWindow | null;
  getDispatch: () => Promise<Dispatch>;
  where: RendererLocation;
  revealRoots: () => Promise<string[]>;
}): IpcBinding {
  const destinations = new RevealDestinations();
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const win = options.getWindow();
    if (!win || win.isDestroyed()) return false;
    const frame = event.senderFrame;
    if (!frame || event.sender !== win.webContents) return false;
    if (frame !== win.webContents.mainFrame || frame.parent !== null) return false;
    return isOwnRendererUrl(frame.url, options.where);
  };

  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, request: unknown): Promise<Result<unknown>> => {
    if (!trusted(event)) return fail('UNAUTHORIZED', 'This IPC call did not come from the workbench window and was refused.');
    if (!isChannelName(channel)) return fail('UNKNOWN_METHOD', 'The channel name must look like "service.method".');
    const dispatch = await options.getDispatch();
    const result = await dispatch(channel, request, { transport: 'ipc' });
    destinations.note(channel, result);
    return result;
  });

  ipcMain.handle(REVEAL_CHANNEL, async (event, path: unknown): Promise<boolean> => {
    if (!trusted(event)) return false;
    const shown = await revealablePath(path, [...(await options.revealRoots()), ...destinations.list()]);
    if (shown === null) return false;
    shell.showItemInFolder(shown);
    return true;
  });

  return {
    forward(event, payload) {
      const win = options.getWindow();
      if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
      win.webContents.send(EVENT_CHANNEL, { event, payload });
    },
    dispose() {
      ipcMain.removeHandler(INVOKE_CHANNEL);
      ipcMain.removeHandler(REVEAL_CHANNEL);
    },
  };
}
