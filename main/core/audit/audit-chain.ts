import { createHash } from 'node:crypto';

/** The hash the first entry links to. */
export const genesisHash = '0'.repeat(64);

export interface AuditEntryFields {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  /** JSON text exactly as stored: the hash covers these bytes, so no re-canonicalisation is needed. */
  details: string;
  prevHash: string;
}

export interface AuditEntry extends AuditEntryFields {
  hash: string;
}

/** SHA-256 over an unambiguous encoding of every field, the previous hash included. */
export function hashAuditEntry(entry: AuditEntryFields): string {
  const encoded = JSON.stringify([
    entry.seq,
    entry.time,
    entry.actor,
    entry.action,
    entry.subject,
    entry.details,
    entry.prevHash,
  ]);
  return createHash('sha256').update(encoded).digest('hex');
}

export type AuditProblem =
  | { kind: 'gap'; seq: number; expectedSeq: number }
  | { kind: 'broken-link'; seq: number }
  | { kind: 'altered'; seq: number }
  | { kind: 'head-mismatch'; seq: number };

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  problems: AuditProblem[];
}

/**
 * Walks entries in sequence order. A changed field shows as `altered`, a removed or reordered
 * row as a `gap` or `broken-link`. Cutting entries off the end leaves a valid shorter chain;
 * only a head recorded elsewhere (`expectedHead`, e.g. the central server's copy) reveals that.
 */
export function verifyAuditChain(
  entries: Iterable<AuditEntry>,
  expectedHead?: { seq: number; hash: string },
): AuditVerification {
  const problems: AuditProblem[] = [];
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let count = 0;
  let head: { seq: number; hash: string } | null = null;
  let hashAtExpectedSeq: string | null = null;
  for (const entry of entries) {
    count += 1;
    if (expectedHead && entry.seq === expectedHead.seq) hashAtExpectedSeq = entry.hash;
    if (entry.seq !== expectedSeq) problems.push({ kind: 'gap', seq: entry.seq, expectedSeq });
    if (entry.prevHash !== prevHash) problems.push({ kind: 'broken-link', seq: entry.seq });
    if (hashAuditEntry(entry) !== entry.hash) problems.push({ kind: 'altered', seq: entry.seq });
    expectedSeq = entry.seq + 1;
    prevHash = entry.hash;
    head = { seq: entry.seq, hash: entry.hash };
  }
  // The entry recorded elsewhere must still be here with the same hash: a cut-off tail that was
  // re-grown to the same length, or a chain rewritten with fresh hashes, differs at that entry.
  if (expectedHead && hashAtExpectedSeq !== expectedHead.hash) {
    problems.push({ kind: 'head-mismatch', seq: expectedHead.seq });
  }
  return { ok: problems.length === 0, entries: count, head, problems };
}
