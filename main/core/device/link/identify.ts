/** The first exchange of every session: IDENTIFY, then the protocol version both sides speak. */
import { negotiateVersion, type ResponseOf } from '../protocol';
import type { DeviceSession } from './device-session';

export interface IdentifiedDevice {
  /** The version used in every later header (the highest both sides speak). */
  protocolVersion: number;
  identity: ResponseOf<'identify'>;
}

/** Throws the codec's NO_COMMON_VERSION ProtocolError, naming both lists, when there is none. */
export async function identifyAndNegotiate(session: DeviceSession): Promise<IdentifiedDevice> {
  const identity = await session.request({ command: 'identify' });
  return { protocolVersion: negotiateVersion(identity.protocolVersions), identity };
}
