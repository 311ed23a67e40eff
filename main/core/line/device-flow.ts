/**
 * One device's way through the line, as an explicit state machine:
 *
 *   identified → record (managed) → key → issued → written → read-back → proven → locked → pass
 *
 * Every durable step is written (with its audit entry and the device's lifecycle state) before
 * the next begins, so a station killed at any instant finds, on restart, the device's attempt
 * and the last step known to have happened. From there the flow resumes (credentials on the
 * device that match the record are verified, not written again) or repeats from the key (the
 * new certificate supersedes the earlier one in the same commit). PASS needs read-back and
 * proof of possession in this very flow, whatever was recorded before.
 */
import type { Database } from 'better-sqlite3';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import type { PortFailure, PortState, Recipe } from '../../../preload/contract';
import type { DeviceConnection, DeviceCredentials, DeviceIdentity } from '../device/drivers';
import { registerDevice } from '../inventory/devices.repo';
import type { IssuanceEngine } from '../issuance/issuance-engine';
import { getCertificateRow } from '../issuance/certificates.repo';
import { readPemBlocks } from '../pki/pem';
import { encodeName } from '../pki/name';
import { statement } from '../store/statements';
import { relaxedWriteTransaction } from '../store/write-transaction';
import { recordAuditEvent } from '../audit/audit-log.repo';
import { isDeviceError } from '../device/link/device-error';
import { isStationError } from '../errors/station-error';
import { FlowFailure, toPortFailure } from './failures';
import { proveAgainstCertificate } from './possession';
import {
  beginAttempt,
  finishAttempt,
  latestAttempt,
  latestPass,
  latestLiveCertificateAttempt,
  adoptCertificate,
  openAttempt,
  type ProvisioningRow,
  recordStep,
} from './provisionings.repo';

export interface FlowContext {
  db: Database;
  issuance: IssuanceEngine;
  recipe: Recipe;
  runId: string;
  actor: string;
  port: string;
  now: () => Date;
  onState: (state: PortState, detail?: { provisioningId?: string }) => void;
  /** Operator attributes scanned for this device; resolves once the recipe's are all there, null if the line stops first. */
  labels: () => Promise<Record<string, string> | null>;
  /** Another port of the gang holds a device reporting the same serial right now. */
  duplicateOnGang?: boolean;
}

export type FlowOutcome =
  | { kind: 'pass'; provisioningId: string; certificateSerial: string; alreadyProvisioned: boolean }
  | { kind: 'fail'; provisioningId: string | null; failure: PortFailure }
  /** The line stopped while the device waited for its label: nothing was started, nothing is counted. */
  | { kind: 'aborted' };

interface IssuedCredentials {
  certificateId: string;
  certificateSerial: string;
  leaf: Buffer;
  chain: Buffer[];
  trustAnchors: Buffer[];
}

const time = (ctx: FlowContext) => ctx.now().toISOString();

/** A CA chain split once per chain (every device of a policy gets the same one). */
const splitChains = new Map<string, { intermediates: Buffer[]; anchors: Buffer[] }>();

function splitChain(chainPem: string): { intermediates: Buffer[]; anchors: Buffer[] } {
  const known = splitChains.get(chainPem);
  if (known) return known;
  const blocks = readPemBlocks(chainPem, 'CA chain').map((b) => b.der);
  const selfSigned = (der: Buffer) => {
    const cert = new X509Certificate(der);
    return cert.issuer === cert.subject;
  };
  const split = { intermediates: blocks.filter((der) => !selfSigned(der)), anchors: blocks.filter(selfSigned) };
  // A station has a handful of CAs; the bound only keeps a pathological one from growing this.
  if (splitChains.size > 64) splitChains.clear();
  splitChains.set(chainPem, split);
  return split;
}

/** The CA chain as the device stores it: intermediates after the leaf, self-signed roots as anchors. */
function credentialsOf(certificateId: string, serial: string, leaf: Buffer, chainPem: string): IssuedCredentials {
  const { intermediates, anchors } = splitChain(chainPem);
  return {
    certificateId,
    certificateSerial: serial,
    leaf,
    chain: [leaf, ...intermediates],
    trustAnchors: anchors,
  };
}

/** Chain and trust anchors alike, byte for byte. */
function sameCredentials(
  a: DeviceCredentials,
  b: { chain: readonly Buffer[]; trustAnchors: readonly Buffer[] },
): boolean {
  return sameBuffers(a.chain, b.chain) && sameBuffers(a.trustAnchors, b.trustAnchors);
}

function sameBuffers(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((buffer, i) => b[i]?.equals(buffer) === true);
}

