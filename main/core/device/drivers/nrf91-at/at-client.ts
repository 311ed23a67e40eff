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
 * Empty lines (the CR LF pairs around results) are skipped. Quotes span line ends only in lines
 * starting with the running command's answer prefix (or its echo), so a stray `"` in an
 * unsolicited line cannot hide a final result; and lines and answers are size-capped.
 *
 * AT has no sequence numbers: after a timeout the client resynchronises (`AT`, its OK, then a
 * quiet period) before the next command, so a late answer cannot settle that command.
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

/**
 * The longest line kept, in characters. A `%CMNG` read answer carries a whole PEM chain in one
 * quoted (multi-line) value: a few certificates of ~1.5-2 KiB each, and the modem stores at most a
 * few KiB per credential, so 16 KiB holds any real answer with room to spare. Anything longer is
 * garbage (or a runaway open quote) and is dropped instead of growing without bound.
 */
export const MAX_AT_LINE_CHARS = 16 * 1024;
/** The most information lines one answer may carry (the longest real one, a %CMNG list, has a few). */
export const MAX_AT_ANSWER_LINES = 256;
/** The most characters of information lines one answer may carry (a few maximal lines). */
export const MAX_AT_ANSWER_CHARS = 4 * MAX_AT_LINE_CHARS;

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
/** How much of a line's start is looked at to decide whether a quote in it may span line ends. */
const HEAD_CHARS = 64;

/**
 * Turns bytes cut anyhow into logical lines (see the file comment for quotes).
 *
 * Bounded: a line longer than MAX_AT_LINE_CHARS is dropped, and the splitter skips to the next CR
 * or LF with the quote state cleared (`droppedLines` counts these). A quote only keeps a line open
 * across CR/LF in a line that starts with one of the prefixes set by `expect` (the answer prefix of
 * the running command, e.g. "%CMNG:"): a stray `"` in an unsolicited line cannot hide what follows.
 */
export class AtLineSplitter {
  /** The text of the line being received (complete chunks only: chunk slices are appended at once). */
  private current = '';
  private inQuotes = false;
  /** Skipping the rest of an overlong line, up to the next CR or LF. */
  private dropping = false;
  /** Whether the current line may keep quotes open across line ends; null until decided. */
  private spanAllowed: boolean | null = null;
  private spanPrefixes: readonly string[] = [];
  private readonly decoder = new TextDecoder('utf-8');
  /** Lines dropped for exceeding MAX_AT_LINE_CHARS, since construction. */
  droppedLines = 0;

  constructor(private readonly maxLineChars = MAX_AT_LINE_CHARS) {}

  /** The characters held for the line being received (never more than the cap). */
  get retainedLength(): number {
    return this.current.length;
  }

  /**
   * Sets the line starts in which a quoted value may span line ends (the running command's answer
   * prefix, and its echo), and clears the quote state. The partial line is kept: cutting a half
   * received unsolicited line would turn its tail into a bogus answer line.
   */
  expect(prefixes: readonly string[]): void {
    this.spanPrefixes = prefixes.filter((prefix) => prefix.length > 0);
    this.inQuotes = false;
    this.spanAllowed = null;
  }

