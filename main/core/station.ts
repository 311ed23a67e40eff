import type { Database } from 'better-sqlite3';
import { createDispatcher, type Dispatch } from './api/dispatcher';
import { inventoryHandlers } from './api/inventory-handlers';
import { createEventHub, type EventHub } from './events/event-hub';
import { openStationDatabase } from './store/database';

export interface Station {
  readonly dataDir: string;
  readonly db: Database;
  readonly hub: EventHub;
  readonly dispatch: Dispatch;
  close(): void;
}

/** The station core in plain Node: store, events and the contract's handlers. No Electron here. */
export function openStation(dataDir: string): Station {
  const db = openStationDatabase(dataDir);
  const hub = createEventHub();
  const dispatch = createDispatcher({ ...inventoryHandlers(db, hub) });
  return {
    dataDir,
    db,
    hub,
    dispatch,
    close: () => db.close(),
  };
}
