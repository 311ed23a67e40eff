// Messages of the station <-> device protocol: every request and response round-trips through
// encodeMessage / decodeMessage (and through frames), the specification's worked example is
// byte-exact, and malformed messages raise ProtocolError with the right code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  COMMAND_CODES,
  decodeMessage,
  DEVICE_ERROR_CODES,
  deviceErrorName,
  encodeFrame,
  encodeMessage,
  FACTORY_RESET_CONFIRM,
  FrameDecoder,
  LOCK_CONFIRM,
  MAX_MESSAGE_SIZE,
  negotiateVersion,
  nextSeq,
  proofOfPossessionMessage,
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  requestTimeoutMs,
  TAGS,
  chunkSizeFor,
  capabilityFor,
  type Message,
  type ProtocolErrorCode,
} from '../../main/core/device/protocol';

const bytes = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const spki = bytes('3059301306072a8648ce3d020106082a8648ce3d03010703420004').toString('hex') + 'ab'.repeat(64);
const SUBJECT = bytes('3011310f300d06035504030c06303030313233'); // CN=000123

const samples: Message[] = [
  { kind: 'request', seq: 0, command: 'identify' },
  { kind: 'request', seq: 1, command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'csr', subject: SUBJECT },
  { kind: 'request', seq: 2, command: 'generateKey', slot: 3, keyType: 'ecP384', output: 'publicKey' },
  { kind: 'request', seq: 3, command: 'writeKey', slot: 0, keyType: 'ecP256', privateKey: Buffer.alloc(32, 7) },
  { kind: 'request', seq: 4, command: 'writeKey', slot: 0, keyType: 'ecP384', privateKey: Buffer.alloc(48, 7) },
  { kind: 'request', seq: 5, command: 'writeKey', slot: 0, keyType: 'ed25519', privateKey: Buffer.alloc(32, 9) },
  {
    kind: 'request',
    seq: 6,
    command: 'writeChain',
    slot: 1,
    offset: 0,
    totalLength: 5000,
    data: Buffer.alloc(4096, 0x30),
  },
  {
    kind: 'request',
    seq: 7,
    command: 'writeChain',
    slot: 1,
    offset: 4096,
    totalLength: 5000,
    data: Buffer.alloc(904, 0),
  },
  { kind: 'request', seq: 8, command: 'readSlot', slot: 2, offset: 4096, maxLength: 4096 },
  { kind: 'request', seq: 9, command: 'signChallenge', slot: 0, challenge: Buffer.alloc(32, 0xc1) },
  { kind: 'request', seq: 10, command: 'signChallenge', slot: 0, challenge: Buffer.alloc(256, 0xc2) },
  { kind: 'request', seq: 11, command: 'lock' },
  { kind: 'request', seq: 0xffff, command: 'factoryReset' },
  {
    kind: 'response',
    seq: 0x2a17,
    command: 'identify',
    protocolVersions: [1, 2],
    capabilities: ['keyGeneration', 'csr', 'keyImport', 'factoryReset'],
    maxMessageSize: 4160,
    serialNumber: '000123',
    chipId: bytes('e4b3230011223344'),
    macAddress: bytes('001122334455'),
    firmwareVersion: '1.4.2-rc.1 (Grün)',
    keyTypes: ['ecP256', 'ecP384', 'ed25519'],
    slots: [
      { id: 0, kind: 'deviceKey', occupied: true, keyType: 'ecP256', capacity: 0 },
      { id: 1, kind: 'certificateChain', occupied: true, linkedSlot: 0, capacity: 8192 },
      { id: 2, kind: 'rootCa', occupied: false, capacity: 2048 },
    ],
    lifecycle: 'locked',
  },
  {
    kind: 'response',
    seq: 1,
    command: 'identify',
    protocolVersions: [1],
    capabilities: [],
    maxMessageSize: 512,
    serialNumber: ' ~',
    chipId: bytes('01'),
    firmwareVersion: 'x',
    keyTypes: ['ecP256'],
    slots: [],
    lifecycle: 'open',
  },
  {
    kind: 'response',
    seq: 1,
    command: 'generateKey',
    slot: 0,
    keyType: 'ecP256',
    publicKey: bytes(spki),
    csr: Buffer.alloc(300, 0x30),
  },
  { kind: 'response', seq: 2, command: 'generateKey', slot: 3, keyType: 'ecP384', publicKey: bytes(spki) },
  { kind: 'response', seq: 3, command: 'writeKey', slot: 0, publicKey: bytes(spki) },
  { kind: 'response', seq: 6, command: 'writeChain', slot: 1, nextOffset: 4096 },
  { kind: 'response', seq: 7, command: 'writeChain', slot: 1, nextOffset: 5000, digest: Buffer.alloc(32, 0xdd) },
  {
    kind: 'response',
    seq: 8,
    command: 'readSlot',
    slot: 2,
    offset: 4096,
    totalLength: 5000,
    data: Buffer.alloc(904, 0x31),
  },
  { kind: 'response', seq: 8, command: 'readSlot', slot: 2, offset: 5000, totalLength: 5000, data: Buffer.alloc(0) },
  { kind: 'response', seq: 9, command: 'signChallenge', slot: 0, signature: Buffer.alloc(71, 0x30) },
  { kind: 'response', seq: 11, command: 'lock' },
  { kind: 'response', seq: 0xffff, command: 'factoryReset' },
  {
    kind: 'error',
    seq: 12,
    command: 'generateKey',
    code: DEVICE_ERROR_CODES.SLOT_OCCUPIED,
    message: 'slot 0 holds a key',
  },
  { kind: 'error', seq: 13, command: 'lock', code: 0xbeef },
];

