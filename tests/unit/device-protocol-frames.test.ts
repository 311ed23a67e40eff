// Framing of the station <-> device protocol: COBS(message || CRC-32 BE) + 0x00, and the
// streaming FrameDecoder under random chunking, corruption, truncation, garbage and oversize.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHUNK_MESSAGE_OVERHEAD,
  cobsEncode,
  crc32,
  DEVICE_CHUNK_TURNAROUND_MS,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  MAX_CHUNK_SIZE,
  MAX_ENCODED_FRAME_SIZE,
  MAX_FRAME_SIZE,
  MAX_MESSAGE_SIZE,
  ProtocolError,
  type FrameEvent,
} from '../../main/core/device/protocol';

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

function randomBytes(rand: () => number, length: number, zeroRate: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = rand() < zeroRate ? 0 : 1 + Math.floor(rand() * 255);
  return out;
}

/** Feeds `stream` to `decoder` in chunks of random sizes up to `maxChunk`. */
function feed(decoder: FrameDecoder, stream: Buffer, rand: () => number, maxChunk: number): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (let pos = 0; pos < stream.length;) {
    const size = 1 + Math.floor(rand() * maxChunk);
    events.push(...decoder.push(stream.subarray(pos, pos + size)));
    pos += size;
  }
  return events;
}

const frames = (events: FrameEvent[]) => events.flatMap((e) => (e.kind === 'frame' ? [e.message] : []));
const errors = (events: FrameEvent[]) => events.flatMap((e) => (e.kind === 'error' ? [e.reason] : []));
const SYNC = Buffer.from([0]);

describe('frame sizes', () => {
  it('are 4160-byte messages, 4164-byte frames and at most 4181 encoded bytes plus the delimiter', () => {
    assert.equal(MAX_MESSAGE_SIZE, 4160);
    assert.equal(MAX_FRAME_SIZE, 4164);
    assert.equal(MAX_ENCODED_FRAME_SIZE, 4181);
    assert.equal(encodeFrame(Buffer.alloc(MAX_MESSAGE_SIZE, 0xaa)).length, MAX_ENCODED_FRAME_SIZE + 1);
  });

  it('refuses to encode a message above the maximum', () => {
    assert.throws(
      () => encodeFrame(Buffer.alloc(MAX_MESSAGE_SIZE + 1)),
      (e: unknown) => e instanceof ProtocolError && e.code === 'MESSAGE_TOO_LARGE',
    );
  });

  it('puts the CRC-32 big-endian after the message and ends with one 0x00', () => {
    const frame = encodeFrame(Buffer.from('123456789', 'ascii'));
    assert.equal(frame.toString('hex'), '0e313233343536373839cbf4392600');
  });
});

describe('FrameDecoder round trip (property test)', () => {
  it('returns 3000 random messages of 0..4160 bytes unchanged under random chunking', () => {
    const rand = prng(20240611);
    const boundaries = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255, 256, 507, 508, 509, 4095, 4096, 4159, 4160];
    const messages: Buffer[] = [];
    for (let n = 0; n < 3000; n++) {
      const size =
        n < boundaries.length * 3
          ? boundaries[n % boundaries.length]!
          : rand() < 0.2
            ? Math.floor(rand() * (MAX_MESSAGE_SIZE + 1))
            : Math.floor(rand() * 300);
      const zeroRate = [0, 0.004, 0.1, 0.5, 1][n % 5]!;
      messages.push(randomBytes(rand, size, zeroRate));
    }
    // Five streams, each chunked differently: single bytes, small, medium, whole frames and larger.
    const groups = [
      messages.slice(0, 200),
      messages.slice(200, 1000),
      messages.slice(1000, 1800),
      messages.slice(1800, 2400),
      messages.slice(2400),
    ];
    const chunkSizes = [1, 17, 300, 5000, 20000];
    groups.forEach((group, i) => {
      const decoder = new FrameDecoder();
      const stream = Buffer.concat([SYNC, ...group.map((m) => encodeFrame(m))]);
      const events = feed(decoder, stream, rand, chunkSizes[i]!);
      assert.deepEqual(errors(events), []);
      const got = frames(events);
      assert.equal(got.length, group.length);
      got.forEach((message, j) => assert.ok(message.equals(group[j]!), `stream ${i}, message ${j}`));
    });
  });

  it('drops everything before the first 0x00 silently (power-on)', () => {
    const decoder = new FrameDecoder();
    const message = Buffer.from('after power-on');
    const events = decoder.push(
      Buffer.concat([Buffer.from([0x13, 0x37, 0xff, 0x05, 0x01]), SYNC, encodeFrame(message)]),
    );
    assert.deepEqual(events, [{ kind: 'frame', message }]);
  });

  it('loses a frame that arrives before its first 0x00, then reset() waits for sync again', () => {
    const decoder = new FrameDecoder();
    const a = Buffer.from('a');
    const b = Buffer.from('b');
    assert.deepEqual(decoder.push(Buffer.concat([encodeFrame(a), encodeFrame(b)])), [{ kind: 'frame', message: b }]);
    decoder.reset();
    assert.deepEqual(decoder.push(Buffer.concat([Buffer.from([1, 2, 3]), encodeFrame(a)])), []);
  });
});

