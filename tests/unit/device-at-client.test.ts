// The nRF91 AT driver's pure parts: line splitting, final result detection, answer collection,
// the %KEYGEN and %CMNG parsers, PEM convention, error mapping and redaction; and the client
// over an in-memory link.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AtLineSplitter,
  AtResponseCollector,
  createAtClient,
  finalResultOf,
  MAX_AT_ANSWER_LINES,
  MAX_AT_LINE_CHARS,
} from '../../main/core/device/drivers/nrf91-at/at-client';
import { AtCommandError, cmeCodeName, redactCommand } from '../../main/core/device/drivers/nrf91-at/at-errors';
import {
  certificatesPem,
  cmngDigest,
  parseCmngLine,
  parseKeygenAnswer,
  parsePem,
  spkiFromCsr,
  spkiFromKeygenPublicKey,
  subjectString,
} from '../../main/core/device/drivers/nrf91-at/at-format';
import { derElement } from '../../main/core/device/simulator/der-lite';
import { buildCsr, spkiOf } from '../../main/core/device/simulator/device-keys';
import type { ByteLink } from '../../main/core/device/transports/byte-link';

const name = (cn: string) =>
  derElement(
    0x30,
    derElement(0x31, derElement(0x30, Buffer.from('0603550403', 'hex'), derElement(0x0c, Buffer.from(cn)))),
  );

