import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Papa from 'papaparse';
import { type CsvRecord, readCsvRecords } from '../../main/core/jobs/csv-rows';

const dir = mkdtempSync(path.join(os.tmpdir(), 'trustline-csv-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The file is read 256 KiB at a time: these inputs cross that boundary several times. */
const chunk = 256 * 1024;

async function read(name: string, content: string | Buffer): Promise<CsvRecord[]> {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(file)) records.push(record);
  return records;
}

/** A deterministic generator, so a failure can be run again. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('readCsvRecords', () => {
  it('reads 60,000 short records across chunks once each, in order, with their line numbers', async () => {
    const lines = ['device_name,attr.serial', ...Array.from({ length: 60_000 }, (_, i) => `dev-${i},SN${i}`)];
    const text = `${lines.join('\n')}\n`;
    assert.ok(text.length > 3 * chunk);
    const records = await read('short.csv', text);
    assert.equal(records.length, 60_001);
    records.forEach((record, i) => {
      assert.equal(record.line, i + 1);
      assert.deepEqual(record.fields, i === 0 ? ['device_name', 'attr.serial'] : [`dev-${i - 1}`, `SN${i - 1}`]);
    });
  });

  it('gives the records papaparse finds in the whole text, for quoted fields with newlines, delimiters and quotes cut by chunk ends', async () => {
    const random = prng(7);
    const pick = (options: string[]) => options[Math.floor(random() * options.length)] ?? '';
    const field = (): string => {
      const plain = `v${Math.floor(random() * 1e6)}`;
      switch (Math.floor(random() * 4)) {
        case 0:
          return plain;
        case 1:
          return `"${plain}${pick([',', '\n', '""', ';'])}${plain}"`;
        case 2:
          // A field as long as a CSR, with its newlines: some cross a chunk's end.
          return `"-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(64 + Math.floor(random() * 2000)).replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----"`;
        default:
          return '';
      }
    };
    const rows = ['device_name,csr,attr.note'];
    for (let i = 0; i < 3000; i += 1) {
      rows.push([`dev-${i}`, field(), field()].join(','));
      if (random() < 0.02) rows.push('');
    }
    const text = `${rows.join('\n')}\n`;
    assert.ok(text.length > 4 * chunk, `${text.length} bytes`);

    const records = await read('quoted.csv', text);
    const whole = Papa.parse<string[]>(text, { delimiter: ',', newline: '\n', skipEmptyLines: false }).data.filter(
      (fields) => !(fields.length === 1 && fields[0] === ''),
    );
    assert.equal(records.length, whole.length);
    records.forEach((record, i) => assert.deepEqual(record.fields, whole[i], `record ${i}`));
    // Line numbers as an editor counts them: each record starts where the one before ended.
    for (let i = 1; i < records.length; i += 1) {
      const previous = records[i - 1] as CsvRecord;
      const newlines = previous.fields.join('').split('\n').length - 1;
      const current = records[i] as CsvRecord;
      assert.ok(current.line >= previous.line + 1 + newlines, `record ${i} at line ${current.line}`);
    }
    const last = records.at(-1) as CsvRecord;
    assert.equal(last.line + (last.fields.join('').split('\n').length - 1), text.split('\n').length - 1);
  });

  it('counts a blank line but skips it, and reads a CRLF that a chunk end splits as one line end', async () => {
    // The CR of a CRLF lands on the last byte of the first chunk.
    const head = 'device_name;attr.serial\r\n';
    const long = 'x'.repeat(chunk - head.length - ';1\r'.length);
    const records = await read('crlf.csv', `${head}${long};1\r\n\r\nlast;2\r\n`);
    assert.equal(records.length, 3);
    assert.deepEqual(records[0], { line: 1, fields: ['device_name', 'attr.serial'] });
    assert.deepEqual(records[1], { line: 2, fields: [long, '1'] });
    assert.deepEqual(records[2], { line: 4, fields: ['last', '2'] });
  });

  it('closes the file when its reader stops at the first record (a bad header)', async () => {
    const file = path.join(dir, 'stopped.csv');
    writeFileSync(file, `bad_header\n${'x\n'.repeat(chunk)}`);
    /** This process's open descriptors that point at the file (Linux: /proc/self/fd). */
    const openOnFile = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      });
    for await (const record of readCsvRecords(file)) {
      assert.deepEqual(record.fields, ['bad_header']);
      assert.equal(openOnFile().length, 1, 'the file is open while it is read');
      break;
    }
    // The stream closes its descriptor asynchronously once destroyed: give it a moment.
    for (let i = 0; i < 100 && openOnFile().length > 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(openOnFile(), []);
  });

  it('reads a file without a final newline, and a header alone', async () => {
    assert.deepEqual(await read('no-newline.csv', 'device_name\nlast'), [
      { line: 1, fields: ['device_name'] },
      { line: 2, fields: ['last'] },
    ]);
    assert.deepEqual(await read('header.csv', 'device_name,csr\n'), [{ line: 1, fields: ['device_name', 'csr'] }]);
  });
});
