import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

// A streaming ZIP writer (APPNOTE 6.3.x) for results of up to hundreds of thousands of small
// files: each entry goes out as soon as it is added, and only its central-directory record stays
// in memory. ZIP64 records are written when the entry count or an offset needs them. (A general
// library tested here rescanned its whole entry list for every entry written: quadratic at this size.)

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

const MAX16 = 0xffff;
const centralBlockBytes = 1024 * 1024;
const MAX32 = 0xffffffff;
const utf8Flag = 0x0800;
/** General purpose bit 3: the CRC and sizes follow the data in a data descriptor. */
const dataDescriptorFlag = 0x0008;
const versionNeeded = 45; // 4.5: ZIP64
const versionMadeBy = (3 << 8) | 45; // Unix, 4.5

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
   */
  private readonly central: { block: Buffer; used: number }[] = [{ block: Buffer.alloc(centralBlockBytes), used: 0 }];
  /** The names added, to refuse a duplicate; null when the caller guarantees unique names. */
  private readonly names: Set<string> | null;
  private readonly stamp = dosDateTime(new Date());

  /**
   * `namesUnique`: the caller makes every name unique itself, so the writer does not keep each
   * name (a few hundred thousand of them in a large result) to check.
   */
  constructor(
    private readonly out: Writable,
    options: { namesUnique?: boolean } = {},
  ) {
    this.names = options.namesUnique ? null : new Set<string>();
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
    const deflated = compress ? deflateRawSync(data, { chunkSize: Math.max(1024, data.length + 64) }) : null;
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
    const sizes = [u32(crc), u32(body.length), u32(data.length)];
    const common = [
      u16(versionNeeded),
      u16(utf8Flag),
      u16(method),
      u16(this.stamp.time),
      u16(this.stamp.date),
      ...sizes,
    ];
    await this.write(Buffer.concat([u32(0x04034b50), ...common, u16(nameBytes.length), u16(0), nameBytes]));
    await this.write(body);
    this.keepEntry(common, nameBytes, localOffset);
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
    const head = [u16(versionNeeded), u16(flags), u16(8), u16(this.stamp.time), u16(this.stamp.date)];
    await this.write(
      Buffer.concat([u32(0x04034b50), ...head, u32(0), u32(0), u32(0), u16(nameBytes.length), u16(0), nameBytes]),
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
    const sizes = [u32(crc), u32(compressed), u32(size)];
    await this.write(Buffer.concat([u32(0x08074b50), ...sizes]));
    this.keepEntry([...head, ...sizes], nameBytes, localOffset);
  }

  /** The entry's central-directory record; `common` is what it shares with the local header. */
  private keepEntry(common: Buffer[], nameBytes: Buffer, localOffset: number): void {
    // Entries are small; only their offset can outgrow 32 bits, in a result of several gigabytes.
    const extra = localOffset >= MAX32 ? Buffer.concat([u16(0x0001), u16(8), u64(localOffset)]) : Buffer.alloc(0);
    this.keep(
      Buffer.concat([
        u32(0x02014b50),
        u16(versionMadeBy),
        ...common,
        u16(nameBytes.length),
        u16(extra.length),
        u16(0),
        u16(0),
        u16(0),
        u32((0o100644 << 16) >>> 0),
        u32(Math.min(localOffset, MAX32)),
        nameBytes,
        extra,
      ]),
    );
  }

  private keep(record: Buffer): void {
    let current = this.central.at(-1) as { block: Buffer; used: number };
    if (current.used + record.length > current.block.length) {
      current = { block: Buffer.alloc(Math.max(centralBlockBytes, record.length)), used: 0 };
      this.central.push(current);
    }
    record.copy(current.block, current.used);
    current.used += record.length;
    this.count += 1;
  }

  /** Writes the central directory and ends the stream; resolves once everything is flushed. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const { block, used } of this.central) await this.write(block.subarray(0, used));
    const size = this.offset - start;
    const count = this.count;
    if (count >= MAX16 || start >= MAX32 || size >= MAX32) {
      const zip64Offset = this.offset;
      await this.write(
        Buffer.concat([
          u32(0x06064b50),
          u64(44),
          u16(versionMadeBy),
          u16(versionNeeded),
          u32(0),
          u32(0),
          u64(count),
          u64(count),
          u64(size),
          u64(start),
        ]),
      );
      await this.write(Buffer.concat([u32(0x07064b50), u32(0), u64(zip64Offset), u32(1)]));
    }
    await this.write(
      Buffer.concat([
        u32(0x06054b50),
        u16(0),
        u16(0),
        u16(Math.min(count, MAX16)),
        u16(Math.min(count, MAX16)),
        u32(Math.min(size, MAX32)),
        u32(Math.min(start, MAX32)),
        u16(0),
      ]),
    );
    this.out.end();
    await once(this.out, 'finish');
  }
}
