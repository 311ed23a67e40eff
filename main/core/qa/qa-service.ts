/**
 * QA at the station: read a sampled device back (or look up its record), check it, file a
 * verdict against exactly those checks, and export a lot's report. The verdict refers to an
 * inspection the core made itself, so a UI cannot file a PASS for checks that never ran.
 */
import type { Database } from 'better-sqlite3';
import { randomUUID, X509Certificate } from 'node:crypto';
import type { QaCheck, QaInspectInput, QaInspection, QaReport, QaVerdict } from '../../../preload/contract';
import { appendAudit, recordAuditEvent } from '../audit/audit-log.repo';
import { knownCertificates } from '../ca/cas.repo';
import { type DeviceConnection, findDriver } from '../device/drivers';
import { openSerialPort } from '../device/transports/serial-port';
import { StationError } from '../errors/station-error';
import { getCertificateRow } from '../issuance/certificates.repo';
import { toPortFailure } from '../line/failures';
import { proveAgainstCertificate } from '../line/possession';
import { attemptsOfRun, getRun, latestAttempt, latestPass, type ProvisioningRow } from '../line/provisionings.repo';
import { parseCertificate } from '../pki/certificate';
import { oids } from '../pki/oids';
import { readPublicKey } from '../pki/public-key';
import { getPolicy } from '../policies/policies.repo';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';
import { qaReportCsv, qaReportPdf, type QaReportRow } from './qa-report';

export interface QaService {
  inspect(input: QaInspectInput, actor: string): Promise<QaInspection>;
  recordVerdict(
    input: { inspectionId: string; verdict: 'pass' | 'fail'; technician: string; notes: string },
    actor: string,
  ): QaVerdict;
  report(input: { runId: string; format: 'csv' | 'pdf' }, actor: string): QaReport;
}

/** Inspections kept for filing a verdict; older ones must be inspected again. */
const KEPT_INSPECTIONS = 500;

