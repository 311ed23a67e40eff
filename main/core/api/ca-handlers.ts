import type { Database } from 'better-sqlite3';
import { recordAuditEvent } from '../audit/audit-log.repo';
import { isStationError } from '../errors/station-error';
import {
  adoptCaKey,
  createIssuingCa,
  createRootCa,
  exportCaCertificate,
  exportCaCsr,
  importCaCertificate,
  importTrustAnchor,
  listCas,
} from '../ca/ca-setup';
import type { EventHub } from '../events/event-hub';
import type { KeyStoreSession } from '../keys/key-store-session';
import type { Handlers } from './dispatcher';

type CaCalls =
  | 'keyStore.status'
  | 'keyStore.unlock'
  | 'cas.list'
  | 'cas.createRoot'
  | 'cas.createIssuing'
  | 'cas.importCertificate'
  | 'cas.importTrustAnchor'
  | 'cas.adoptKey'
  | 'cas.exportCertificate'
  | 'cas.exportCsr';

/** Binds the key-store and CA calls of the contract to the CA setup functions. */
export function caHandlers(db: Database, hub: EventHub, keys: KeyStoreSession): Pick<Handlers, CaCalls> {
  const deps = { db, keyStore: (step: string) => keys.require(step) };
  const changed = (ids: string[]) => hub.emit('cas.changed', { ids });
  return {
    'keyStore.status': () => keys.status(),
    'keyStore.unlock': async (input, ctx) => {
      const before = keys.status();
      const subject = `keystore:${before.tokenLabel}`;
      try {
        const status = await keys.unlock(input.pin);
        recordAuditEvent(db, {
          actor: ctx.actor,
          action: 'keystore.unlocked',
          subject,
          details: { kind: status.kind, created: status.soPin !== undefined },
        });
        changed([]);
        return status;
      } catch (error) {
        // A refused PIN is worth knowing about; the PIN itself never goes into the log.
        recordAuditEvent(db, {
          actor: ctx.actor,
          action: 'keystore.unlock-refused',
          subject,
          details: { code: isStationError(error) ? error.code : 'INTERNAL' },
        });
        throw error;
      }
    },
    'cas.list': () => listCas(db),
    'cas.createRoot': async (input, ctx) => {
      const ca = await createRootCa(deps, input, ctx);
      changed([ca.id]);
      return ca;
    },
    'cas.createIssuing': async (input, ctx) => {
      const result = await createIssuingCa(deps, input, ctx);
      changed([result.ca.id]);
      return result;
    },
    'cas.importCertificate': async (input, ctx) => {
      const ca = await importCaCertificate(deps, input, ctx);
      changed([ca.id]);
      return ca;
    },
    'cas.importTrustAnchor': (input, ctx) => {
      const ca = importTrustAnchor(db, input, ctx);
      changed([ca.id]);
      return ca;
    },
    'cas.adoptKey': async (input, ctx) => {
      const ca = await adoptCaKey(deps, input, ctx);
      changed([ca.id]);
      return ca;
    },
    'cas.exportCertificate': (input, ctx) => {
      const pem = exportCaCertificate(db, input.id);
      recordAuditEvent(db, { actor: ctx.actor, action: 'ca.certificate-exported', subject: input.id, details: {} });
      return { pem };
    },
    'cas.exportCsr': (input, ctx) => {
      const pem = exportCaCsr(db, input.id);
      recordAuditEvent(db, { actor: ctx.actor, action: 'ca.csr-exported', subject: input.id, details: {} });
      return { pem };
    },
  };
}
