import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Database } from 'better-sqlite3';
import type { Policy } from '../../preload/contract';
import { verifyAuditLog } from '../../main/core/audit/audit-log.repo';
import { type CertificateRecorder, createCertificateRecorder } from '../../main/core/issuance/certificate-recorder';
import type { CertificateRow } from '../../main/core/issuance/certificates.repo';
import { insertJob, insertJobRow, jobRowsPage, setRowOutcome } from '../../main/core/jobs/jobs.repo';
import { openDatabaseFile } from '../../main/core/store/database';
import { orderedUuid } from '../../main/core/store/ordered-id';
import { openStation } from '../../main/core/station';
import { call, setUpCa } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

// The recorder writes a group of certificates in one transaction on its own thread. These tests
// put many rows in one group (all but the first record() of a burst wait for the first commit,
// then go together) and check what commits when one of them is refused.

const dir = tempDir();
let db: Database;
let recorder: CertificateRecorder;
let policy: Policy;
let caId: string;

before(async () => {
  const station = openStation(path.join(dir, 'station'), { keyStore: { pin: '1234' } });
  const ca = await setUpCa(station, dir);
  caId = ca.issuingId;
  policy = await call(station, 'policies.create', { preset: 'tls-client', body: { name: 'TLS', issuingCaId: caId } });
  const file = station.db.name;
  await station.close();
  db = openDatabaseFile(file);
  recorder = createCertificateRecorder(db);
});

after(async () => {
  await recorder.close();
  db.close();
});

function certificate(serial = randomBytes(16).toString('hex')): CertificateRow {
  const now = new Date().toISOString();
  return {
    id: orderedUuid(),
    serial,
    subject: `CN=${serial.slice(0, 8)}`,
    not_before: now,
    not_after: now,
    der: randomBytes(300),
    status: 'issued',
    policy_id: policy.id,
    ca_id: caId,
    device_id: null,
    key_type: 'EC-P256',
    issued_at: now,
    issued_by: 'test',
  };
}

const audit = (row: CertificateRow) => ({
  actor: 'test',
  action: 'certificate.issued',
  subject: row.id,
  details: { serial: row.serial },
});

const committed = (ids: string[]) =>
  ids.filter((id) => db.prepare('SELECT 1 FROM certificates WHERE id = ?').get(id) !== undefined);

const auditedSubjects = () =>
  (db.prepare("SELECT subject FROM audit_log WHERE action = 'certificate.issued'").all() as { subject: string }[]).map(
    (r) => r.subject,
  );

describe('certificate recorder', () => {
  it('commits a burst of certificates, each with its audit entry, and the chain verifies', async () => {
    const rows = Array.from({ length: 200 }, () => certificate());
    await Promise.all(rows.map((row) => recorder.record(row, audit(row))));
    assert.deepEqual(committed(rows.map((r) => r.id)).length, 200);
    const subjects = new Set(auditedSubjects());
    for (const row of rows) assert.ok(subjects.has(row.id), `no audit entry for ${row.id}`);
    const verification = verifyAuditLog(db);
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
  });

  it('fails only the refused row of a group: the others commit, with an unbroken audit chain', async () => {
    const taken = certificate();
    await recorder.record(taken, audit(taken));
    const auditBefore = auditedSubjects().length;

    const rows = Array.from({ length: 40 }, () => certificate());
    // Row 20 repeats a serial already recorded: the UNIQUE index refuses it.
    rows[20] = certificate(taken.serial);
    const outcomes = await Promise.allSettled(rows.map((row) => recorder.record(row, audit(row))));

    outcomes.forEach((outcome, i) => {
      if (i === 20) {
        assert.equal(outcome.status, 'rejected');
        const reason = (outcome as PromiseRejectedResult).reason as { code: string; message: string };
        assert.equal(reason.code, 'INTERNAL');
        assert.match(reason.message, /signed but not recorded: .*UNIQUE constraint failed: certificates\.serial/);
      } else {
        assert.equal(outcome.status, 'fulfilled', `row ${i}`);
      }
    });
    const ids = rows.map((r) => r.id);
    assert.deepEqual(
      committed(ids),
      ids.filter((_, i) => i !== 20),
    );
    // The refused row left no audit entry behind; every other row has exactly one.
    const subjects = auditedSubjects();
    assert.equal(subjects.length, auditBefore + 39);
    assert.equal(subjects.includes(rows[20]?.id ?? ''), false);
    const verification = verifyAuditLog(db);
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
  });

  it('fails a row whose batch job row is not pending, alone', async () => {
    const rows = Array.from({ length: 10 }, () => certificate());
    const outcomes = await Promise.allSettled(
      rows.map((row, i) =>
        recorder.record(row, audit(row), i === 4 ? { jobRow: { jobId: 'no-such-job', line: 1, sealedKey: null } } : {}),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      rows.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
    );
    assert.match(String((outcomes[4] as PromiseRejectedResult).reason.message), /job row no-such-job:1 is not pending/);
    assert.deepEqual(
      committed(rows.map((r) => r.id)),
      rows.map((r) => r.id).filter((_, i) => i !== 4),
    );
  });

  it('completes a job row with its certificate; a row done stays done if its caller later marks it failed', async () => {
    const jobId = orderedUuid();
    insertJob(db, {
      id: jobId,
      options: { kind: 'certificates-unmanaged', policyId: policy.id, keySource: 'csv', stationKeyType: 'EC-P256' },
      inputName: 'rows.csv',
      createdBy: 'test',
      createdAt: new Date().toISOString(),
    });
    for (const line of [1, 2]) {
      insertJobRow(db, jobId, {
        line,
        name: `row-${line}`,
        status: 'pending',
        payload: { description: '', attributes: {} },
      });
    }
    const row = certificate();
    const sealed = new Uint8Array([1, 2, 3]);
    await recorder.record(row, audit(row), { jobRow: { jobId, line: 1, sealedKey: sealed } });
    setRowOutcome(db, jobId, 1, { status: 'failed', error: { code: 'INTERNAL', message: 'told otherwise' } });
    setRowOutcome(db, jobId, 2, { status: 'failed', error: { code: 'INTERNAL', message: 'really failed' } });
    const rows = jobRowsPage(db, jobId, { afterLine: 0, limit: 10, statuses: ['done', 'failed'] });
    assert.deepEqual(
      rows.map((r) => [r.line, r.status, r.certificateId, r.errorCode]),
      [
        [1, 'done', row.id, null],
        [2, 'failed', null, 'INTERNAL'],
      ],
    );
    assert.deepEqual([...(rows[0]?.sealedKey ?? [])], [1, 2, 3]);
  });

  it('fails the whole group, recording nothing, when the database stays locked', async () => {
    // Another connection holds the write lock past the recorder's busy timeout (5 s).
    const other = openDatabaseFile(db.name);
    other.prepare('BEGIN IMMEDIATE').run();
    const rows = Array.from({ length: 5 }, () => certificate());
    const outcomes = Promise.allSettled(rows.map((row) => recorder.record(row, audit(row))));
    const settled = await outcomes.finally(() => {
      other.prepare('ROLLBACK').run();
      other.close();
    });
    for (const outcome of settled) {
      assert.equal(outcome.status, 'rejected');
      assert.match(
        String((outcome as PromiseRejectedResult).reason.message),
        /could not record the certificates: database is locked/,
      );
    }
    assert.deepEqual(committed(rows.map((r) => r.id)), []);
    // The recorder goes on once the lock is gone.
    const after = certificate();
    await recorder.record(after, audit(after));
    assert.deepEqual(committed([after.id]), [after.id]);
  });
});
