import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, isChannelName } from '../../shared/api/define';

/**
 * The sandboxed preload: exposes window.workbench = { invoke, subscribe, pathForFile, revealPath } and nothing else.
 * A sandboxed preload can load only `electron` at run time: the channel check it shares with the main process and the
 * web host (shared/api/define.ts, pure code) is bundled into it. The main process validates every call again.
 */
const { invoke: INVOKE_CHANNEL, event: EVENT_CHANNEL, reveal: REVEAL_CHANNEL } = IPC_CHANNELS;

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { event, payload } = message as { event?: unknown; payload?: unknown };
  if (typeof event !== 'string') return;
  for (const l of listeners.get(event) ?? []) {
    try {
      l(payload);
    } catch {
      // One broken listener must not stop the others.
    }
  }
});

contextBridge.exposeInMainWorld('workbench', {
  invoke(channel: unknown, request: unknown): Promise<unknown> {
    if (!isChannelName(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_METHOD', message: 'The channel name must look like "service.method".' },
      });
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, channel, request ?? {}) as Promise<unknown>;
  },
  /** Shows a file or folder in the OS file manager; false when the main process refused. */
  revealPath(path: unknown): Promise<boolean> {
    if (typeof path !== 'string') return Promise.resolve(false);
    return ipcRenderer.invoke(REVEAL_CHANNEL, path) as Promise<boolean>;
  },
  /** The local path of a file dropped on the window (so the core can convert it in place), or null. */
  pathForFile(file: unknown): string | null {
    try {
      const path = webUtils.getPathForFile(file as File);
      return path ? path : null;
    } catch {
      return null;
    }
  },
  subscribe(event: unknown, listener: unknown): () => void {
    if (!isChannelName(event) || typeof listener !== 'function') {
      return () => undefined;
    }
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  },
});
