/**
 * encodeMessage / decodeMessage: header + TLV body <-> the typed model in message-types.ts. Each
 * message's fields are declared once below (tag, model property, type, presence) and both
 * directions run the same checks, so whatever encodes also decodes to an equal value.
 */
import {
  CAPABILITY_BITS,
  CHALLENGE_MAX_SIZE,
  CHALLENGE_MIN_SIZE,
  COMMAND_CODES,
  FACTORY_RESET_CONFIRM,
  FIRST_CRITICAL_TAG,
  HEADER_SIZE,
  KEY_OUTPUT_CODES,
  KEY_TYPE_CODES,
  LIFECYCLE_CODES,
  LOCK_CONFIRM,
  MAX_CHUNK_SIZE,
  MESSAGE_KINDS,
  NO_SLOT,
  PRIVATE_KEY_LENGTHS,
  PROTOCOL_VERSION,
  SLOT_FLAG_OCCUPIED,
  SLOT_INFO_SIZE,
  SLOT_KIND_CODES,
  TAGS,
  type CommandName,
  type KeyType,
  type MessageKind,
  type TagName,
} from './codes';
import { MAX_MESSAGE_SIZE } from './frame-codec';
import type { Message, SlotInfo } from './message-types';
import { ProtocolError, type ProtocolErrorCode } from './protocol-error';
import { decodeTlvs, encodeTlv } from './tlv';

type FieldType =
  | { t: 'uint'; size: 1 | 2 | 4; min?: number; max?: number }
  | { t: 'bytes'; min: number; max: number }
  | { t: 'ascii'; min: number; max: number }
  | { t: 'utf8'; min: number; max: number }
  | { t: 'enum'; codes: Readonly<Record<string, number>>; unknown: ProtocolErrorCode }
  | { t: 'enumList'; codes: Readonly<Record<string, number>>; min: number; max: number }
  | { t: 'versions' }
  | { t: 'flags'; bits: Readonly<Record<string, number>> }
  | { t: 'slotInfo' }
  | { t: 'const'; value: number };

interface FieldSpec {
  tag: TagName;
  /** The model property; unused for 'const' fields, which the model does not show. */
  name: string;
  type: FieldType;
  presence: 'required' | 'optional' | 'repeated';
}

interface MessageSpec {
  fields: FieldSpec[];
  /** Cross-field rules, run on the model after encoding's and decoding's field checks. */
  check?: (m: Record<string, unknown>) => void;
}

const slotField: FieldSpec = {
  tag: 'SLOT',
  name: 'slot',
  type: { t: 'uint', size: 1, max: 0xfe },
  presence: 'required',
};
const keyTypeField: FieldSpec = {
  tag: 'KEY_TYPE',
  name: 'keyType',
  type: { t: 'enum', codes: KEY_TYPE_CODES, unknown: 'UNSUPPORTED_KEY_TYPE' },
  presence: 'required',
};
const u32 = (tag: TagName, name: string, min = 0): FieldSpec => ({
  tag,
  name,
  type: { t: 'uint', size: 4, min },
  presence: 'required',
});
const bytes = (tag: TagName, name: string, min: number, max: number, presence: FieldSpec['presence'] = 'required') => ({
  tag,
  name,
  type: { t: 'bytes', min, max } as const,
  presence,
});
const publicKeyField = bytes('PUBLIC_KEY', 'publicKey', 1, 1024);

function chunkFits(m: Record<string, unknown>, command: string): void {
  const offset = m.offset as number;
  const total = m.totalLength as number;
  const data = m.data as Buffer;
  if (offset + data.length > total) {
    throw new ProtocolError(
      'BAD_FIELD_VALUE',
      `${command}: OFFSET ${offset} + ${data.length} DATA bytes exceeds TOTAL_LENGTH ${total}`,
      { tag: TAGS.DATA },
    );
  }
}

