import { type EventEnvelope, type EventName, type EventPayload, events } from '../../../preload/contract';

export type EventListener = (envelope: EventEnvelope) => void;

export interface EventHub {
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void;
  subscribe(listener: EventListener): () => void;
}

/** Fans core events out to every connected transport. Payloads are checked against the contract. */
export function createEventHub(): EventHub {
  const listeners = new Set<EventListener>();
  return {
    emit(name, payload) {
      const checked = events[name].payload.parse(payload);
      for (const listener of listeners) {
        try {
          listener({ name, payload: checked });
        } catch (error) {
          // One broken transport (a closed socket, a destroyed window) must not starve the others.
          console.error(`event listener failed for ${name}:`, error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
