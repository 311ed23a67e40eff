import { createHash } from 'node:crypto';

// A minimal PDF 1.4 writer: text in the two standard Helvetica faces, lines and filled rectangles.
// The standard 14 fonts need no embedding, so a report is a few kilobytes and needs no dependency.
// Everything written is ASCII except the binary marker comment, so byte offsets are simply lengths.

export type PdfFont = 'regular' | 'bold';

/** A4 portrait in PDF points (1/72 inch). */
export const a4 = { width: 595.28, height: 841.89 } as const;

const fontResourceNames: Record<PdfFont, string> = { regular: 'F1', bold: 'F2' };
const fontBaseNames: Record<PdfFont, string> = { regular: 'Helvetica', bold: 'Helvetica-Bold' };

// Advance widths (1/1000 em) of the printable ASCII characters 32..126, from Adobe's AFM files,
// with WinAnsiEncoding's glyphs at 39 (quotesingle) and 96 (grave).
// prettier-ignore
const asciiWidths: Record<PdfFont, readonly number[]> = {
  regular: [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
  ],
  bold: [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
  ],
};

/** No glyph in either face is wider than one em, so measuring the rest as 1000 never under-measures. */
const fallbackWidth = 1000;

// WinAnsiEncoding is Latin-1 except that 0x80..0x9F hold typographic characters instead of C1 controls.
// prettier-ignore
const winAnsiHighBytes = new Map<number, number>([
  [0x20ac, 0x80], [0x201a, 0x82], [0x0192, 0x83], [0x201e, 0x84], [0x2026, 0x85], [0x2020, 0x86],
  [0x2021, 0x87], [0x02c6, 0x88], [0x2030, 0x89], [0x0160, 0x8a], [0x2039, 0x8b], [0x0152, 0x8c],
  [0x017d, 0x8e], [0x2018, 0x91], [0x2019, 0x92], [0x201c, 0x93], [0x201d, 0x94], [0x2022, 0x95],
  [0x2013, 0x96], [0x2014, 0x97], [0x02dc, 0x98], [0x2122, 0x99], [0x0161, 0x9a], [0x203a, 0x9b],
  [0x0153, 0x9c], [0x017e, 0x9e], [0x0178, 0x9f],
]);

const questionMark = 0x3f;

/** One WinAnsi byte for a Unicode code point; '?' for anything the standard fonts cannot show. */
function winAnsiByte(codePoint: number): number {
  if (codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d) return 0x20;
  if (codePoint >= 0x20 && codePoint <= 0x7e) return codePoint;
  if (codePoint >= 0xa0 && codePoint <= 0xff) return codePoint;
  return winAnsiHighBytes.get(codePoint) ?? questionMark;
}

/** The text as WinAnsi bytes, one per code point (so an emoji's surrogate pair becomes one '?'). */
export function encodeWinAnsi(text: string): number[] {
  return Array.from(text, (char) => winAnsiByte(char.codePointAt(0) ?? questionMark));
}

function byteWidth(byte: number, font: PdfFont): number {
  return asciiWidths[font][byte - 32] ?? fallbackWidth;
}

/** Width of the text in points as the PDF viewer will lay it out. */
export function textWidth(text: string, font: PdfFont, size: number): number {
  const units = encodeWinAnsi(text).reduce((sum, byte) => sum + byteWidth(byte, font), 0);
  return (units * size) / 1000;
}

const ellipsis = '...';

/** The text, cut and ended with "..." when it would be wider than maxWidth. */
export function truncateToWidth(text: string, font: PdfFont, size: number, maxWidth: number): string {
  if (textWidth(text, font, size) <= maxWidth) return text;
  const chars = Array.from(text);
  const room = maxWidth - textWidth(ellipsis, font, size);
  let used = 0;
  let kept = 0;
  for (const char of chars) {
    const width = textWidth(char, font, size);
    if (used + width > room) break;
    used += width;
    kept += 1;
  }
  return chars.slice(0, kept).join('') + ellipsis;
}

/** A PDF literal string: ( ) \ escaped, bytes outside printable ASCII written as octal escapes. */
export function pdfLiteralString(text: string): string {
  const body = encodeWinAnsi(text)
    .map((byte) => {
      if (byte === 0x28 || byte === 0x29 || byte === 0x5c) return `\\${String.fromCharCode(byte)}`;
      if (byte < 0x20 || byte > 0x7e) return `\\${byte.toString(8).padStart(3, '0')}`;
      return String.fromCharCode(byte);
    })
    .join('');
  return `(${body})`;
}

/** Numbers without exponents or float noise, which PDF syntax does not allow. */
function num(value: number): string {
  return String(Number(value.toFixed(2)));
}

export interface TextStyle {
  font: PdfFont;
  size: number;
  /** Grey level, 0 black to 1 white. */
  gray?: number;
}

/** One page's content stream, built from drawing calls in user space (origin bottom left). */
export class PdfPage {
  private readonly operations: string[] = [];

