import { createHash, createPrivateKey } from 'node:crypto';
import { StationError } from '../../../errors/station-error';
import { readNode } from '../../../pki/der';
import { createDeviceSession, type DeviceSession } from '../../link/device-session';
import { identifyAndNegotiate } from '../../link/identify';
import {
  chunkSizeFor,
  type IdentifyResponseBody,
  type KeyType,
  PRIVATE_KEY_LENGTHS,
  proofOfPossessionMessage,
  type SlotKind,
} from '../../protocol';
import type { ByteLink } from '../../transports/byte-link';
import type {
  DeviceConnection,
  DeviceCredentials,
  DeviceDriver,
  DeviceIdentity,
  DeviceKeyType,
} from '../device-driver';

const keyTypeNames: Record<KeyType, DeviceKeyType> = { ecP256: 'EC-P256', ecP384: 'EC-P384', ed25519: 'Ed25519' };
const protocolKeyTypes: Record<DeviceKeyType, KeyType> = {
  'EC-P256': 'ecP256',
  'EC-P384': 'ecP384',
  Ed25519: 'ed25519',
};

/** Concatenated DER certificates as a list. */
function splitCertificates(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const node = readNode(bytes, offset);
    out.push(Buffer.from(node.raw));
    offset += node.raw.length;
  }
  return out;
}

/** The raw private value the protocol's WRITE_KEY carries (EC scalar, Ed25519 seed), from PKCS#8. */
function rawPrivateKey(keyType: DeviceKeyType, pkcs8: Buffer): Buffer {
  const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  if (!jwk.d) throw new StationError('INVALID_INPUT', 'The private key has no private value.', { step: 'write-key' });
  const value = Buffer.from(jwk.d, 'base64url');
  const length = PRIVATE_KEY_LENGTHS[protocolKeyTypes[keyType]];
  // JWK drops leading zero bytes of an EC scalar; the device expects the fixed length.
  return Buffer.concat([Buffer.alloc(Math.max(0, length - value.length)), value]);
}

class TrustlineConnection implements DeviceConnection {
  readonly driver = 'trustline';
  private identity: IdentifyResponseBody | null = null;

  constructor(private readonly session: DeviceSession) {}

  private async identified(): Promise<IdentifyResponseBody> {
    this.identity ??= (await identifyAndNegotiate(this.session)).identity;
    return this.identity;
  }

  /** The first slot of a kind: a device with several (rare) is provisioned in its first. */
  private async slot(kind: SlotKind, step: string): Promise<number> {
    const slot = (await this.identified()).slots.find((s) => s.kind === kind);
    if (!slot) {
      throw new StationError('INVALID_INPUT', `The device has no ${kind} slot.`, { step, params: { kind } });
    }
    return slot.id;
  }

  async identify(): Promise<DeviceIdentity> {
    this.identity = null;
    const { protocolVersion, identity } = await identifyAndNegotiate(this.session);
    this.identity = identity;
    return {
      serialNumber: identity.serialNumber,
      chipId: identity.chipId.toString('hex'),
      macAddress: identity.macAddress
        ? [...identity.macAddress].map((b) => b.toString(16).padStart(2, '0')).join(':')
        : null,
      firmwareVersion: identity.firmwareVersion,
      keyTypes: identity.keyTypes.map((t) => keyTypeNames[t]),
      lifecycle: identity.lifecycle,
      protocol: `trustline ${protocolVersion}`,
    };
  }

  async generateKey(options: { keyType: DeviceKeyType; output: 'csr' | 'publicKey'; subject?: Buffer }) {
    const slot = await this.slot('deviceKey', 'generate-key');
    const keyType = protocolKeyTypes[options.keyType];
    const answer = await this.session.request({
      command: 'generateKey',
      slot,
      keyType,
      output: options.output,
      ...(options.subject ? { subject: options.subject } : {}),
    });
    this.identity = null;
    if (answer.slot !== slot || answer.keyType !== keyType) {
      throw this.misbehaved(
        'generate-key',
        `made a ${answer.keyType} key in slot ${answer.slot}, asked ${keyType} in ${slot}`,
      );
    }
    if (options.output === 'csr' && !answer.csr) throw this.misbehaved('generate-key', 'no CSR came back');
    return { publicKey: answer.publicKey, csr: answer.csr ?? null };
  }

  async writePrivateKey(keyType: DeviceKeyType, pkcs8: Buffer): Promise<Buffer> {
    const slot = await this.slot('deviceKey', 'write-key');
    const answer = await this.session.request({
      command: 'writeKey',
      slot,
      keyType: protocolKeyTypes[keyType],
      privateKey: rawPrivateKey(keyType, pkcs8),
    });
    this.identity = null;
    if (answer.slot !== slot)
      throw this.misbehaved('write-key', `stored the key in slot ${answer.slot}, asked ${slot}`);
    return answer.publicKey;
  }

