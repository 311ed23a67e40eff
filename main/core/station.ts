import type { Database } from 'better-sqlite3';
import { caHandlers } from './api/ca-handlers';
import { certificateHandlers } from './api/certificate-handlers';
import { createDispatcher, type Dispatch } from './api/dispatcher';
import { inventoryHandlers } from './api/inventory-handlers';
import { policyHandlers } from './api/policy-handlers';
import { createEventHub, type EventHub } from './events/event-hub';
import { createIssuanceEngine, type IssuanceEngine } from './issuance/issuance-engine';
import { createKeyStoreSession, type KeyStoreOptions, type KeyStoreSession } from './keys/key-store-session';
import { openStationDatabase } from './store/database';

export interface Station {
  readonly dataDir: string;
  readonly db: Database;
  readonly hub: EventHub;
  readonly dispatch: Dispatch;
  readonly keys: KeyStoreSession;
  readonly issuance: IssuanceEngine;
  /** Lets certificates being recorded finish, then closes the database and logs out of the key store. */
  close(): Promise<void>;
}

export interface StationOptions {
  keyStore?: KeyStoreOptions;
}

/** The station core in plain Node: store, key store, events and the contract's handlers. No Electron here. */
export function openStation(dataDir: string, options: StationOptions = {}): Station {
  const db = openStationDatabase(dataDir);
  const hub = createEventHub();
  const keys = createKeyStoreSession(dataDir, options.keyStore);
  const issuance = createIssuanceEngine({ db, keyStore: (step) => keys.require(step) });
  const dispatch = createDispatcher({
    ...inventoryHandlers(db, hub),
    ...caHandlers(db, hub, keys),
    ...policyHandlers(db, hub),
    ...certificateHandlers(db, hub, issuance),
  });
  return {
    dataDir,
    db,
    hub,
    dispatch,
    keys,
    issuance,
    close: async () => {
      await issuance.close();
      db.close();
      await keys.close();
    },
  };
}
