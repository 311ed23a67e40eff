import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

// A streaming ZIP writer (APPNOTE 6.3.x) for results of up to hundreds of thousands of small
// files: each entry goes out as soon as it is added, and only its central-directory record stays
// in memory. ZIP64 records are written when the entry count or an offset needs them. (A general
// library tested here rescanned its whole entry list for every entry written: quadratic at this size.)

/** A little-endian field: its width in bytes and its value. */
type Field = readonly [width: 2 | 4 | 8, value: number];

/**
 * The fields, then `tail`, in one buffer: a record is built in place, not from a small Buffer per
 * field (a large result writes millions of fields; each Buffer.alloc is an allocation of its own).
 */
function record(fields: readonly Field[], ...tail: Buffer[]): Buffer {
  let size = 0;
  for (const [width] of fields) size += width;
  for (const part of tail) size += part.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [width, value] of fields) {
    if (width === 2) out.writeUInt16LE(value, at);
    else if (width === 4) out.writeUInt32LE(value, at);
    else out.writeBigUInt64LE(BigInt(value), at);
    at += width;
  }
  for (const part of tail) at += part.copy(out, at);
  return out;
}

const MAX16 = 0xffff;
const centralBlockBytes = 1024 * 1024;
const MAX32 = 0xffffffff;
const utf8Flag = 0x0800;
/** General purpose bit 3: the CRC and sizes follow the data in a data descriptor. */
const dataDescriptorFlag = 0x0008;
const versionNeeded = 45; // 4.5: ZIP64
const versionMadeBy = (3 << 8) | 45; // Unix, 4.5

/** zlib's window (2^9..2^15 bytes) and memory level for an input of `length` bytes. */
function deflateSizing(length: number): { windowBits: number; memLevel: number } {
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(Math.max(length, 1)))));
  return { windowBits, memLevel: Math.max(1, Math.min(8, windowBits - 7)) };
}

/** DOS time and date of a Date, as ZIP stores them. */
function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

export class ZipWriter {
  private offset = 0;
  private count = 0;
  /**
   * Central-directory records, packed into 1 MiB blocks: kept one Buffer each, every small record
   * would pin the 8 KB pool slab it was cut from (with the file data around it) until the end.
   * This is the block being filled; full ones go to the spool file when there is one, else to
   * `fullBlocks`.
   */
  private block = Buffer.alloc(centralBlockBytes);
  private used = 0;
  private readonly fullBlocks: Buffer[] = [];
  private readonly spoolFile: string | null;
  private spool: FileHandle | null = null;
  /** The names added, to refuse a duplicate; null when the caller guarantees unique names. */
  private readonly names: Set<string> | null;
  private readonly stamp = dosDateTime(new Date());

  /**
   * `namesUnique`: the caller makes every name unique itself, so the writer does not keep each
   * name (a few hundred thousand of them in a large result) to check. `centralDirectoryFile`: a
   * file the writer may create, to hold the central directory until the end instead of memory
   * (about 70 bytes an entry: 14 MiB for a 100,000-row result); it is removed by finish().
   */
  constructor(
    private readonly out: Writable,
    options: { namesUnique?: boolean; centralDirectoryFile?: string } = {},
  ) {
    this.names = options.namesUnique ? null : new Set<string>();
    this.spoolFile = options.centralDirectoryFile ?? null;
  }

  private claim(name: string): void {
    if (!this.names) return;
    if (this.names.has(name)) throw new Error(`the ZIP already holds ${name}`);
    this.names.add(name);
  }

  /** Buffers added with `repeated` (the chain.pem of every folder of a result), encoded once. */
  private readonly encoded = new WeakMap<Buffer, { method: number; body: Buffer; crc: number }>();