const REQUESTS: Record<CommandName, MessageSpec> = {
  identify: { fields: [] },
  generateKey: {
    fields: [
      slotField,
      keyTypeField,
      {
        tag: 'OUTPUT',
        name: 'output',
        type: { t: 'enum', codes: KEY_OUTPUT_CODES, unknown: 'BAD_FIELD_VALUE' },
        presence: 'required',
      },
      bytes('SUBJECT', 'subject', 2, 1024, 'optional'),
    ],
    check: (m) => {
      if (m.output === 'csr' && m.subject === undefined) {
        throw new ProtocolError('MISSING_FIELD', 'generateKey: OUTPUT = CSR needs SUBJECT', { tag: TAGS.SUBJECT });
      }
      if (m.output === 'publicKey' && m.subject !== undefined) {
        throw new ProtocolError('BAD_FIELD_VALUE', 'generateKey: SUBJECT is only allowed with OUTPUT = CSR', {
          tag: TAGS.SUBJECT,
        });
      }
    },
  },
  writeKey: {
    fields: [slotField, keyTypeField, bytes('PRIVATE_KEY', 'privateKey', 1, 64)],
    check: (m) => {
      const expected = PRIVATE_KEY_LENGTHS[m.keyType as KeyType];
      const actual = (m.privateKey as Buffer).length;
      if (actual !== expected) {
        throw new ProtocolError(
          'BAD_FIELD_LENGTH',
          `writeKey: PRIVATE_KEY of ${String(m.keyType)} is ${expected} bytes, not ${actual}`,
          { tag: TAGS.PRIVATE_KEY },
        );
      }
    },
  },
  writeChain: {
    fields: [
      slotField,
      u32('OFFSET', 'offset'),
      u32('TOTAL_LENGTH', 'totalLength', 1),
      bytes('DATA', 'data', 1, MAX_CHUNK_SIZE),
    ],
    check: (m) => chunkFits(m, 'writeChain'),
  },
  readSlot: {
    fields: [
      slotField,
      u32('OFFSET', 'offset'),
      {
        tag: 'MAX_LENGTH',
        name: 'maxLength',
        type: { t: 'uint', size: 2, min: 1, max: MAX_CHUNK_SIZE },
        presence: 'required',
      },
    ],
  },
  signChallenge: { fields: [slotField, bytes('CHALLENGE', 'challenge', CHALLENGE_MIN_SIZE, CHALLENGE_MAX_SIZE)] },
  lock: { fields: [{ tag: 'CONFIRM', name: '', type: { t: 'const', value: LOCK_CONFIRM }, presence: 'required' }] },
  factoryReset: {
    fields: [{ tag: 'CONFIRM', name: '', type: { t: 'const', value: FACTORY_RESET_CONFIRM }, presence: 'required' }],
  },
};

const RESPONSES: Record<CommandName, MessageSpec> = {
  identify: {
    fields: [
      { tag: 'PROTOCOL_VERSIONS', name: 'protocolVersions', type: { t: 'versions' }, presence: 'required' },
      { tag: 'CAPABILITIES', name: 'capabilities', type: { t: 'flags', bits: CAPABILITY_BITS }, presence: 'required' },
      {
        tag: 'MAX_MESSAGE_SIZE',
        name: 'maxMessageSize',
        type: { t: 'uint', size: 2, min: 512, max: MAX_MESSAGE_SIZE },
        presence: 'required',
      },
      { tag: 'SERIAL_NUMBER', name: 'serialNumber', type: { t: 'ascii', min: 1, max: 64 }, presence: 'required' },
      bytes('CHIP_ID', 'chipId', 1, 32),
      bytes('MAC_ADDRESS', 'macAddress', 6, 6, 'optional'),
      { tag: 'FIRMWARE_VERSION', name: 'firmwareVersion', type: { t: 'utf8', min: 1, max: 64 }, presence: 'required' },
      {
        tag: 'KEY_TYPES',
        name: 'keyTypes',
        type: { t: 'enumList', codes: KEY_TYPE_CODES, min: 1, max: 16 },
        presence: 'required',
      },
      { tag: 'SLOT_INFO', name: 'slots', type: { t: 'slotInfo' }, presence: 'repeated' },
      {
        tag: 'LIFECYCLE',
        name: 'lifecycle',
        type: { t: 'enum', codes: LIFECYCLE_CODES, unknown: 'BAD_FIELD_VALUE' },
        presence: 'required',
      },
    ],
  },
  generateKey: {
    fields: [slotField, keyTypeField, publicKeyField, bytes('CSR', 'csr', 1, MAX_CHUNK_SIZE, 'optional')],
  },
  writeKey: { fields: [slotField, publicKeyField] },
  writeChain: {
    fields: [slotField, u32('NEXT_OFFSET', 'nextOffset'), bytes('DIGEST', 'digest', 32, 32, 'optional')],
  },
  readSlot: {
    fields: [
      slotField,
      u32('OFFSET', 'offset'),
      u32('TOTAL_LENGTH', 'totalLength'),
      bytes('DATA', 'data', 0, MAX_CHUNK_SIZE),
    ],
    check: (m) => chunkFits(m, 'readSlot'),
  },
  signChallenge: { fields: [slotField, bytes('SIGNATURE', 'signature', 1, 512)] },
  lock: { fields: [] },
  factoryReset: { fields: [] },
};

