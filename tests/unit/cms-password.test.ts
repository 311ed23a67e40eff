// CMS EnvelopedData under a passcode (main/core/pki/cms-password-envelope.ts), checked against
// openssl both ways: openssl opens what the station writes, the station opens what openssl writes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import {
  createPasswordEnvelopeStream,
  minPasswordEnvelopeIterations,
  openPasswordEnvelope,
  PasswordEnvelopeError,
  passwordEnvelopeIterations,
  pwriKekUnwrap,
  pwriKekWrap,
} from '../../main/core/pki/cms-password-envelope';
import { resultPasscodeSchema } from '../../preload/contract';
import { openssl, opensslStatus } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

const passcode = 'correct horse battery';

/** Streams `chunks` through a fresh envelope into `file`. */
async function envelopeTo(file: string, chunks: Buffer[], pieceBytes?: number): Promise<void> {
  const envelope = await createPasswordEnvelopeStream(passcode, pieceBytes === undefined ? {} : { pieceBytes });
  await pipeline(Readable.from(chunks), envelope, createWriteStream(file));
}

/** `openssl cms -decrypt` as the README tells the recipient to run it. */
function opensslDecrypt(file: string, out: string, pass: string) {
  return opensslStatus([
    ...['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', file],
    ...['-pwri_password', pass, '-out', out],
  ]);
}

