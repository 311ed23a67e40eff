import type { Database } from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Ca, CaKeyAlgorithm, CaSubjectInput } from '../../../preload/contract';
import type { KeyRef, KeyStore } from '../../../hsm';
import { appendAudit } from '../audit/audit-log.repo';
import { toStationError } from '../errors/key-store-error';
import { StationError } from '../errors/station-error';
import { type MutationContext, timestamp } from '../inventory/mutation-context';
import { type ParsedCertificate, parseCertificate } from '../pki/certificate';
import { createCsr } from '../pki/csr';
import { keyIdentifier } from '../pki/extensions/key-identifiers';
import { encodeName, nameToString } from '../pki/name';
import { readPemBlocks, toPem } from '../pki/pem';
import { writeTransaction } from '../store/write-transaction';
import { caSignatureScheme, caSubject, signCaCertificate } from './ca-certificates';
import {
  assertCaNameFree,
  type CaRow,
  caChain,
  getCaRow,
  insertCaRow,
  knownCertificates,
  listCaRows,
  setCaCertificate,
  toCa,
} from './cas.repo';
import { buildIssuerChain, checkCaCertificate } from './chain-builder';

export interface CaSetupDeps {
  db: Database;
  keyStore: (step: string) => Promise<KeyStore>;
}

const subjectText = (input: CaSubjectInput) =>
  nameToString(caSubject(input).map((a) => ({ oid: '', name: a.type, value: a.value })));

async function withStore<T>(deps: CaSetupDeps, step: string, run: (store: KeyStore) => Promise<T>): Promise<T> {
  const store = await deps.keyStore(step);
  try {
    return await run(store);
  } catch (error) {
    throw toStationError(error, step);
  }
}

function readCertificates(pem: string, step: string): ParsedCertificate[] {
  const blocks = readPemBlocks(pem, 'certificate');
  return blocks.map((block) => {
    if (block.label !== 'CERTIFICATE') {
      throw new StationError('PEM_INVALID', `Expected CERTIFICATE blocks, found ${block.label}.`, { step });
    }
    try {
      return parseCertificate(block.der);
    } catch (error) {
      throw new StationError('CA_CERT_INVALID', 'The certificate could not be read as X.509.', { step, cause: error });
    }
  });
}

/** The full check before a certificate becomes an issuing CA's: key, CA-ness, chain. */
async function checkIssuingCertificate(
  deps: CaSetupDeps,
  store: KeyStore,
  key: KeyRef,
  pem: string,
  now: Date,
  step: string,
): Promise<{ cert: ParsedCertificate; issuers: ParsedCertificate[] }> {
  const [cert, ...offered] = readCertificates(pem, step);
  if (!cert) throw new StationError('PEM_INVALID', 'No certificate given.', { step });
  const spki = await store.getPublicKey(key);
  if (!spki.equals(cert.spki)) {
    throw new StationError(
      'CA_CERT_KEY_MISMATCH',
      `The certificate's public key is not the key "${key.label}" in the key store: it was issued for another request.`,
      { step },
    );
  }
  checkCaCertificate(cert, now, step);
  const issuers = buildIssuerChain(cert, offered, knownCertificates(deps.db), now, step);
  return { cert, issuers };
}

function audit(
  db: Database,
  ctx: MutationContext,
  action: string,
  row: CaRow,
  details: Record<string, unknown>,
  time: string,
) {
  appendAudit(db, { actor: ctx.actor, action, subject: row.id, details: { name: row.name, ...details } }, time);
}

function newRow(name: string, kind: CaRow['kind'], subject: string, time: string, key?: KeyRef): CaRow {
  return {
    id: randomUUID(),
    name,
    kind,
    key_id: key?.id ?? null,
    key_label: key?.label ?? null,
    key_algorithm: key?.algorithm ?? null,
    subject,
    csr_der: null,
    certificate_der: null,
    issuers_der: null,
    created_at: time,
    updated_at: time,
  };
}

/**
 * A fresh label per key: a CA whose creation failed after its key was made leaves that key
 * behind, and a retry under the same name must not trip over it.
 */
const keyLabel = (name: string) => `trustline-ca/${name}/${randomBytes(4).toString('hex')}`;

