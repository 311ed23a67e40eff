// CRC-32 and COBS of the station <-> device protocol (main/core/device/protocol), checked against
// the published check value and the COBS examples of Cheshire and Baker / Wikipedia.
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, it } from 'node:test';
import {
  CobsError,
  cobsDecode,
  cobsEncode,
  cobsMaxEncodedLength,
  crc32,
  CRC32_CHECK_VALUE,
} from '../../main/core/device/protocol';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const run = (from: number, to: number) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('CRC-32', () => {
  it('has the check value 0xCBF43926 for "123456789"', () => {
    assert.equal(CRC32_CHECK_VALUE, 0xcbf43926);
    assert.equal(crc32(Buffer.from('123456789', 'ascii')), 0xcbf43926);
  });

  it('is 0 for the empty input and matches known vectors', () => {
    assert.equal(crc32(Buffer.alloc(0)), 0);
    assert.equal(crc32(Buffer.from('a')), 0xe8b7be43);
    assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  });

  it('agrees with zlib on random inputs', { skip: typeof zlibCrc32 !== 'function' }, () => {
    const rand = prng(7);
    for (let n = 0; n < 200; n++) {
      const data = Buffer.from(Array.from({ length: Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)));
      assert.equal(crc32(data), zlibCrc32(data));
    }
  });
});

describe('COBS', () => {
  // Examples from the COBS article (Wikipedia), encodings without the 0x00 delimiter.
  const known: [string, Buffer, Buffer][] = [
    ['empty', bytes(''), bytes('01')],
    ['one zero', bytes('00'), bytes('01 01')],
    ['two zeros', bytes('00 00'), bytes('01 01 01')],
    ['zero inside', bytes('00 11 00'), bytes('01 02 11 01')],
    ['mixed', bytes('11 22 00 33'), bytes('03 11 22 02 33')],
    ['no zero', bytes('11 22 33 44'), bytes('05 11 22 33 44')],
    ['trailing zeros', bytes('11 00 00 00'), bytes('02 11 01 01 01')],
    ['254 non-zero bytes', run(1, 254), Buffer.concat([bytes('ff'), run(1, 254)])],
    [
      'a zero then 254 non-zero bytes',
      Buffer.concat([bytes('00'), run(1, 254)]),
      Buffer.concat([bytes('01 ff'), run(1, 254)]),
    ],
    ['255 non-zero bytes', run(1, 255), Buffer.concat([bytes('ff'), run(1, 254), bytes('02 ff')])],
    [
      '254 non-zero bytes then a zero',
      Buffer.concat([run(2, 255), bytes('00')]),
      Buffer.concat([bytes('ff'), run(2, 255), bytes('01 01')]),
    ],
    [
      '253 non-zero bytes then a zero and one more',
      Buffer.concat([run(3, 255), bytes('00 01')]),
      Buffer.concat([bytes('fe'), run(3, 255), bytes('02 01')]),
    ],
  ];
  for (const [name, decoded, encoded] of known) {
    it(`encodes and decodes: ${name}`, () => {
      assert.equal(hex(cobsEncode(decoded)), hex(encoded));
      assert.equal(hex(cobsDecode(encoded)), hex(decoded));
      assert.ok(encoded.length <= cobsMaxEncodedLength(decoded.length));
    });
  }

  it('round-trips all-zero inputs and long non-zero runs of every length around 254', () => {
    for (const length of [1, 2, 253, 254, 255, 256, 507, 508, 509, 1000, 4164]) {
      const zeros = Buffer.alloc(length);
      const encodedZeros = cobsEncode(zeros);
      assert.equal(encodedZeros.length, length + 1);
      assert.ok(encodedZeros.every((b) => b === 1));
      assert.equal(hex(cobsDecode(encodedZeros)), hex(zeros));

      const nonZero = Buffer.alloc(length, 0x5a);
      const encoded = cobsEncode(nonZero);
      assert.equal(encoded.length, cobsMaxEncodedLength(length), `worst case for ${length}`);
      assert.ok(!encoded.includes(0));
      assert.equal(hex(cobsDecode(encoded)), hex(nonZero));
    }
  });

  it('never emits 0x00 and round-trips random inputs', () => {
    const rand = prng(99);
    for (let n = 0; n < 2000; n++) {
      const zeroRate = [0, 0.01, 0.3, 0.9][n % 4]!;
      const data = Buffer.from(
        Array.from({ length: Math.floor(rand() * 1200) }, () => (rand() < zeroRate ? 0 : 1 + Math.floor(rand() * 255))),
      );
      const encoded = cobsEncode(data);
      assert.ok(!encoded.includes(0));
      assert.ok(encoded.length <= cobsMaxEncodedLength(data.length));
      assert.equal(hex(cobsDecode(encoded)), hex(data));
    }
  });

  it('accepts the redundant empty block after a final 0xFF block', () => {
    assert.equal(hex(cobsDecode(Buffer.concat([bytes('ff'), run(1, 254), bytes('01')]))), hex(run(1, 254)));
  });

  it('rejects malformed input', () => {
    const malformed: [string, Buffer][] = [
      ['empty', bytes('')],
      ['a 0x00 code byte', bytes('00')],
      ['a 0x00 inside a block', bytes('03 11 00')],
      ['a block running past the end', bytes('05 11 22')],
      ['a last block one byte short', Buffer.concat([bytes('ff'), run(1, 253)])],
      ['a 0x00 after a valid block', bytes('02 11 00 01')],
    ];
    for (const [name, input] of malformed) {
      assert.throws(() => cobsDecode(input), CobsError, name);
    }
  });
});
