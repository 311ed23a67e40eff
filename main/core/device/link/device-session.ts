/**
 * The station's side of the protocol over one ByteLink: stop-and-wait requests with per-command
 * timeouts, retries that resend the same bytes under the same sequence number (so the device's
 * replay cache answers instead of doing the work twice), BUSY back-off, and ERROR messages
 * turned into DeviceErrors. See resources/device-protocol.md, sections 2.4 and 8.
 */
import { randomInt } from 'node:crypto';
import { StationError } from '../../errors/station-error';
import {
  BUSY_RETRY_DELAY_MS,
  COMMAND_TIMEOUTS_MS,
  DEVICE_ERROR_CODES,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  MAX_ATTEMPTS,
  MAX_BUSY_RETRIES,
  nextSeq,
  ProtocolError,
  WRITE_CHAIN_COMMIT_TIMEOUT_MS,
  type CommandName,
  type Message,
  type RequestBody,
  type ResponseOf,
} from '../protocol';
import type { ByteLink } from '../transports/byte-link';
import { DeviceError } from './device-error';

export interface DeviceSessionOptions {
  /** Overrides of the spec's timeouts (tests shorten them; slow adapters may lengthen them). */
  timeouts?: Partial<Record<CommandName, number>> & { writeChainCommit?: number };
  /** Attempts per request, the first included. Default MAX_ATTEMPTS (4). */
  maxAttempts?: number;
  busyRetryDelayMs?: number;
  maxBusyRetries?: number;
  /** The first request's sequence number; random by default (the spec asks for a random start). */
  firstSeq?: number;
}

export interface DeviceSessionStats {
  requests: number;
  /** Resends after a timeout (same bytes, same sequence number). */
  retries: number;
  busyRetries: number;
  /** Frames dropped for a bad CRC, bad COBS or oversize: counted, otherwise ignored. */
  framingErrors: number;
  /** Good frames that were not the answer to the outstanding request (late or duplicate). */
  ignoredFrames: number;
}

export interface DeviceSession {
  request<B extends RequestBody>(body: B): Promise<ResponseOf<B['command']>>;
  readonly stats: Readonly<DeviceSessionStats>;
  readonly path: string;
  /** Stops listening to the link; requests still queued fail. Does not close the link. */
  dispose(): void;
}

type Outcome = { kind: 'message'; message: Message } | { kind: 'failed'; error: Error };

interface Outstanding {
  seq: number;
  command: CommandName;
  settle(outcome: Outcome): void;
}

/**
 * Without knowing the link's baud rate: a frame's wire time at 9600 baud with parity, plus a
 * second. Only bounds a write on links that do not bound their own (serial ports do, by baud).
 */
function fallbackWireTimeMs(bytes: number): number {
  return Math.ceil((bytes * 11 * 1000) / 9600) + 1000;
}