export async function createRootCa(
  deps: CaSetupDeps,
  input: {
    name: string;
    subject: CaSubjectInput;
    algorithm: CaKeyAlgorithm;
    validityDays: number;
    pathLength?: number;
  },
  ctx: MutationContext,
): Promise<Ca> {
  const step = 'create-root-ca';
  assertCaNameFree(deps.db, input.name, step);
  const now = ctx.now ? ctx.now() : new Date();
  const der = await withStore(deps, step, async (store) => {
    const key = await store.generateKeyPair(keyLabel(input.name), input.algorithm);
    const spki = await store.getPublicKey(key);
    const name = encodeName(caSubject(input.subject));
    const cert = await signCaCertificate({
      store,
      issuerKey: key,
      issuerName: name,
      issuerKeyId: keyIdentifier(spki),
      subjectName: name,
      subjectSpki: spki,
      validityDays: input.validityDays,
      ...(input.pathLength === undefined ? {} : { pathLength: input.pathLength }),
      now,
    });
    return { key, cert };
  });
  return writeTransaction(deps.db, () => {
    assertCaNameFree(deps.db, input.name, step);
    const time = timestamp(ctx);
    const row = {
      ...newRow(input.name, 'issuing', subjectText(input.subject), time, der.key),
      certificate_der: der.cert,
      issuers_der: Buffer.alloc(0),
    };
    insertCaRow(deps.db, row);
    audit(
      deps.db,
      ctx,
      'ca.root-created',
      row,
      { keyLabel: der.key.label, algorithm: input.algorithm, serial: parseCertificate(der.cert).serialHex },
      time,
    );
    return toCa(row);
  });
}

export async function createIssuingCa(
  deps: CaSetupDeps,
  input: {
    name: string;
    subject: CaSubjectInput;
    algorithm: CaKeyAlgorithm;
    signWithCaId?: string;
    validityDays: number;
  },
  ctx: MutationContext,
): Promise<{ ca: Ca; csrPem: string }> {
  const step = 'create-issuing-ca';
  assertCaNameFree(deps.db, input.name, step);
  const parent = input.signWithCaId === undefined ? undefined : getCaRow(deps.db, input.signWithCaId, step);
  const parentChain = parent ? caChain(parent) : [];
  if (parent && (parent.kind !== 'issuing' || !parent.key_id || parentChain.length === 0)) {
    throw new StationError(
      'CA_NOT_READY',
      `The CA ${parent.name} cannot sign: it has no key here or no certificate yet.`,
      { step },
    );
  }
  // The new CA sits below every certificate of the parent's chain: each one's pathLen must allow it.
  parentChain.forEach((cert, depth) => {
    const limit = cert.basicConstraints?.pathLength ?? null;
    if (limit !== null && limit < depth + 1) {
      throw new StationError(
        'CA_PATH_LENGTH_EXCEEDED',
        `${nameToString(cert.subject)} allows ${limit} CA(s) below it; the new CA would be number ${depth + 1}.`,
        { step, params: { pathLength: limit, depth: depth + 1 } },
      );
    }
  });
  const now = ctx.now ? ctx.now() : new Date();
  const made = await withStore(deps, step, async (store) => {
    const key = await store.generateKeyPair(keyLabel(input.name), input.algorithm);
    const subject = caSubject(input.subject);
    const csr = await createCsr(store, key, caSignatureScheme(key.algorithm), subject);
    let cert: Buffer | null = null;
    const [parentCert] = parentChain;
    if (parent && parentCert) {
      cert = await signCaCertificate({
        store,
        issuerKey: {
          id: parent.key_id ?? '',
          label: parent.key_label ?? '',
          algorithm: parent.key_algorithm as KeyRef['algorithm'],
        },
        issuerName: parentCert.subjectRaw,
        issuerKeyId: parentCert.subjectKeyId ?? keyIdentifier(parentCert.spki),
        issuerNotAfter: parentCert.notAfter,
        subjectName: encodeName(subject),
        subjectSpki: await store.getPublicKey(key),
        validityDays: input.validityDays,
        // A station-signed issuing CA signs devices only.
        pathLength: 0,
        now,
      });
    }
    return { key, csr, cert };
  });
  return writeTransaction(deps.db, () => {
    assertCaNameFree(deps.db, input.name, step);
    const time = timestamp(ctx);
    const row: CaRow = {
      ...newRow(input.name, 'issuing', subjectText(input.subject), time, made.key),
      csr_der: made.csr,
      certificate_der: made.cert,
      issuers_der: made.cert ? Buffer.concat(parentChain.map((c) => c.der)) : null,
    };
    insertCaRow(deps.db, row);
    audit(
      deps.db,
      ctx,
      'ca.issuing-created',
      row,
      {
        keyLabel: made.key.label,
        algorithm: input.algorithm,
        signedBy: parent?.id ?? null,
        serial: made.cert ? parseCertificate(made.cert).serialHex : null,
      },
      time,
    );
    return { ca: toCa(row), csrPem: toPem('CERTIFICATE REQUEST', made.csr) };
  });
}

