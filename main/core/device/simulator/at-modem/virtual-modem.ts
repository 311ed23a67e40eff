/**
 * A simulated nRF91-style modem on the device end of a PTY pair, answering the AT commands the
 * nrf91-at driver uses: AT, AT+CGSN, AT+CGMR, AT+CFUN=<n>, AT+CFUN?, AT%CMNG=0..3, AT%KEYGEN.
 *
 * Behaviour, and where it picks one of the real modem's options:
 * - Boots active (CFUN=1, as an application firmware that connects at start); the mode is not
 *   persisted. Writes, deletes and %KEYGEN answer +CME ERROR: 518 while CFUN=1.
 * - `%CMNG=0` on an existing (tag, type) answers 519 (some firmwares overwrite; refusing makes a
 *   driver that forgets to delete first fail in tests). Reading or deleting a missing one: 513.
 *   Reading a private key (type 2): 514. More than MAX_CREDENTIALS entries: 515.
 * - Content is stored as the exact string between the quotes; `%CMNG=1` lists its SHA-256 in
 *   upper-case hex. `%KEYGEN` stores the new key as a type 2 entry (its PKCS#8 PEM: it is a
 *   simulator, a real modem never lets the key out) and answers `"<CSR or SPKI>.<COSE_Sign1>"`.
 * - A command line ends at CR or LF outside double quotes (PEM content spans lines).
 * - `faults.cme` is read at every command, so a test may change it between commands: the first
 *   prefix a command line starts with decides the +CME ERROR it gets instead of its answer.
 * Output goes through the paced output (the baud rate), lines end in CR LF. State is kept with
 * device-state.ts (atomic JSON file), extended with the modem's own fields.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { toPem } from '../../../pki/pem';
import { splitAtParameters } from '../../drivers/nrf91-at/at-format';
import type { ByteLink } from '../../transports/byte-link';
import { derElement } from '../der-lite';
import { buildCsr, spkiOf } from '../device-keys';
import { loadOrCreateState, saveState, type DeviceState } from '../device-state';
import { createPacedOutput } from '../paced-output';

export const MODEM_FIRMWARE = 'mfw_nrf9160_1.3.5-sim';
export const MAX_CREDENTIALS = 32;

export interface VirtualModemOptions {
  link: ByteLink;
  stateFile: string;
  imei: string;
  baudRate: number;
  faults?: { cme?: Record<string, number> };
}

export interface VirtualModem {
  serialNumber: string;
  close(): Promise<void>;
}

interface StoredCredential {
  tag: number;
  type: number;
  /** The exact string written (or the generated key's PKCS#8 PEM). */
  content: string;
}

interface ModemState extends DeviceState {
  modem: { credentials: StoredCredential[]; identityKey: string };
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();

const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  CN: '550403',
  serialNumber: '550405',
  C: '550406',
  L: '550407',
  ST: '550408',
  O: '55040a',
  OU: '55040b',
};

/** "CN=x,O=y" → DER Name (UTF8String values; C as PrintableString). Undefined when malformed. */
function nameFromString(text: string): Buffer | undefined {
  const rdns: Buffer[] = [];
  for (const part of text.split(',')) {
    const [key, ...rest] = part.split('=');
    const oid = key ? ATTRIBUTE_OIDS[key.trim()] : undefined;
    if (!oid || rest.length === 0) return undefined;
    const value = Buffer.from(rest.join('='), 'utf8');
    const attribute = derElement(
      0x30,
      derElement(0x06, Buffer.from(oid, 'hex')),
      derElement(key?.trim() === 'C' ? 0x13 : 0x0c, value),
    );
    rdns.push(derElement(0x31, attribute));
  }
  return derElement(0x30, ...rdns);
}

/** CBOR head for major type `major` and length/value `n`. */
function cborHead(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
}
const cborBytes = (b: Buffer) => Buffer.concat([cborHead(2, b.length), b]);

/**
 * A COSE_Sign1 (tag 18) over the SHA-256 of the key answer, signed ES256 by the simulated
 * device identity key: the shape of the real attestation, not its payload.
 */
function coseSign1(der: Buffer, identity: KeyObject): Buffer {
  const protectedHeader = Buffer.from('a10126', 'hex'); // {1: -7} alg ES256
  const payload = createHash('sha256').update(der).digest();
  const toBeSigned = Buffer.concat([
    Buffer.from([0x84]),
    Buffer.concat([cborHead(3, 10), Buffer.from('Signature1', 'utf8')]), // text string
    cborBytes(protectedHeader),
    cborBytes(Buffer.alloc(0)),
    cborBytes(payload),
  ]);
  const signature = sign('sha256', toBeSigned, { key: identity, dsaEncoding: 'ieee-p1363' });
  return Buffer.concat([
    Buffer.from([0xd2, 0x84]),
    cborBytes(protectedHeader),
    Buffer.from([0xa0]),
    cborBytes(payload),
    cborBytes(signature),
  ]);
}

