import { createPrivateKey } from 'node:crypto';
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
    const answer = await this.session.request({
      command: 'generateKey',
      slot,
      keyType: protocolKeyTypes[options.keyType],
      output: options.output,
      ...(options.subject ? { subject: options.subject } : {}),
    });
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
    return answer.publicKey;
  }

  private async writeSlot(slot: number, content: Buffer): Promise<void> {
    const chunk = chunkSizeFor((await this.identified()).maxMessageSize);
    for (let offset = 0; offset < content.length; offset += chunk) {
      await this.session.request({
        command: 'writeChain',
        slot,
        offset,
        totalLength: content.length,
        data: content.subarray(offset, offset + chunk),
      });
    }
  }

  private async readSlotContent(slot: number): Promise<Buffer> {
    const chunk = chunkSizeFor((await this.identified()).maxMessageSize);
    const parts: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const answer = await this.session.request({ command: 'readSlot', slot, offset, maxLength: chunk });
      parts.push(answer.data);
      offset += answer.data.length;
      if (offset >= answer.totalLength || answer.data.length === 0) return Buffer.concat(parts);
    }
  }

  async writeCredentials(credentials: DeviceCredentials): Promise<void> {
    await this.writeSlot(await this.slot('certificateChain', 'write-chain'), Buffer.concat(credentials.chain));
    if (credentials.trustAnchors.length > 0) {
      await this.writeSlot(await this.slot('rootCa', 'write-trust-anchors'), Buffer.concat(credentials.trustAnchors));
    }
  }

  async readCredentials(): Promise<DeviceCredentials> {
    const identity = await this.identified();
    const chainSlot = await this.slot('certificateChain', 'read-chain');
    const rootSlot = identity.slots.find((s) => s.kind === 'rootCa' && s.occupied);
    return {
      chain: splitCertificates(await this.readSlotContent(chainSlot)),
      trustAnchors: rootSlot ? splitCertificates(await this.readSlotContent(rootSlot.id)) : [],
    };
  }

  async proveKeyPossession(challenge: Buffer) {
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