export async function importCaCertificate(
  deps: CaSetupDeps,
  input: { caId: string; certificatePem: string },
  ctx: MutationContext,
): Promise<Ca> {
  const step = 'import-ca-certificate';
  const row = getCaRow(deps.db, input.caId, step);
  if (row.kind !== 'issuing' || !row.key_id || !row.key_label || !row.key_algorithm) {
    throw new StationError(
      'CA_NOT_READY',
      `${row.name} is a trust anchor; it has no key here to import a certificate for.`,
      { step },
    );
  }
  const key: KeyRef = { id: row.key_id, label: row.key_label, algorithm: row.key_algorithm as KeyRef['algorithm'] };
  const now = ctx.now ? ctx.now() : new Date();
  const { cert, issuers } = await withStore(deps, step, (store) =>
    checkIssuingCertificate(deps, store, key, input.certificatePem, now, step),
  );
  return writeTransaction(deps.db, () => {
    const time = timestamp(ctx);
    setCaCertificate(deps.db, row.id, cert.der, Buffer.concat(issuers.map((c) => c.der)), time);
    audit(
      deps.db,
      ctx,
      'ca.certificate-imported',
      row,
      { serial: cert.serialHex, subject: nameToString(cert.subject) },
      time,
    );
    return toCa(getCaRow(deps.db, row.id, step));
  });
}

export function importTrustAnchor(
  db: Database,
  input: { name: string; certificatePem: string },
  ctx: MutationContext,
): Ca {
  const step = 'import-trust-anchor';
  const certs = readCertificates(input.certificatePem, step);
  const [cert] = certs;
  if (!cert || certs.length !== 1)
    throw new StationError('PEM_INVALID', 'Give exactly one root certificate.', { step });
  const now = ctx.now ? ctx.now() : new Date();
  checkCaCertificate(cert, now, step);
  if (!cert.issuerRaw.equals(cert.subjectRaw)) {
    throw new StationError('CA_CERT_INVALID', 'A trust anchor must be a self-signed root certificate.', { step });
  }
  buildIssuerChain(cert, [], [], now, step);
  return writeTransaction(db, () => {
    assertCaNameFree(db, input.name, step);
    const time = timestamp(ctx);
    const row: CaRow = {
      ...newRow(input.name, 'trust-anchor', nameToString(cert.subject), time),
      certificate_der: cert.der,
      issuers_der: Buffer.alloc(0),
    };
    insertCaRow(db, row);
    audit(db, ctx, 'ca.trust-anchor-imported', row, { serial: cert.serialHex }, time);
    return toCa(row);
  });
}

export async function adoptCaKey(
  deps: CaSetupDeps,
  input: { name: string; key: string; certificatePem: string },
  ctx: MutationContext,
): Promise<Ca> {
  const step = 'adopt-ca-key';
  assertCaNameFree(deps.db, input.name, step);
  const now = ctx.now ? ctx.now() : new Date();
  const checked = await withStore(deps, step, async (store) => {
    const byId = /^[0-9a-f]+$/i.test(input.key) ? await store.findKey({ id: input.key.toLowerCase() }) : null;
    const key = byId ?? (await store.findKey({ label: input.key }));
    if (!key) {
      throw new StationError('HSM_KEY_NOT_FOUND', `The key store has no key with label or ID "${input.key}".`, {
        step,
      });
    }
    if (!(await store.isProtected(key))) {
      throw new StationError(
        'HSM_KEY_NOT_PROTECTED',
        `The key "${key.label}" can leave the key store (not sensitive, or extractable): a CA key must not.`,
        { step },
      );
    }
    return { key, ...(await checkIssuingCertificate(deps, store, key, input.certificatePem, now, step)) };
  });
  return writeTransaction(deps.db, () => {
    assertCaNameFree(deps.db, input.name, step);
    const time = timestamp(ctx);
    const row: CaRow = {
      ...newRow(input.name, 'issuing', nameToString(checked.cert.subject), time, checked.key),
      certificate_der: checked.cert.der,
      issuers_der: Buffer.concat(checked.issuers.map((c) => c.der)),
    };
    insertCaRow(deps.db, row);
    audit(deps.db, ctx, 'ca.key-adopted', row, { keyLabel: checked.key.label, serial: checked.cert.serialHex }, time);
    return toCa(row);
  });
}

export function listCas(db: Database): Ca[] {
  return listCaRows(db).map(toCa);
}

export function exportCaCertificate(db: Database, id: string): string {
  const row = getCaRow(db, id, 'export-ca-certificate');
  if (!row.certificate_der) {
    throw new StationError('CA_NOT_READY', `${row.name} has no certificate yet: export its CSR instead.`, {
      step: 'export-ca-certificate',
    });
  }
  return toPem('CERTIFICATE', row.certificate_der);
}

export function exportCaCsr(db: Database, id: string): string {
  const row = getCaRow(db, id, 'export-ca-csr');
  if (!row.csr_der) {
    throw new StationError('CA_NOT_READY', `${row.name} has no CSR (it was created or adopted with its certificate).`, {
      step: 'export-ca-csr',
    });
  }
  return toPem('CERTIFICATE REQUEST', row.csr_der);
}