describe('AT line parsing', () => {
  it('recognises only whole final result lines', () => {
    assert.deepEqual(finalResultOf('OK'), { kind: 'ok' });
    assert.deepEqual(finalResultOf('ERROR'), { kind: 'error' });
    assert.deepEqual(finalResultOf('+CME ERROR: 518'), { kind: 'cme', cme: 518 });
    assert.equal(finalResultOf('OK '), null);
    assert.equal(finalResultOf('MIIBOKOK'), null);
    assert.equal(finalResultOf('%KEYGEN: "OK.OK"'), null);
  });

  it('splits bytes cut anyhow into lines, CR LF or LF, skipping empty ones', () => {
    const splitter = new AtLineSplitter();
    const text = '\r\n+CFUN: 4\r\nOK\r\n';
    const lines: string[] = [];
    for (const byte of Buffer.from(text)) lines.push(...splitter.push(Buffer.from([byte])));
    assert.deepEqual(lines, ['+CFUN: 4', 'OK']);
  });

  it('keeps line breaks inside quotes: a PEM line "OK" does not end the answer', () => {
    const splitter = new AtLineSplitter();
    splitter.expect(['%CMNG:']);
    const lines = splitter.push(
      Buffer.from('%CMNG: 1,1,"AB","-----BEGIN X-----\nOK\r\nOK\n-----END X-----\n"\r\nOK\r\n'),
    );
    assert.equal(lines.length, 2);
    assert.ok(lines[0]?.includes('\nOK\r\nOK\n'));
    assert.equal(lines[1], 'OK');
  });

  it('a stray quote in an unsolicited line does not hide the final result', () => {
    const splitter = new AtLineSplitter();
    splitter.expect(['%CMNG:']);
    assert.deepEqual(splitter.push(Buffer.from('+CEREG: 2,"4A2\r\n\r\nOK\r\n')), ['+CEREG: 2,"4A2', 'OK']);
    // An open quote left before a command starts is forgotten.
    const other = new AtLineSplitter();
    other.expect(['%CMNG:']);
    assert.deepEqual(other.push(Buffer.from('%CMNG: 1,"AB')), []);
    other.expect(['+CFUN:']);
    assert.deepEqual(other.push(Buffer.from('"\r\nOK\r\n')), ['%CMNG: 1,"AB"', 'OK']);
  });

  it('keeps memory bounded on an endless line and resyncs at the next line end', () => {
    const splitter = new AtLineSplitter();
    splitter.expect(['%CMNG:']);
    const block = Buffer.alloc(64 * 1024, 0x41);
    // 1 MiB without a line end, once plain and once after an unmatched quote in an answer line.
    for (const head of ['', '%CMNG: 1,"']) {
      assert.deepEqual(splitter.push(Buffer.from(head)), []);
      for (let i = 0; i < 16; i++) {
        assert.deepEqual(splitter.push(block), []);
        assert.ok(splitter.retainedLength <= MAX_AT_LINE_CHARS);
      }
      assert.deepEqual(splitter.push(Buffer.from('tail\r\nOK\r\n')), ['OK']);
      assert.equal(splitter.retainedLength, 0);
    }
    assert.equal(splitter.droppedLines, 2);
    // Also as one chunk of 1 MiB.
    const big = new AtLineSplitter();
    assert.deepEqual(big.push(Buffer.alloc(1024 * 1024, 0x42)), []);
    assert.ok(big.retainedLength <= MAX_AT_LINE_CHARS);
    assert.deepEqual(big.push(Buffer.from('\r\n+CFUN: 4\r\n')), ['+CFUN: 4']);
    // A line just under the cap is kept.
    const fits = new AtLineSplitter();
    const long = 'x'.repeat(MAX_AT_LINE_CHARS);
    assert.deepEqual(fits.push(Buffer.from(`${long}\r\n`)), [long]);
  });

  it('caps the lines of one answer', () => {
    const collector = new AtResponseCollector('AT%CMNG=1', '%CMNG:');
    let done = false;
    for (let i = 0; i <= MAX_AT_ANSWER_LINES && !done; i++) done = collector.add(`%CMNG: ${i},0,"AA"`);
    assert.equal(done, true);
    assert.match(collector.overflow ?? '', /answer lines/);
    const chars = new AtResponseCollector('AT%CMNG=1', '%CMNG:');
    const line = `%CMNG: ${'A'.repeat(MAX_AT_LINE_CHARS - 8)}`;
    done = false;
    for (let i = 0; i < 10 && !done; i++) done = chars.add(line);
    assert.match(chars.overflow ?? '', /characters/);
  });

  it('"OK" inside base64 does not end a %KEYGEN answer early', () => {
    const collector = new AtResponseCollector('AT%KEYGEN=16842753,2,0', '%KEYGEN:');
    const crafted = '%KEYGEN: "MIIBOKOK_OK-OK.OKOKOK"';
    const splitter = new AtLineSplitter();
    const lines = splitter.push(Buffer.from(`${crafted}\r\nOK\r\n`));
    assert.equal(collector.add(lines[0] ?? ''), false);
    assert.equal(collector.result, null);
    assert.equal(collector.add(lines[1] ?? ''), true);
    assert.deepEqual(collector.lines, [crafted]);
  });

  it('drops echo and unsolicited lines', () => {
    const collector = new AtResponseCollector('AT%CMNG=1,7', '%CMNG:');
    for (const line of ['AT%CMNG=1,7', '+CEREG: 2', '%CMNG: 7,1,"AA"', '%XSIM: 1']) collector.add(line);
    assert.equal(collector.add('OK'), true);
    assert.deepEqual(collector.lines, ['%CMNG: 7,1,"AA"']);
    const bare = new AtResponseCollector('AT+CGSN');
    for (const line of ['+CEREG: 1', '352656100000001']) bare.add(line);
    assert.deepEqual(bare.lines, ['352656100000001']);
  });
});

