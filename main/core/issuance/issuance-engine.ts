import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { IssuedCertificate, KeyGenerationType } from '../../../preload/contract';
import type { KeyAlgorithm, KeyStore } from '../../../hsm';
import { caChain, getCaRow } from '../ca/cas.repo';
import { toStationError } from '../errors/key-store-error';
import { StationError } from '../errors/station-error';
import { getDevice } from '../inventory/devices.repo';
import type { MutationContext } from '../inventory/mutation-context';
import { encodeCertificate } from '../pki/certificate';
import { readCheckedCsr, readCsr } from '../pki/csr';
import { nameToString } from '../pki/name';
import { pemOrDer, toPem } from '../pki/pem';
import { describeCheckedPublicKey, type PublicKeyDescription, readPublicKey } from '../pki/public-key';
import { getPolicy } from '../policies/policies.repo';
import type { TemplateSource } from '../policies/template';
import { statement } from '../store/statements';
import { orderedUuid } from '../store/ordered-id';
import { createCertificateRecorder } from './certificate-recorder';
import { type CertificateRow, type ProvisioningLink, toCertificateRecord } from './certificates.repo';
import { type CompiledPolicy, compilePolicy, planCertificate, planTbs } from './compiled-policy';
import { newSerial } from './serial-numbers';

export interface IssueRequest {
  policyId: string;
  /** PKCS#10, PEM or DER. */
  csr?: Buffer;
  /**
   * Set by a batch job for a row whose `csr` or `publicKey`, these very bytes, passed checker() when
   * the job was validated (the row is stored pending only then): issue() reads the request again
   * (its key, its subject, every policy check) but neither verifies the CSR's signature a second
   * time nor has OpenSSL import the key again.
   */
  checked?: boolean;
  /** SubjectPublicKeyInfo, PEM or DER. */
  publicKey?: Buffer;
  /** A key the station generated itself (batch jobs, the line), passed as its public half. */
  stationGeneratedKey?: Buffer;
  deviceId?: string;
  /** For checker() only: a device a batch job will create under this name before it issues. */
  deviceName?: string;
  attributes?: Readonly<Record<string, string>>;
  /** The line's device attempt: recorded with the certificate, superseding the device's earlier ones in the run. */
  provisioning?: ProvisioningLink;
  /**
   * A batch job's row: recorded with the certificate (so it is never issued twice), with the
   * station-generated key sealed by `seal` from the signed certificate (PKCS#12 needs it) — the
   * sealed key is committed in the same transaction, so a crash cannot keep one without the other.
   */
  jobRow?: { jobId: string; line: number; seal?: (certificateDer: Buffer) => Buffer };
}

/** Stands in for the ID of a device that does not exist yet, so {device.id} templates check out. */
const prospectiveDeviceId = '00000000-0000-4000-8000-000000000000';

export interface IssuanceResult {
  certificate: IssuedCertificate;
  der: Buffer;
}

export interface IssuanceEngine {
  issue(request: IssueRequest, ctx: MutationContext): Promise<IssuanceResult>;
  /**
   * Every check issue() makes before signing, without signing: for validating a batch up front.
   * Each policy and its CA are read once, as they stand at the first row checked, not per row. A
   * policy changed meanwhile is the run's to see: issue() reads it again, and checks every row
   * against it as it stands then.
   */
  checker(): (request: IssueRequest) => Promise<void>;
  /** The PEM chain (issuing CA first) a certificate of this CA is delivered with. */
  chainPemOf(caId: string): string;
  /** Waits for certificates being recorded; call before closing the database. */
  close(): Promise<void>;
}

interface CacheEntry {
  version: string;
  compiled: CompiledPolicy;
  policyName: string;
  chainPem: string;
}

/**
 * CSR or public key in, recorded certificate out. Every check runs before the CA signs; the
 * certificate and its audit entry are on disk before the caller sees the certificate.
 */