describe('FrameDecoder under corruption', () => {
  const rand = prng(4242);
  const samples = [0, 1, 6, 40, 120, 400].map((size, i) => randomBytes(rand, size, [0.2, 0, 0.05, 0.3, 0, 0.1][i]!));
  const good = Buffer.from('the next frame still decodes');

  it('detects every single-bit flip of sample frames and recovers for the next frame', () => {
    let flips = 0;
    for (const message of samples) {
      const frame = encodeFrame(message);
      for (let bit = 0; bit < frame.length * 8; bit++) {
        const corrupted = Buffer.from(frame);
        corrupted[bit >> 3]! ^= 1 << (bit & 7);
        const decoder = new FrameDecoder();
        // The extra 0x00 ends a frame whose own delimiter the flip removed.
        const events = decoder.push(Buffer.concat([SYNC, corrupted, SYNC]));
        assert.deepEqual(frames(events), [], `bit ${bit} of a ${message.length}-byte message decoded to a frame`);
        assert.ok(errors(events).length > 0, `bit ${bit} of a ${message.length}-byte message went unreported`);
        assert.deepEqual(decoder.push(encodeFrame(good)), [{ kind: 'frame', message: good }]);
        flips++;
      }
    }
    assert.ok(flips > 4000);
  });

  it('never decodes a truncated frame, and recovers for the next frame', () => {
    for (const message of samples) {
      const frame = encodeFrame(message);
      for (let cut = 1; cut < frame.length - 1; cut++) {
        const decoder = new FrameDecoder();
        const events = decoder.push(Buffer.concat([SYNC, frame.subarray(0, cut), SYNC]));
        assert.deepEqual(frames(events), [], `cut at ${cut} of a ${message.length}-byte message decoded`);
        assert.equal(errors(events).length, 1);
        assert.deepEqual(decoder.push(encodeFrame(good)), [{ kind: 'frame', message: good }]);
      }
    }
  });

  it('reports a corrupted CRC as crc and a malformed COBS block as cobs', () => {
    const message = Buffer.from('hello device');
    const raw = Buffer.concat([message, Buffer.alloc(4)]);
    raw.writeUInt32BE((crc32(message) ^ 1) >>> 0, message.length);
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(Buffer.concat([SYNC, cobsEncode(raw), SYNC])), [{ kind: 'error', reason: 'crc' }]);
    assert.deepEqual(decoder.push(Buffer.from([0x09, 0x41, 0x42, 0x00])), [{ kind: 'error', reason: 'cobs' }]);
    assert.deepEqual(decoder.push(Buffer.from([0x01, 0x01, 0x00])), [{ kind: 'error', reason: 'crc' }]);
  });

  it('ignores 0x00 runs and reports garbage between frames without losing frames', () => {
    const rand2 = prng(77);
    const messages = Array.from({ length: 300 }, () => randomBytes(rand2, Math.floor(rand2() * 200), 0.05));
    const parts: Buffer[] = [SYNC];
    let garbageRuns = 0;
    for (const message of messages) {
      parts.push(encodeFrame(message));
      const r = rand2();
      if (r < 0.3)
        parts.push(Buffer.alloc(1 + Math.floor(rand2() * 10))); // 0x00 run: nothing
      else if (r < 0.6) {
        parts.push(randomBytes(rand2, 1 + Math.floor(rand2() * 60), 0), Buffer.alloc(1 + Math.floor(rand2() * 3)));
        garbageRuns++;
      }
    }
    const events = feed(new FrameDecoder(), Buffer.concat(parts), rand2, 64);
    const got = frames(events);
    assert.equal(got.length, messages.length);
    got.forEach((m, i) => assert.ok(m.equals(messages[i]!)));
    assert.equal(errors(events).length, garbageRuns);
  });

  it('rejects an oversize frame once and decodes the next frame', () => {
    const big = Buffer.alloc(MAX_MESSAGE_SIZE + 1, 0x42);
    const raw = Buffer.concat([big, Buffer.alloc(4)]);
    raw.writeUInt32BE(crc32(big), big.length);
    const next = Buffer.from('next');
    const decoder = new FrameDecoder();
    const stream = Buffer.concat([SYNC, cobsEncode(raw), SYNC, encodeFrame(next)]);
    assert.deepEqual(feed(decoder, stream, prng(1), 700), [
      { kind: 'error', reason: 'oversize' },
      { kind: 'frame', message: next },
    ]);
  });

  it('rejects a long run of non-zero garbage once, and a frame that decodes too large', () => {
    const decoder = new FrameDecoder();
    const next = Buffer.from('next');
    assert.deepEqual(decoder.push(Buffer.concat([SYNC, Buffer.alloc(50_000, 0x7e), SYNC, encodeFrame(next)])), [
      { kind: 'error', reason: 'oversize' },
      { kind: 'frame', message: next },
    ]);
    // 4181 encoded bytes of 0x01 decode to 4180 zeros: within the encoded limit, above the frame limit.
    assert.deepEqual(
      decoder.push(Buffer.concat([Buffer.alloc(MAX_ENCODED_FRAME_SIZE, 0x01), SYNC, encodeFrame(next)])),
      [
        { kind: 'error', reason: 'oversize' },
        { kind: 'frame', message: next },
      ],
    );
  });

  it('honours a smaller maxMessageSize', () => {
    const decoder = new FrameDecoder({ maxMessageSize: 16 });
    const ok = Buffer.alloc(16, 1);
    assert.deepEqual(decoder.push(Buffer.concat([SYNC, encodeFrame(ok), encodeFrame(Buffer.alloc(17, 1))])), [
      { kind: 'frame', message: ok },
      { kind: 'error', reason: 'oversize' },
    ]);
  });
});

