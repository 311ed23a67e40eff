import { csvRecord } from '../reports/csv';
import { a4, PdfPage, type PdfFont, truncateToWidth, writePdf } from './pdf-document';

// The QA report of one production lot, as CSV for spreadsheets and as PDF for the lot's paperwork.
// Pure: the same input gives the same bytes, so a report can be regenerated and compared later.

export interface QaReportRow {
  serialNumber: string;
  deviceName: string | null;
  port: string | null;
  certificateSerial: string | null; // hex
  provisionedAt: string | null; // ISO
  outcome: 'pass' | 'fail' | 'in-progress';
  verdict: 'pass' | 'fail' | null; // QA verdict, null when the device was not sampled
  technician: string | null;
  verifiedAt: string | null; // ISO
  checks: Array<{ name: string; ok: boolean; detail: string }>; // e.g. chain, record-match, possession, policy
  notes: string;
}

export interface QaReportInput {
  lot: string; // lot / line run name
  recipe: string;
  station: string;
  generatedAt: string; // ISO
  generatedBy: string;
  rows: QaReportRow[];
}

function failedCheckNames(row: QaReportRow): string[] {
  return row.checks.filter((check) => !check.ok).map((check) => check.name);
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)

const csvColumns: ReadonlyArray<readonly [string, (row: QaReportRow) => string | null]> = [
  ['serial_number', (row) => row.serialNumber],
  ['device_name', (row) => row.deviceName],
  ['port', (row) => row.port],
  ['certificate_serial', (row) => row.certificateSerial],
  ['provisioned_at', (row) => row.provisionedAt],
  ['outcome', (row) => row.outcome],
  ['verdict', (row) => row.verdict],
  ['technician', (row) => row.technician],
  ['verified_at', (row) => row.verifiedAt],
  ['failed_checks', (row) => failedCheckNames(row).join(';')],
  ['notes', (row) => row.notes],
];

/** RFC 4180 CSV: a header row, then one record per device; every record ends with CRLF. */
export function qaReportCsv(input: QaReportInput): string {
  const header = csvRecord(csvColumns.map(([name]) => name));
  const records = input.rows.map((row) => csvRecord(csvColumns.map(([, value]) => value(row))));
  return header + records.join('');
}

// ---------------------------------------------------------------------------------------------
// PDF

interface QaSummary {
  devices: number;
  sampled: number;
  qaPass: number;
  qaFail: number;
  provisionedPass: number;
}

function summarize(rows: readonly QaReportRow[]): QaSummary {
  return {
    devices: rows.length,
    sampled: rows.filter((row) => row.verdict !== null).length,
    qaPass: rows.filter((row) => row.verdict === 'pass').length,
    qaFail: rows.filter((row) => row.verdict === 'fail').length,
    provisionedPass: rows.filter((row) => row.outcome === 'pass').length,
  };
}

function yieldText(summary: QaSummary): string {
  const ratio = `${summary.provisionedPass} / ${summary.devices}`;
  if (summary.devices === 0) return ratio;
  return `${ratio} (${((summary.provisionedPass / summary.devices) * 100).toFixed(1)}%)`;
}

/** A long certificate serial keeps its start and end: enough to find it, short enough for the column. */
function shortSerial(hex: string | null): string {
  if (hex === null) return '';
  return hex.length <= 16 ? hex : `${hex.slice(0, 8)}...${hex.slice(-4)}`;
}

const margin = 40;
const tableWidth = a4.width - 2 * margin;
const cellPadding = 4;
const bodyStyle = { font: 'regular' as PdfFont, size: 8.5 };
const headStyle = { font: 'bold' as PdfFont, size: 8.5 };
const rowHeight = 14;
const headerRowHeight = 16;
/** The lowest a table row may reach; the footer sits below it. */
const tableBottom = 56;
const footerY = 30;

interface TableColumn {
  title: string;
  width: number;
  cell: (row: QaReportRow) => string;
}

const tableColumns: readonly TableColumn[] = [
  { title: 'Serial', width: 110, cell: (row) => row.serialNumber },
  { title: 'Certificate serial', width: 85, cell: (row) => shortSerial(row.certificateSerial) },
  { title: 'Outcome', width: 60, cell: (row) => row.outcome },
  { title: 'Verdict', width: 58, cell: (row) => row.verdict ?? 'not sampled' },
  { title: 'Technician', width: 85, cell: (row) => row.technician ?? '' },
  { title: 'Failed checks', width: tableWidth - 398, cell: (row) => failedCheckNames(row).join(', ') },
];

function reportTitle(input: QaReportInput): string {
  return `QA report \u2014 lot ${input.lot}`;
}

function cellText(text: string, width: number, font: PdfFont): string {
  return truncateToWidth(text, font, bodyStyle.size, width - 2 * cellPadding);
}