export function createIssuanceEngine(deps: {
  db: Database;
  keyStore: (step: string) => Promise<KeyStore>;
  now?: () => Date;
}): IssuanceEngine {
  const { db } = deps;
  const recorder = createCertificateRecorder(db);
  const cache = new Map<string, CacheEntry>();
  // Serials signed but not yet committed: the UNIQUE index only sees committed ones.
  const inFlight = new Set<string>();

  const compiledFor = (policyId: string, step: string): CacheEntry => {
    const versions = statement(
      db,
      `SELECT p.updated_at || '/' || c.updated_at AS version FROM policies p
       JOIN certificate_authorities c ON c.id = p.issuing_ca_id WHERE p.id = ?`,
    ).get(policyId) as { version: string } | undefined;
    const cached = cache.get(policyId);
    if (cached && versions && cached.version === versions.version) return cached;
    const policy = getPolicy(db, policyId, step);
    const ca = getCaRow(db, policy.issuingCaId, step);
    const chain = caChain(ca);
    const [certificate] = chain;
    if (ca.kind !== 'issuing' || !certificate || !ca.key_id || !ca.key_label || !ca.key_algorithm) {
      throw new StationError('CA_NOT_READY', `The CA ${ca.name} has no imported certificate yet, so it cannot issue.`, {
        step,
        params: { ca: ca.name },
      });
    }
    const entry: CacheEntry = {
      version: versions?.version ?? '',
      compiled: compilePolicy(policy, {
        id: ca.id,
        keyId: ca.key_id,
        keyLabel: ca.key_label,
        keyAlgorithm: ca.key_algorithm as KeyAlgorithm,
        certificate,
      }),
      policyName: policy.name,
      chainPem: chain.map((c) => toPem('CERTIFICATE', c.der)).join(''),
    };
    cache.set(policyId, entry);
    return entry;
  };

  const readKey = async (
    request: IssueRequest,
    step: string,
  ): Promise<{ key: PublicKeyDescription; generation: KeyGenerationType; source: Partial<TemplateSource> }> => {
    const given = [request.csr, request.publicKey, request.stationGeneratedKey].filter((k) => k !== undefined);
    if (given.length !== 1) {
      throw new StationError('INVALID_INPUT', 'Give exactly one of a CSR or a public key.', { step });
    }
    if (request.csr) {
      const csr = request.checked ? readCheckedCsr(request.csr) : await readCsr(request.csr);
      return { key: csr.publicKey, generation: 'device-csr', source: { csrSubject: csr.subject } };
    }
    const spki = pemOrDer((request.publicKey ?? request.stationGeneratedKey) as Buffer, ['PUBLIC KEY'], 'public key');
    return {
      // A station-made key comes from the station's own key generation, not from outside.
      key: request.checked || request.stationGeneratedKey ? describeCheckedPublicKey(spki) : readPublicKey(spki),
      generation: request.publicKey ? 'device-public-key' : 'station-generated',
      source: {},
    };
  };

  /** Everything before the CA signs: the policy, the key, the device, the template. Throws what issue() would. */
  const prepare = async (request: IssueRequest, step: string, policyEntry = compiledFor) => {
    const entry = policyEntry(request.policyId, step);
    const { compiled } = entry;
    const { key, generation, source } = await readKey(request, step);
    if (!compiled.policy.keyGeneration.includes(generation)) {
      throw new StationError(
        'KEY_GENERATION_NOT_ALLOWED',
        `The policy ${entry.policyName} does not allow keys from "${generation}"; it allows ${compiled.policy.keyGeneration.join(', ')}.`,
        { step },
      );
    }
    const device = request.deviceId === undefined ? undefined : getDevice(db, { id: request.deviceId }, step);
    if (device?.state === 'Deleted') {
      throw new StationError('DEVICE_DELETED', `The device ${device.name} is deleted; it gets no certificate.`, {
        step,
      });
    }
    if (device?.status === 'Disabled') {
      throw new StationError('DEVICE_DISABLED', `The device ${device.name} is disabled; enable it to issue.`, {
        step,
      });
    }
    // The device record is the truth about a managed device: a request may add attributes, not contradict it.
    for (const [key, value] of Object.entries(request.attributes ?? {})) {
      const recorded = device?.attributes[key];
      if (recorded !== undefined && recorded !== value) {
        throw new StationError(
          'INVALID_INPUT',
          `The attribute ${key}="${value}" contradicts the device record (${key}="${recorded}").`,
          { step, issues: [{ path: `attributes.${key}`, message: 'differs from the device record' }] },
        );
      }
    }
    const now = deps.now ? deps.now() : new Date();
    const plan = planCertificate(
      compiled,
      key,
      {
        attributes: { ...(device?.attributes ?? {}), ...(request.attributes ?? {}) },
        ...(device
          ? { device: { id: device.id, name: device.name } }
          : request.deviceName !== undefined
            ? { device: { id: prospectiveDeviceId, name: request.deviceName } }
            : {}),
        ...source,
      },
      now,
    );
    const [problem] = plan.problems;
    if (problem) throw new StationError(problem.code, problem.message, { step });

    return { entry, compiled, key, generation, device, plan, now };
  };

  return {
    close: () => recorder.close(),
    chainPemOf: (caId) =>
      caChain(getCaRow(db, caId, 'get-ca-chain'))
        .map((c) => toPem('CERTIFICATE', c.der))
        .join(''),
    checker() {
      const pinned = new Map<string, CacheEntry>();
      const pinnedFor = (policyId: string, step: string) => {
        let entry = pinned.get(policyId);
        if (!entry) {
          entry = compiledFor(policyId, step);
          pinned.set(policyId, entry);
        }
        return entry;
      };
      return async (request) => {
        await prepare(request, 'check-request', pinnedFor);
      };
    },
    async issue(request, ctx) {
      const step = 'issue-certificate';
      const { entry, compiled, key, generation, device, plan, now } = await prepare(request, step);
      let serial = newSerial();
      let serialHex = serial.toString('hex');
      while (inFlight.has(serialHex) || statement(db, 'SELECT 1 FROM certificates WHERE serial = ?').get(serialHex)) {
        serial = newSerial();
        serialHex = serial.toString('hex');
      }
      inFlight.add(serialHex);
      try {
        const tbs = planTbs(compiled, key, plan, serial);
        const store = await deps.keyStore(step);
        let signature: Buffer;
        try {
          signature = await store.sign(
            { id: compiled.issuer.keyId, label: compiled.issuer.keyLabel, algorithm: compiled.issuer.keyAlgorithm },
            compiled.scheme,
            tbs,
          );
        } catch (error) {
          throw toStationError(error, step);
        }
        const der = encodeCertificate(tbs, compiled.signatureAlgorithm, signature);
        const subject = nameToString(plan.subject.map((a) => ({ oid: '', name: a.type, value: a.value })));
        const row: CertificateRow = {
          id: orderedUuid(),
          serial: serialHex,
          subject,
          not_before: plan.notBefore.toISOString(),
          not_after: plan.notAfter.toISOString(),
          der,
          status: 'issued',
          policy_id: request.policyId,
          ca_id: compiled.issuer.id,
          device_id: device?.id ?? null,
          key_type: key.label,
          issued_at: now.toISOString(),
          issued_by: ctx.actor,
          provisioning_id: request.provisioning?.id ?? null,
          job_id: request.jobRow?.jobId ?? null,
          job_line: request.jobRow?.line ?? null,
        };
        const jobRow = request.jobRow
          ? {
              jobId: request.jobRow.jobId,
              line: request.jobRow.line,
              sealedKey: request.jobRow.seal ? request.jobRow.seal(der) : null,
            }
          : undefined;
        await recorder.record(
          row,
          {
            actor: ctx.actor,
            action: 'certificate.issued',
            subject: row.id,
            details: {
              serial: serialHex,
              subject,
              policyId: request.policyId,
              caId: compiled.issuer.id,
              deviceId: row.device_id,
              keyGeneration: generation,
              notAfter: row.not_after,
              sha256: createHash('sha256').update(der).digest('hex'),
            },
          },
          { ...(request.provisioning ? { provisioning: request.provisioning } : {}), ...(jobRow ? { jobRow } : {}) },
        );
        return {
          certificate: {
            ...toCertificateRecord(row, entry.policyName),
            pem: toPem('CERTIFICATE', der),
            chainPem: entry.chainPem,
          },
          der,
        };
      } finally {
        inFlight.delete(serialHex);
      }
    },
  };
}