export function startVirtualModem(options: VirtualModemOptions): Promise<VirtualModem> {
  const base = loadOrCreateState(options.stateFile, options.imei) as Partial<ModemState> & DeviceState;
  const state: ModemState = {
    ...base,
    firmwareVersion: MODEM_FIRMWARE,
    modem: base.modem ?? {
      credentials: [],
      identityKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'pkcs8', format: 'der' })
        .toString('base64'),
    },
  };
  saveState(options.stateFile, state);
  const identity = createPrivateKey({
    key: Buffer.from(state.modem.identityKey, 'base64'),
    format: 'der',
    type: 'pkcs8',
  });
  let cfun = 1;
  const output = createPacedOutput(options.link, options.baudRate);
  const reply = (...lines: string[]) => output.send(Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8'));
  const cme = (code: number) => reply(`+CME ERROR: ${code}`);
  const persist = () => saveState(options.stateFile, state);
  const find = (tag: number, type: number) => state.modem.credentials.find((c) => c.tag === tag && c.type === type);

  const cmng = (params: string[]) => {
    const [opcodeText, tagText, typeText, content] = params;
    const opcode = Number(opcodeText);
    const tag = tagText === undefined || tagText === '' ? undefined : Number(tagText);
    const type = typeText === undefined ? undefined : Number(typeText);
    if (opcode === 1) {
      const listed = state.modem.credentials
        .filter((c) => (tag === undefined || c.tag === tag) && (type === undefined || c.type === type))
        .sort((a, b) => a.tag - b.tag || a.type - b.type);
      reply(...listed.map((c) => `%CMNG: ${c.tag},${c.type},"${sha256Hex(c.content)}"`), 'OK');
      return;
    }
    if (tag === undefined || type === undefined || !Number.isInteger(tag) || !Number.isInteger(type) || type > 6) {
      reply('ERROR');
      return;
    }
    const existing = find(tag, type);
    if (opcode === 2) {
      if (!existing) return cme(513);
      if (type === 2) return cme(514);
      reply(`%CMNG: ${tag},${type},"${sha256Hex(existing.content)}","${existing.content}"`, 'OK');
      return;
    }
    if (opcode !== 0 && opcode !== 3) return reply('ERROR');
    if (cfun === 1) return cme(518);
    if (opcode === 3) {
      if (!existing) return cme(513);
      state.modem.credentials = state.modem.credentials.filter((c) => c !== existing);
      persist();
      return reply('OK');
    }
    if (content === undefined || content === '') return reply('ERROR');
    if (existing) return cme(519);
    if (state.modem.credentials.length >= MAX_CREDENTIALS) return cme(515);
    state.modem.credentials.push({ tag, type, content });
    persist();
    reply('OK');
  };

  const keygen = (params: string[]) => {
    const [tagText, keyType, format, subject] = params;
    const tag = Number(tagText);
    if (!Number.isInteger(tag) || keyType !== '2' || (format !== '0' && format !== '1')) return reply('ERROR');
    if (cfun === 1) return cme(518);
    if (find(tag, 2)) return cme(519);
    if (state.modem.credentials.length >= MAX_CREDENTIALS) return cme(515);
    const name = nameFromString(subject && subject.length > 0 ? subject : `CN=${state.serialNumber}`);
    if (!name) return reply('ERROR');
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const der = format === '0' ? buildCsr(key, name) : spkiOf(key);
    state.modem.credentials.push({
      tag,
      type: 2,
      content: toPem('PRIVATE KEY', key.export({ type: 'pkcs8', format: 'der' })),
    });
    persist();
    reply(`%KEYGEN: "${der.toString('base64url')}.${coseSign1(der, identity).toString('base64url')}"`, 'OK');
  };

  const handle = (line: string) => {
    const upper = line.toUpperCase();
    for (const [prefix, code] of Object.entries(options.faults?.cme ?? {})) {
      if (upper.startsWith(prefix.toUpperCase())) return cme(code);
    }
    if (upper === 'AT') return reply('OK');
    if (upper === 'AT+CGSN') return reply(state.serialNumber, 'OK');
    if (upper === 'AT+CGSN=1') return reply(`+CGSN: "${state.serialNumber}"`, 'OK');
    if (upper === 'AT+CGMR') return reply(MODEM_FIRMWARE, 'OK');
    if (upper === 'AT+CFUN?') return reply(`+CFUN: ${cfun}`, 'OK');
    const cfunSet = /^AT\+CFUN=(\d+)$/.exec(upper);
    if (cfunSet?.[1]) {
      const mode = Number(cfunSet[1]);
      if (![0, 1, 4, 20, 21, 30, 31, 40, 41].includes(mode)) return reply('ERROR');
      cfun = mode === 1 ? 1 : mode === 0 || mode === 4 ? mode : cfun;
      reply('OK');
      // An application that subscribed to registration events sees one when the modem goes online.
      if (mode === 1) reply('+CEREG: 2,"ABCD","0123ABCD",7');
      return;
    }
    if (upper.startsWith('AT%CMNG=')) return cmng(splitAtParameters(line.slice('AT%CMNG='.length)));
    if (upper.startsWith('AT%KEYGEN=')) return keygen(splitAtParameters(line.slice('AT%KEYGEN='.length)));
    reply('ERROR');
  };

  let current = '';
  let quoted = false;
  const decoder = new TextDecoder('utf-8');
  const stopData = options.link.onData((chunk) => {
    for (const char of decoder.decode(chunk, { stream: true })) {
      if (char === '"') quoted = !quoted;
      if (!quoted && (char === '\r' || char === '\n')) {
        const line = current.trim();
        current = '';
        if (line.length > 0) handle(line);
      } else current += char;
    }
  });

  return Promise.resolve({
    serialNumber: state.serialNumber,
    async close() {
      stopData();
      await Promise.race([output.flushed(), new Promise((resolve) => setTimeout(resolve, 500))]);
      output.stop();
      await options.link.close();
    },
  });
}