/** Title, header block and summary on the first page; returns where the table starts. */
function drawFirstPageHeading(page: PdfPage, input: QaReportInput): number {
  const title = truncateToWidth(reportTitle(input), 'bold', 16, tableWidth);
  let y = a4.height - margin - 16;
  page.text(margin, y, title, { font: 'bold', size: 16 });
  y -= 26;
  const details: Array<[string, string]> = [
    ['Recipe', input.recipe],
    ['Station', input.station],
    ['Generated at', input.generatedAt],
    ['Generated by', input.generatedBy],
  ];
  y = drawLabelledLines(page, y, details);
  y -= 8;
  page.text(margin, y, 'Summary', { font: 'bold', size: 11 });
  y -= 16;
  const summary = summarize(input.rows);
  y = drawLabelledLines(page, y, [
    ['Devices', String(summary.devices)],
    ['Sampled', String(summary.sampled)],
    ['QA pass', String(summary.qaPass)],
    ['QA fail', String(summary.qaFail)],
    ['Provisioning yield', yieldText(summary)],
  ]);
  return y - 10;
}

const labelWidth = 100;

function drawLabelledLines(page: PdfPage, top: number, lines: ReadonlyArray<[string, string]>): number {
  let y = top;
  for (const [label, value] of lines) {
    page.text(margin, y, `${label}:`, { font: 'bold', size: 10 });
    const fitted = truncateToWidth(value, 'regular', 10, tableWidth - labelWidth);
    page.text(margin + labelWidth, y, fitted, { font: 'regular', size: 10 });
    y -= 14;
  }
  return y;
}

/** A running title on later pages, so a loose page still says which lot it belongs to. */
function drawContinuationHeading(page: PdfPage, input: QaReportInput): number {
  const y = a4.height - margin - 10;
  const title = truncateToWidth(`${reportTitle(input)} (continued)`, 'bold', 10, tableWidth);
  page.text(margin, y, title, { font: 'bold', size: 10 });
  return y - 14;
}

function drawTableHeader(page: PdfPage, top: number): number {
  page.fillRect(margin, top - headerRowHeight, tableWidth, headerRowHeight, 0.88);
  let x = margin;
  for (const column of tableColumns) {
    page.text(x + cellPadding, top - headerRowHeight + 5, cellText(column.title, column.width, 'bold'), headStyle);
    x += column.width;
  }
  return top - headerRowHeight;
}

function drawTableRow(page: PdfPage, top: number, row: QaReportRow): number {
  let x = margin;
  for (const column of tableColumns) {
    page.text(x + cellPadding, top - rowHeight + 4, cellText(column.cell(row), column.width, 'regular'), bodyStyle);
    x += column.width;
  }
  page.line(margin, top - rowHeight, margin + tableWidth, top - rowHeight, 0.3, 0.75);
  return top - rowHeight;
}

function drawTable(page: PdfPage, top: number, rows: readonly QaReportRow[]): void {
  let y = drawTableHeader(page, top);
  if (rows.length === 0) {
    page.text(margin + cellPadding, y - rowHeight + 4, 'No devices in this lot.', bodyStyle);
    return;
  }
  for (const row of rows) y = drawTableRow(page, y, row);
}

function drawFooter(page: PdfPage, input: QaReportInput, pageNumber: number, pageCount: number): void {
  page.line(margin, footerY + 12, margin + tableWidth, footerY + 12, 0.5, 0.5);
  const lot = truncateToWidth(`Lot ${input.lot}`, 'regular', 8, tableWidth - 120);
  page.text(margin, footerY, lot, { font: 'regular', size: 8, gray: 0.3 });
  const label = `page ${pageNumber} of ${pageCount}`;
  page.text(margin + tableWidth - 70, footerY, label, { font: 'regular', size: 8, gray: 0.3 });
}

function rowsThatFit(tableTop: number): number {
  return Math.max(1, Math.floor((tableTop - headerRowHeight - tableBottom) / rowHeight));
}

/** Splits the rows into pages; always at least one page, so an empty lot still gets a report. */
function paginate(rows: readonly QaReportRow[], firstCapacity: number, laterCapacity: number): QaReportRow[][] {
  const pages = [rows.slice(0, firstCapacity)];
  for (let start = firstCapacity; start < rows.length; start += laterCapacity) {
    pages.push(rows.slice(start, start + laterCapacity));
  }
  return pages;
}

/** The report as an A4 PDF: heading and summary, then the device table over as many pages as needed. */
export function qaReportPdf(input: QaReportInput): Buffer {
  const firstPage = new PdfPage();
  const firstTableTop = drawFirstPageHeading(firstPage, input);
  // The continuation heading's height only depends on the layout, so measure it on a scratch page.
  const laterTableTop = drawContinuationHeading(new PdfPage(), input);
  const chunks = paginate(input.rows, rowsThatFit(firstTableTop), rowsThatFit(laterTableTop));
  const pages = chunks.map((chunk, index) => {
    const page = index === 0 ? firstPage : new PdfPage();
    const top = index === 0 ? firstTableTop : drawContinuationHeading(page, input);
    drawTable(page, top, chunk);
    drawFooter(page, input, index + 1, chunks.length);
    return page;
  });
  return writePdf(pages, { title: reportTitle(input), producer: 'Trustline', createdAt: input.generatedAt });
}
