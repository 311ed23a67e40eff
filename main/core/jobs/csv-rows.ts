import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { StationError } from '../errors/station-error';

export interface CsvRecord {
  /** The physical line the record starts on (the header is line 1), as a text editor counts. */
  line: number;
  fields: string[];
}

const step = 'read-csv';

function inputInvalid(message: string): StationError {
  return new StationError('JOB_INPUT_INVALID', message, { step });
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** A byte-order mark names the encoding; without one the file must be UTF-8 (Excel's "CSV UTF-8"). */
function detectEncoding(head: Buffer): { encoding: Encoding; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  // UTF-16 without a BOM shows as every other byte zero in ASCII text.
  const zeros = head.filter((b) => b === 0).length;
  if (zeros > head.length / 4) {
    throw inputInvalid('The file looks like UTF-16 without a byte-order mark. Save it as "CSV UTF-8".');
  }
  return { encoding: 'utf-8', bomLength: 0 };
}

/** The file's text, decoded chunk by chunk: a 100,000-row file is never held whole. */
async function* decodedChunks(file: string): AsyncGenerator<string> {
  const head = Buffer.alloc(64);
  const handle = await open(file, 'r');
  const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
  const { encoding, bomLength } = detectEncoding(head.subarray(0, bytesRead));
  const decoder = new TextDecoder(encoding, { fatal: true });
  const notText = () =>
    inputInvalid(
      encoding === 'utf-8'
        ? 'The file is not valid UTF-8 (perhaps Windows-1252 or Latin-1). Save it as "CSV UTF-8".'
        : `The file is not valid ${encoding.toUpperCase()}.`,
    );
  for await (const chunk of createReadStream(file, { start: bomLength, highWaterMark: 256 * 1024 })) {
    try {
      yield decoder.decode(chunk as Buffer, { stream: true });
    } catch {
      throw notText();
    }
  }
  try {
    yield decoder.decode();
  } catch {
    throw notText();
  }
}

const countNewlines = (text: string): number => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
};

const candidateDelimiters = [',', ';', '\t', '|'] as const;

/** The candidate that appears most often in the header line, outside quotes; a comma when none does. */
function headerDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const header = (end === -1 ? text : text.slice(0, end)).replace(/"[^"]*"/g, '');
  let best: string = ',';
  let bestCount = 0;
  for (const candidate of candidateDelimiters) {
    const count = header.split(candidate).length - 1;
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

/**
 * Streams a CSV's records with the line each starts on. Quoted fields may hold newlines and
 * delimiters; the delimiter is detected among comma, semicolon (what Excel writes in much of
 * Europe), tab and pipe. Blank lines are skipped but counted, so line numbers match an editor's.
 */
/**
 * Line ends as LF only: a template saved with CRLF and rows appended by a tool that writes LF
 * (or a file edited on two systems) is still one record per line. A CR at a chunk's end waits for
 * the next chunk, in case an LF follows it.
 */
async function* unixLineEnds(chunks: AsyncGenerator<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + chunk;
    carry = text.endsWith('\r') ? '\r' : '';
    yield (carry ? text.slice(0, -1) : text).replace(/\r\n?/g, '\n');
  }
  if (carry) yield '\n';
}

/**
 * papaparse's own Node stream (NODE_STREAM_INPUT) pauses after every 16 records and, each time,
 * copies the rest of its input chunk and parses it afresh — without quotes, by splitting all of
 * it into lines again. That is quadratic in a chunk: most of a 10,000-row station-keyed job's
 * validation. Here papaparse reads a Readable in its chunk mode instead: each chunk of text goes
 * in as one 'data' event, is parsed before the event returns, and hands back all its whole
 * records at once; a record cut by the chunk's end waits for the next chunk inside papaparse. The
 * next chunk goes in only once those records are read, so one chunk's records are held at a time.
 */
function chunkParser(delimiter: string): { parse(text: string): string[][]; end(): string[][] } {
  // Never pushed to: papaparse only listens to it, and the text is handed over by emit().
  const source = new Readable({ read: () => undefined });
  let records: string[][] = [];
  let failure: unknown = null;
  Papa.parse<string[]>(source, {
    delimiter,
    newline: '\n',
    skipEmptyLines: false,
    chunk: (results) => {
      records = records.length === 0 ? results.data : records.concat(results.data);
    },
    error: (error) => {
      failure = error;
    },
    // Every record arrives through chunk(); end() returns the last of them.
    complete: () => undefined,
  });
  const take = (): string[][] => {
    if (failure) throw inputInvalid(`The CSV file could not be read (${String(failure)}).`);
    const taken = records;
    records = [];
    return taken;
  };
  return {
    parse(text) {
      source.emit('data', text);
      return take();
    },
    end() {
      source.emit('end');
      return take();
    },
  };
}

export async function* readCsvRecords(file: string): AsyncGenerator<CsvRecord> {
  const chunks = unixLineEnds(decodedChunks(file));
  let first = '';
  // The header decides the delimiter, so read until it is complete (or the file ends).
  while (!/\n/.test(first)) {
    const next = await chunks.next();
    if (next.done) break;
    first += next.value;
  }
  const parser = chunkParser(headerDelimiter(first));
  let line = 1;
  function* numbered(rows: string[][]): Generator<CsvRecord> {
    for (const fields of rows) {
      const start = line;
      // A record spans one line plus one per newline inside its quoted fields.
      line += 1 + fields.reduce((n, field) => n + countNewlines(field), 0);
      if (fields.length === 1 && fields[0] === '') continue;
      yield { line: start, fields };
    }
  }
  try {
    yield* numbered(parser.parse(first));
    for await (const text of chunks) yield* numbered(parser.parse(text));
    yield* numbered(parser.end());
  } finally {
    // A reader that stops early (a bad header) closes the file now, not when it is collected.
    await chunks.return(undefined);
  }
}
