// PEM reading (main/core/pki/pem.ts): every block or a refusal, never a silent partial read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StationError } from '../../main/core/errors/station-error';
import { pemOrDer, readPemBlocks, readSinglePem, toPem } from '../../main/core/pki/pem';

const derA = Buffer.from('3003020101', 'hex');
// Long enough to need several 64-character lines.
const derB = Buffer.from(Array.from({ length: 150 }, (_, i) => i));
const pemA = toPem('CERTIFICATE', derA);
const pemB = toPem('CERTIFICATE', derB);

function rejectsWith(code: string, run: () => unknown) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof StationError, `expected a StationError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe('toPem', () => {
  it('writes 64-character base64 lines between BEGIN and END', () => {
    const lines = pemB.trimEnd().split('\n');
    assert.equal(lines[0], '-----BEGIN CERTIFICATE-----');
    assert.equal(lines.at(-1), '-----END CERTIFICATE-----');
    const body = lines.slice(1, -1);
    assert.ok(body.length > 1);
    for (const line of body.slice(0, -1)) assert.equal(line.length, 64);
    assert.deepEqual(Buffer.from(body.join(''), 'base64'), derB);
  });
});

describe('readPemBlocks', () => {
  it('reads one block', () => {
    const blocks = readPemBlocks(pemA, 'certificate');
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0]?.label, 'CERTIFICATE');
    assert.deepEqual(blocks[0]?.der, derA);
  });

  it('reads two blocks in order, with different labels', () => {
    const csr = toPem('CERTIFICATE REQUEST', derA);
    const blocks = readPemBlocks(`${pemB}\n${csr}`, 'bundle');
    assert.deepEqual(
      blocks.map((b) => b.label),
      ['CERTIFICATE', 'CERTIFICATE REQUEST'],
    );
    assert.deepEqual(blocks[0]?.der, derB);
    assert.deepEqual(blocks[1]?.der, derA);
  });

  it('accepts whitespace around blocks and CRLF line ends', () => {
    const crlf = pemB.replace(/\n/g, '\r\n');
    const blocks = readPemBlocks(`\n  ${crlf}\r\n\t${pemA}\n\n`, 'bundle');
    assert.equal(blocks.length, 2);
    assert.deepEqual(blocks[0]?.der, derB);
    assert.deepEqual(blocks[1]?.der, derA);
  });

  it('refuses text before the first block', () => {
    rejectsWith('PEM_INVALID', () => readPemBlocks(`subject=CN=foo\n${pemA}`, 'certificate'));
  });

  it('refuses text after the last block', () => {
    rejectsWith('PEM_INVALID', () => readPemBlocks(`${pemA}trailing junk\n`, 'certificate'));
  });

  it('refuses text between blocks', () => {
    rejectsWith('PEM_INVALID', () => readPemBlocks(`${pemA}junk\n${pemB}`, 'certificate'));
  });

  it('refuses damaged base64', () => {
    // A character outside the base64 alphabet.
    const damaged = pemA.replace('MAMCAQE', 'MA!CAQE');
    assert.notEqual(damaged, pemA);
    rejectsWith('PEM_INVALID', () => readPemBlocks(damaged, 'certificate'));
    // A length that is not a multiple of four.
    rejectsWith('PEM_INVALID', () =>
      readPemBlocks('-----BEGIN CERTIFICATE-----\nMAMCAQ\n-----END CERTIFICATE-----\n', 'certificate'),
    );
    // Padding in the middle.
    rejectsWith('PEM_INVALID', () =>
      readPemBlocks('-----BEGIN CERTIFICATE-----\nMA==MCAQ\n-----END CERTIFICATE-----\n', 'certificate'),
    );
    // An empty body.
    rejectsWith('PEM_INVALID', () =>
      readPemBlocks('-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n', 'certificate'),
    );
  });

  it('refuses a block whose END label differs from its BEGIN label', () => {
    rejectsWith('PEM_INVALID', () => readPemBlocks(pemA.replace('END CERTIFICATE', 'END PUBLIC KEY'), 'certificate'));
  });

  it('refuses text without any block', () => {
    rejectsWith('PEM_INVALID', () => readPemBlocks('', 'certificate'));
    rejectsWith('PEM_INVALID', () => readPemBlocks('   \n', 'certificate'));
    rejectsWith('PEM_INVALID', () => readPemBlocks(derA.toString('base64'), 'certificate'));
  });
});

describe('readSinglePem', () => {
  it('returns the DER of the one block with an expected label', () => {
    const csr = toPem('NEW CERTIFICATE REQUEST', derB);
    assert.deepEqual(readSinglePem(csr, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'CSR'), derB);
  });

  it('refuses the wrong label', () => {
    rejectsWith('PEM_INVALID', () => readSinglePem(pemA, ['CERTIFICATE REQUEST'], 'CSR'));
  });

  it('refuses two blocks', () => {
    rejectsWith('PEM_INVALID', () => readSinglePem(pemA + pemB, ['CERTIFICATE'], 'certificate'));
  });
});

describe('pemOrDer', () => {
  it('passes DER through untouched', () => {
    assert.equal(pemOrDer(derB, ['CERTIFICATE'], 'certificate'), derB);
  });

  it('decodes PEM, also after leading whitespace', () => {
    assert.deepEqual(pemOrDer(Buffer.from(pemB), ['CERTIFICATE'], 'certificate'), derB);
    assert.deepEqual(pemOrDer(Buffer.from(`\n  ${pemA}`), ['CERTIFICATE'], 'certificate'), derA);
  });

  it('applies the PEM rules to PEM input', () => {
    rejectsWith('PEM_INVALID', () => pemOrDer(Buffer.from(pemA), ['PUBLIC KEY'], 'public key'));
    rejectsWith('PEM_INVALID', () => pemOrDer(Buffer.from(`${pemA}junk`), ['CERTIFICATE'], 'certificate'));
  });
});