  /**
   * Writes a slot in chunks and holds the device to its answers: each chunk must be acknowledged
   * for this slot at the next offset, and the last one with the SHA-256 of what was sent
   * (spec 6.4), so a device that stored something else is caught here, not in the field.
   */
  private async writeSlot(slot: number, content: Buffer, step: string): Promise<void> {
    if (content.length === 0) throw this.misbehaved(step, 'nothing to write (a slot takes at least one byte)');
    const chunk = chunkSizeFor((await this.identified()).maxMessageSize);
    for (let offset = 0; offset < content.length; offset += chunk) {
      const data = content.subarray(offset, offset + chunk);
      const answer = await this.session.request({
        command: 'writeChain',
        slot,
        offset,
        totalLength: content.length,
        data,
      });
      if (answer.slot !== slot || answer.nextOffset !== offset + data.length) {
        throw this.misbehaved(
          step,
          `acknowledged slot ${answer.slot} at ${answer.nextOffset}, not slot ${slot} at ${offset + data.length}`,
        );
      }
      if (offset + data.length === content.length) {
        const expected = createHash('sha256').update(content).digest();
        if (!answer.digest?.equals(expected))
          throw this.misbehaved(step, 'the stored content does not hash to what was written');
      }
    }
    // What the device reports about its slots changed.
    this.identity = null;
  }

  private misbehaved(step: string, detail: string): StationError {
    return new StationError('TRANSPORT_FAILED', `The device answered ${step} wrongly: ${detail}.`, { step });
  }

  /**
   * Reads a slot in chunks. The device's first answer fixes the length, which must fit the slot;
   * every later answer must repeat it, echo the slot and offset, and bring at most what was asked:
   * a broken or hostile device can neither loop the station forever nor make it stitch a chunk twice.
   */
  private async readSlotContent(slot: number, step: string): Promise<Buffer> {
    const info = (await this.identified()).slots.find((s) => s.id === slot);
    const capacity = info?.capacity ?? 0;
    const chunk = chunkSizeFor((await this.identified()).maxMessageSize);
    const parts: Buffer[] = [];
    let offset = 0;
    let total: number | null = null;
    for (;;) {
      const answer = await this.session.request({ command: 'readSlot', slot, offset, maxLength: chunk });
      total ??= answer.totalLength;
      if (total > capacity) throw this.misbehaved(step, `it claims ${total} bytes in a slot of ${capacity}`);
      if (answer.slot !== slot || answer.offset !== offset || answer.totalLength !== total) {
        throw this.misbehaved(
          step,
          `slot ${answer.slot} at ${answer.offset} of ${answer.totalLength}, asked slot ${slot} at ${offset} of ${total}`,
        );
      }
      if (answer.data.length > chunk || (answer.data.length === 0 && offset < total)) {
        throw this.misbehaved(step, `a chunk of ${answer.data.length} bytes at ${offset}`);
      }
      parts.push(answer.data);
      offset += answer.data.length;
      if (offset > total) throw this.misbehaved(step, `more than the ${total} bytes it announced`);
      if (offset === total) return Buffer.concat(parts);
    }
  }

  async writeCredentials(credentials: DeviceCredentials): Promise<void> {
    await this.writeSlot(
      await this.slot('certificateChain', 'write-chain'),
      Buffer.concat(credentials.chain),
      'write-chain',
    );
    if (credentials.trustAnchors.length > 0) {
      await this.writeSlot(
        await this.slot('rootCa', 'write-trust-anchors'),
        Buffer.concat(credentials.trustAnchors),
        'write-trust-anchors',
      );
    }
  }

  async readCredentials(): Promise<DeviceCredentials> {
    // Fresh: what the slots hold may have changed since the last IDENTIFY.
    this.identity = null;
    const identity = await this.identified();
    const chainSlot = await this.slot('certificateChain', 'read-chain');
    const rootSlot = identity.slots.find((s) => s.kind === 'rootCa' && s.occupied);
    return {
      chain: splitCertificates(await this.readSlotContent(chainSlot, 'read-chain')),
      trustAnchors: rootSlot ? splitCertificates(await this.readSlotContent(rootSlot.id, 'read-trust-anchors')) : [],
    };
  }

  async proveKeyPossession(challenge: Buffer) {
    // Fresh: the key type of a key made in this session is only known from a new IDENTIFY.
    this.identity = null;
    const slotId = await this.slot('deviceKey', 'prove-possession');
    const slot = (await this.identified()).slots.find((s) => s.id === slotId);
    const answer = await this.session.request({ command: 'signChallenge', slot: slotId, challenge });
    const keyType = slot?.keyType;
    return {
      // What the device signs: a context prefix, so the device cannot be used as a signing oracle.
      message: proofOfPossessionMessage(challenge),
      signature: answer.signature,
      hash: keyType === 'ed25519' ? null : keyType === 'ecP384' ? ('sha384' as const) : ('sha256' as const),
    };
  }

  async lock(): Promise<void> {
    await this.session.request({ command: 'lock' });
    this.identity = null;
  }

  async factoryReset(): Promise<void> {
    await this.session.request({ command: 'factoryReset' });
    this.identity = null;
  }

  release(): void {
    this.session.dispose();
  }
}

/** Devices that speak the station's own protocol (resources/device-protocol.md). */
export const trustlineDriver: DeviceDriver = {
  name: 'trustline',
  title: 'Trustline device protocol',
  defaultBaudRate: 115200,
  async connect(link: ByteLink) {
    return new TrustlineConnection(createDeviceSession(link));
  },
};
