// Excel, LibreOffice and Sheets treat a cell starting with one of these as a formula and evaluate it
// (=HYPERLINK, =cmd|..., DDE). Device names, notes and technician names come from people and devices,
// so a leading quote makes the spreadsheet show the text instead of running it.
const formulaTriggers = new Set(['=', '+', '-', '@', '\t', '\r']);

function neutralizeFormula(value: string): string {
  return formulaTriggers.has(value.charAt(0)) ? `'${value}` : value;
}

function quoteCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvField(value: string | null): string {
  return quoteCsvField(neutralizeFormula(value ?? ''));
}

/** One RFC 4180 record ending in CRLF; every field formula-neutralized. */
export function csvRecord(fields: ReadonlyArray<string | null>): string {
  return fields.map(csvField).join(',') + '\r\n';
}