const ERROR_SPEC: MessageSpec = {
  fields: [
    { tag: 'ERROR_CODE', name: 'code', type: { t: 'uint', size: 2, min: 1 }, presence: 'required' },
    { tag: 'ERROR_MESSAGE', name: 'message', type: { t: 'utf8', min: 1, max: 255 }, presence: 'optional' },
  ],
};

function specFor(kind: MessageKind, command: CommandName): MessageSpec {
  if (kind === 'request') return REQUESTS[command];
  if (kind === 'response') return RESPONSES[command];
  return ERROR_SPEC;
}

const COMMANDS_BY_CODE = new Map<number, CommandName>(
  Object.entries(COMMAND_CODES).map(([name, code]) => [code, name as CommandName]),
);
const KINDS_BY_CODE = new Map<number, MessageKind>(
  Object.entries(MESSAGE_KINDS).map(([name, code]) => [code, name as MessageKind]),
);
const TAG_NAMES = new Map<number, TagName>(Object.entries(TAGS).map(([name, tag]) => [tag, name as TagName]));

const utf8 = new TextDecoder('utf-8', { fatal: true });

const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;
const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

function fail(code: ProtocolErrorCode, spec: FieldSpec, what: string): never {
  throw new ProtocolError(code, `${spec.tag} (${hex2(TAGS[spec.tag])}): ${what}`, { tag: TAGS[spec.tag] });
}

function lengthIn(spec: FieldSpec, length: number, min: number, max: number, code: ProtocolErrorCode): void {
  if (length < min || length > max) fail(code, spec, `length ${length} is outside ${min}..${max}`);
}

function uintMax(size: 1 | 2 | 4): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

function checkUint(spec: FieldSpec, type: { size: 1 | 2 | 4; min?: number; max?: number }, value: number): void {
  const min = type.min ?? 0;
  const max = type.max ?? uintMax(type.size);
  if (!Number.isInteger(value) || value < min || value > max)
    fail('BAD_FIELD_VALUE', spec, `${value} is outside ${min}..${max}`);
}

function writeUint(size: 1 | 2 | 4, value: number): Buffer {
  const out = Buffer.alloc(size);
  out.writeUIntBE(value, 0, size);
  return out;
}

function checkAscii(spec: FieldSpec, text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) fail('BAD_FIELD_VALUE', spec, `character ${hex2(c)} at ${i} is not printable ASCII`);
  }
}

function codeOf(spec: FieldSpec, codes: Readonly<Record<string, number>>, name: unknown): number {
  const code = typeof name === 'string' && Object.hasOwn(codes, name) ? codes[name] : undefined;
  if (code === undefined) fail('BAD_FIELD_VALUE', spec, `unknown value ${String(name)}`);
  return code;
}

function nameOf(codes: Readonly<Record<string, number>>, code: number): string | undefined {
  for (const [name, value] of Object.entries(codes)) if (value === code) return name;
  return undefined;
}