describe('nRF91 answers', () => {
  it('parses %KEYGEN (unpadded base64url) and extracts and checks the CSR key', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const csr = buildCsr(key, name('nrf-1'));
    const cose = Buffer.from([0xd2, 0x84, 0x40, 0xa0, 0x40, 0x40, 0xff]);
    const answer = parseKeygenAnswer(`%KEYGEN: "${csr.toString('base64url')}.${cose.toString('base64url')}"`);
    assert.deepEqual(answer.der, csr);
    assert.deepEqual(answer.coseSign1, cose);
    assert.deepEqual(spkiFromCsr(csr), spkiOf(key));
    const tampered = Buffer.from(csr);
    tampered.writeUInt8((tampered.at(-1) ?? 0) ^ 1, tampered.length - 1);
    assert.throws(() => spkiFromCsr(tampered));
  });

  it('rejects malformed %KEYGEN answers', () => {
    assert.throws(() => parseKeygenAnswer('%KEYGEN: "abc"'));
    assert.throws(() => parseKeygenAnswer('%KEYGEN: "YWJj=.YWJj"'));
    assert.throws(() => parseKeygenAnswer('%CMNG: 1,2'));
  });

  it('takes the format 1 public key as SPKI or as a raw point', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const spki = spkiOf(key);
    assert.deepEqual(spkiFromKeygenPublicKey(spki), spki);
    assert.deepEqual(spkiFromKeygenPublicKey(spki.subarray(spki.length - 65)), spki);
  });

  it('parses %CMNG list and read lines', () => {
    assert.deepEqual(parseCmngLine('%CMNG: 16842753,1,"0a1b"'), {
      secTag: 16842753,
      type: 1,
      sha256: '0A1B',
      content: null,
    });
    const read = parseCmngLine('%CMNG: 5,0,"AA","-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n"');
    assert.equal(read?.content, '-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n');
    assert.equal(parseCmngLine('+CFUN: 1'), null);
  });

  it('writes PEM with LF and 64-character lines, and reads it back', () => {
    const ders = [Buffer.alloc(100, 1), Buffer.alloc(48, 2)];
    const text = certificatesPem(ders);
    assert.ok(!text.includes('\r'));
    assert.ok(text.split('\n').every((line) => line.length <= 64 || line.startsWith('-----')));
    assert.ok(text.endsWith('-----END CERTIFICATE-----\n'));
    assert.deepEqual(parsePem(text), ders);
    assert.match(cmngDigest(text), /^[0-9A-F]{64}$/);
  });

  it('turns a DER Name into the %KEYGEN subject string', () => {
    assert.equal(subjectString(name('nrf-352656100000001')), 'CN=nrf-352656100000001');
    assert.throws(() => subjectString(name('a,b')));
  });

  it('maps +CME numbers to names and redacts credential content', () => {
    assert.equal(cmeCodeName(518), 'NOT_ALLOWED_IN_ACTIVE_STATE');
    assert.equal(cmeCodeName(999), 'UNKNOWN_CME_999');
    assert.equal(redactCommand('AT%CMNG=0,7,2,"-----BEGIN PRIVATE KEY-----\nsecret"'), 'AT%CMNG=0,7,2,"<content>"');
    const error = AtCommandError.fromCme(518, 'AT%CMNG=0,7,2,"secret"', 'write-private-key');
    assert.equal(error.code, 'NOT_ALLOWED_IN_ACTIVE_STATE');
    assert.equal(error.cme, 518);
    assert.equal(error.step, 'write-private-key');
    assert.ok(!error.message.includes('secret') && !error.command?.includes('secret'));
    assert.match(error.message, /AT\+CFUN=4/);
  });
});

