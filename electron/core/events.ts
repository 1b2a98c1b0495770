import type { EventMap, EventName } from '../../shared/api/contract';

export type EventListener = <E extends EventName>(event: E, payload: EventMap[E]) => void;

/** The core's one event stream; each transport forwards it to its subscribers. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A broken subscriber must not break the core or the other subscribers.
      }
    }
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
