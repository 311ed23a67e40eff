import os from 'node:os';
import type { Database } from 'better-sqlite3';
import { auditHandlers } from './api/audit-handlers';
import { caHandlers } from './api/ca-handlers';
import { certificateHandlers } from './api/certificate-handlers';
import { createDispatcher, type Dispatch } from './api/dispatcher';
import { inventoryHandlers } from './api/inventory-handlers';
import { jobHandlers } from './api/job-handlers';
import { lineHandlers } from './api/line-handlers';
import { policyHandlers } from './api/policy-handlers';
import { syncHandlers } from './api/sync-handlers';
import { userHandlers } from './api/user-handlers';
import { recordAuditEvent } from './audit/audit-log.repo';
import { createEventHub, type EventHub } from './events/event-hub';
import { createIssuanceEngine, type IssuanceEngine } from './issuance/issuance-engine';
import { createJobService, type JobService } from './jobs/job-service';
import { createKeyStoreSession, type KeyStoreOptions, type KeyStoreSession } from './keys/key-store-session';
import { createLineController, type LineController, type LineControllerOptions } from './line/line-controller';
import { createQaService, type QaService } from './qa/qa-service';
import { limitHeapGrowth } from './runtime/heap-growth';
import { openStationDatabase } from './store/database';
import { createSyncService, type SyncOptions, type SyncService } from './sync/sync-service';
import { type AuthOptions, type AuthService, createAuthService } from './users/auth-service';
import { syncBuiltInRoles } from './users/users.repo';

export interface Station {
  readonly dataDir: string;
  readonly db: Database;
  readonly hub: EventHub;
  readonly dispatch: Dispatch;
  readonly keys: KeyStoreSession;
  readonly issuance: IssuanceEngine;
  readonly line: LineController;
  readonly qa: QaService;
  readonly auth: AuthService;
  readonly jobs: JobService;
  /** The central server's feed; its background worker runs only where sync.start() is called. */
  readonly sync: SyncService;
  /** Lets certificates being recorded finish, then closes the database and logs out of the key store. */
  close(): Promise<void>;
}

export interface StationOptions {
  keyStore?: KeyStoreOptions;
  /** Line tuning for tests and benches (IDENTIFY poll interval, a wrapped port opener). */
  line?: Pick<LineControllerOptions, 'pollMs' | 'openLink'>;
  /** Idle lock and lockout; tests shorten them and pin the clock. */
  auth?: AuthOptions;
  /** Push batch size, intervals and backoff; tests shorten them. */
  sync?: SyncOptions;
  /** How long a running job's heartbeat counts as its process alive; tests shorten it. */
  jobs?: { leaseMs?: number };
}

/** The station core in plain Node: store, key store, events and the contract's handlers. No Electron here. */
export function openStation(dataDir: string, options: StationOptions = {}): Station {
  // A station owns the process it runs in (the app, `trustline serve`, a CLI command), so it
  // tunes that process's heap: see runtime/heap-growth.
  limitHeapGrowth();
  const db = openStationDatabase(dataDir);
  const hub = createEventHub();
  const keys = createKeyStoreSession(dataDir, options.keyStore);
  const issuance = createIssuanceEngine({ db, keyStore: (step) => keys.require(step) });
  const line = createLineController({ db, hub, issuance, ...options.line });
  const qa = createQaService({ db, busyPorts: () => line.busyPorts(), station: os.hostname() });
  syncBuiltInRoles(db);
  const auth = createAuthService(db, options.auth);
  const jobs = createJobService({ db, dataDir, hub, engine: issuance, ...options.jobs });
  const sync = createSyncService(db, hub, options.sync);
  const dispatch = createDispatcher(
    {
      ...inventoryHandlers(db, hub),
      ...caHandlers(db, hub, keys),
      ...policyHandlers(db, hub),
      ...certificateHandlers(db, hub, issuance),
      ...lineHandlers(db, hub, line, qa),
      ...userHandlers(db, auth),
      ...auditHandlers(db),
      ...jobHandlers(jobs),
      ...syncHandlers(sync),
    },
    {
      onRefused: (ctx, call, permission) =>
        recordAuditEvent(db, { actor: ctx.actor, action: 'call.refused', subject: call, details: { permission } }),
    },
  );
  return {
    dataDir,
    db,
    hub,
    dispatch,
    keys,
    issuance,
    line,
    qa,
    auth,
    jobs,
    sync,
    close: async () => {
      await sync.stop();
      // Ports first: a device mid-flow finishes its step (and its certificate is recorded) before the store closes.
      await line.close();
      await jobs.close();
      await issuance.close();
      db.close();
      await keys.close();
    },
  };
}