export function createQaService(deps: {
  db: Database;
  busyPorts: () => ReadonlySet<string>;
  station: string;
  now?: () => Date;
}): QaService {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const inspections = new Map<string, QaInspection>();

  const remember = (inspection: QaInspection) => {
    inspections.set(inspection.id, inspection);
    while (inspections.size > KEPT_INSPECTIONS) {
      const oldest = inspections.keys().next().value;
      if (oldest === undefined) break;
      inspections.delete(oldest);
    }
    return inspection;
  };

  /** The attempt QA compares with: the device's last PASS, else its last attempt with a certificate. */
  const recordFor = (serial: string): ProvisioningRow | undefined => {
    const passed = latestPass(db, serial);
    if (passed) return passed;
    const last = latestAttempt(db, serial);
    return last?.certificate_id ? last : undefined;
  };

  const chainCheck = (leaf: Buffer, presented: readonly Buffer[], at: Date): QaCheck => {
    // Every CA certificate the station knows, plus what the device presented; the path must end
    // at a self-signed certificate the station holds as a CA or trust anchor.
    const anchors = new Set<string>();
    const pool: X509Certificate[] = [];
    for (const known of knownCertificates(db)) {
      const cert = new X509Certificate(known.der);
      pool.push(cert);
      if (cert.issuer === cert.subject) anchors.add(cert.fingerprint256);
    }
    for (const der of presented) pool.push(new X509Certificate(der));
    let current = new X509Certificate(leaf);
    const names: string[] = [];
    for (let depth = 0; depth < 8; depth++) {
      const validFrom = Date.parse(current.validFrom);
      const validTo = Date.parse(current.validTo);
      if (at.getTime() < validFrom || at.getTime() > validTo) {
        return {
          name: 'chain',
          ok: false,
          detail: `${current.subject} is not valid now (${current.validFrom} to ${current.validTo}).`,
        };
      }
      if (anchors.has(current.fingerprint256)) {
        return {
          name: 'chain',
          ok: true,
          detail: `Chains to the trust anchor ${current.subject.replace(/\n/g, ', ')} via ${names.length} certificate(s).`,
        };
      }
      const issuer = pool.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
      if (!issuer || issuer.fingerprint256 === current.fingerprint256) {
        return { name: 'chain', ok: false, detail: `No known issuer signed ${current.subject.replace(/\n/g, ', ')}.` };
      }
      names.push(current.subject);
      current = issuer;
    }
    return { name: 'chain', ok: false, detail: 'The chain is longer than 8 certificates.' };
  };

  const policyCheck = (leaf: Buffer, policyId: string): QaCheck => {
    const policy = getPolicy(db, policyId, 'qa-inspect');
    const cert = parseCertificate(leaf);
    const problems: string[] = [];
    const key = readPublicKey(cert.spki);
    if (!policy.allowedKeyTypes.includes(key.type as (typeof policy.allowedKeyTypes)[number])) {
      problems.push(`key type ${key.label} is not allowed (${policy.allowedKeyTypes.join(', ')})`);
    }
    if (policy.validity.kind === 'days') {
      const days = (cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000;
      if (days > policy.validity.days + 1e-6)
        problems.push(`valid ${days.toFixed(1)} days, policy allows ${policy.validity.days}`);
    }
    const keyUsage = cert.extensions.get(oids.keyUsage);
    if (!keyUsage) problems.push('no key usage extension');
    else if (keyUsage.critical !== policy.keyUsageCritical)
      problems.push('key usage criticality differs from the policy');
    if (policy.extendedKeyUsage.length > 0 && !cert.extensions.has(oids.extKeyUsage)) {
      problems.push('no extended key usage extension');
    }
    if (cert.basicConstraints?.ca) problems.push('the certificate is a CA');
    return problems.length === 0
      ? { name: 'policy', ok: true, detail: `Complies with ${policy.name}: ${key.label}, validity and extensions.` }
      : { name: 'policy', ok: false, detail: problems.join('; ') };
  };

  const checkRecord = (
    record: ProvisioningRow | undefined,
  ): { checks: QaCheck[]; leaf: Buffer | null; certificateId: string | null } => {
    if (!record?.certificate_id) {
      return {
        checks: [
          { name: 'provisioned', ok: false, detail: 'The station has no certificate recorded for this serial.' },
        ],
        leaf: null,
        certificateId: null,
      };
    }
    const row = getCertificateRow(db, record.certificate_id);
    return {
      checks: [
        {
          name: 'provisioned',
          ok: record.outcome === 'pass' && row.status === 'issued',
          detail:
            record.outcome === 'pass'
              ? `Passed on ${record.finished_at ?? record.started_at} on ${record.port}; certificate ${row.status}.`
              : `Last attempt ended ${record.outcome} at ${record.step}.`,
        },
        policyCheck(row.der, row.policy_id),
      ],
      leaf: row.der,
      certificateId: row.id,
    };
  };

  const inspectDevice = async (input: { port: string; driver: string; baudRate: number }, at: Date) => {
    if (deps.busyPorts().has(input.port)) {
      throw new StationError('LINE_PORT_BUSY', `The line is using ${input.port}; stop the line or pick another port.`, {
        step: 'qa-inspect',
        params: { port: input.port },
      });
    }
    const driver = findDriver(input.driver);
    const link = await openSerialPort(input.port, { baudRate: input.baudRate });
    let connection: DeviceConnection | null = null;
    try {
      connection = await driver.connect(link);
      const identity = await connection.identify();
      const record = recordFor(identity.serialNumber);
      const { checks, certificateId } = checkRecord(record);
      let credentials;
      try {
        credentials = await connection.readCredentials();
      } catch (error) {
        checks.unshift({ name: 'read-back', ok: false, detail: toPortFailure(error, 'read-back').message });
        return { serialNumber: identity.serialNumber, record, checks, certificateId };
      }
      const [leaf] = credentials.chain;
      if (!leaf) {
        checks.unshift({ name: 'read-back', ok: false, detail: 'The device holds no certificate.' });
        return { serialNumber: identity.serialNumber, record, checks, certificateId };
      }
      checks.unshift({
        name: 'read-back',
        ok: true,
        detail: `Read ${credentials.chain.length} chain and ${credentials.trustAnchors.length} anchor certificate(s); device ${identity.lifecycle}.`,
      });
      const recorded = certificateId ? getCertificateRow(db, certificateId).der : null;
      checks.push({
        name: 'record-match',
        ok: recorded !== null && recorded.equals(leaf),
        detail:
          recorded === null
            ? 'No record to compare with.'
            : recorded.equals(leaf)
              ? 'The certificate on the device is the recorded one, byte for byte.'
              : 'The certificate on the device differs from the recorded one.',
      });
      checks.push(chainCheck(leaf, credentials.chain.slice(1), at));
      try {
        await proveAgainstCertificate(connection, leaf);
        checks.push({
          name: 'possession',
          ok: true,
          detail: 'The device signed a fresh challenge with the certified key.',
        });
      } catch (error) {
        checks.push({ name: 'possession', ok: false, detail: toPortFailure(error, 'proven').message });
      }
      return { serialNumber: identity.serialNumber, record, checks, certificateId };
    } finally {
      connection?.release();
      await link.close().catch(() => undefined);
    }
  };

  return {
    async inspect(input, actor) {
      const at = now();
      let result: {
        serialNumber: string;
        record: ProvisioningRow | undefined;
        checks: QaCheck[];
        certificateId: string | null;
      };
      let source: 'device' | 'record';
      if ('port' in input) {
        source = 'device';
        result = await inspectDevice(
          { port: input.port, driver: input.driver ?? 'trustline', baudRate: input.baudRate ?? 115200 },
          at,
        );
      } else {
        source = 'record';
        const record = recordFor(input.serialNumber);
        const { checks, leaf, certificateId } = checkRecord(record);
        if (leaf) checks.push(chainCheck(leaf, [], at));
        checks.unshift(
          { name: 'read-back', ok: null, detail: 'Not checked: the device is not connected.' },
          { name: 'possession', ok: null, detail: 'Not checked: the device is not connected.' },
        );
        result = { serialNumber: input.serialNumber, record, checks, certificateId };
      }
      const certificate = result.certificateId ? getCertificateRow(db, result.certificateId) : null;
      const run = result.record ? getRun(db, result.record.run_id, 'qa-inspect') : null;
      const inspection: QaInspection = {
        id: randomUUID(),
        source,
        serialNumber: result.serialNumber,
        deviceId: result.record?.device_id ?? null,
        provisioningId: result.record?.id ?? null,
        lot: run?.lot ?? null,
        certificate: certificate
          ? {
              id: certificate.id,
              serial: certificate.serial,
              subject: certificate.subject,
              notBefore: certificate.not_before,
              notAfter: certificate.not_after,
              keyType: certificate.key_type,
              pem: new X509Certificate(certificate.der).toString(),
            }
          : null,
        checks: result.checks,
        ok: result.checks.every((check) => check.ok !== false) && result.checks.some((check) => check.ok === true),
        inspectedAt: at.toISOString(),
      };
      recordAuditEvent(
        db,
        {
          actor,
          action: 'qa.inspect',
          subject: inspection.id,
          details: { serialNumber: inspection.serialNumber, source, ok: inspection.ok },
        },
        inspection.inspectedAt,
      );
      return remember(inspection);
    },

    recordVerdict(input, actor) {
      const inspection = inspections.get(input.inspectionId);
      if (!inspection) {
        throw new StationError(
          'INSPECTION_NOT_FOUND',
          'That inspection is unknown or too old; inspect the device again.',
          {
            step: 'qa-verdict',
          },
        );
      }
      // A PASS vouches for the device: only checks that ran on the device itself, and all passed.
      if (input.verdict === 'pass' && (inspection.source !== 'device' || !inspection.ok)) {
        throw new StationError(
          'VERDICT_NOT_ALLOWED',
          inspection.source !== 'device'
            ? 'A PASS needs the device read back on a port; a record alone can only be failed.'
            : 'A PASS needs every check to pass; file a FAIL, or inspect the device again.',
          { step: 'qa-verdict' },
        );
      }
      // One verdict per inspection: a second one would be filed against the same, older checks.
      inspections.delete(inspection.id);
      const verdict: QaVerdict = {
        id: randomUUID(),
        inspectionId: inspection.id,
        serialNumber: inspection.serialNumber,
        provisioningId: inspection.provisioningId,
        verdict: input.verdict,
        technician: input.technician,
        notes: input.notes,
        checks: inspection.checks,
        recordedAt: now().toISOString(),
        recordedBy: actor,
      };
      writeTransaction(db, () => {
        statement(
          db,
          `INSERT INTO qa_verdicts (id, inspection_id, serial_number, provisioning_id, verdict, technician, notes, checks, recorded_at, recorded_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          verdict.id,
          verdict.inspectionId,
          verdict.serialNumber,
          verdict.provisioningId,
          verdict.verdict,
          verdict.technician,
          verdict.notes,
          JSON.stringify(verdict.checks),
          verdict.recordedAt,
          actor,
        );
        appendAudit(
          db,
          {
            actor,
            action: 'qa.verdict',
            subject: verdict.id,
            details: {
              serialNumber: verdict.serialNumber,
              verdict: verdict.verdict,
              technician: verdict.technician,
              failedChecks: verdict.checks.filter((c) => c.ok === false).map((c) => c.name),
            },
          },
          verdict.recordedAt,
        );
      });
      return verdict;
    },

    report(input, actor) {
      const run = getRun(db, input.runId, 'qa-report');
      // A lot may span several runs (the line stopped and started again under the same lot).
      const runIds = (
        statement(db, 'SELECT id FROM line_runs WHERE lot = ? ORDER BY seq').all(run.lot) as Array<{ id: string }>
      ).map((r) => r.id);
      const rows = reportRows(db, runIds);
      const generatedAt = now().toISOString();
      const report = {
        lot: run.lot,
        recipe: run.recipe.name,
        station: deps.station,
        generatedAt,
        generatedBy: actor,
        rows,
      };
      const safeLot = run.lot.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
      const content = input.format === 'csv' ? Buffer.from(qaReportCsv(report), 'utf8') : qaReportPdf(report);
      recordAuditEvent(
        db,
        {
          actor,
          action: 'qa.report-exported',
          subject: run.id,
          details: { lot: run.lot, format: input.format, rows: rows.length },
        },
        generatedAt,
      );
      return {
        fileName: `qa-report-${safeLot}.${input.format}`,
        mediaType: input.format === 'csv' ? 'text/csv' : 'application/pdf',
        contentBase64: content.toString('base64'),
        rows: rows.length,
      };
    },
  };
}

/** One row per device of the lot (its last attempt), with the latest QA verdict on that attempt. */
function reportRows(db: Database, runIds: readonly string[]): QaReportRow[] {
  const last = new Map<string, ProvisioningRow>();
  for (const runId of runIds) for (const attempt of attemptsOfRun(db, runId)) last.set(attempt.serial_number, attempt);
  return [...last.values()].map((attempt) => {
    // The verdict on this very attempt: a verdict from another lot is not this lot's.
    const verdict = statement(db, 'SELECT * FROM qa_verdicts WHERE provisioning_id = ? ORDER BY seq DESC LIMIT 1').get(
      attempt.id,
    ) as
      { verdict: 'pass' | 'fail'; technician: string; recorded_at: string; checks: string; notes: string } | undefined;
    const certificate = attempt.certificate_id ? getCertificateRow(db, attempt.certificate_id) : null;
    const device = attempt.device_id
      ? (statement(db, 'SELECT name FROM devices WHERE id = ?').get(attempt.device_id) as { name: string } | undefined)
      : undefined;
    const checks = verdict ? (JSON.parse(verdict.checks) as QaCheck[]) : [];
    return {
      serialNumber: attempt.serial_number,
      deviceName: device?.name ?? null,
      port: attempt.port,
      certificateSerial: certificate?.serial ?? null,
      provisionedAt: attempt.outcome === 'pass' ? attempt.finished_at : null,
      outcome: attempt.outcome,
      verdict: verdict?.verdict ?? null,
      technician: verdict?.technician ?? null,
      verifiedAt: verdict?.recorded_at ?? null,
      checks: checks.filter((c) => c.ok !== null).map((c) => ({ name: c.name, ok: c.ok === true, detail: c.detail })),
      notes: verdict?.notes ?? '',
    };
  });
}
