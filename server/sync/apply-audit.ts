import type { PoolClient } from 'pg';
import type { AuditRecord } from '../../sync-protocol';
import { ServerError } from '../errors';

type PushedAudit = AuditRecord & { outboxSeq: number };

const insertAudit = `
  INSERT INTO station_audit (station_id, seq, time, actor, action, subject, details, prev_hash, hash)
  SELECT $1, r.seq, r.time, r.actor, r.action, r.subject, r.details, r."prevHash", r.hash
    FROM jsonb_to_recordset($2::jsonb) AS r(seq bigint, time text, actor text, action text, subject text,
         details text, "prevHash" text, hash text)
   ORDER BY r.seq
  ON CONFLICT (station_id, seq) DO NOTHING`;

/**
 * Station audit entries are append-only and keyed (station, audit seq). Each entry's prevHash
 * must be the hash of the entry before it wherever that entry is known (in this push or already
 * stored): a broken chain refuses the whole push rather than storing a log that cannot verify.
 */
export async function applyAudit(client: PoolClient, stationId: string, entries: PushedAudit[]): Promise<void> {
  if (entries.length === 0) return;
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  const missing = entries.map((e) => e.seq - 1).filter((seq) => seq > 0 && !bySeq.has(seq));
  const stored = new Map<number, string>();
  if (missing.length > 0) {
    const { rows } = await client.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM station_audit WHERE station_id = $1 AND seq = ANY($2::bigint[])',
      [stationId, missing],
    );
    for (const row of rows) stored.set(Number(row.seq), row.hash);
  }
  for (const entry of entries) {
    const previous = bySeq.get(entry.seq - 1)?.hash ?? stored.get(entry.seq - 1);
    if (previous !== undefined && previous !== entry.prevHash) {
      throw new ServerError('BAD_REQUEST', `Audit entry ${entry.seq} does not chain to entry ${entry.seq - 1}.`, {
        seq: entry.outboxSeq,
        auditSeq: entry.seq,
      });
    }
  }
  await client.query(insertAudit, [
    stationId,
    JSON.stringify(entries.map(({ outboxSeq: _outboxSeq, ...entry }) => entry)),
  ]);
}