function encodeSlotInfo(spec: FieldSpec, value: unknown): Buffer {
  const slot = value as SlotInfo;
  if (typeof slot !== 'object' || slot === null) fail('BAD_FIELD_VALUE', spec, 'not a slot description');
  checkUint(spec, { size: 1, max: 0xfe }, slot.id);
  const out = Buffer.alloc(SLOT_INFO_SIZE);
  out[0] = slot.id;
  out[1] = codeOf(spec, SLOT_KIND_CODES, slot.kind);
  out[2] = slot.occupied ? SLOT_FLAG_OCCUPIED : 0;
  out[3] = slot.keyType === undefined ? 0 : codeOf(spec, KEY_TYPE_CODES, slot.keyType);
  if (slot.linkedSlot !== undefined) checkUint(spec, { size: 1, max: 0xfe }, slot.linkedSlot);
  out[4] = slot.linkedSlot ?? NO_SLOT;
  checkUint(spec, { size: 4 }, slot.capacity);
  out.writeUInt32BE(slot.capacity, 8);
  return out;
}

/** Undefined for a slot of a kind this station does not know: it is skipped. */
function decodeSlotInfo(spec: FieldSpec, value: Buffer): SlotInfo | undefined {
  lengthIn(spec, value.length, SLOT_INFO_SIZE, SLOT_INFO_SIZE, 'BAD_FIELD_LENGTH');
  const id = value.readUInt8(0);
  if (id === NO_SLOT) fail('BAD_FIELD_VALUE', spec, 'slot id 0xFF is reserved');
  const kind = nameOf(SLOT_KIND_CODES, value.readUInt8(1)) as SlotInfo['kind'] | undefined;
  if (kind === undefined) return undefined;
  const keyType = nameOf(KEY_TYPE_CODES, value.readUInt8(3)) as KeyType | undefined;
  const linked = value.readUInt8(4);
  return {
    id,
    kind,
    occupied: (value.readUInt8(2) & SLOT_FLAG_OCCUPIED) !== 0,
    ...(keyType === undefined ? {} : { keyType }),
    ...(linked === NO_SLOT ? {} : { linkedSlot: linked }),
    capacity: value.readUInt32BE(8),
  };
}

function encodeValue(spec: FieldSpec, value: unknown): Buffer {
  const type = spec.type;
  switch (type.t) {
    case 'uint':
      checkUint(spec, type, value as number);
      return writeUint(type.size, value as number);
    case 'bytes':
      if (!isBytes(value)) fail('BAD_FIELD_VALUE', spec, 'not a byte string');
      lengthIn(spec, value.length, type.min, type.max, 'BAD_FIELD_LENGTH');
      return Buffer.from(value);
    case 'ascii':
    case 'utf8': {
      if (typeof value !== 'string') fail('BAD_FIELD_VALUE', spec, 'not a string');
      if (type.t === 'ascii') checkAscii(spec, value);
      const encoded = Buffer.from(value, 'utf8');
      if (encoded.toString('utf8') !== value) fail('BAD_FIELD_VALUE', spec, 'not well-formed Unicode');
      lengthIn(spec, encoded.length, type.min, type.max, 'BAD_FIELD_LENGTH');
      return encoded;
    }
    case 'enum':
      return Buffer.from([codeOf(spec, type.codes, value)]);
    case 'enumList':
      if (!Array.isArray(value)) fail('BAD_FIELD_VALUE', spec, 'not a list');
      lengthIn(spec, value.length, type.min, type.max, 'BAD_FIELD_LENGTH');
      return Buffer.from(value.map((name) => codeOf(spec, type.codes, name)));
    case 'versions': {
      if (!Array.isArray(value)) fail('BAD_FIELD_VALUE', spec, 'not a list');
      checkVersions(spec, value as number[]);
      return Buffer.from(value as number[]);
    }
    case 'flags': {
      if (!Array.isArray(value)) fail('BAD_FIELD_VALUE', spec, 'not a list');
      let bits = 0;
      for (const name of value) bits |= codeOf(spec, type.bits, name);
      return writeUint(4, bits >>> 0);
    }
    case 'slotInfo':
      return encodeSlotInfo(spec, value);
    case 'const':
      return writeUint(4, type.value);
  }
}