export function createDeviceSession(link: ByteLink, options: DeviceSessionOptions = {}): DeviceSession {
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const busyDelay = options.busyRetryDelayMs ?? BUSY_RETRY_DELAY_MS;
  const maxBusy = options.maxBusyRetries ?? MAX_BUSY_RETRIES;
  const decoder = new FrameDecoder();
  const stats: DeviceSessionStats = { requests: 0, retries: 0, busyRetries: 0, framingErrors: 0, ignoredFrames: 0 };
  let seq = options.firstSeq ?? randomInt(0x10000);
  let outstanding: Outstanding | undefined;
  let closedError: Error | undefined;
  // One request on the wire at a time: each request waits for the previous one to settle.
  let queue: Promise<unknown> = Promise.resolve();

  const timeoutFor = (body: RequestBody): number => {
    if (body.command === 'writeChain' && body.offset + body.data.length === body.totalLength) {
      return options.timeouts?.writeChainCommit ?? WRITE_CHAIN_COMMIT_TIMEOUT_MS;
    }
    return options.timeouts?.[body.command] ?? COMMAND_TIMEOUTS_MS[body.command];
  };

  const onFrameMessage = (raw: Buffer) => {
    const current = outstanding;
    // A frame with a good CRC whose header we can read but whose body we cannot parse is the
    // outstanding request's answer only if its sequence number says so; anything else is noise.
    let message: Message;
    try {
      message = decodeMessage(raw);
    } catch (error) {
      if (current && raw.length >= 4 && raw.readUInt16BE(2) === current.seq) {
        current.settle({ kind: 'failed', error: error as Error });
      } else stats.ignoredFrames++;
      return;
    }
    if (!current || message.seq !== current.seq || message.kind === 'request') {
      stats.ignoredFrames++;
      return;
    }
    if (message.command !== current.command) {
      current.settle({
        kind: 'failed',
        error: new ProtocolError(
          'UNKNOWN_COMMAND',
          `the device answered ${current.command} (seq ${current.seq}) with a ${message.command} ${message.kind}`,
        ),
      });
      return;
    }
    current.settle({ kind: 'message', message });
  };

  const offData = link.onData((chunk) => {
    for (const event of decoder.push(chunk)) {
      if (event.kind === 'error') stats.framingErrors++;
      else onFrameMessage(event.message);
    }
  });
  const offClose = link.onClose((error) => {
    closedError = new StationError(
      'TRANSPORT_FAILED',
      `the serial port ${link.path} closed${error ? `: ${error.message}` : ''}`,
      { params: { path: link.path }, cause: error },
    );
    outstanding?.settle({ kind: 'failed', error: closedError });
    wakeSleeper?.();
  });

  /** Wakes the BUSY back-off sleep early when the session is disposed or the link closes. */
  let wakeSleeper: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleeper = undefined;
        resolve();
      }
      wakeSleeper = done;
    });

  /** The write failure of the last attempt that failed that way, kept as the final error's cause. */
  let lastWriteError: Error | undefined;

  /**
   * Sends `frame` and waits for the answer with this seq, or undefined when the attempt failed
   * (no answer within `timeoutMs`, or the write did not complete: a device that stopped reading).
   */
  async function attempt(
    frame: Buffer,
    s: number,
    command: CommandName,
    timeoutMs: number,
  ): Promise<Message | undefined> {
    if (closedError) throw closedError;
    let timer: NodeJS.Timeout | undefined;
    let restartTimer: () => void = () => undefined;
    const answer = new Promise<Outcome | undefined>((resolve) => {
      outstanding = { seq: s, command, settle: resolve };
    });
    // One deadline for the whole attempt, armed before the write: a drain that never finishes
    // (hung firmware, CTS low, a full PTY) must not hang the request. While writing it allows the
    // frame's wire time at a slow line on top of the timeout (serial ports bound their writes by
    // their real baud rate sooner); once the last byte has left, the spec's timer runs from there.
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs + fallbackWireTimeMs(frame.length + 1));
      restartTimer = () => {
        clearTimeout(timer);
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      };
    });
    try {
      // The station starts every exchange, so once its 0x00 and request are out the line is at a
      // frame boundary: the device need not send a 0x00 of its own before its answer (it only has
      // to at power-on, maybe before we opened the port). A frame already arriving is kept: it may
      // be the late answer to this request's previous attempt.
      decoder.markSynchronized();
      // The 0x00 first: line noise on an idle line cannot then merge into the frame.
      const written = link.write(Buffer.concat([Buffer.from([0]), frame])).then(
        () => ({ kind: 'written' }) as const,
        (error: Error) => ({ kind: 'writeFailed', error }) as const,
      );
      let outcome = await Promise.race([answer, expired, written]);
      if (outcome?.kind === 'written') {
        restartTimer();
        outcome = await Promise.race([answer, expired]);
      } else if (outcome?.kind === 'writeFailed') {
        // Closed or disposed: that error. Otherwise the attempt failed like a timeout, and the
        // request is retried (the bytes may still go out; the device's replay cache copes).
        if (closedError) throw closedError;
        lastWriteError = outcome.error;
        return undefined;
      }
      if (outcome?.kind === 'failed') throw outcome.error;
      return outcome?.message;
    } finally {
      clearTimeout(timer);
      outstanding = undefined;
    }
  }

  async function run<B extends RequestBody>(body: B): Promise<ResponseOf<B['command']>> {
    if (closedError) throw closedError;
    const s = seq;
    seq = nextSeq(seq);
    stats.requests++;
    // Encoded once: every retry is the exact same bytes, so the device's replay cache matches.
    const frame = encodeFrame(encodeMessage({ kind: 'request', seq: s, ...body }));
    const timeoutMs = timeoutFor(body);
    let attempts = 0;
    let busy = 0;
    lastWriteError = undefined;
    for (;;) {
      // Disposed or closed meanwhile (during a back-off, between attempts): stop sending.
      if (closedError) throw closedError;
      attempts++;
      const message = await attempt(frame, s, body.command, timeoutMs);
      if (message === undefined) {
        if (closedError) throw closedError;
        if (attempts >= maxAttempts) {
          throw new StationError(
            'TRANSPORT_FAILED',
            `the device on ${link.path} is not responding: no answer to ${body.command} after ${attempts} attempts`,
            {
              params: { path: link.path, command: body.command, attempts },
              ...(lastWriteError ? { cause: lastWriteError } : {}),
            },
          );
        }
        stats.retries++;
        continue;
      }
      if (message.kind === 'error') {
        if (message.code === DEVICE_ERROR_CODES.BUSY && busy < maxBusy) {
          // BUSY means nothing was done: wait, then send the same request again.
          busy++;
          stats.busyRetries++;
          attempts = 0;
          await sleep(busyDelay);
          if (closedError) throw closedError;
          continue;
        }
        throw new DeviceError(message.command, message.code, message.message);
      }
      return message as ResponseOf<B['command']>;
    }
  }

  return {
    path: link.path,
    stats,
    request(body) {
      const result = queue.then(() => run(body));
      queue = result.catch(() => undefined);
      return result;
    },
    dispose() {
      offData();
      offClose();
      closedError ??= new StationError('TRANSPORT_FAILED', `the session on ${link.path} was closed`, {
        params: { path: link.path },
      });
      outstanding?.settle({ kind: 'failed', error: closedError });
      wakeSleeper?.();
    },
  };
}

export { identifyAndNegotiate, type IdentifiedDevice } from './identify';
