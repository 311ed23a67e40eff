/**
 * A device's refusal (an ERROR message), as the station reports it: the stable code name from
 * the protocol's table, the command refused, and a sentence an operator can act on.
 */
import { deviceErrorName, type CommandName, type DeviceErrorName } from '../protocol';

/** What each code means for whoever is at the station, in plain words. */
const PLAIN_WORDS: Readonly<Record<DeviceErrorName, string>> = {
  UNKNOWN_COMMAND: 'the device does not offer this command',
  BAD_REQUEST: 'the device could not parse the request',
  UNSUPPORTED_VERSION: 'the device does not speak this protocol version',
  UNSUPPORTED_KEY_TYPE: 'the device does not support this key type',
  UNSUPPORTED_OUTPUT: 'the device cannot produce a CSR',
  SLOT_NOT_FOUND: 'the device has no such slot',
  WRONG_SLOT_KIND: 'the slot is of the wrong kind for this command',
  SLOT_EMPTY: 'the slot is empty',
  SLOT_OCCUPIED: 'the slot is already filled (factory-reset the device first, if it is not locked)',
  STORAGE_FULL: 'the content does not fit in the slot',
  BAD_OFFSET: 'the chunk does not continue the transfer',
  INVALID_KEY: 'the private key is out of range for its type',
  INVALID_SUBJECT: 'the subject is not one DER SEQUENCE',
  INVALID_CONTENT: 'the content is not a run of complete DER SEQUENCEs',
  DEVICE_LOCKED: 'the device is locked: writes and factory reset are refused for good',
  BUSY: 'the device stayed busy',
  STORAGE_FAILURE: 'the device could not write its storage; the slot is unchanged',
  INTERNAL: 'the device reported an internal failure',
};

export class DeviceError extends Error {
  /** The code's name; a code this station does not know is treated as INTERNAL (see wireCode). */
  readonly code: DeviceErrorName;
  /** The number on the wire, shown for codes this station does not know. */
  readonly wireCode: number;
  readonly command: CommandName;
  /** The device's own ERROR_MESSAGE, for logs. */
  readonly deviceMessage: string | undefined;

  constructor(command: CommandName, wireCode: number, deviceMessage?: string) {
    const known = deviceErrorName(wireCode);
    const code = known ?? 'INTERNAL';
    const number = `0x${wireCode.toString(16).padStart(4, '0')}`;
    const words = known ? PLAIN_WORDS[known] : `the device answered with error ${number}, unknown to this station`;
    super(`${command} refused: ${words}${deviceMessage ? ` (device says: ${deviceMessage})` : ''}`);
    this.name = 'DeviceError';
    this.code = code;
    this.wireCode = wireCode;
    this.command = command;
    this.deviceMessage = deviceMessage;
  }
}

export function isDeviceError(error: unknown): error is DeviceError {
  return error instanceof DeviceError;
}
