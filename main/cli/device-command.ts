import { parseArgs } from 'node:util';
import { isDeviceError } from '../core/device/link/device-error';
import { createDeviceSession, identifyAndNegotiate } from '../core/device/link/device-session';
import { isProtocolError, type SlotInfo } from '../core/device/protocol';
import { openSerialPort } from '../core/device/transports/serial-port';
import { exitCodes, UsageError } from './output';
import { positiveInteger } from './sim-command';

export const deviceUsage = 'trustline device identify --port PATH [--baud 115200] [--json]';

/** Talks to one device on a serial port (or a simulator's PTY). */
export async function deviceCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      port: { type: 'string' },
      baud: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (sub !== 'identify') throw new UsageError(`unknown device command "${sub ?? ''}"`);
  if (values.port === undefined) throw new UsageError('device identify needs --port PATH');
  const baudRate = positiveInteger('--baud', values.baud, 115200);

  // A missing or busy port throws a StationError (TRANSPORT_FAILED), which the CLI prints.
  const link = await openSerialPort(values.port, { baudRate });
  const session = createDeviceSession(link);
  try {
    const { protocolVersion, identity } = await identifyAndNegotiate(session);
    const view = {
      port: values.port,
      protocolVersion,
      serialNumber: identity.serialNumber,
      chipId: identity.chipId.toString('hex'),
      macAddress: identity.macAddress ? formatMac(identity.macAddress) : null,
      firmwareVersion: identity.firmwareVersion,
      capabilities: identity.capabilities,
      keyTypes: identity.keyTypes,
      maxMessageSize: identity.maxMessageSize,
      slots: identity.slots,
      lifecycle: identity.lifecycle,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return;
    }
    const lines = [
      `Port:          ${view.port}`,
      `Protocol:      version ${protocolVersion} (device speaks ${identity.protocolVersions.join(', ')})`,
      `Serial number: ${view.serialNumber}`,
      `Chip id:       ${view.chipId}`,
      `MAC address:   ${view.macAddress ?? '(none)'}`,
      `Firmware:      ${view.firmwareVersion}`,
      `Capabilities:  ${view.capabilities.join(', ') || '(none)'}`,
      `Key types:     ${view.keyTypes.join(', ') || '(none this station knows)'}`,
      `Lifecycle:     ${view.lifecycle}`,
      'Slots:',
      ...identity.slots.map((slot) => `  ${describeSlot(slot)}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    // A device's refusal, or a device this station cannot talk to (no common protocol version,
    // a malformed answer), is not a station error code: print it the same way, with its own code.
    if (isDeviceError(error)) process.stderr.write(`error DEVICE_${error.code}: ${error.message}\n`);
    else if (isProtocolError(error)) process.stderr.write(`error PROTOCOL_${error.code}: ${error.message}\n`);
    else throw error;
    process.exitCode = exitCodes.stationError;
  } finally {
    session.dispose();
    await link.close();
  }
}

function formatMac(mac: Buffer): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function describeSlot(slot: SlotInfo): string {
  const parts = [`${slot.id}`, slot.kind, slot.occupied ? 'occupied' : 'empty'];
  if (slot.keyType) parts.push(slot.keyType);
  if (slot.linkedSlot !== undefined) parts.push(`certifies slot ${slot.linkedSlot}`);
  if (slot.kind !== 'deviceKey') parts.push(`capacity ${slot.capacity} bytes`);
  return parts.join(', ');
}
