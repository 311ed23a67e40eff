/**
 * The station's timeouts and retries (resources/device-protocol.md, "Timeouts, retries and
 * replay"). A timer starts when the request's last byte has left the station and stops at the
 * response's delimiter.
 */
import type { CommandName } from './codes';
import type { RequestBody } from './message-types';

export const COMMAND_TIMEOUTS_MS: Readonly<Record<CommandName, number>> = {
  identify: 500,
  generateKey: 10_000,
  writeKey: 2_000,
  writeChain: 500,
  readSlot: 1_000,
  signChallenge: 3_000,
  lock: 5_000,
  factoryReset: 10_000,
};

/** WRITE_CHAIN's last chunk: the device validates and commits the content to storage. */
export const WRITE_CHAIN_COMMIT_TIMEOUT_MS = 3_000;

/** Attempts per request: the first and up to three retries, each with the same bytes and sequence number. */
export const MAX_ATTEMPTS = 4;

/** After BUSY the station waits this long and sends the same request again, at most MAX_BUSY_RETRIES times. */
export const BUSY_RETRY_DELAY_MS = 100;
export const MAX_BUSY_RETRIES = 20;

/** The most a device may take to answer a non-final WRITE_CHAIN chunk or a READ_SLOT (the throughput budget). */
export const DEVICE_CHUNK_TURNAROUND_MS = 10;

export function requestTimeoutMs(request: RequestBody): number {
  if (request.command === 'writeChain' && request.offset + request.data.length === request.totalLength) {
    return WRITE_CHAIN_COMMIT_TIMEOUT_MS;
  }
  return COMMAND_TIMEOUTS_MS[request.command];
}

/** The next request's sequence number (wraps from 0xFFFF to 0x0000). */
export function nextSeq(seq: number): number {
  return (seq + 1) & 0xffff;
}