  /** Returns the lines completed by this chunk, without their line endings, empty ones dropped. */
  push(chunk: Buffer): string[] {
    const text = this.decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0; // start of the not yet appended part of `text`
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (this.dropping) {
        if (code === CR || code === LF) {
          this.dropping = false;
          start = i + 1;
        }
        continue;
      }
      if (code === QUOTE) {
        this.inQuotes = !this.inQuotes;
      } else if ((code === CR || code === LF) && (!this.inQuotes || !this.maySpan(text, start, i))) {
        const line = this.current + text.slice(start, i);
        this.current = '';
        this.inQuotes = false;
        this.spanAllowed = null;
        start = i + 1;
        if (line.length > this.maxLineChars) this.droppedLines++;
        else if (line.length > 0) lines.push(line);
        continue;
      }
      if (this.current.length + (i + 1 - start) > this.maxLineChars) this.overflow();
    }
    if (!this.dropping && start < text.length) this.current += text.slice(start);
    return lines;
  }

  /** Forgets a partial line and the quote state (after a timeout or before a resync). */
  reset(): void {
    this.current = '';
    this.inQuotes = false;
    this.dropping = false;
    this.spanAllowed = null;
  }

  private overflow(): void {
    this.droppedLines++;
    this.reset();
    this.dropping = true;
  }

  private maySpan(text: string, start: number, end: number): boolean {
    if (this.spanAllowed === null) {
      const head = (this.current.slice(0, HEAD_CHARS) + text.slice(start, Math.min(end, start + HEAD_CHARS))).slice(
        0,
        HEAD_CHARS,
      );
      this.spanAllowed = this.spanPrefixes.some((prefix) => head.startsWith(prefix));
    }
    return this.spanAllowed;
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
  /** Set when the answer exceeded MAX_AT_ANSWER_LINES or MAX_AT_ANSWER_CHARS (the command fails). */
  overflow: string | null = null;
  private chars = 0;

  constructor(
    private readonly command: string,
    private readonly prefix?: string,
  ) {}

  /** Feeds one line; true once the final result arrived (or the answer overflowed). */
  add(line: string): boolean {
    if (this.result || this.overflow) return true;
    const final = finalResultOf(line);
    if (final) {
      this.result = final;
      return true;
    }
    if (line === this.command) return false; // echo (ATE1)
    if (this.prefix ? line.startsWith(this.prefix) : !/^[+%]/.test(line)) {
      this.chars += line.length;
      if (this.lines.length >= MAX_AT_ANSWER_LINES) {
        this.overflow = `more than ${MAX_AT_ANSWER_LINES} answer lines`;
        return true;
      }
      if (this.chars > MAX_AT_ANSWER_CHARS) {
        this.overflow = `more than ${MAX_AT_ANSWER_CHARS} characters of answer lines`;
        return true;
      }
      this.lines.push(line);
    }
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
/**
 * After a resync `AT` got its final result, the link must stay this long without a byte before the
 * next command is sent: a late answer of the timed-out command still on its way is waited out.
 */
export const AT_RESYNC_QUIET_MS = 50;

interface Pending {
  collector: AtResponseCollector;
  settle: (error: AtCommandError | null) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createAtClient(link: ByteLink, options: { timeoutMs?: number } = {}): AtClient {
  const splitter = new AtLineSplitter();
  let pending: Pending | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let released = false;
  /**
   * AT has no sequence numbers: after a timeout (or a garbled answer) the modem may still answer
   * the abandoned command, and that late final result would settle the next one. So the next
   * command first resynchronises (see `resync`).
   */
  let unsynchronised = false;
  let lastByteAt = 0;

  const fail = (code: string, why: string) => {
    const done = pending;
    pending = null;
    done?.settle(new AtCommandError({ code, message: why, step: 'at-link' }));
  };
  const stopData = link.onData((chunk) => {
    lastByteAt = Date.now();
    const dropped = splitter.droppedLines;
    const lines = splitter.push(chunk);
    if (splitter.droppedLines !== dropped && pending) {
      fail('BAD_RESPONSE', `the modem sent a line longer than ${MAX_AT_LINE_CHARS} characters`);
      return;
    }
    for (const line of lines) {
      // No command running: an unsolicited line (or a late answer to a timed-out one), ignored.
      if (pending?.collector.add(line)) {
        const done = pending;
        pending = null;
        const overflow = done.collector.overflow;
        done.settle(
          overflow
            ? new AtCommandError({ code: 'BAD_RESPONSE', message: `the modem sent ${overflow}`, step: 'at-link' })
            : null,
        );
      }
    }
  });
  const stopClose = link.onClose(() => fail('LINK_CLOSED', 'the serial link to the modem closed'));

  /**
   * Writes `command` and waits for its final result (or an error: TIMEOUT, BAD_RESPONSE,
   * LINK_CLOSED). Any failure but a closed link leaves the client unsynchronised.
   */
  const exchange = async (
    command: string,
    collector: AtResponseCollector,
    spanPrefixes: readonly string[],
    step: string,
    timeoutMs: number,
  ): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const outcome = new Promise<AtCommandError | null>((resolve) => {
      pending = { collector, settle: resolve };
    });
    // A stray quote left by an earlier (unsolicited) line must not swallow this answer.
    splitter.expect(spanPrefixes);
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
                  message: `${step}: the modem gave no final result within ${timeoutMs} ms`,
                  step,
                  command,
                }),
              ),
            timeoutMs,
          );
        }),
      ]);
      if (error) {
        if (error.code !== 'LINK_CLOSED') {
          // A late answer may follow, and a timed-out answer may have left half a line (or an
          // open quote): start clean and resynchronise before the next command.
          unsynchronised = true;
          splitter.reset();
        }
        // Re-label link errors with this command and step.
        throw new AtCommandError({
          code: error.code,
          message: error.code === 'TIMEOUT' ? error.message : `${step}: ${error.message}`,
          step,
          command,
        });
      }
    } finally {
      clearTimeout(timer);
      if (pending?.collector === collector) pending = null;
    }
  };

  /**
   * Resynchronises after a timeout: sends `AT`, discards everything up to its final result, then
   * waits until the link has been quiet for AT_RESYNC_QUIET_MS. Throws TIMEOUT (and stays
   * unsynchronised) when that does not happen within `timeoutMs`.
   */
  const resync = async (step: string, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    splitter.reset();
    await exchange('AT', new AtResponseCollector('AT'), [], step, timeoutMs);
    for (;;) {
      const now = Date.now();
      const quietFor = now - lastByteAt;
      if (quietFor >= AT_RESYNC_QUIET_MS) break;
      if (now >= deadline) {
        unsynchronised = true;
        throw new AtCommandError({
          code: 'TIMEOUT',
          message: `${step}: the modem did not fall quiet within ${timeoutMs} ms while resynchronising`,
          step,
          command: 'AT',
        });
      }
      await sleep(Math.min(AT_RESYNC_QUIET_MS - quietFor, Math.max(1, deadline - now)));
    }
    splitter.reset();
    unsynchronised = false;
  };

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
    if (unsynchronised) await resync(sendOptions.step, timeoutMs);
    const collector = new AtResponseCollector(command, sendOptions.prefix);
    // Quotes may span line ends only in this command's answer lines (and in its echo).
    const quote = command.indexOf('"');
    const spanPrefixes = [sendOptions.prefix ?? '', quote > 2 ? command.slice(0, quote) : ''];
    await exchange(command, collector, spanPrefixes, sendOptions.step, timeoutMs);
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