function checkVersions(spec: FieldSpec, versions: readonly number[]): void {
  lengthIn(spec, versions.length, 1, 16, 'BAD_FIELD_LENGTH');
  const seen = new Set<number>();
  for (const v of versions) {
    if (!Number.isInteger(v) || v < 1 || v > 0xff) fail('BAD_FIELD_VALUE', spec, `version ${v} is outside 1..255`);
    if (seen.has(v)) fail('BAD_FIELD_VALUE', spec, `version ${v} is listed twice`);
    seen.add(v);
  }
}

function decodeValue(spec: FieldSpec, value: Buffer): unknown {
  const type = spec.type;
  switch (type.t) {
    case 'uint': {
      lengthIn(spec, value.length, type.size, type.size, 'BAD_FIELD_LENGTH');
      const n = value.readUIntBE(0, type.size);
      checkUint(spec, type, n);
      return n;
    }
    case 'bytes':
      lengthIn(spec, value.length, type.min, type.max, 'BAD_FIELD_LENGTH');
      return value;
    case 'ascii':
    case 'utf8': {
      lengthIn(spec, value.length, type.min, type.max, 'BAD_FIELD_LENGTH');
      let text: string;
      try {
        text = utf8.decode(value);
      } catch {
        fail('BAD_FIELD_VALUE', spec, 'not valid UTF-8');
      }
      if (type.t === 'ascii') checkAscii(spec, text);
      return text;
    }
    case 'enum': {
      lengthIn(spec, value.length, 1, 1, 'BAD_FIELD_LENGTH');
      const name = nameOf(type.codes, value.readUInt8(0));
      if (name === undefined) fail(type.unknown, spec, `unknown value ${hex2(value.readUInt8(0))}`);
      return name;
    }
    case 'enumList':
      lengthIn(spec, value.length, type.min, type.max, 'BAD_FIELD_LENGTH');
      // Entries this station does not know (a newer device's key types) are left out.
      return [...value].map((code) => nameOf(type.codes, code)).filter((name) => name !== undefined);
    case 'versions': {
      const versions = [...value];
      checkVersions(spec, versions);
      return versions;
    }
    case 'flags': {
      lengthIn(spec, value.length, 4, 4, 'BAD_FIELD_LENGTH');
      const bits = value.readUInt32BE(0);
      // Bits this station does not know are left out.
      return Object.entries(type.bits)
        .filter(([, bit]) => (bits & bit) !== 0)
        .map(([name]) => name);
    }
    case 'slotInfo':
      return decodeSlotInfo(spec, value);
    case 'const': {
      lengthIn(spec, value.length, 4, 4, 'BAD_FIELD_LENGTH');
      const n = value.readUInt32BE(0);
      if (n !== type.value)
        fail('BAD_FIELD_VALUE', spec, `must be 0x${type.value.toString(16)}, is 0x${n.toString(16)}`);
      return n;
    }
  }
}