/** Identity fields copied into attributes, as the recipe maps them. */
function identityAttributes(recipe: Recipe, identity: DeviceIdentity): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const { from, key } of recipe.deviceAttributes) {
    const value = identity[from];
    if (typeof value === 'string' && value !== '') attributes[key] = value;
  }
  return attributes;
}

/** The recorded credentials of a certificate, as written to the device. */
function recordedCredentials(ctx: FlowContext, certificateId: string): IssuedCredentials {
  const row = getCertificateRow(ctx.db, certificateId);
  const chainPem = ctx.issuance.chainPemOf(row.ca_id);
  return credentialsOf(row.id, row.serial, row.der, chainPem);
}

export async function runDeviceFlow(
  connection: DeviceConnection,
  identity: DeviceIdentity,
  ctx: FlowContext,
): Promise<FlowOutcome> {
  const serial = identity.serialNumber;
  let state: PortState = 'identified';
  let attemptId: string | null = null;
  const enter = (next: PortState) => {
    state = next;
    ctx.onState(next, attemptId ? { provisioningId: attemptId } : {});
  };

  try {
    enter('identified');
    if (ctx.duplicateOnGang) {
      throw new FlowFailure(
        'DUPLICATE_SERIAL',
        `Another port of this gang holds a device that also reports the serial number ${serial}.`,
      );
    }
    const passed = latestPass(ctx.db, serial);
    if (passed?.certificate_id) {
      const alreadyDone = await resumePassedDevice(connection, identity, passed, ctx);
      if (alreadyDone) {
        return {
          kind: 'pass',
          provisioningId: passed.id,
          certificateSerial: alreadyDone,
          alreadyProvisioned: true,
        };
      }
    }

    const labels = ctx.recipe.operatorAttributes.length > 0 ? await waitForLabels(ctx, enter) : {};
    if (labels === null) return { kind: 'aborted' };
    const previous = latestAttempt(ctx.db, serial);
    // An attempt left open by a crash is resumed even if the line restarted under another lot.
    const resuming = openAttempt(ctx.db, serial) ?? null;
    const attemptRun = resuming?.run_id ?? ctx.runId;
    attemptId = resuming?.id ?? null;
    const attributes = { ...identityAttributes(ctx.recipe, identity), ...labels };

    // Credentials already on the device for this attempt are verified instead of written again.
    if (resuming?.certificate_id && attemptId !== null) {
      const recorded = recordedCredentials(ctx, resuming.certificate_id);
      // Unreadable or partly written (a crash between the chain and the anchors): repeat below.
      const onDevice = await connection.readCredentials().catch(() => null);
      if (onDevice && sameCredentials(onDevice, recorded)) {
        if (resuming.step === 'issued') {
          recordStep(ctx.db, attemptId, written(ctx, recorded), time(ctx));
        }
        enter('written');
        return await verifyLockPass(connection, recorded, attemptId, ctx, enter);
      }
    }

    if (identity.lifecycle === 'locked') {
      const adopted = await adoptHeldCertificate(connection, identity, labels, ctx);
      if (adopted) {
        attemptId = adopted.attemptId;
        enter('written');
        return await verifyLockPass(connection, adopted.credentials, attemptId, ctx, enter);
      }
      throw new FlowFailure(
        'DEVICE_ALREADY_LOCKED',
        `The device ${serial} is locked, and the station has no passed record of the credentials it holds.`,
      );
    }
    // A device seen before and not passed may hold half a provisioning: start it clean.
    if (previous) await connection.factoryReset();

    if (ctx.recipe.groupId !== null) enter('record');
    // The attempt and the device record it works on are one commit (one disk sync per device).
    const started = relaxedWriteTransaction(ctx.db, () => {
      const id =
        attemptId ??
        beginAttempt(ctx.db, { runId: ctx.runId, port: ctx.port, serialNumber: serial, labels }, time(ctx));
      if (ctx.recipe.groupId === null) return { id, deviceId: null };
      const recordId = findOrCreateDevice(ctx, serial, attributes);
      recordStep(
        ctx.db,
        id,
        {
          step: 'record',
          actor: ctx.actor,
          action: 'line.device-record',
          details: { serial, deviceId: recordId },
          deviceId: recordId,
          lifecycle: 'Enrolled',
        },
        time(ctx),
      );
      return { id, deviceId: recordId };
    });
    attemptId = started.id;
    const { deviceId } = started;

    enter('key');
    const key = await makeKey(connection, identity, ctx);

    const issued = await ctx.issuance.issue(
      {
        policyId: ctx.recipe.policyId,
        ...(key.kind === 'csr' ? { csr: key.bytes } : { stationGeneratedKey: key.bytes }),
        ...(deviceId ? { deviceId } : {}),
        attributes: deviceId ? {} : attributes,
        provisioning: { id: attemptId, runId: attemptRun, serialNumber: serial },
      },
      { actor: ctx.actor, now: ctx.now },
    );
    enter('issued');
    const credentials = credentialsOf(
      issued.certificate.id,
      issued.certificate.serialNumber,
      issued.der,
      issued.certificate.chainPem,
    );

    await connection.writeCredentials({ chain: credentials.chain, trustAnchors: credentials.trustAnchors });
    recordStep(ctx.db, attemptId, written(ctx, credentials), time(ctx));
    enter('written');

    return await verifyLockPass(connection, credentials, attemptId, ctx, enter);
  } catch (error) {
    const failure = toPortFailure(error, state);
    try {
      // A failure before the attempt began is recorded as an attempt of its own, in one commit.
      attemptId = relaxedWriteTransaction(ctx.db, () => {
        const id =
          attemptId ??
          beginAttempt(ctx.db, { runId: ctx.runId, port: ctx.port, serialNumber: serial, labels: {} }, time(ctx));
        finishAttempt(
          ctx.db,
          id,
          { kind: 'fail', actor: ctx.actor, code: failure.code, step: failure.step, message: failure.message },
          time(ctx),
        );
        return id;
      });
    } catch (recordError) {
      // The database refusing the FAIL row must not hide why the device failed.
      failure.message += ` (and the failure could not be recorded: ${String(recordError)})`;
    }
    return { kind: 'fail', provisioningId: attemptId, failure };
  }
}

