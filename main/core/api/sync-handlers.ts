import type { SyncService } from '../sync/sync-service';
import type { Handlers } from './dispatcher';

export function syncHandlers(sync: SyncService): Pick<Handlers, 'sync.status' | 'sync.now' | 'sync.enrol'> {
  return {
    'sync.status': () => sync.status(),
    'sync.now': () => sync.syncNow(),
    'sync.enrol': (input, ctx) => sync.enrol(input, ctx.actor),
  };
}
