import type { Result } from './errors';

/**
 * The only thing a client needs from a transport (Electron IPC, HTTP/WebSocket, or an
 * in-process dispatcher): call a channel, and listen to an event stream.
 */
export interface Transport {
  invoke(channel: string, request: unknown): Promise<Result<unknown>>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}
