/**
 * Bounds-checked little-endian reads over a window of a backup file.
 *
 * A `Window` holds bytes that start at `base` in the file, so every offset here is an absolute
 * file offset. That keeps error messages ("at offset 0x1e38") meaningful to someone with a hex
 * viewer, and lets the head and trailer of a file be parsed by the same code.
 */

/** A structural problem found while decoding, with the file offset where it was found. */
export class BackupFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** True when the problem is that the bytes simply are not there (the file ends too soon). */
    readonly truncated = false,
  ) {
    super(message);
    this.name = 'BackupFormatError';
  }
}

export function hex(offset: number): string {
  return `0x${offset.toString(16)}`;
}

export class Window {
  constructor(
    readonly bytes: Uint8Array,
    readonly base: number,
    /** The size of the whole file: lets a read past the window say whether the file ends there. */
    readonly fileSize: number,
  ) {}

  get end(): number {
    return this.base + this.bytes.length;
  }

  has(offset: number, length: number): boolean {
    return offset >= this.base && offset + length <= this.end;
  }

  private at(offset: number, length: number, what: string): number {
    if (!this.has(offset, length)) {
      const truncated = offset + length > this.fileSize;
      throw new BackupFormatError(
        truncated
          ? `the file ends at byte ${this.fileSize} but ${what} needs bytes ${offset}..${offset + length}`
          : `${what} at ${hex(offset)} lies outside the bytes read`,
        truncated ? Math.min(offset, this.fileSize) : offset,
        truncated,
      );
    }
    return offset - this.base;
  }

  u8(offset: number, what = 'a byte'): number {
    return this.bytes[this.at(offset, 1, what)]!;
  }

  u16(offset: number, what = 'a 16-bit value'): number {
    const i = this.at(offset, 2, what);
    return this.bytes[i]! | (this.bytes[i + 1]! << 8);
  }

  u32(offset: number, what = 'a 32-bit value'): number {
    const i = this.at(offset, 4, what);
    return (
      (this.bytes[i]! | (this.bytes[i + 1]! << 8) | (this.bytes[i + 2]! << 16)) +
      this.bytes[i + 3]! * 0x1000000
    );
  }

  i8(offset: number, what = 'a byte'): number {
    const v = this.u8(offset, what);
    return v > 127 ? v - 256 : v;
  }

  u64(offset: number, what = 'a 64-bit value'): bigint {
    const lo = this.u32(offset, what);
    const hi = this.u32(offset + 4, what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  slice(offset: number, length: number, what = 'a field'): Uint8Array {
    const i = this.at(offset, length, what);
    return this.bytes.subarray(i, i + length);
  }

  /** Four ASCII characters, e.g. a block or stream tag. */
  tag(offset: number): string {
    const i = this.at(offset, 4, 'a tag');
    return String.fromCharCode(this.bytes[i]!, this.bytes[i + 1]!, this.bytes[i + 2]!, this.bytes[i + 3]!);
  }

  /** True when the four bytes at `offset` spell `tag` (no exception when out of range). */
  isTag(offset: number, tag: string): boolean {
    if (!this.has(offset, 4)) return false;
    const i = offset - this.base;
    for (let k = 0; k < 4; k++) if (this.bytes[i + k] !== tag.charCodeAt(k)) return false;
    return true;
  }

  /** UTF-16LE text without a terminator. */
  utf16(offset: number, byteLength: number, what = 'a string'): string {
    if (byteLength === 0) return '';
    const i = this.at(offset, byteLength, what);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + i, byteLength & ~1).toString('utf16le');
  }

  /** A Windows GUID: the first three groups little-endian, as SQL Server prints it. */
  guid(offset: number, what = 'a GUID'): string {
    const i = this.at(offset, 16, what);
    // One fromCharCode call gives a flat string; concatenating 20 pieces would keep a rope of
    // them alive for every GUID (several KB per backup once thousands are held).
    let n = 0;
    for (const k of GUID_BYTE_ORDER) {
      if (k < 0) {
        GUID_CHARS[n++] = 0x2d; // '-'
        continue;
      }
      const b = this.bytes[i + k]!;
      GUID_CHARS[n++] = HEX_DIGITS[b >> 4]!;
      GUID_CHARS[n++] = HEX_DIGITS[b & 15]!;
    }
    return String.fromCharCode.apply(null, GUID_CHARS as unknown as number[]);
  }

  /** XOR of `words` little-endian 16-bit words starting at `offset` (MTF header checksums). */
  xor16(offset: number, words: number): number {
    const i = this.at(offset, words * 2, 'a checksummed header');
    let x = 0;
    for (let k = 0; k < words; k++) x ^= this.bytes[i + 2 * k]! | (this.bytes[i + 2 * k + 1]! << 8);
    return x;
  }
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const HEX_DIGITS = [...'0123456789ABCDEF'].map((c) => c.charCodeAt(0));
/** Byte order of a Windows GUID as printed (first three groups little-endian); -1 is a dash. */
const GUID_BYTE_ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
const GUID_CHARS = new Uint16Array(36);
