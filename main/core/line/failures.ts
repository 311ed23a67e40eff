/**
 * Why a device FAILed, in the words an operator can act on: every error a flow can meet becomes
 * a stable code, the step it happened in, the detail, and a remedy.
 */
import type { ErrorCode, PortFailure, PortState } from '../../../preload/contract';
import { isDeviceError } from '../device/link/device-error';
import { isStationError } from '../errors/station-error';

/** A check of the flow itself failed (read-back, possession, duplicate serial, ...). */
export class FlowFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FlowFailure';
  }
}

const REMEDIES: Partial<Record<ErrorCode, string>> = {
  DEVICE_NOT_RESPONDING: 'Reseat the device on its port and check the fixture cable; it will be retried.',
  DEVICE_UNPLUGGED: 'The device left the port mid-step. Put it back; the station repeats the step safely.',
  DEVICE_REFUSED: 'The device refused a command. Put it aside for rework and tell the line engineer.',
  DEVICE_ALREADY_LOCKED:
    'The device is locked but the station has no record that it passed. Put it aside: it cannot be written again.',
  DEVICE_KEY_MISMATCH: 'The device reported a different key than the one written. Put it aside for rework.',
  DEVICE_DISABLED: 'The device record is disabled. Ask a device administrator to enable it.',
  DEVICE_DELETED: 'The device record was deleted. Ask a device administrator before provisioning it.',
  DUPLICATE_SERIAL:
    'Another device already uses this serial number. Put this device aside and report it: it may be a clone.',
  READBACK_MISMATCH: 'What the device stored differs from what was written. Put it aside for rework.',
  POSSESSION_FAILED: 'The device could not prove it holds the certified key. Put it aside for rework.',
  POSSESSION_UNSUPPORTED: 'This device cannot prove possession of its key, so it cannot pass. Check the recipe driver.',
  LOCK_FAILED: 'The device could not be locked. Remove it and try once more; if it fails again, put it aside.',
  CSR_SIGNATURE_INVALID: 'The device made a CSR that does not verify. Put it aside for rework.',
  CSR_INVALID: 'The device sent an unreadable CSR. Put it aside for rework.',
  KEY_STORE_LOCKED: 'The key store is locked. Ask a supervisor to unlock it; then restart the line.',
  CA_NOT_READY: 'The issuing CA is not ready. Ask the administrator to finish the CA setup.',
  LABEL_INVALID: 'Scan the device label again.',
};

const DEFAULT_REMEDY = 'Put the device aside and tell the line engineer, quoting the code.';

export function remedyFor(code: string): string {
  return REMEDIES[code as ErrorCode] ?? DEFAULT_REMEDY;
}

function codeOf(error: unknown): { code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof FlowFailure) return { code: error.code, message };
  if (isDeviceError(error)) {
    return { code: error.code === 'DEVICE_LOCKED' ? 'DEVICE_ALREADY_LOCKED' : 'DEVICE_REFUSED', message };
  }
  if (isStationError(error)) {
    if (error.code === 'TRANSPORT_FAILED') {
      // The session reports both "no answer after N attempts" and a port that went away this way.
      const notResponding = error.params?.['attempts'] !== undefined;
      const answeredWrongly = /answered .* wrongly/.test(message);
      return {
        code: notResponding ? 'DEVICE_NOT_RESPONDING' : answeredWrongly ? 'DEVICE_REFUSED' : 'DEVICE_UNPLUGGED',
        message,
      };
    }
    return { code: error.code, message };
  }
  return { code: 'INTERNAL', message };
}

export function toPortFailure(error: unknown, step: PortState): PortFailure {
  const { code, message } = codeOf(error);
  return { code, step, message, remedy: remedyFor(code) };
}
