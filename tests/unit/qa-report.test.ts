import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { type QaReportInput, type QaReportRow, qaReportCsv, qaReportPdf } from '../../main/core/qa/qa-report';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir('trustline-qa-report-');

function row(index: number, overrides: Partial<QaReportRow> = {}): QaReportRow {
  const failed = index % 7 === 0;
  return {
    serialNumber: `TL-${String(index).padStart(6, '0')}`,
    deviceName: `sensor-${index}`,
    port: '/dev/ttyACM0',
    certificateSerial: `${index.toString(16).padStart(8, '0')}a1b2c3d4e5f60718293a4b5c`,
    provisionedAt: '2026-03-15T08:00:00.000Z',
    outcome: failed ? 'fail' : 'pass',
    verdict: index % 5 === 0 ? (failed ? 'fail' : 'pass') : null,
    technician: 'A. Tester',
    verifiedAt: index % 5 === 0 ? '2026-03-15T09:00:00.000Z' : null,
    checks: [
      { name: 'chain', ok: true, detail: 'ok' },
      { name: 'possession', ok: !failed, detail: failed ? 'signature mismatch' : 'ok' },
    ],
    notes: '',
    ...overrides,
  };
}

function report(rows: QaReportRow[], overrides: Partial<QaReportInput> = {}): QaReportInput {
  return {
    lot: 'LOT-2026-0315-A',
    recipe: 'sensor-v2',
    station: 'line-3',
    generatedAt: '2026-03-15T10:20:30.000Z',
    generatedBy: 'qa.lead',
    rows,
    ...overrides,
  };
}

/** An independent RFC 4180 reader, so the test checks the format rather than the writer's own logic. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"' && field === '') {
      const end = closingQuote(text, i + 1);
      field = text.slice(i + 1, end).replaceAll('""', '"');
      i = end + 1;
      assert.ok(i === text.length || text[i] === ',' || text.startsWith('\r\n', i), `junk after quote at ${i}`);
    } else if (char === ',') {
      fields.push(field);
      field = '';
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      records.push([...fields, field]);
      fields = [];
      field = '';
      i += 2;
    } else {
      assert.ok(char !== '\r' && char !== '\n' && char !== '"', `bare ${JSON.stringify(char)} at ${i}`);
      field += char;
      i += 1;
    }
  }
  assert.equal(field, '', 'last record must end with CRLF');
  assert.equal(fields.length, 0, 'last record must end with CRLF');
  return records;
}

function closingQuote(text: string, from: number): number {
  let i = from;
  for (;;) {
    const next = text.indexOf('"', i);
    assert.ok(next >= 0, 'unterminated quoted field');
    if (text[next + 1] !== '"') return next;
    i = next + 2;
  }
}

const header = [
  'serial_number',
  'device_name',
  'port',
  'certificate_serial',
  'provisioned_at',
  'outcome',
  'verdict',
  'technician',
  'verified_at',
  'failed_checks',
  'notes',
];

describe('qaReportCsv', () => {
  it('writes a header and one CRLF-terminated record per device', () => {
    const csv = qaReportCsv(report([row(1), row(7)]));
    assert.ok(csv.startsWith(`${header.join(',')}\r\n`));
    const records = parseCsv(csv);
    assert.equal(records.length, 3);
    assert.deepEqual(records[1], [
      'TL-000001',
      'sensor-1',
      '/dev/ttyACM0',
      '00000001a1b2c3d4e5f60718293a4b5c',
      '2026-03-15T08:00:00.000Z',
      'pass',
      '',
      'A. Tester',
      '',
      '',
      '',
    ]);
    assert.equal(records[2]![9], 'possession');
  });

  it('writes only the header for an empty lot', () => {
    assert.equal(qaReportCsv(report([])), `${header.join(',')}\r\n`);
  });

  it('joins failed check names with semicolons', () => {
    const checks = [
      { name: 'chain', ok: false, detail: 'x' },
      { name: 'record-match', ok: true, detail: '' },
      { name: 'policy', ok: false, detail: 'y' },
    ];
    const [, record] = parseCsv(qaReportCsv(report([row(1, { checks })])));
    assert.equal(record![9], 'chain;policy');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    const notes = 'line one,\r\nline "two"\nend';
    const csv = qaReportCsv(report([row(1, { deviceName: 'a,b', technician: 'say "hi"', notes })]));
    assert.ok(csv.includes(',"a,b",'));
    assert.ok(csv.includes(',"say ""hi""",'));
    assert.ok(csv.endsWith(',"line one,\r\nline ""two""\nend"\r\n'));
    const records = parseCsv(csv);
    assert.equal(records.length, 2);
    assert.equal(records[1]![1], 'a,b');
    assert.equal(records[1]![7], 'say "hi"');
    assert.equal(records[1]![10], notes);
  });

  it('prefixes fields that a spreadsheet would run as formulas with a quote', () => {
    const csv = qaReportCsv(
      report([
        row(1, {
          serialNumber: '=HYPERLINK("http://evil","x")',
          deviceName: '+1+1',
          port: '-2',
          technician: '@SUM(A1)',
          notes: '\tcmd',
        }),
        row(2, { notes: '\r=1' }),
        row(3, { deviceName: 'a=b', notes: 'plain - text' }),
      ]),
    );
    const records = parseCsv(csv);
    assert.equal(records[1]![0], `'=HYPERLINK("http://evil","x")`);
    assert.equal(records[1]![1], "'+1+1");
    assert.equal(records[1]![2], "'-2");
    assert.equal(records[1]![7], "'@SUM(A1)");
    assert.equal(records[1]![10], "'\tcmd");
    assert.equal(records[2]![10], "'\r=1");
    assert.ok(csv.includes(`"'\r=1"`), 'the CR still forces quoting after the prefix');
    assert.equal(records[3]![1], 'a=b', 'only a leading trigger is neutralised');
    assert.equal(records[3]![10], 'plain - text');
  });
});

interface XrefCheck {
  objectCount: number;
}

/** Parses startxref and the xref table and checks every in-use entry points exactly at "N 0 obj". */
function checkXref(pdf: Buffer): XrefCheck {
  const text = pdf.toString('latin1');
  const startxref = /startxref\n(\d+)\n%%EOF\n$/.exec(text);
  assert.ok(startxref, 'startxref at the end');
  const xrefOffset = Number(startxref[1]);
  assert.ok(text.startsWith('xref\n', xrefOffset), 'startxref points at the xref keyword');
  const subsection = /^xref\n0 (\d+)\n/.exec(text.slice(xrefOffset));
  assert.ok(subsection, 'one xref subsection starting at object 0');
  const size = Number(subsection[1]);
  const entriesStart = xrefOffset + subsection[0].length;
  for (let objectNumber = 0; objectNumber < size; objectNumber += 1) {
    const entry = text.slice(entriesStart + objectNumber * 20, entriesStart + (objectNumber + 1) * 20);
    const parsed = /^(\d{10}) (\d{5}) ([nf])(?: \n|\r\n)$/.exec(entry);
    assert.ok(parsed, `xref entry ${objectNumber} is 20 bytes: ${JSON.stringify(entry)}`);
    if (objectNumber === 0) {
      assert.equal(parsed[3], 'f');
      continue;
    }
    assert.equal(parsed[3], 'n');
    const offset = Number(parsed[1]);
    assert.ok(text.startsWith(`${objectNumber} 0 obj`, offset), `object ${objectNumber} at ${offset}`);
  }
  const trailer = text.slice(entriesStart + size * 20);
  assert.ok(trailer.startsWith('trailer\n'), 'trailer follows the table');
  assert.match(trailer, new RegExp(`/Size ${size}\\b`));
  const definitions = text.match(/^\d+ 0 obj$/gm) ?? [];
  assert.equal(definitions.length, size - 1, 'every object is in the table');
  return { objectCount: size - 1 };
}