/** A link whose far end answers by a function. */
function scriptedLink(answer: (line: string) => string | null): ByteLink {
  const listeners = new Set<(chunk: Buffer) => void>();
  return {
    path: 'memory',
    write(data) {
      const line = data.toString().trim();
      const text = answer(line);
      if (text !== null) {
        // Answer in two chunks, cut in the middle of a line.
        const bytes = Buffer.from(text);
        const cut = Math.floor(bytes.length / 2);
        setTimeout(() => {
          for (const l of listeners) l(bytes.subarray(0, cut));
          setTimeout(() => {
            for (const l of listeners) l(bytes.subarray(cut));
          }, 2);
        }, 1);
      }
      return Promise.resolve();
    },
    onData(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose() {
      return () => undefined;
    },
    close: () => Promise.resolve(),
  };
}

describe('AT client', () => {
  it('runs one command at a time and maps results', async () => {
    const client = createAtClient(
      scriptedLink((line) => {
        if (line === 'AT+CGSN') return '+CEREG: 5\r\n352656100000001\r\nOK\r\n';
        if (line === 'AT%CMNG=3,1,1') return '\r\n+CME ERROR: 513\r\n';
        if (line === 'AT+FOO') return 'ERROR\r\n';
        if (line === 'AT') return 'OK\r\n';
        return null;
      }),
      { timeoutMs: 200 },
    );
    const [first, second] = await Promise.allSettled([
      client.send('AT+CGSN', { step: 'identify' }),
      client.send('AT%CMNG=3,1,1', { step: 'factory-reset' }),
    ]);
    assert.deepEqual(first.status === 'fulfilled' && first.value.lines, ['352656100000001']);
    assert.ok(second.status === 'rejected');
    assert.equal((second.reason as AtCommandError).code, 'NOT_FOUND');
    assert.equal((second.reason as AtCommandError).step, 'factory-reset');
    await assert.rejects(client.send('AT+FOO', { step: 's' }), { code: 'ERROR' });
    await assert.rejects(client.send('AT+SILENT', { step: 's', timeoutMs: 50 }), { code: 'TIMEOUT' });
    // Still usable after a timeout.
    assert.deepEqual((await client.send('AT+CGSN', { step: 'identify' })).lines, ['352656100000001']);
    client.release();
  });

  it('a late answer after a timeout does not answer the next command', async () => {
    const listeners = new Set<(chunk: Buffer) => void>();
    const sent: string[] = [];
    const emit = (text: string, ms: number) =>
      setTimeout(() => {
        for (const l of listeners) l(Buffer.from(text));
      }, ms);
    let atAnswers = true;
    const link: ByteLink = {
      path: 'memory',
      write(data) {
        const line = data.toString().trim();
        sent.push(line);
        // The slow command's final result comes after its timeout, while the next one is running.
        if (line === 'AT%CMNG=2,7,0') emit('\r\n+CME ERROR: 514\r\n', 80);
        if (line === 'AT' && atAnswers) emit('\r\nOK\r\n', 1);
        if (line === 'AT+CGSN') emit('\r\n352656100000001\r\nOK\r\n', 100);
        return Promise.resolve();
      },
      onData(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onClose: () => () => undefined,
      close: () => Promise.resolve(),
    };
    const client = createAtClient(link, { timeoutMs: 400 });
    await assert.rejects(client.send('AT%CMNG=2,7,0', { step: 'read', timeoutMs: 30 }), { code: 'TIMEOUT' });
    assert.deepEqual((await client.send('AT+CGSN', { step: 'identify' })).lines, ['352656100000001']);
    assert.deepEqual(sent, ['AT%CMNG=2,7,0', 'AT', 'AT+CGSN']);
    // Synchronised again: no resync before the next command.
    assert.deepEqual((await client.send('AT+CGSN', { step: 'identify' })).lines, ['352656100000001']);
    assert.deepEqual(sent.slice(3), ['AT+CGSN']);
    // A resync that gets no answer fails with TIMEOUT and is retried before the next command.
    await assert.rejects(client.send('AT%CMNG=2,7,0', { step: 'read', timeoutMs: 30 }), { code: 'TIMEOUT' });
    atAnswers = false;
    await assert.rejects(client.send('AT+CGSN', { step: 'identify', timeoutMs: 30 }), { code: 'TIMEOUT' });
    assert.deepEqual(sent.slice(4), ['AT%CMNG=2,7,0', 'AT']);
    atAnswers = true;
    assert.deepEqual((await client.send('AT+CGSN', { step: 'identify' })).lines, ['352656100000001']);
    assert.deepEqual(sent.slice(6), ['AT', 'AT+CGSN']);
    client.release();
  });

  it('fails a command whose answer line is too long, and resyncs after it', async () => {
    const sent: string[] = [];
    const client = createAtClient(
      scriptedLink((line) => {
        sent.push(line);
        if (line === 'AT%CMNG=2,7,0') return `%CMNG: 7,0,"AA","${'A'.repeat(MAX_AT_LINE_CHARS)}"\r\nOK\r\n`;
        if (line === 'AT' || line === 'AT+CFUN=4') return 'OK\r\n';
        return null;
      }),
      { timeoutMs: 500 },
    );
    await assert.rejects(client.send('AT%CMNG=2,7,0', { step: 'read', prefix: '%CMNG:' }), { code: 'BAD_RESPONSE' });
    assert.deepEqual((await client.send('AT+CFUN=4', { step: 'offline' })).lines, []);
    assert.deepEqual(sent, ['AT%CMNG=2,7,0', 'AT', 'AT+CFUN=4']);
    client.release();
  });
});
