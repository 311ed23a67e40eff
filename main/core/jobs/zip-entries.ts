import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { StationError } from '../errors/station-error';

export interface ZipLimits {
  /** A CSR is a few kilobytes; anything far larger is not one. */
  maxEntryBytes: number;
  maxEntries: number;
  maxTotalBytes: number;
}

export const csrZipLimits: ZipLimits = {
  maxEntryBytes: 64 * 1024,
  maxEntries: 250_000,
  maxTotalBytes: 512 * 1024 * 1024,
};

export type ZipItem =
  | { index: number; fileName: string; kind: 'file'; content: Buffer }
  | { index: number; fileName: string; kind: 'refused'; reason: string };

const step = 'read-zip';

function inputInvalid(message: string): StationError {
  return new StationError('JOB_INPUT_INVALID', message, { step });
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // lazyEntries: one entry at a time, so a ZIP with 100,000 CSRs never sits in memory whole.
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (error, zip) => {
      if (error || !zip)
        reject(inputInvalid(`This is not a ZIP file that can be read: ${error?.message ?? 'unknown'}.`));
      else resolve(zip);
    });
  });
}

/** Reads one entry, stopping the moment it grows past the limit, whatever its header claimed. */
function readEntry(zip: ZipFile, entry: Entry, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(inputInvalid(`The ZIP entry ${entry.fileName} cannot be read: ${error?.message ?? 'unknown'}.`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          stream.destroy();
          resolve('too-large');
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', (e: Error) =>
        reject(inputInvalid(`The ZIP entry ${entry.fileName} is damaged: ${e.message}.`)),
      );
    });
  });
}

/**
 * The files at the top of a ZIP, one by one. Folders and files inside folders, encrypted entries
 * and entries over the size limit are reported, not read; a ZIP whose entries would unpack past
 * the total limit (a ZIP bomb) is refused as a whole before anything is issued.
 */
export async function* readZipEntries(file: string, limits: ZipLimits): AsyncGenerator<ZipItem> {
  const zip = await openZip(file);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw inputInvalid(`The ZIP holds ${zip.entryCount} entries; a job takes at most ${limits.maxEntries}.`);
    }
    let index = 0;
    let total = 0;
    const next = () =>
      new Promise<Entry | null>((resolve, reject) => {
        const onEntry = (entry: Entry) => {
          zip.off('end', onEnd);
          zip.off('error', onError);
          resolve(entry);
        };
        const onEnd = () => {
          zip.off('entry', onEntry);
          zip.off('error', onError);
          resolve(null);
        };
        const onError = (error: Error) => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          reject(inputInvalid(`The ZIP file is damaged: ${error.message}.`));
        };
        zip.once('entry', onEntry);
        zip.once('end', onEnd);
        zip.once('error', onError);
        zip.readEntry();
      });
    for (let entry = await next(); entry; entry = await next()) {
      index += 1;
      const { fileName } = entry;
      if (fileName.endsWith('/')) continue;
      const refuse = (reason: string): ZipItem => ({ index, fileName, kind: 'refused', reason });
      if (fileName.includes('/') || fileName.includes('\\')) {
        yield refuse('is inside a folder; put the CSR files at the top of the ZIP');
      } else if (entry.isEncrypted()) {
        yield refuse('is encrypted; the ZIP must not have a password');
      } else if (entry.uncompressedSize > limits.maxEntryBytes) {
        yield refuse(`unpacks to ${entry.uncompressedSize} bytes; a CSR file is at most ${limits.maxEntryBytes}`);
      } else {
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) {
          throw inputInvalid(`The ZIP unpacks to more than ${limits.maxTotalBytes} bytes; it is refused as a whole.`);
        }
        const content = await readEntry(zip, entry, limits.maxEntryBytes);
        yield content === 'too-large'
          ? refuse(`unpacks past ${limits.maxEntryBytes} bytes although its header says less`)
          : { index, fileName, kind: 'file', content };
      }
    }
  } finally {
    zip.close();
  }
}