/** Each stream's /Length must end exactly at the end-of-line before "endstream". */
function checkStreamLengths(pdf: Buffer): void {
  const text = pdf.toString('latin1');
  const streams = [...text.matchAll(/<< \/Length (\d+) >>\nstream\n/g)];
  assert.ok(streams.length > 0);
  for (const match of streams) {
    const start = match.index + match[0].length;
    const declared = Number(match[1]);
    assert.equal(text.slice(start + declared, start + declared + 11), '\nendstream\n');
  }
}

function checkStructure(pdf: Buffer): XrefCheck {
  assert.ok(pdf.subarray(0, 8).equals(Buffer.from('%PDF-1.4')), 'starts with %PDF-1.4');
  assert.ok(pdf.toString('latin1').endsWith('%%EOF\n'), 'ends with %%EOF');
  checkStreamLengths(pdf);
  return checkXref(pdf);
}

let fileCounter = 0;

/** Runs pdftotext on the PDF; execFileSync throws, failing the test, on a non-zero exit code. */
function pdfToText(pdf: Buffer, pages?: { first: number; last: number }): string {
  fileCounter += 1;
  const file = path.join(dir, `report-${fileCounter}.pdf`);
  writeFileSync(file, pdf);
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return execFileSync('pdftotext', ['-layout', ...range, file, '-'], { encoding: 'utf8' });
}

/** pdftotext ends every page with a form feed. */
function textPages(text: string): string[] {
  return text.split('\f').slice(0, -1);
}

