import type { Pool, PoolClient } from 'pg';
import type {
  AuditRecord,
  CertificateRecord,
  DeviceRecord,
  JobRecord,
  PushRequest,
  PushResponse,
} from '../../sync-protocol';
import type { StationPrincipal } from '../auth/principal';
import { withTransaction } from '../db/pool';
import { ServerError } from '../errors';
import { applyAudit } from './apply-audit';
import { applyDevices } from './apply-devices';
import { upsertOwned } from './upsert';

type WithSeq<T> = T & { seq: number };

interface Batches {
  devices: Map<string, WithSeq<DeviceRecord>>;
  certificates: Map<string, WithSeq<CertificateRecord>>;
  jobs: Map<string, WithSeq<JobRecord>>;
  audit: Map<number, AuditRecord & { outboxSeq: number }>;
}

/** Later entries replace earlier ones with the same key: within one push the highest seq wins. */
function batch(records: PushRequest['records']): Batches {
  const batches: Batches = { devices: new Map(), certificates: new Map(), jobs: new Map(), audit: new Map() };
  for (const entry of records) {
    switch (entry.kind) {
      case 'device':
        batches.devices.set(entry.record.id, { ...entry.record, seq: entry.seq });
        break;
      case 'certificate':
        batches.certificates.set(entry.record.id, { ...entry.record, seq: entry.seq });
        break;
      case 'job':
        batches.jobs.set(entry.record.id, { ...entry.record, seq: entry.seq });
        break;
      case 'audit':
        // The outbox seq rides along under its own name: the audit entry has a seq of its own.
        batches.audit.set(entry.record.seq, { ...entry.record, outboxSeq: entry.seq });
        break;
    }
  }
  return batches;
}

/**
 * Applies one push exactly once. The station row is locked FOR UPDATE first, so pushes of one
 * station are serialised across every server instance; the high-water mark read under that
 * lock decides which entries are new, and it moves in the same transaction that writes them.
 * A redelivered push therefore finds its entries at or below the mark and only counts them, and
 * a push that fails for any reason leaves nothing behind.
 */
export async function applyPush(pool: Pool, station: StationPrincipal, push: PushRequest): Promise<PushResponse> {
  if (push.stationId !== station.stationId) {
    throw new ServerError('STATION_MISMATCH', 'The push names a different station than the credential it carries.', {
      credentialStationId: station.stationId,
    });
  }
  return withTransaction(pool, async (client) => {
    const appliedThrough = await lockStation(client, station.stationId);
    if (push.firstSeq > appliedThrough + 1) {
      throw new ServerError('SYNC_GAP', `The server has everything up to ${appliedThrough}; push from there.`, {
        appliedThrough,
      });
    }
    const fresh = push.records.filter((entry) => entry.seq > appliedThrough);
    const duplicates = push.records.length - fresh.length;
    if (fresh.length === 0) return { appliedThrough, applied: 0, duplicates };

    const batches = batch(fresh);
    await applyDevices(client, station.stationId, [...batches.devices.values()]);
    await upsertOwned(client, station.stationId, 'certificate', [...batches.certificates.values()]);
    await upsertOwned(client, station.stationId, 'job', [...batches.jobs.values()]);
    await applyAudit(client, station.stationId, [...batches.audit.values()]);
    await client.query('UPDATE stations SET applied_through = $2, last_push_at = now() WHERE id = $1', [
      station.stationId,
      push.lastSeq,
    ]);
    return { appliedThrough: push.lastSeq, applied: fresh.length, duplicates };
  });
}

async function lockStation(client: PoolClient, stationId: string): Promise<number> {
  const { rows } = await client.query<{ applied_through: string; revoked: boolean }>(
    'SELECT applied_through, revoked_at IS NOT NULL AS revoked FROM stations WHERE id = $1 FOR UPDATE',
    [stationId],
  );
  const row = rows[0];
  if (!row) throw new ServerError('UNAUTHENTICATED', 'This station is not known to the server.');
  // Checked again under the lock: a revocation that committed since the credential was checked wins.
  if (row.revoked) throw new ServerError('STATION_REVOKED', 'This station has been revoked on the server.');
  return Number(row.applied_through);
}