  text(x: number, y: number, text: string, style: TextStyle): void {
    const gray = style.gray ?? 0;
    this.operations.push(
      `BT ${num(gray)} g /${fontResourceNames[style.font]} ${num(style.size)} Tf ${num(x)} ${num(y)} Td ` +
        `${pdfLiteralString(text)} Tj ET`,
    );
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.5, gray = 0): void {
    this.operations.push(`${num(gray)} G ${num(width)} w ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`);
  }

  fillRect(x: number, y: number, width: number, height: number, gray: number): void {
    this.operations.push(`${num(gray)} g ${num(x)} ${num(y)} ${num(width)} ${num(height)} re f`);
  }

  content(): string {
    return this.operations.join('\n');
  }
}

export interface PdfInfo {
  title: string;
  producer: string;
  /** ISO 8601; written as the document's /CreationDate so the output depends only on the input. */
  createdAt: string;
}

/** An Info text string as UTF-16BE with a byte order mark: exact for any title, and ASCII hex on disk. */
function pdfTextString(text: string): string {
  const units = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i).toString(16).padStart(4, '0'));
  return `<FEFF${units.join('').toUpperCase()}>`;
}

/** PDF date D:YYYYMMDDHHmmSSZ in UTC, or null when the ISO text is not a date. */
export function pdfDate(iso: string): string | null {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return null;
  const digits = new Date(time).toISOString().replace(/\D/g, '').slice(0, 14);
  return `D:${digits}Z`;
}

function infoDictionary(info: PdfInfo): string {
  const entries = [`/Title ${pdfTextString(info.title)}`, `/Producer ${pdfTextString(info.producer)}`];
  const created = pdfDate(info.createdAt);
  if (created) entries.push(`/CreationDate (${created})`);
  return `<< ${entries.join(' ')} >>`;
}

/** The end-of-line before endstream is not part of the data, so /Length leaves it out. */
function streamObject(content: string): string {
  return `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
}

// Fixed object numbers for the shared objects; each page then takes two: its dictionary and its content.
const catalogId = 1;
const pagesId = 2;
const regularFontId = 3;
const boldFontId = 4;
const infoId = 5;
const firstPageId = 6;

function fontObject(font: PdfFont): string {
  return `<< /Type /Font /Subtype /Type1 /BaseFont /${fontBaseNames[font]} /Encoding /WinAnsiEncoding >>`;
}

function pageObject(contentId: number): string {
  const resources = `<< /Font << /F1 ${regularFontId} 0 R /F2 ${boldFontId} 0 R >> >>`;
  return (
    `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${num(a4.width)} ${num(a4.height)}] ` +
    `/Resources ${resources} /Contents ${contentId} 0 R >>`
  );
}

/** The body of every object, indexed by object number minus one. */
function documentObjects(pages: readonly PdfPage[], info: PdfInfo): string[] {
  const pageIds = pages.map((_, index) => firstPageId + index * 2);
  const kids = pageIds.map((id) => `${id} 0 R`).join(' ');
  const objects = [
    `<< /Type /Catalog /Pages ${pagesId} 0 R >>`,
    `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`,
    fontObject('regular'),
    fontObject('bold'),
    infoDictionary(info),
  ];
  for (const [index, page] of pages.entries()) {
    const contentId = firstPageId + index * 2 + 1;
    objects.push(pageObject(contentId), streamObject(page.content()));
  }
  return objects;
}

function xrefTable(offsets: readonly number[]): string {
  // Each entry is exactly 20 bytes: the two-character line end " \n" is part of the format.
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`);
  return `xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n${entries.join('')}`;
}

/** The whole file. Pages must not be empty: a PDF needs at least one. */
export function writePdf(pages: readonly PdfPage[], info: PdfInfo): Buffer {
  if (pages.length === 0) throw new Error('a PDF needs at least one page');
  // The comment of high bytes after the header tells transfer tools the file is binary, as the spec advises.
  const header = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const chunks: Buffer[] = [header];
  let length = header.length;
  const offsets: number[] = [];
  for (const [index, body] of documentObjects(pages, info).entries()) {
    offsets.push(length);
    const chunk = Buffer.from(`${index + 1} 0 obj\n${body}\nendobj\n`, 'latin1');
    chunks.push(chunk);
    length += chunk.length;
  }
  const body = Buffer.concat(chunks);
  // The ID only has to be stable for the same content, so it is derived from the bytes themselves.
  const id = createHash('sha256').update(body).digest('hex').slice(0, 32).toUpperCase();
  const trailer =
    `trailer\n<< /Size ${offsets.length + 1} /Root ${catalogId} 0 R /Info ${infoId} 0 R /ID [<${id}> <${id}>] >>\n` +
    `startxref\n${length}\n%%EOF\n`;
  return Buffer.concat([body, Buffer.from(xrefTable(offsets) + trailer, 'latin1')]);
}
