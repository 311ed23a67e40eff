/** Version and capability negotiation after IDENTIFY. */
import {
  CHUNK_MESSAGE_OVERHEAD,
  MAX_CHUNK_SIZE,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Capability,
  type CommandName,
} from './codes';
import type { IdentifyResponseBody } from './message-types';
import { ProtocolError } from './protocol-error';

/**
 * The highest version both sides speak. Throws NO_COMMON_VERSION, naming both lists, when there
 * is none: the station must refuse the device rather than guess.
 */
export function negotiateVersion(
  deviceVersions: readonly number[],
  stationVersions: readonly number[] = SUPPORTED_PROTOCOL_VERSIONS,
): number {
  const common = deviceVersions.filter((v) => stationVersions.includes(v));
  if (common.length === 0) {
    throw new ProtocolError(
      'NO_COMMON_VERSION',
      `the device speaks protocol version(s) ${deviceVersions.join(', ') || 'none'}, ` +
        `this station speaks ${stationVersions.join(', ')}: no version in common`,
    );
  }
  return Math.max(...common);
}

/** The capability an optional command (or GENERATE_KEY with OUTPUT = CSR) needs; undefined when mandatory. */
export function capabilityFor(command: CommandName, output?: 'csr' | 'publicKey'): Capability | undefined {
  switch (command) {
    case 'generateKey':
      return output === 'csr' ? 'csr' : 'keyGeneration';
    case 'writeKey':
      return 'keyImport';
    case 'factoryReset':
      return 'factoryReset';
    default:
      return undefined;
  }
}

export function hasCapability(identify: Pick<IdentifyResponseBody, 'capabilities'>, capability: Capability): boolean {
  return identify.capabilities.includes(capability);
}

/** DATA bytes per chunk message for a device that accepts messages up to `maxMessageSize`. */
export function chunkSizeFor(maxMessageSize: number): number {
  return Math.max(0, Math.min(MAX_CHUNK_SIZE, maxMessageSize - CHUNK_MESSAGE_OVERHEAD));
}