function label(m: Message): string {
  return `${m.kind} ${m.command} seq ${m.seq}`;
}

describe('message round trip', () => {
  for (const message of samples) {
    it(`${label(message)} decodes to an equal value, directly and through a frame`, () => {
      const encoded = encodeMessage(message);
      assert.deepStrictEqual(decodeMessage(encoded), message);
      const events = new FrameDecoder().push(Buffer.concat([Buffer.from([0]), encodeFrame(encoded)]));
      assert.equal(events.length, 1);
      const event = events[0]!;
      assert.ok(event.kind === 'frame');
      assert.deepStrictEqual(decodeMessage(event.message), message);
    });
  }

  it('covers every command as a request and as a response', () => {
    for (const command of Object.keys(COMMAND_CODES)) {
      for (const kind of ['request', 'response']) {
        assert.ok(
          samples.some((m) => m.command === command && m.kind === kind),
          `${kind} ${command}`,
        );
      }
    }
  });

  it('decoded Buffers are copies, not views of the input', () => {
    const encoded = encodeMessage(samples[9]!);
    const decoded = decodeMessage(encoded);
    encoded.fill(0);
    assert.ok(decoded.kind === 'request' && decoded.command === 'signChallenge');
    assert.equal(decoded.challenge[0], 0xc1);
  });
});