  private encode(data: Buffer, compress: boolean, repeated: boolean): { method: number; body: Buffer; crc: number } {
    const known = repeated && compress ? this.encoded.get(data) : undefined;
    if (known) return known;
    // Output space about the input's size: by default each call takes a 16 KiB buffer, which a
    // certificate of a kilobyte would keep alive (a result's worth of them: gigabytes of churn).
    // A window and hash table sized to the file (a certificate is a kilobyte), not zlib's default
    // 256 KiB of state per call, which a result's hundred thousand calls churn through malloc.
    const deflated = compress
      ? deflateRawSync(data, { chunkSize: Math.max(1024, data.length + 64), ...deflateSizing(data.length) })
      : null;
    // Stored when deflate does not pay: tiny files grow.
    const [method, body] = deflated && deflated.length < data.length ? [8, deflated] : [0, data];
    const encoded = { method, body, crc: crc32(data) };
    if (repeated && compress) this.encoded.set(data, encoded);
    return encoded;
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  /**
   * Adds one file; names must be unique and use "/" between folders. `repeated`: this very Buffer,
   * unchanged, is added again under other names, so it is deflated once.
   */
  async add(name: string, data: Buffer, options: { compress?: boolean; repeated?: boolean } = {}): Promise<void> {
    this.claim(name);
    const { method, body, crc } = this.encode(data, options.compress !== false, options.repeated === true);
    const nameBytes = Buffer.from(name, 'utf8');
    const localOffset = this.offset;
    const common: Field[] = [
      [2, versionNeeded],
      [2, utf8Flag],
      [2, method],
      [2, this.stamp.time],
      [2, this.stamp.date],
      [4, crc],
      [4, body.length],
      [4, data.length],
    ];
    await this.write(record([[4, 0x04034b50], ...common, [2, nameBytes.length], [2, 0]], nameBytes));
    await this.write(body);
    await this.keepEntry(common, nameBytes, localOffset);
  }

  /**
   * Adds one file whose content is produced piece by piece (results.csv of a large job): it is
   * deflated as it streams, its CRC and sizes written after it in a data descriptor, so only a
   * piece of it is ever in memory. The file must stay under 4 GiB.
   */
  async addStream(name: string, pieces: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    this.claim(name);
    const nameBytes = Buffer.from(name, 'utf8');
    const localOffset = this.offset;
    const flags = utf8Flag | dataDescriptorFlag;
    const head: Field[] = [
      [2, versionNeeded],
      [2, flags],
      [2, 8],
      [2, this.stamp.time],
      [2, this.stamp.date],
    ];
    await this.write(
      record([[4, 0x04034b50], ...head, [4, 0], [4, 0], [4, 0], [2, nameBytes.length], [2, 0]], nameBytes),
    );
    const deflate = createDeflateRaw();
    let crc = 0;
    let size = 0;
    const feeding = (async () => {
      for await (const piece of pieces) {
        crc = crc32(piece, crc);
        size += piece.length;
        if (!deflate.write(piece)) await once(deflate, 'drain');
      }
      deflate.end();
    })().catch((error: unknown) => {
      deflate.destroy(error as Error);
    });
    let compressed = 0;
    for await (const chunk of deflate as AsyncIterable<Buffer>) {
      compressed += chunk.length;
      await this.write(chunk);
    }
    await feeding;
    if (size >= MAX32 || compressed >= MAX32) throw new Error(`${name} is 4 GiB or more`);
    const sizes: Field[] = [
      [4, crc],
      [4, compressed],
      [4, size],
    ];
    await this.write(record([[4, 0x08074b50], ...sizes]));
    await this.keepEntry([...head, ...sizes], nameBytes, localOffset);
  }

  /** The entry's central-directory record; `common` is what it shares with the local header. */
  private async keepEntry(common: readonly Field[], nameBytes: Buffer, localOffset: number): Promise<void> {
    // Entries are small; only their offset can outgrow 32 bits, in a result of several gigabytes.
    const extra =
      localOffset >= MAX32
        ? record([
            [2, 0x0001],
            [2, 8],
            [8, localOffset],
          ])
        : Buffer.alloc(0);
    await this.keep(
      record(
        [
          [4, 0x02014b50],
          [2, versionMadeBy],
          ...common,
          [2, nameBytes.length],
          [2, extra.length],
          [2, 0],
          [2, 0],
          [2, 0],
          [4, (0o100644 << 16) >>> 0],
          [4, Math.min(localOffset, MAX32)],
        ],
        nameBytes,
        extra,
      ),
    );
  }

  private async keep(entry: Buffer): Promise<void> {
    if (this.used + entry.length > this.block.length) await this.blockFull(entry.length);
    entry.copy(this.block, this.used);
    this.used += entry.length;
    this.count += 1;
  }

  /** Moves the full block out of the way (to the spool file or the list) for one that holds `next` bytes. */
  private async blockFull(next: number): Promise<void> {
    const full = this.block.subarray(0, this.used);
    if (this.spoolFile) {
      this.spool ??= await open(this.spoolFile, 'wx', 0o600);
      // writeFile goes on from the file's position and loops on short writes; the block is then reused.
      await this.spool.writeFile(full);
    } else {
      this.fullBlocks.push(full);
      this.block = Buffer.alloc(centralBlockBytes);
    }
    if (next > this.block.length) this.block = Buffer.alloc(next);
    this.used = 0;
  }

  /** Writes the central directory and ends the stream; resolves once everything is flushed. */
  async finish(): Promise<void> {
    const start = this.offset;
    if (this.spool && this.spoolFile) {
      await this.spool.close();
      for await (const chunk of createReadStream(this.spoolFile, { highWaterMark: centralBlockBytes })) {
        await this.write(chunk as Buffer);
      }
      await rm(this.spoolFile, { force: true });
      this.spool = null;
    }
    for (const block of this.fullBlocks) await this.write(block);
    await this.write(this.block.subarray(0, this.used));
    const size = this.offset - start;
    const count = this.count;
    if (count >= MAX16 || start >= MAX32 || size >= MAX32) {
      const zip64Offset = this.offset;
      await this.write(
        record([
          [4, 0x06064b50],
          [8, 44],
          [2, versionMadeBy],
          [2, versionNeeded],
          [4, 0],
          [4, 0],
          [8, count],
          [8, count],
          [8, size],
          [8, start],
        ]),
      );
      await this.write(
        record([
          [4, 0x07064b50],
          [4, 0],
          [8, zip64Offset],
          [4, 1],
        ]),
      );
    }
    await this.write(
      record([
        [4, 0x06054b50],
        [2, 0],
        [2, 0],
        [2, Math.min(count, MAX16)],
        [2, Math.min(count, MAX16)],
        [4, Math.min(size, MAX32)],
        [4, Math.min(start, MAX32)],
        [2, 0],
      ]),
    );
    this.out.end();
    await once(this.out, 'finish');
  }
}
