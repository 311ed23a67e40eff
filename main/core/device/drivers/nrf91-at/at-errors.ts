/**
 * The errors of the nRF91 AT driver: a modem's `+CME ERROR: <n>` (or plain `ERROR`), a command
 * that got no final result in time, and what the modem family cannot do at all. Each carries a
 * stable `code` name, the `cme` number when there was one, the AT command (never its PEM or key
 * content: see `redactCommand`) and the provisioning step that failed.
 */

/** The `+CME ERROR` numbers the nRF91 credential and key commands answer, by stable name. */
export const CME_NAMES: Readonly<Record<number, { code: string; words: string }>> = {
  513: { code: 'NOT_FOUND', words: 'the modem holds no such credential' },
  514: { code: 'NO_ACCESS', words: 'the modem does not allow access to this credential (private keys cannot be read)' },
  515: { code: 'MEMORY_FULL', words: 'the modem has no room left for credentials: delete unused sec_tags first' },
  518: {
    code: 'NOT_ALLOWED_IN_ACTIVE_STATE',
    words: 'the modem refuses this while it is active: set AT+CFUN=4 first',
  },
  519: { code: 'ALREADY_EXISTS', words: 'the sec_tag already holds this credential type: delete it first' },
  523: { code: 'KEY_GENERATION_FAILED', words: 'the modem could not generate the key' },
  528: { code: 'POWER_OFF_WARNING', words: 'the modem is in power-off warning state: check the supply voltage' },
};

export function cmeCodeName(cme: number): string {
  return CME_NAMES[cme]?.code ?? `UNKNOWN_CME_${cme}`;
}

/**
 * The command as it may be logged: a credential write keeps opcode, sec_tag and type but not its
 * content (a PEM private key must never reach a log or an error message).
 */
export function redactCommand(command: string): string {
  const write = /^(AT%CMNG=0,\s*\d+,\s*\d+)\s*,/i.exec(command);
  if (write?.[1]) return `${write[1]},"<content>"`;
  return command.length > 200 ? `${command.slice(0, 200)}…` : command;
}

export class AtCommandError extends Error {
  /** NOT_FOUND … POWER_OFF_WARNING, UNKNOWN_CME_<n>, ERROR, TIMEOUT, BAD_RESPONSE, UNSUPPORTED, LINK_CLOSED. */
  readonly code: string;
  /** The `+CME ERROR` number, null when the modem said plain ERROR or nothing. */
  readonly cme: number | null;
  /** The AT command without content (see redactCommand); null when no command was sent. */
  readonly command: string | null;
  /** The provisioning step, e.g. "generate-key", "write-credentials". */
  readonly step: string;

  constructor(options: { code: string; message: string; step: string; command?: string | null; cme?: number | null }) {
    super(options.message);
    this.name = 'AtCommandError';
    this.code = options.code;
    this.cme = options.cme ?? null;
    this.command = options.command == null ? null : redactCommand(options.command);
    this.step = options.step;
  }

  static fromCme(cme: number, command: string, step: string): AtCommandError {
    const known = CME_NAMES[cme];
    const words = known?.words ?? `the modem answered +CME ERROR: ${cme}, which this station does not know`;
    return new AtCommandError({
      code: cmeCodeName(cme),
      cme,
      command,
      step,
      message: `${step}: ${redactCommand(command)} failed: ${words} (+CME ERROR: ${cme}).`,
    });
  }
}

export function isAtCommandError(error: unknown): error is AtCommandError {
  return error instanceof AtCommandError;
}
