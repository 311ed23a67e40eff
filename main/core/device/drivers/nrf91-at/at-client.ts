/**
 * A line-oriented AT command client: one command at a time, each sent as `<command>\r\n`, the
 * answer collected until the FINAL result line (`OK`, `ERROR`, `+CME ERROR: <n>`) alone on a line.
 *
 * The parsing is pure (AtLineSplitter, finalResultOf, AtResponseCollector) and separate from the
 * I/O (createAtClient), so it can be unit-tested with crafted bytes.
 *
 * Lines: a line ends at CR or LF *outside double quotes*. A quoted string may span lines (the
 * PEM content `AT%CMNG=2` answers), so its inner lines are never taken for result lines; and only
 * a whole line counts as a final result, so "OK" inside base64 never ends an answer early.
 * Empty lines (the CR LF pairs around results) are skipped.
 */
import type { ByteLink } from '../../transports/byte-link';
import { AtCommandError, redactCommand } from './at-errors';

export type FinalResult = { kind: 'ok' } | { kind: 'error' } | { kind: 'cme'; cme: number };

/** The final result a whole line stands for, or null for an information (or unsolicited) line. */
export function finalResultOf(line: string): FinalResult | null {
  if (line === 'OK') return { kind: 'ok' };
  if (line === 'ERROR') return { kind: 'error' };
  const cme = /^\+CME ERROR: ?(\d+)$/.exec(line);
  if (cme?.[1]) return { kind: 'cme', cme: Number(cme[1]) };
  return null;
}

/** Turns bytes cut anyhow into logical lines (see the file comment for quotes). */
export class AtLineSplitter {
  private current = '';
  private inQuotes = false;
  private readonly decoder = new TextDecoder('utf-8');

  /** Returns the lines completed by this chunk, without their line endings, empty ones dropped. */
  push(chunk: Buffer): string[] {
    const text = this.decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    for (const char of text) {
      if (char === '"') this.inQuotes = !this.inQuotes;
      if (!this.inQuotes && (char === '\r' || char === '\n')) {
        if (this.current.length > 0) lines.push(this.current);
        this.current = '';
      } else {
        this.current += char;
      }
    }
    return lines;
  }

  /** Forgets a partial line (after a timeout, so a garbled answer cannot poison the next one). */
  reset(): void {
    this.current = '';
    this.inQuotes = false;
  }
}

export interface AtResponse {
  /** Information lines of this command, in order (echo and unsolicited lines removed). */
  lines: string[];
}

/**
 * Collects one command's answer from lines. `prefix` (e.g. "%CMNG:") names the information lines
 * the command answers with: other lines starting with "+" or "%" are unsolicited result codes
 * (e.g. "+CEREG: 2") and are ignored. Without a prefix (AT+CGSN, AT+CGMR answer bare text), only
 * lines starting with "+" or "%" are taken as unsolicited.
 */
export class AtResponseCollector {
  readonly lines: string[] = [];
  result: FinalResult | null = null;

  constructor(
    private readonly command: string,
    private readonly prefix?: string,
  ) {}

  /** Feeds one line; true once the final result arrived. */
  add(line: string): boolean {
    if (this.result) return true;
    const final = finalResultOf(line);
    if (final) {
      this.result = final;
      return true;
    }
    if (line === this.command) return false; // echo (ATE1)
    if (this.prefix ? line.startsWith(this.prefix) : !/^[+%]/.test(line)) this.lines.push(line);
    return false;
  }
}

export interface AtSendOptions {
  /** The provisioning step named in errors. */
  step: string;
  prefix?: string;
  timeoutMs?: number;
}

export interface AtClient {
  /** Sends one command (queued behind any running one); resolves on OK, rejects with AtCommandError. */
  send(command: string, options: AtSendOptions): Promise<AtResponse>;
  /** Stops listening to the link; a running command fails with LINK_CLOSED. */
  release(): void;
}

export const DEFAULT_AT_TIMEOUT_MS = 5_000;

interface Pending {
  collector: AtResponseCollector;
  settle: (error: AtCommandError | null) => void;
}

export function createAtClient(link: ByteLink, options: { timeoutMs?: number } = {}): AtClient {
  const splitter = new AtLineSplitter();
  let pending: Pending | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let released = false;

  const stopData = link.onData((chunk) => {
    for (const line of splitter.push(chunk)) {
      // No command running: an unsolicited line (or a late answer to a timed-out one), ignored.
      if (pending?.collector.add(line)) {
        const done = pending;
        pending = null;
        done.settle(null);
      }
    }
  });
  const fail = (code: string, why: string) => {
    const done = pending;
    pending = null;
    done?.settle(new AtCommandError({ code, message: why, step: 'at-link' }));
  };
  const stopClose = link.onClose(() => fail('LINK_CLOSED', 'the serial link to the modem closed'));

  const run = async (command: string, sendOptions: AtSendOptions): Promise<AtResponse> => {
    if (released) {
      throw new AtCommandError({
        code: 'LINK_CLOSED',
        message: `${sendOptions.step}: the AT client was released`,
        step: sendOptions.step,
        command,
      });
    }
    const timeoutMs = sendOptions.timeoutMs ?? options.timeoutMs ?? DEFAULT_AT_TIMEOUT_MS;
    const collector = new AtResponseCollector(command, sendOptions.prefix);
    let timer: NodeJS.Timeout | undefined;
    const outcome = new Promise<AtCommandError | null>((resolve) => {
      pending = { collector, settle: resolve };
    });
    try {
      await link.write(Buffer.from(`${command}\r\n`, 'utf8'));
      const error = await Promise.race([
        outcome,
        new Promise<AtCommandError>((resolve) => {
          timer = setTimeout(
            () =>
              resolve(
                new AtCommandError({
                  code: 'TIMEOUT',
                  message: `${sendOptions.step}: the modem gave no final result within ${timeoutMs} ms`,
                  step: sendOptions.step,
                  command,
                }),
              ),
            timeoutMs,
          );
        }),
      ]);
      if (error) {
        // A timed-out answer may have left half a line (or an open quote): start clean.
        if (error.code === 'TIMEOUT') splitter.reset();
        // Re-label link errors with this command and step.
        throw new AtCommandError({
          code: error.code,
          message: error.code === 'TIMEOUT' ? error.message : `${sendOptions.step}: ${error.message}`,
          step: sendOptions.step,
          command,
        });
      }
    } finally {
      clearTimeout(timer);
      if (pending?.collector === collector) pending = null;
    }
    const result = collector.result;
    if (result?.kind === 'cme') throw AtCommandError.fromCme(result.cme, command, sendOptions.step);
    if (result?.kind === 'error') {
      throw new AtCommandError({
        code: 'ERROR',
        message: `${sendOptions.step}: the modem answered ERROR to ${redactCommand(command)} (command not supported or malformed).`,
        step: sendOptions.step,
        command,
      });
    }
    return { lines: collector.lines };
  };

  return {
    send(command, sendOptions) {
      const next = queue.then(
        () => run(command, sendOptions),
        () => run(command, sendOptions),
      );
      queue = next.catch(() => undefined);
      return next;
    },
    release() {
      released = true;
      stopData();
      stopClose();
      fail('LINK_CLOSED', 'the AT client was released');
    },
  };
}