function written(ctx: FlowContext, credentials: IssuedCredentials) {
  return {
    step: 'written' as const,
    actor: ctx.actor,
    action: 'line.credentials-written',
    details: {
      certificateId: credentials.certificateId,
      certificateSerial: credentials.certificateSerial,
      port: ctx.port,
    },
    lifecycle: 'Registered' as const,
  };
}

async function verifyLockPass(
  connection: DeviceConnection,
  credentials: IssuedCredentials,
  attemptId: string,
  ctx: FlowContext,
  enter: (state: PortState) => void,
): Promise<FlowOutcome> {
  const readBack = await connection.readCredentials().catch((error: unknown) => {
    if (isDeviceError(error) || isStationError(error)) throw error;
    // The driver could not even split what came back into certificates: not what was written.
    throw new FlowFailure(
      'READBACK_MISMATCH',
      `What the device returned is not the certificates written (${error instanceof Error ? error.message : String(error)}).`,
    );
  });
  if (!sameCredentials(readBack, credentials)) {
    throw new FlowFailure(
      'READBACK_MISMATCH',
      `The device holds ${readBack.chain.length} chain and ${readBack.trustAnchors.length} anchor certificates that differ from the ${credentials.chain.length} and ${credentials.trustAnchors.length} written.`,
    );
  }
  enter('read-back');
  await proveAgainstCertificate(connection, credentials.leaf);
  enter('proven');
  // Verification, lock and PASS are committed together once the device is locked: one disk sync
  // instead of three per device. A crash before that commit leaves the attempt at 'written',
  // and the restarted station verifies the device again before it can PASS.
  const evidence = [{ action: 'line.device-verified', details: { certificateSerial: credentials.certificateSerial } }];
  if (ctx.recipe.lockAfterPass) {
    // LOCK's answer is the device's word that the lock is recorded (the protocol answers
    // STORAGE_FAILURE otherwise): no second IDENTIFY to widen the window before the commit.
    try {
      await connection.lock();
    } catch (error) {
      throw new FlowFailure(
        'LOCK_FAILED',
        `The device could not be locked: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    evidence.push({ action: 'line.device-locked', details: { certificateSerial: credentials.certificateSerial } });
    enter('locked');
  }
  finishAttempt(
    ctx.db,
    attemptId,
    {
      kind: 'pass',
      actor: ctx.actor,
      evidence,
      details: { certificateSerial: credentials.certificateSerial, port: ctx.port },
    },
    ctx.now().toISOString(),
  );
  return {
    kind: 'pass',
    provisioningId: attemptId,
    certificateSerial: credentials.certificateSerial,
    alreadyProvisioned: false,
  };
}

/**
 * A serial that already PASSed: the same device back on the port (its credentials match the
 * record, and it proves possession again) is shown as done without issuing anything; another
 * device claiming that serial is a duplicate. Returns the certificate serial when done.
 */
async function resumePassedDevice(
  connection: DeviceConnection,
  identity: DeviceIdentity,
  passed: ProvisioningRow,
  ctx: FlowContext,
): Promise<string | null> {
  const recorded = recordedCredentials(ctx, passed.certificate_id as string);
  // A device that cannot be read fails as what it is (not responding, refused); only one that
  // shows other credentials is a duplicate. An empty slot reads as "other credentials".
  const onDevice = await connection.readCredentials().catch((error: unknown) => {
    if (isDeviceError(error) && error.code === 'SLOT_EMPTY') return null;
    throw error;
  });
  const status = getCertificateRow(ctx.db, recorded.certificateId).status;
  if (status !== 'issued') {
    throw new FlowFailure(
      'DUPLICATE_SERIAL',
      `The serial number ${identity.serialNumber} passed before, but its certificate is now ${status}; the device needs rework.`,
    );
  }
  if (!onDevice || !sameCredentials(onDevice, recorded)) {
    throw new FlowFailure(
      'DUPLICATE_SERIAL',
      `The serial number ${identity.serialNumber} already passed on ${passed.started_at.slice(0, 10)} (port ${passed.port}), but this device holds other credentials.`,
    );
  }
  await proveAgainstCertificate(connection, recorded.leaf);
  if (ctx.recipe.lockAfterPass && identity.lifecycle !== 'locked') {
    try {
      await connection.lock();
    } catch (error) {
      throw new FlowFailure(
        'LOCK_FAILED',
        `The device could not be locked: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    recordAuditEvent(
      ctx.db,
      {
        actor: ctx.actor,
        action: 'line.device-locked',
        subject: passed.id,
        details: { serial: identity.serialNumber, late: true },
      },
      time(ctx),
    );
  }
  return recorded.certificateSerial;
}

/**
 * A locked device with no PASS may still hold a live certificate of an earlier attempt that
 * FAILed only because the LOCK's answer was lost: if it holds exactly those credentials, a new
 * attempt adopts the certificate, and read-back and proof of possession decide. Null otherwise.
 */
async function adoptHeldCertificate(
  connection: DeviceConnection,
  identity: DeviceIdentity,
  labels: Record<string, string>,
  ctx: FlowContext,
): Promise<{ attemptId: string; credentials: IssuedCredentials } | null> {
  const earlier = latestLiveCertificateAttempt(ctx.db, identity.serialNumber);
  if (!earlier?.certificate_id) return null;
  const recorded = recordedCredentials(ctx, earlier.certificate_id);
  const onDevice = await connection.readCredentials().catch(() => null);
  if (!onDevice || !sameCredentials(onDevice, recorded)) {
    return null;
  }
  const attemptId = adoptCertificate(
    ctx.db,
    { runId: ctx.runId, port: ctx.port, from: earlier, labels, actor: ctx.actor },
    time(ctx),
  );
  return { attemptId, credentials: recorded };
}

async function waitForLabels(
  ctx: FlowContext,
  enter: (state: PortState) => void,
): Promise<Record<string, string> | null> {
  enter('waiting-label');
  return ctx.labels();
}

function findOrCreateDevice(ctx: FlowContext, serial: string, attributes: Record<string, string>): string {
  const groupId = ctx.recipe.groupId as string;
  const existing = statement(
    ctx.db,
    "SELECT id FROM devices WHERE group_id = ? AND name = ? AND state <> 'Deleted'",
  ).get(groupId, serial) as { id: string } | undefined;
  if (existing) return existing.id;
  return registerDevice(
    ctx.db,
    { name: serial, groupId, description: `Provisioned on the line (${ctx.recipe.name})`, attributes },
    { actor: ctx.actor, now: ctx.now },
  ).id;
}

type MadeKey = { kind: 'csr'; bytes: Buffer } | { kind: 'station'; bytes: Buffer };

async function makeKey(connection: DeviceConnection, identity: DeviceIdentity, ctx: FlowContext): Promise<MadeKey> {
  const { keyType } = ctx.recipe;
  if (ctx.recipe.keyGeneration === 'device-csr') {
    const made = await connection.generateKey({
      keyType,
      output: 'csr',
      subject: encodeName([{ type: 'CN', value: identity.serialNumber }]),
    });
    if (!made.csr) throw new FlowFailure('DEVICE_REFUSED', 'The device made a key but returned no CSR.');
    return { kind: 'csr', bytes: made.csr };
  }
  // In clear only here, in memory, until the device has it; the buffer is wiped after the write.
  const namedCurve = keyType === 'EC-P384' ? 'P-384' : 'P-256';
  const pair = generateKeyPairSync('ec', { namedCurve });
  const spki = pair.publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
  let held: Buffer;
  try {
    held = await connection.writePrivateKey(keyType, pkcs8);
  } finally {
    pkcs8.fill(0);
  }
  const heldSpki = createPublicKey({ key: held, format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' });
  if (!heldSpki.equals(spki)) {
    throw new FlowFailure('DEVICE_KEY_MISMATCH', 'The device reports a public key other than the one written to it.');
  }
  return { kind: 'station', bytes: spki };
}