describe('qaReportPdf', () => {
  const bigLot = Array.from({ length: 200 }, (_, index) => row(index + 1));

  it('writes a structurally valid PDF whose xref offsets are exact', () => {
    const pdf = qaReportPdf(report(bigLot));
    const { objectCount } = checkStructure(pdf);
    const pageCount = (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;
    assert.ok(pageCount >= 4, `200 rows need several pages, got ${pageCount}`);
    assert.equal(objectCount, 5 + 2 * pageCount);
    assert.match(pdf.toString('latin1'), new RegExp(`/Count ${pageCount}\\b`));
    assert.match(pdf.toString('latin1'), /\/MediaBox \[0 0 595\.28 841\.89\]/);
  });

  it('is deterministic and dated from generatedAt', () => {
    const first = qaReportPdf(report(bigLot));
    const second = qaReportPdf(report(bigLot));
    assert.ok(first.equals(second));
    assert.match(first.toString('latin1'), /\/CreationDate \(D:20260315102030Z\)/);
    const other = qaReportPdf(report(bigLot, { generatedAt: '2026-03-16T00:00:00.000Z' }));
    assert.ok(!first.equals(other));
  });

  it('shows heading, summary, every device and page footers to pdftotext', () => {
    const input = report(bigLot);
    const text = pdfToText(qaReportPdf(input));
    const pages = textPages(text);
    const pageCount = pages.length;
    assert.ok(pageCount >= 4);
    assert.match(pages[0]!, /QA report — lot LOT-2026-0315-A/);
    assert.match(pages[0]!, /Recipe:\s+sensor-v2/);
    assert.match(pages[0]!, /Station:\s+line-3/);
    assert.match(pages[0]!, /Generated by:\s+qa\.lead/);
    assert.match(pages[0]!, /Devices:\s+200\b/);
    assert.match(pages[0]!, /Sampled:\s+40\b/);
    // Multiples of 35 are both sampled and failed: 35, 70, ..., 175.
    assert.match(pages[0]!, /QA pass:\s+35\b/);
    assert.match(pages[0]!, /QA fail:\s+5\b/);
    // Multiples of 7 fail provisioning: 28 of 200.
    assert.match(pages[0]!, /Provisioning yield:\s+172\s*\/\s*200 \(86\.0%\)/);
    for (const [index, page] of pages.entries()) {
      assert.match(page, new RegExp(`page ${index + 1} of ${pageCount}\\b`), `footer on page ${index + 1}`);
      assert.match(page, /Serial\s+Certificate serial\s+Outcome\s+Verdict\s+Technician\s+Failed checks/);
    }
    assert.match(pages[2]!, new RegExp(`page 3 of ${pageCount}`));
    for (const device of bigLot) {
      assert.equal(text.split(device.serialNumber).length - 1, 1, `${device.serialNumber} appears exactly once`);
    }
    assert.match(text, /00000001\.\.\.4b5c/, 'certificate serials are shortened');
    assert.match(text, /TL-000007\s+\S+\s+fail\s+not sampled\s+A\. Tester\s+possession/);
  });

  it('puts the last devices on the last page', () => {
    const pdf = qaReportPdf(report(bigLot));
    const pageCount = textPages(pdfToText(pdf)).length;
    const lastPage = pdfToText(pdf, { first: pageCount, last: pageCount });
    assert.match(lastPage, /TL-000200/);
    assert.match(lastPage, /QA report — lot LOT-2026-0315-A \(continued\)/);
    assert.match(lastPage, new RegExp(`page ${pageCount} of ${pageCount}`));
    assert.doesNotMatch(lastPage, /TL-000001\b/);
  });

  it('renders an empty lot as one valid page', () => {
    const pdf = qaReportPdf(report([]));
    const { objectCount } = checkStructure(pdf);
    assert.equal(objectCount, 7);
    const text = pdfToText(pdf);
    assert.equal(textPages(text).length, 1);
    assert.match(text, /page 1 of 1\b/);
    assert.match(text, /No devices in this lot\./);
    assert.match(text, /Devices:\s+0\b/);
    assert.match(text, /Provisioning yield:\s+0\s*\/\s*0\b/);
  });

  it('escapes ( ) \\ and replaces characters the standard fonts lack with ?', () => {
    const input = report([row(1, { serialNumber: 'SN(1)\\x', technician: 'Jürgen 漢字 😀' })], {
      lot: 'L(1) \\ 2',
    });
    const pdf = qaReportPdf(input);
    checkStructure(pdf);
    const raw = pdf.toString('latin1');
    assert.ok(raw.includes('(QA report \\227 lot L\\(1\\) \\\\ 2) Tj'), 'escaped title in the content stream');
    const text = pdfToText(pdf);
    assert.match(text, /QA report — lot L\(1\) \\ 2/);
    assert.match(text, /SN\(1\)\\x/);
    assert.match(text, /Jürgen \?\? \?/);
  });

  it('truncates long cell text with "..."', () => {
    const technician = 'Maximilian Alexander Fitzgerald-Worthington the Third';
    const text = pdfToText(qaReportPdf(report([row(1, { technician })])));
    assert.match(text, /Maximilian[\w -]*\.\.\./);
    assert.ok(!text.includes(technician));
  });
});
