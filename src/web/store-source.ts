// Adapts the daemon's status store to what startWebServer reads. Subscribes to writes, not to
// every service change: writes are already coalesced (at most ~2 a second), so the event stream
// and the latency histogram see what status.json shows, at a cost that does not grow with churn.
import type { StatusDocument } from '../status/schema.js';

export interface StatusSourceStore {
  document(): StatusDocument;
  on(event: 'write', listener: () => void): unknown;
  off(event: 'write', listener: () => void): unknown;
}

export function storeSource(store: StatusSourceStore): { getStatus(): StatusDocument; subscribe(cb: (doc: StatusDocument) => void): () => void } {
  return {
    getStatus: () => store.document(),
    subscribe(cb) {
      const listener = () => cb(store.document());
      store.on('write', listener);
      return () => void store.off('write', listener);
    },
  };
}
