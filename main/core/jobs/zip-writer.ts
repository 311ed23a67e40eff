import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';

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
  private readonly names = new Set<string>();
  private readonly stamp = dosDateTime(new Date());

  constructor(private readonly out: Writable) {}

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  /** Adds one file; names must be unique and use "/" between folders. */
  async add(name: string, data: Buffer, options: { compress?: boolean } = {}): Promise<void> {
    if (this.names.has(name)) throw new Error(`the ZIP already holds ${name}`);
    this.names.add(name);
    const deflated = options.compress === false ? null : deflateRawSync(data);
    // Stored when deflate does not pay: tiny files grow.
    const [method, body] = deflated && deflated.length < data.length ? [8, deflated] : [0, data];
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
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