/** Header + body. Throws ProtocolError (MISSING_FIELD, BAD_FIELD_VALUE, …) on a value the wire cannot carry. */
export function encodeMessage(msg: Message): Buffer {
  const kindCode = Object.hasOwn(MESSAGE_KINDS, msg.kind) ? MESSAGE_KINDS[msg.kind] : undefined;
  if (kindCode === undefined) throw new ProtocolError('UNKNOWN_KIND', `unknown message kind ${String(msg.kind)}`);
  const commandCode = Object.hasOwn(COMMAND_CODES, msg.command) ? COMMAND_CODES[msg.command] : undefined;
  if (commandCode === undefined) throw new ProtocolError('UNKNOWN_COMMAND', `unknown command ${String(msg.command)}`);
  if (!Number.isInteger(msg.seq) || msg.seq < 0 || msg.seq > 0xffff) {
    throw new ProtocolError('BAD_FIELD_VALUE', `sequence number ${msg.seq} is outside 0..65535`);
  }
  const spec = specFor(msg.kind, msg.command);
  const model = msg as unknown as Record<string, unknown>;
  const parts: Buffer[] = [Buffer.from([PROTOCOL_VERSION, kindCode, msg.seq >> 8, msg.seq & 0xff, commandCode, 0])];
  for (const field of spec.fields) {
    const tag = TAGS[field.tag];
    if (field.type.t === 'const') {
      parts.push(encodeTlv(tag, encodeValue(field, undefined)));
      continue;
    }
    const value = model[field.name];
    if (field.presence === 'repeated') {
      if (!Array.isArray(value)) fail('BAD_FIELD_VALUE', field, `${field.name} is not a list`);
      for (const item of value) parts.push(encodeTlv(tag, encodeValue(field, item)));
    } else if (value === undefined) {
      if (field.presence === 'required') fail('MISSING_FIELD', field, `${msg.command} ${msg.kind} needs ${field.name}`);
    } else {
      parts.push(encodeTlv(tag, encodeValue(field, value)));
    }
  }
  spec.check?.(model);
  const message = Buffer.concat(parts);
  if (message.length > MAX_MESSAGE_SIZE) {
    throw new ProtocolError(
      'MESSAGE_TOO_LARGE',
      `${msg.command} ${msg.kind} of ${message.length} bytes exceeds ${MAX_MESSAGE_SIZE}`,
    );
  }
  return message;
}

/**
 * Parses one message (a frame's content). Fields may come in any order; unknown tags below 0x80
 * are skipped, unknown tags from 0x80 up are refused. Returned Buffers are copies, not views of
 * `input`.
 */
export function decodeMessage(input: Uint8Array): Message {
  if (input.length > MAX_MESSAGE_SIZE) {
    throw new ProtocolError('MESSAGE_TOO_LARGE', `message of ${input.length} bytes exceeds ${MAX_MESSAGE_SIZE}`);
  }
  if (input.length < HEADER_SIZE) {
    throw new ProtocolError('TRUNCATED_HEADER', `message of ${input.length} bytes is shorter than its header`);
  }
  const buf = Buffer.from(input);
  if (buf[0] !== PROTOCOL_VERSION) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `protocol version ${buf[0]} is not supported`);
  }
  const kind = KINDS_BY_CODE.get(buf.readUInt8(1));
  if (kind === undefined) throw new ProtocolError('UNKNOWN_KIND', `unknown message kind ${hex2(buf.readUInt8(1))}`);
  const seq = buf.readUInt16BE(2);
  const command = COMMANDS_BY_CODE.get(buf.readUInt8(4));
  if (command === undefined) throw new ProtocolError('UNKNOWN_COMMAND', `unknown command ${hex2(buf.readUInt8(4))}`);
  const spec = specFor(kind, command);
  const model: Record<string, unknown> = { kind, seq, command };
  const seen = new Set<number>();
  for (const field of spec.fields) if (field.presence === 'repeated') model[field.name] = [];

  for (const { tag, value } of decodeTlvs(buf.subarray(HEADER_SIZE))) {
    const field = spec.fields.find((f) => TAGS[f.tag] === tag);
    if (field === undefined) {
      if (tag >= FIRST_CRITICAL_TAG) {
        throw new ProtocolError('UNKNOWN_CRITICAL_FIELD', `${command} ${kind}: unknown critical field ${hex2(tag)}`, {
          tag,
        });
      }
      continue;
    }
    const decoded = decodeValue(field, value);
    if (field.presence === 'repeated') {
      if (decoded !== undefined) (model[field.name] as unknown[]).push(decoded);
      continue;
    }
    if (seen.has(tag)) fail('DUPLICATE_FIELD', field, `appears more than once in ${command} ${kind}`);
    seen.add(tag);
    if (field.type.t !== 'const') model[field.name] = decoded;
  }
  for (const field of spec.fields) {
    if (field.presence === 'required' && !seen.has(TAGS[field.tag])) {
      fail('MISSING_FIELD', field, `${command} ${kind} needs ${TAG_NAMES.get(TAGS[field.tag])}`);
    }
  }
  spec.check?.(model);
  return model as unknown as Message;
}
