import { decodeEnvelope } from '../../shared/api/envelope';
import { fail, type Result } from '../../shared/api/errors';
import type { Transport } from '../../shared/api/transport';
import { EVENTS_PROTOCOL, tokenProtocol } from '../../shared/api/web-auth';
import { authHeaders, sessionToken } from './session';

/** What the Electron preload exposes on window.workbench (contextBridge). */
export interface PreloadBridge {
  invoke(channel: string, request: unknown): Promise<Result<unknown>>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
  /** Desktop: the real path of a file dropped on the window. */
  pathForFile?: (file: File) => string | null;
  /** Desktop: show a file or folder in the OS file manager. */
  revealPath?: (path: string) => Promise<boolean>;
}

declare global {
  interface Window {
    workbench?: PreloadBridge;
  }
}

/**
 * Web host transport: POST /api/<channel> with a JSON body; the answer is a binary
 * envelope (JSON header + raw Arrow bytes). Events arrive on a WebSocket at /events.
 * The token (see session.ts) goes in the Authorization header of every call and, since a browser
 * cannot set headers on a WebSocket, as a subprotocol of the handshake: the host refuses the
 * handshake itself without it, so no unauthenticated socket is ever open, and it never echoes it.
 */
export function createWebTransport(base = ''): Transport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let socket: WebSocket | null = null;
  let retry = 500;

  const connect = (): void => {
    const url = new URL(`${base}/events`, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = sessionToken();
    socket = new WebSocket(url, token === null ? [EVENTS_PROTOCOL] : [EVENTS_PROTOCOL, tokenProtocol(token)]);
    socket.onmessage = (msg) => {
      if (typeof msg.data !== 'string') return;
      let parsed: { event: string; payload: unknown };
      try {
        parsed = JSON.parse(msg.data) as { event: string; payload: unknown };
      } catch {
        return; // Not one of ours; ignore rather than break the stream.
      }
      for (const l of listeners.get(parsed.event) ?? []) {
        try {
          l(parsed.payload);
        } catch (err) {
          console.error(`A listener of ${parsed.event} failed`, err);
        }
      }
    };
    socket.onopen = () => {
      retry = 500;
    };
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };

  return {
    async invoke(channel, request) {
      try {
        const res = await fetch(`${base}/api/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeaders() },
          body: JSON.stringify(request ?? {}),
        });
        if (res.status === 401) return fail('UNAUTHORIZED', 'The workbench token is missing or wrong. Open the link the web host printed.');
        const type = res.headers.get('content-type') ?? '';
        if (!type.includes('application/octet-stream')) {
          const text = (await res.text()).slice(0, 500);
          return fail(
            'INTERNAL',
            `The workbench host answered ${res.status} ${res.statusText} instead of a result. Reload the page; restart \`npm run web\` if it persists.`,
            text,
          );
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        return decodeEnvelope(bytes) as Result<unknown>;
      } catch (err) {
        return fail('INTERNAL', 'The workbench host did not answer. Is `npm run web` still running?', String(err));
      }
    },
    subscribe(event, listener) {
      if (!socket) connect();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

/** Desktop transport: the preload bridge. */
export function createIpcTransport(bridge: PreloadBridge): Transport {
  return {
    invoke: (channel, request) => bridge.invoke(channel, request),
    subscribe: (event, listener) => bridge.subscribe(event, listener),
  };
}

export function createTransport(): Transport {
  return window.workbench ? createIpcTransport(window.workbench) : createWebTransport();
}