describe('the worked example in resources/device-protocol.md', () => {
  const doc = readFileSync(new URL('../../resources/device-protocol.md', import.meta.url), 'utf8');
  const compactDoc = doc.replace(/\s+/g, '').toLowerCase();

  const request: Message = { kind: 'request', seq: 0x2a17, command: 'identify' };
  const response: Message = {
    kind: 'response',
    seq: 0x2a17,
    command: 'identify',
    protocolVersions: [1],
    capabilities: ['keyGeneration', 'csr', 'factoryReset'],
    maxMessageSize: 4160,
    serialNumber: '000123',
    chipId: bytes('e4b3230011223344'),
    macAddress: bytes('001122334455'),
    firmwareVersion: '1.4.2',
    keyTypes: ['ecP256'],
    slots: [
      { id: 0, kind: 'deviceKey', occupied: false, capacity: 0 },
      { id: 1, kind: 'certificateChain', occupied: false, linkedSlot: 0, capacity: 3072 },
      { id: 2, kind: 'rootCa', occupied: true, capacity: 1024 },
    ],
    lifecycle: 'open',
  };
  const expected = {
    requestMessage: '01012a170100',
    requestFrame: '0601012a1701058803905800',
    responseMessage:
      '01022a170100010001010200040000000b0300021040040006303030313233050008e4b3230011223344' +
      '060006001122334455070005312e342e320800010109000c00010000ff0000000000000009000c0102' +
      '00000000000000000c0009000c02030100ff000000000004000a000101',
    responseFrame:
      '0601022a170102010401010202040101030b0305021040040906303030313233050508e4b3230611' +
      '223344060206071122334455070805312e342e320804010109020c02010102ff01010101010102' +
      '09040c010201010101010101020c0209050c02030102ff010101010204020a0701010d306a7000',
  };

  it('encodes to the documented bytes', () => {
    assert.equal(encodeMessage(request).toString('hex'), expected.requestMessage);
    assert.equal(encodeFrame(encodeMessage(request)).toString('hex'), expected.requestFrame);
    assert.equal(encodeMessage(response).toString('hex'), expected.responseMessage);
    assert.equal(encodeFrame(encodeMessage(response)).toString('hex'), expected.responseFrame);
    assert.deepStrictEqual(decodeMessage(bytes(expected.responseMessage)), response);
  });

  it('appears in the document byte for byte', () => {
    for (const [name, value] of Object.entries(expected)) assert.ok(compactDoc.includes(value), name);
  });
});

/** A raw message: header then TLVs given as [tag, hex value]. */
function raw(
  kind: number,
  command: number,
  fields: [number, string][],
  options: { version?: number; seq?: number } = {},
): Buffer {
  const seq = options.seq ?? 0x0102;
  const parts = [Buffer.from([options.version ?? 1, kind, seq >> 8, seq & 0xff, command, 0])];
  for (const [tag, value] of fields) {
    const v = bytes(value);
    parts.push(Buffer.from([tag, v.length >> 8, v.length & 0xff]), v);
  }
  return Buffer.concat(parts);
}

const REQ = 0x01;
const RESP = 0x02;
const T = TAGS;
const C = COMMAND_CODES;