describe('CMS EnvelopedData with a PasswordRecipientInfo', () => {
  const dir = tempDir();

  it('writes what openssl cms -decrypt -pwri_password opens, byte for byte', async () => {
    const content = Buffer.from('PK\u0003\u0004 a small result\n');
    const file = path.join(dir, 'small.p7m');
    await envelopeTo(file, [content]);
    const out = path.join(dir, 'small.out');
    const opened = opensslDecrypt(file, out, passcode);
    assert.ok(opened.ok, opened.output);
    assert.deepEqual(readFileSync(out), content);
    assert.deepEqual(openPasswordEnvelope(readFileSync(file), passcode), content);
  });

  it('uses PBKDF2-HMAC-SHA256 with a 16-byte salt, PWRI-KEK over AES-256-CBC, AES-256-CBC content, BER indefinite lengths', async () => {
    const file = path.join(dir, 'shape.p7m');
    await envelopeTo(file, [Buffer.from('content')]);
    const parsed = openssl(['asn1parse', '-inform', 'DER', '-in', file]);
    const lines = parsed.split('\n');
    assert.match(lines[0] ?? '', /l=inf\s+cons: SEQUENCE/);
    assert.match(parsed, /INTEGER\s+:03\n/, 'EnvelopedData version 3 (a pwri)');
    assert.match(parsed, /cont \[ 3 \]/);
    assert.match(parsed, /:PBKDF2\n/);
    assert.match(parsed, /:hmacWithSHA256\n/);
    assert.match(parsed, /:id-alg-PWRI-KEK\n/);
    assert.equal((parsed.match(/:aes-256-cbc\n/g) ?? []).length, 2, 'KEK and content cipher');
    const salt = /l=\s*(\d+) prim: OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)\n.*INTEGER\s+:([0-9A-F]+)\n/.exec(parsed);
    assert.equal(salt?.[1], '16');
    assert.equal(parseInt(salt?.[3] ?? '0', 16), passwordEnvelopeIterations);
    assert.ok(passwordEnvelopeIterations >= 100_000);
    assert.match(
      parsed,
      /l=inf\s+cons: cont \[ 0 \]\s*\n.*prim: OCTET STRING/,
      'encryptedContent: constructed, in pieces',
    );
  });

  it('opens what openssl cms -encrypt -pwri_password -aes256 writes, definite (DER) and streamed (BER)', () => {
    const content = randomBytes(100_000);
    const plain = path.join(dir, 'theirs.bin');
    writeFileSync(plain, content);
    for (const streamed of [false, true]) {
      const file = path.join(dir, `theirs-${String(streamed)}.p7m`);
      openssl([
        ...['cms', '-encrypt', '-binary', '-aes256', '-pwri_password', passcode],
        ...(streamed ? ['-stream'] : []),
        ...['-outform', 'DER', '-in', plain, '-out', file],
      ]);
      assert.deepEqual(openPasswordEnvelope(readFileSync(file), passcode), content);
      assert.throws(() => openPasswordEnvelope(readFileSync(file), 'not the passcode'), PasswordEnvelopeError);
    }
  });

  it('is refused by openssl under a wrong passcode', async () => {
    const file = path.join(dir, 'wrong.p7m');
    await envelopeTo(file, [Buffer.from('secret content')]);
    const refused = opensslDecrypt(file, path.join(dir, 'wrong.out'), 'correct horse battery!');
    assert.equal(refused.ok, false);
    assert.match(refused.output, /unwrap failure|Error decrypting/i);
    assert.throws(() => openPasswordEnvelope(readFileSync(file), 'correct horse batter'), /wrong passcode/);
  });

  it('streams several megabytes in uneven chunks: encrypted pieces leave before the input ends, and openssl gets back every byte', async () => {
    const content = randomBytes(6 * 1024 * 1024 + 333);
    const envelope = await createPasswordEnvelopeStream(passcode);
    let emitted = 0;
    const collected: Buffer[] = [];
    envelope.on('data', (chunk: Buffer) => {
      emitted += chunk.length;
      collected.push(chunk);
    });
    let offset = 0;
    let emittedBeforeEnd = 0;
    for (let size = 1; offset < content.length; size = (size * 7 + 13) % 200_003) {
      const chunk = content.subarray(offset, offset + size);
      offset += chunk.length;
      if (!envelope.write(chunk)) await new Promise((resolve) => envelope.once('drain', resolve));
      if (offset > content.length / 2 && emittedBeforeEnd === 0) emittedBeforeEnd = emitted;
    }
    const ended = new Promise((resolve) => envelope.once('end', resolve));
    envelope.end();
    await ended;
    assert.ok(emittedBeforeEnd > 2 * 1024 * 1024, `only ${emittedBeforeEnd} bytes out halfway`);
    const file = path.join(dir, 'large.p7m');
    writeFileSync(file, Buffer.concat(collected));
    const out = path.join(dir, 'large.out');
    const opened = opensslDecrypt(file, out, passcode);
    assert.ok(opened.ok, opened.output);
    assert.ok(readFileSync(out).equals(content), 'openssl gives back the content unchanged');
    assert.ok(openPasswordEnvelope(readFileSync(file), passcode).equals(content));
  });

  it('writes an empty content as one padded block', async () => {
    const file = path.join(dir, 'empty.p7m');
    await envelopeTo(file, []);
    const out = path.join(dir, 'empty.out');
    assert.ok(opensslDecrypt(file, out, passcode).ok);
    assert.equal(readFileSync(out).length, 0);
  });

  it('wraps a key as RFC 3211 2.3 says: whole blocks, at least two, and a check that tells a wrong KEK', () => {
    const kek = randomBytes(32);
    const iv = randomBytes(16);
    for (const keyBytes of [16, 24, 32]) {
      const key = randomBytes(keyBytes);
      const wrapped = pwriKekWrap(kek, iv, key);
      assert.equal(wrapped.length % 16, 0);
      assert.ok(wrapped.length >= 32);
      assert.equal(wrapped.length, Math.max(32, Math.ceil((4 + keyBytes) / 16) * 16));
      assert.deepEqual(pwriKekUnwrap(kek, iv, wrapped), key);
      assert.throws(() => pwriKekUnwrap(randomBytes(32), iv, wrapped), PasswordEnvelopeError);
    }
    // The padding is random: the same key wraps differently each time.
    const key = randomBytes(32);
    assert.notDeepEqual(pwriKekWrap(kek, iv, key), pwriKekWrap(kek, iv, key));
  });

  it('keeps a result passcode between 8 and 128 characters, and PBKDF2 at no fewer than 100,000 iterations', async () => {
    assert.equal(resultPasscodeSchema.safeParse('a'.repeat(7)).success, false);
    assert.equal(resultPasscodeSchema.safeParse('a'.repeat(8)).success, true);
    assert.equal(resultPasscodeSchema.safeParse('a'.repeat(128)).success, true);
    assert.equal(resultPasscodeSchema.safeParse('a'.repeat(129)).success, false);
    assert.equal(minPasswordEnvelopeIterations, 100_000);
    await assert.rejects(createPasswordEnvelopeStream(passcode, { iterations: 99_999 }), RangeError);
    await assert.rejects(createPasswordEnvelopeStream(''), RangeError);
  });
});
