import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuditEntry, genesisHash, hashAuditEntry, verifyAuditChain } from '../../main/core/audit/audit-chain';

function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = genesisHash;
  for (let seq = 1; seq <= n; seq += 1) {
    const fields = {
      seq,
      time: `2026-01-01T00:00:0${seq}.000Z`,
      actor: 'qa',
      action: 'device.register',
      subject: `device-${seq}`,
      details: JSON.stringify({ n: seq }),
      prevHash,
    };
    const entry = { ...fields, hash: hashAuditEntry(fields) };
    entries.push(entry);
    prevHash = entry.hash;
  }
  return entries;
}

/** Entries after `last`, with other content but a valid chain: what a forger would write. */
function rebuildFrom(last: AuditEntry, count: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = last;
  for (let i = 0; i < count; i += 1) {
    const fields = { ...prev, seq: prev.seq + 1, actor: 'forger', details: '{}', prevHash: prev.hash };
    const entry = { ...fields, hash: hashAuditEntry(fields) };
    entries.push(entry);
    prev = entry;
  }
  return entries;
}

describe('audit chain', () => {
  it('accepts an intact chain and reports its head', () => {
    const entries = chain(5);
    const report = verifyAuditChain(entries);
    assert.equal(report.ok, true);
    assert.equal(report.entries, 5);
    assert.deepEqual(report.head, { seq: 5, hash: entries[4]?.hash });
  });

  it('accepts an empty log', () => {
    assert.deepEqual(verifyAuditChain([]), { ok: true, entries: 0, head: null, problems: [] });
  });

  it('detects a changed field', () => {
    const entries = chain(4);
    entries[1] = { ...entries[1]!, actor: 'intruder' };
    const report = verifyAuditChain(entries);
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems, [{ kind: 'altered', seq: 2 }]);
  });

  it('detects a removed entry', () => {
    const entries = chain(4);
    entries.splice(2, 1);
    const report = verifyAuditChain(entries);
    assert.equal(report.ok, false);
    assert.ok(report.problems.some((p) => p.kind === 'gap' && p.seq === 4));
    assert.ok(report.problems.some((p) => p.kind === 'broken-link' && p.seq === 4));
  });

  it('detects an inserted entry, even one hashed correctly and linked to its predecessor', () => {
    const entries = chain(4);
    // The forger links the new entry to entry 2 and renumbers what follows; entry 3 still points at entry 2.
    const [inserted] = rebuildFrom(entries[1]!, 1);
    const renumbered = entries.slice(2).map((e) => ({ ...e, seq: e.seq + 1 }));
    const report = verifyAuditChain([...entries.slice(0, 2), inserted!, ...renumbered]);
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems[0], { kind: 'broken-link', seq: 4 });
    assert.ok(
      report.problems.some((p) => p.kind === 'altered' && p.seq === 4),
      'renumbering breaks the hash',
    );
  });

  it('detects reordered entries even when the sequence numbers are rewritten', () => {
    const entries = chain(4);
    const [second, third] = [entries[1]!, entries[2]!];
    entries[1] = { ...third, seq: 2 };
    entries[2] = { ...second, seq: 3 };
    const report = verifyAuditChain(entries);
    assert.equal(report.ok, false);
    assert.ok(report.problems.some((p) => p.kind === 'broken-link'));
    assert.ok(report.problems.some((p) => p.kind === 'altered'));
  });

  it('detects a cut-off tail only against a head recorded elsewhere', () => {
    const entries = chain(5);
    const head = { seq: 5, hash: entries[4]!.hash };
    const truncated = entries.slice(0, 3);
    assert.equal(verifyAuditChain(truncated).ok, true);
    assert.deepEqual(verifyAuditChain(truncated, head).problems, [{ kind: 'head-mismatch', seq: 5 }]);
    assert.equal(verifyAuditChain(entries, head).ok, true);
  });

  it('detects a tail replaced by new entries against the head seen earlier', () => {
    const original = chain(5);
    const head = { seq: 5, hash: original[4]!.hash };
    // Same first 3 entries, then a different history with recomputed, internally valid hashes.
    const forged = [...original.slice(0, 3), ...rebuildFrom(original[2]!, 4)];
    assert.equal(verifyAuditChain(forged).ok, true);
    assert.deepEqual(verifyAuditChain(forged, head).problems, [{ kind: 'head-mismatch', seq: 5 }]);
    assert.equal(verifyAuditChain(forged, { seq: 5, hash: 'f'.repeat(64) }).ok, false);
    assert.equal(verifyAuditChain(chain(7), head).ok, true, 'the same chain, grown honestly, still matches');
  });

  it('hashes every field, so swapping two fields changes the hash', () => {
    const fields = chain(1)[0]!;
    const swapped = { ...fields, actor: fields.action, action: fields.actor };
    assert.notEqual(hashAuditEntry(swapped), hashAuditEntry(fields));
  });
});
