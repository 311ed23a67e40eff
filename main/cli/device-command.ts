import { parseArgs } from 'node:util';
import { type DeviceConnection, type DeviceDriver, findDriver } from '../core/device/drivers';
import { isAtCommandError } from '../core/device/drivers/nrf91-at/at-errors';
import { isDeviceError } from '../core/device/link/device-error';
import { createDeviceSession, identifyAndNegotiate } from '../core/device/link/device-session';
import { isProtocolError, type SlotInfo } from '../core/device/protocol';
import { openSerialPort } from '../core/device/transports/serial-port';
import { exitCodes, UsageError } from './output';
import { positiveInteger } from './sim-command';

export const deviceUsage = 'trustline device identify --port PATH [--driver trustline|nrf91-at] [--baud N] [--json]';

/** Talks to one device on a serial port (or a simulator's PTY). */
export async function deviceCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      port: { type: 'string' },
      baud: { type: 'string' },
      driver: { type: 'string', default: 'trustline' },
      json: { type: 'boolean', default: false },
    },
  });
  if (sub !== 'identify') throw new UsageError(`unknown device command "${sub ?? ''}"`);
  if (values.port === undefined) throw new UsageError('device identify needs --port PATH');
  const driver = findDriver(values.driver);
  const baudRate = positiveInteger('--baud', values.baud, driver.defaultBaudRate);
  if (driver.name !== 'trustline') return identifyThroughDriver(driver, values.port, baudRate, values.json);

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

/** Any other device family: what every driver can say about its device. */
async function identifyThroughDriver(
  driver: DeviceDriver,
  port: string,
  baudRate: number,
  json: boolean,
): Promise<void> {
  const link = await openSerialPort(port, { baudRate });
  let connection: DeviceConnection | undefined;
  try {
    connection = await driver.connect(link);
    const identity = await connection.identify();
    if (json) {
      process.stdout.write(`${JSON.stringify({ port, driver: driver.name, ...identity }, null, 2)}\n`);
      return;
    }
    const lines = [
      `Port:          ${port}`,
      `Driver:        ${driver.title} (${identity.protocol})`,
      `Serial number: ${identity.serialNumber}`,
      `Firmware:      ${identity.firmwareVersion}`,
      `Key types:     ${identity.keyTypes.join(', ') || '(none)'}`,
      `Lifecycle:     ${identity.lifecycle}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    if (!isAtCommandError(error)) throw error;
    process.stderr.write(`error DEVICE_${error.code}: ${error.message}\n`);
    process.exitCode = exitCodes.stationError;
  } finally {
    connection?.release();
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