function throwsCode(fn: () => unknown, code: ProtocolErrorCode, what: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `${what}: not a ProtocolError: ${String(e)}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return true;
  });
}

describe('decodeMessage on malformed input', () => {
  const readSlot: [number, string][] = [
    [T.SLOT, '01'],
    [T.OFFSET, '00000000'],
    [T.MAX_LENGTH, '1000'],
  ];

  it('accepts a well-formed request with fields in any order, skipping unknown non-critical tags', () => {
    const m = decodeMessage(raw(REQ, C.readSlot, [[0x7f, 'cafe'], ...readSlot.reverse(), [0x00, '']]));
    assert.deepStrictEqual(m, {
      kind: 'request',
      seq: 0x0102,
      command: 'readSlot',
      slot: 1,
      offset: 0,
      maxLength: 4096,
    });
  });

  it('ignores the header flags byte', () => {
    const message = raw(REQ, C.identify, []);
    message[5] = 0xff;
    assert.deepStrictEqual(decodeMessage(message), { kind: 'request', seq: 0x0102, command: 'identify' });
  });

  const cases: [string, Buffer, ProtocolErrorCode][] = [
    ['empty message', Buffer.alloc(0), 'TRUNCATED_HEADER'],
    ['five-byte header', bytes('0101000101'), 'TRUNCATED_HEADER'],
    ['version 2', raw(REQ, C.identify, [], { version: 2 }), 'UNSUPPORTED_VERSION'],
    ['version 0', raw(REQ, C.identify, [], { version: 0 }), 'UNSUPPORTED_VERSION'],
    ['kind 0x04', raw(0x04, C.identify, []), 'UNKNOWN_KIND'],
    ['command 0x00', raw(REQ, 0x00, []), 'UNKNOWN_COMMAND'],
    ['command 0x42', raw(REQ, 0x42, []), 'UNKNOWN_COMMAND'],
    ['TLV header cut after the tag', Buffer.concat([raw(REQ, C.identify, []), bytes('10')]), 'TRUNCATED_FIELD'],
    ['TLV header cut in the length', Buffer.concat([raw(REQ, C.identify, []), bytes('1000')]), 'TRUNCATED_FIELD'],
    [
      'TLV value shorter than its length',
      Buffer.concat([raw(REQ, C.readSlot, readSlot), bytes('7f000501020304')]),
      'TRUNCATED_FIELD',
    ],
    [
      'missing MAX_LENGTH',
      raw(
        REQ,
        C.readSlot,
        readSlot.filter(([t]) => t !== T.MAX_LENGTH),
      ),
      'MISSING_FIELD',
    ],
    ['duplicate SLOT', raw(REQ, C.readSlot, [...readSlot, [T.SLOT, '02']]), 'DUPLICATE_FIELD'],
    [
      'OFFSET of 3 bytes',
      raw(REQ, C.readSlot, [
        [T.SLOT, '01'],
        [T.OFFSET, '000000'],
        [T.MAX_LENGTH, '0010'],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    [
      'SLOT of 2 bytes',
      raw(REQ, C.readSlot, [
        [T.SLOT, '0001'],
        [T.OFFSET, '00000000'],
        [T.MAX_LENGTH, '0010'],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    [
      'slot 0xFF',
      raw(REQ, C.readSlot, [
        [T.SLOT, 'ff'],
        [T.OFFSET, '00000000'],
        [T.MAX_LENGTH, '0010'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    [
      'MAX_LENGTH 0',
      raw(REQ, C.readSlot, [
        [T.SLOT, '01'],
        [T.OFFSET, '00000000'],
        [T.MAX_LENGTH, '0000'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    [
      'MAX_LENGTH 4097',
      raw(REQ, C.readSlot, [
        [T.SLOT, '01'],
        [T.OFFSET, '00000000'],
        [T.MAX_LENGTH, '1001'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    ['unknown critical tag', raw(REQ, C.readSlot, [...readSlot, [0x80, '01']]), 'UNKNOWN_CRITICAL_FIELD'],
    [
      'unknown key type',
      raw(REQ, C.generateKey, [
        [T.SLOT, '00'],
        [T.KEY_TYPE, '09'],
        [T.OUTPUT, '02'],
      ]),
      'UNSUPPORTED_KEY_TYPE',
    ],
    [
      'unknown OUTPUT',
      raw(REQ, C.generateKey, [
        [T.SLOT, '00'],
        [T.KEY_TYPE, '01'],
        [T.OUTPUT, '03'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    [
      'CSR without SUBJECT',
      raw(REQ, C.generateKey, [
        [T.SLOT, '00'],
        [T.KEY_TYPE, '01'],
        [T.OUTPUT, '01'],
      ]),
      'MISSING_FIELD',
    ],
    [
      'SUBJECT with OUTPUT = PUBLIC_KEY',
      raw(REQ, C.generateKey, [
        [T.SLOT, '00'],
        [T.KEY_TYPE, '01'],
        [T.OUTPUT, '02'],
        [T.SUBJECT, '3000'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    [
      'P-256 private key of 31 bytes',
      raw(REQ, C.writeKey, [
        [T.SLOT, '00'],
        [T.KEY_TYPE, '01'],
        [T.PRIVATE_KEY, '11'.repeat(31)],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    [
      'P-384 private key of 32 bytes',
      raw(REQ, C.writeKey, [
        [T.SLOT, '00'],
        [T.KEY_TYPE, '02'],
        [T.PRIVATE_KEY, '11'.repeat(32)],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    [
      'challenge of 31 bytes',
      raw(REQ, C.signChallenge, [
        [T.SLOT, '00'],
        [T.CHALLENGE, '11'.repeat(31)],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    [
      'challenge of 257 bytes',
      raw(REQ, C.signChallenge, [
        [T.SLOT, '00'],
        [T.CHALLENGE, '11'.repeat(257)],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    [
      'chunk past TOTAL_LENGTH',
      raw(REQ, C.writeChain, [
        [T.SLOT, '01'],
        [T.OFFSET, '00000004'],
        [T.TOTAL_LENGTH, '00000005'],
        [T.DATA, '3003'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    [
      'empty chunk',
      raw(REQ, C.writeChain, [
        [T.SLOT, '01'],
        [T.OFFSET, '00000000'],
        [T.TOTAL_LENGTH, '00000005'],
        [T.DATA, ''],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    [
      'TOTAL_LENGTH 0',
      raw(REQ, C.writeChain, [
        [T.SLOT, '01'],
        [T.OFFSET, '00000000'],
        [T.TOTAL_LENGTH, '00000000'],
        [T.DATA, '30'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    ['lock without CONFIRM', raw(REQ, C.lock, []), 'MISSING_FIELD'],
    [
      'lock with the factory-reset CONFIRM',
      raw(REQ, C.lock, [[T.CONFIRM, FACTORY_RESET_CONFIRM.toString(16)]]),
      'BAD_FIELD_VALUE',
    ],
    [
      'factory reset with the lock CONFIRM',
      raw(REQ, C.factoryReset, [[T.CONFIRM, LOCK_CONFIRM.toString(16)]]),
      'BAD_FIELD_VALUE',
    ],
    ['serial number with a control character', identifyWith(T.SERIAL_NUMBER, '3030310a'), 'BAD_FIELD_VALUE'],
    ['serial number of 65 bytes', identifyWith(T.SERIAL_NUMBER, '31'.repeat(65)), 'BAD_FIELD_LENGTH'],
    ['firmware version not UTF-8', identifyWith(T.FIRMWARE_VERSION, '31c3'), 'BAD_FIELD_VALUE'],
    ['MAC of 8 bytes', identifyWith(T.MAC_ADDRESS, '0011223344556677'), 'BAD_FIELD_LENGTH'],
    ['SLOT_INFO of 11 bytes', identifyWith(T.SLOT_INFO, '00010000ff00000000000000'.slice(2)), 'BAD_FIELD_LENGTH'],
    ['protocol version 0 listed', identifyWith(T.PROTOCOL_VERSIONS, '0100'), 'BAD_FIELD_VALUE'],
    ['protocol version listed twice', identifyWith(T.PROTOCOL_VERSIONS, '0101'), 'BAD_FIELD_VALUE'],
    ['no protocol versions', identifyWith(T.PROTOCOL_VERSIONS, ''), 'BAD_FIELD_LENGTH'],
    ['lifecycle 0x03', identifyWith(T.LIFECYCLE, '03'), 'BAD_FIELD_VALUE'],
    ['MAX_MESSAGE_SIZE above 4160', identifyWith(T.MAX_MESSAGE_SIZE, '1041'), 'BAD_FIELD_VALUE'],
    [
      'read past TOTAL_LENGTH',
      raw(RESP, C.readSlot, [
        [T.SLOT, '01'],
        [T.OFFSET, '00000002'],
        [T.TOTAL_LENGTH, '00000002'],
        [T.DATA, '30'],
      ]),
      'BAD_FIELD_VALUE',
    ],
    [
      'DIGEST of 20 bytes',
      raw(RESP, C.writeChain, [
        [T.SLOT, '01'],
        [T.NEXT_OFFSET, '00000002'],
        [T.DIGEST, '00'.repeat(20)],
      ]),
      'BAD_FIELD_LENGTH',
    ],
    ['error without ERROR_CODE', raw(0x03, C.lock, []), 'MISSING_FIELD'],
    ['error code 0', raw(0x03, C.lock, [[T.ERROR_CODE, '0000']]), 'BAD_FIELD_VALUE'],
    ['message above 4160 bytes', raw(RESP, C.readSlot, [[0x7f, '00'.repeat(MAX_MESSAGE_SIZE)]]), 'MESSAGE_TOO_LARGE'],
  ];
  for (const [name, message, code] of cases) {
    it(`${name}: ${code}`, () => throwsCode(() => decodeMessage(message), code, name));
  }

  it('maps each ProtocolError code to the device error code a device answers with', () => {
    const wire = (message: Buffer) => {
      try {
        decodeMessage(message);
      } catch (e) {
        assert.ok(e instanceof ProtocolError);
        return e.wireCode;
      }
      assert.fail('no error');
    };
    assert.equal(wire(raw(REQ, 0x42, [])), DEVICE_ERROR_CODES.UNKNOWN_COMMAND);
    assert.equal(wire(raw(REQ, C.identify, [], { version: 9 })), DEVICE_ERROR_CODES.UNSUPPORTED_VERSION);
    assert.equal(
      wire(
        raw(REQ, C.generateKey, [
          [T.SLOT, '00'],
          [T.KEY_TYPE, '09'],
          [T.OUTPUT, '02'],
        ]),
      ),
      DEVICE_ERROR_CODES.UNSUPPORTED_KEY_TYPE,
    );
    assert.equal(wire(raw(REQ, C.lock, [])), DEVICE_ERROR_CODES.BAD_REQUEST);
    for (const value of Object.values(PROTOCOL_ERROR_CODES)) assert.ok(deviceErrorName(value));
  });
});

/** A valid IDENTIFY response with one field replaced. */
function identifyWith(tag: number, value: string): Buffer {
  const fields: [number, string][] = [
    [T.PROTOCOL_VERSIONS, '01'],
    [T.CAPABILITIES, '00000001'],
    [T.MAX_MESSAGE_SIZE, '1040'],
    [T.SERIAL_NUMBER, '303031'],
    [T.CHIP_ID, '01'],
    [T.MAC_ADDRESS, '001122334455'],
    [T.FIRMWARE_VERSION, '31'],
    [T.KEY_TYPES, '01'],
    [T.SLOT_INFO, '00010000ff00000000000000'],
    [T.LIFECYCLE, '01'],
  ];
  return raw(
    RESP,
    C.identify,
    fields.map(([t, v]) => [t, t === tag ? value : v]),
  );
}

describe('forward compatibility of IDENTIFY', () => {
  it('leaves out key types, capability bits and slot kinds this station does not know', () => {
    const m = decodeMessage(
      raw(RESP, C.identify, [
        [T.PROTOCOL_VERSIONS, '0102'],
        [T.CAPABILITIES, '80000003'],
        [T.MAX_MESSAGE_SIZE, '0200'],
        [T.SERIAL_NUMBER, '303031'],
        [T.CHIP_ID, '01'],
        [T.FIRMWARE_VERSION, '31'],
        [T.KEY_TYPES, '4001'],
        [T.SLOT_INFO, '00010107ff00000000000000'],
        [T.SLOT_INFO, '01090000ff00000000000100'],
        [T.LIFECYCLE, '01'],
        [0x7e, 'ffff'],
      ]),
    );
    assert.deepStrictEqual(m, {
      kind: 'response',
      seq: 0x0102,
      command: 'identify',
      protocolVersions: [1, 2],
      capabilities: ['keyGeneration', 'csr'],
      maxMessageSize: 512,
      serialNumber: '001',
      chipId: bytes('01'),
      firmwareVersion: '1',
      keyTypes: ['ecP256'],
      slots: [{ id: 0, kind: 'deviceKey', occupied: true, capacity: 0 }],
      lifecycle: 'open',
    });
  });
});

describe('encodeMessage refuses values the wire cannot carry', () => {
  const cases: [string, Message, ProtocolErrorCode][] = [
    ['seq 65536', { kind: 'request', seq: 65536, command: 'identify' }, 'BAD_FIELD_VALUE'],
    [
      'slot 255',
      { kind: 'request', seq: 1, command: 'signChallenge', slot: 255, challenge: Buffer.alloc(32) },
      'BAD_FIELD_VALUE',
    ],
    [
      'CSR without subject',
      { kind: 'request', seq: 1, command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'csr' },
      'MISSING_FIELD',
    ],
    [
      'a 4097-byte chunk',
      {
        kind: 'request',
        seq: 1,
        command: 'writeChain',
        slot: 1,
        offset: 0,
        totalLength: 5000,
        data: Buffer.alloc(4097),
      },
      'BAD_FIELD_LENGTH',
    ],
    [
      'a serial number with a newline',
      { ...(samples[13] as Message), serialNumber: '0001\n' } as Message,
      'BAD_FIELD_VALUE',
    ],
    ['a lone surrogate', { kind: 'error', seq: 1, command: 'lock', code: 2, message: 'bad \ud800' }, 'BAD_FIELD_VALUE'],
    [
      'an unknown key type',
      {
        kind: 'request',
        seq: 1,
        command: 'writeKey',
        slot: 0,
        keyType: 'rsa2048' as 'ecP256',
        privateKey: Buffer.alloc(32),
      },
      'BAD_FIELD_VALUE',
    ],
  ];
  for (const [name, message, code] of cases) {
    it(name, () => throwsCode(() => encodeMessage(message), code, name));
  }
});

describe('error codes, negotiation, timing and proof of possession', () => {
  it('has unique, stable device error codes', () => {
    const values = Object.values(DEVICE_ERROR_CODES);
    assert.equal(new Set(values).size, values.length);
    assert.equal(DEVICE_ERROR_CODES.UNKNOWN_COMMAND, 0x0001);
    assert.equal(DEVICE_ERROR_CODES.DEVICE_LOCKED, 0x0020);
    assert.equal(deviceErrorName(0x0013), 'SLOT_OCCUPIED');
    assert.equal(deviceErrorName(0xbeef), undefined);
  });

  it('picks the highest common version and refuses a device without one', () => {
    assert.equal(negotiateVersion([1]), 1);
    assert.equal(negotiateVersion([1, 2, 3], [1, 2]), 2);
    throwsCode(() => negotiateVersion([2, 3]), 'NO_COMMON_VERSION', 'no overlap');
    assert.throws(() => negotiateVersion([2, 3]), /2, 3.*speaks 1/);
  });

  it('names the capability of each optional command and sizes chunks', () => {
    assert.equal(capabilityFor('generateKey', 'csr'), 'csr');
    assert.equal(capabilityFor('generateKey', 'publicKey'), 'keyGeneration');
    assert.equal(capabilityFor('writeKey'), 'keyImport');
    assert.equal(capabilityFor('lock'), undefined);
    assert.equal(chunkSizeFor(4160), 4096);
    assert.equal(chunkSizeFor(512), 485);
  });

  it('gives the last chain chunk the commit timeout and wraps sequence numbers', () => {
    const chunk = { command: 'writeChain', slot: 1, offset: 0, totalLength: 10, data: Buffer.alloc(4) } as const;
    assert.equal(requestTimeoutMs(chunk), 500);
    assert.equal(requestTimeoutMs({ ...chunk, offset: 6 }), 3000);
    assert.equal(requestTimeoutMs({ command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'publicKey' }), 10_000);
    assert.equal(nextSeq(0xffff), 0);
    assert.equal(nextSeq(7), 8);
  });

  it('signs a context string, 0x00, then the challenge', () => {
    const challenge = Buffer.alloc(32, 0xab);
    const message = proofOfPossessionMessage(challenge);
    assert.equal(message.subarray(0, 33).toString('latin1'), 'Trustline proof of possession v1\0');
    assert.ok(message.subarray(33).equals(challenge));
  });
});