describe('throughput at 115200 baud 8N1', () => {
  // 11,520 bytes/s on the wire. A 4 KiB chunk round trip: the station's leading 0x00 and request
  // frame, the device's turnaround (DEVICE_CHUNK_TURNAROUND_MS) plus 20 ms of host/USB latency,
  // then the response frame. Payloads are non-zero bytes: the COBS worst case.
  const LINE_BYTES_PER_S = 11_520;
  const rate = (wireBytes: number, turnaroundMs: number) =>
    MAX_CHUNK_SIZE / (wireBytes / LINE_BYTES_PER_S + turnaroundMs / 1000);
  const turnaround = DEVICE_CHUNK_TURNAROUND_MS + 20;

  it('chain writes reach at least 90% of 11,520 bytes/s', () => {
    const request = encodeMessage({
      kind: 'request',
      seq: 0xffff,
      command: 'writeChain',
      slot: 1,
      offset: 0x10000,
      totalLength: 0x20000,
      data: Buffer.alloc(MAX_CHUNK_SIZE, 0xa5),
    });
    assert.equal(request.length, CHUNK_MESSAGE_OVERHEAD + MAX_CHUNK_SIZE);
    const response = encodeMessage({
      kind: 'response',
      seq: 0xffff,
      command: 'writeChain',
      slot: 1,
      nextOffset: 0x11000,
    });
    const wire = 1 + encodeFrame(request).length + encodeFrame(response).length;
    assert.ok(rate(wire, turnaround) >= 0.9 * LINE_BYTES_PER_S, `${rate(wire, turnaround)} bytes/s`);
    assert.ok(rate(wire, 0) >= 0.98 * LINE_BYTES_PER_S);
  });

  it('slot reads reach at least 90% of 11,520 bytes/s', () => {
    const request = encodeMessage({
      kind: 'request',
      seq: 1,
      command: 'readSlot',
      slot: 1,
      offset: 0x10000,
      maxLength: MAX_CHUNK_SIZE,
    });
    const response = encodeMessage({
      kind: 'response',
      seq: 1,
      command: 'readSlot',
      slot: 1,
      offset: 0x10000,
      totalLength: 0x20000,
      data: Buffer.alloc(MAX_CHUNK_SIZE, 0x5a),
    });
    const wire = 1 + encodeFrame(request).length + encodeFrame(response).length;
    assert.ok(rate(wire, turnaround) >= 0.9 * LINE_BYTES_PER_S, `${rate(wire, turnaround)} bytes/s`);
  });
});
