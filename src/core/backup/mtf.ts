/**
 * The Microsoft Tape Format layer that SQL Server writes around its own metadata.
 *
 * A file is a chain of descriptor blocks (DBLKs). Each has a 52-byte common header whose last
 * word is an XOR checksum, then streams, each with a 22-byte checksummed header. The SPAD
 * stream pads to the next block and ends a DBLK's chain; the next DBLK starts where it ends.
 * Layout notes: ../shared/reference/backup-format.md, section 3.
 */
import { BackupFormatError, hex, type Window } from './binary';

/** The DBLK types SQL Server writes, plus the generic MTF ones a walker may meet. */
const DBLK_TYPES = new Set([
  'TAPE', 'SFMB', 'SSET', 'VOLB', 'MSCI', 'MSDA', 'MSTL', 'MSLS', 'ESET',
  'DIRB', 'FILE', 'CFIL', 'ESPB', 'EOTM',
]);

export const DBLK_HEADER_SIZE = 52;
export const STREAM_HEADER_SIZE = 22;

export interface Dblk {
  offset: number;
  type: string;
  attributes: number;
  /** Absolute offset of the first stream header. */
  firstStream: number;
  stringType: number;
}

export interface Stream {
  offset: number;
  id: string;
  mediaAttributes: number;
  length: number;
  dataOffset: number;
  dataEnd: number;
}

export function dblkChecksumOk(w: Window, offset: number): boolean {
  return w.xor16(offset, 25) === w.u16(offset + 0x32);
}

/** True when a known DBLK with a valid checksum starts at `offset`; never throws. */
export function isDblkAt(w: Window, offset: number, type?: string): boolean {
  if (!w.has(offset, DBLK_HEADER_SIZE)) return false;
  const tag = w.tag(offset);
  if (type ? tag !== type : !DBLK_TYPES.has(tag)) return false;
  return dblkChecksumOk(w, offset);
}

export function readDblk(w: Window, offset: number, expected?: string): Dblk {
  const type = w.tag(offset);
  if (!DBLK_TYPES.has(type)) {
    throw new BackupFormatError(
      `expected ${expected ? `a ${expected} block` : 'a descriptor block'} at ${hex(offset)} but found ${describeBytes(w, offset)}`,
      offset,
    );
  }
  if (expected && type !== expected) {
    throw new BackupFormatError(`expected a ${expected} block at ${hex(offset)} but found ${type}`, offset);
  }
  if (!dblkChecksumOk(w, offset)) {
    throw new BackupFormatError(`checksum mismatch in the ${type} block header at ${hex(offset)}`, offset);
  }
  const firstStreamRel = w.u16(offset + 0x08);
  if (firstStreamRel < DBLK_HEADER_SIZE) {
    throw new BackupFormatError(`the ${type} block at ${hex(offset)} points its first stream inside its own header`, offset);
  }
  return {
    offset,
    type,
    attributes: w.u32(offset + 0x04),
    firstStream: offset + firstStreamRel,
    stringType: w.u8(offset + 0x30),
  };
}

export function readStream(w: Window, offset: number, owner: Dblk): Stream {
  const id = w.tag(offset);
  if (w.xor16(offset, 10) !== w.u16(offset + 20)) {
    throw new BackupFormatError(
      `checksum mismatch in a stream header at ${hex(offset)} (in the ${owner.type} block at ${hex(owner.offset)})`,
      offset,
    );
  }
  const length = w.u64(offset + 8);
  if (length > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new BackupFormatError(`the ${id} stream at ${hex(offset)} claims an impossible length ${length}`, offset);
  }
  const dataOffset = offset + STREAM_HEADER_SIZE;
  return {
    offset,
    id,
    mediaAttributes: w.u16(offset + 6),
    length: Number(length),
    dataOffset,
    dataEnd: dataOffset + Number(length),
  };
}

/** Streams are 4-byte aligned. */
export function nextStreamOffset(s: Stream): number {
  // Not `(x + 3) & ~3`: bit operations are 32-bit, and backups pass 2 GiB.
  return Math.ceil(s.dataEnd / 4) * 4;
}

/** A DBLK's strings are `u16 size, u16 offset-from-block-start` pairs. */
export function readBlockString(w: Window, block: Dblk, addrOffset: number, what: string): string {
  const size = w.u16(block.offset + addrOffset, what);
  const rel = w.u16(block.offset + addrOffset + 2, what);
  if (size === 0) return '';
  // A block's strings sit between its fixed fields and its first stream.
  if (rel < DBLK_HEADER_SIZE || block.offset + rel + size > block.firstStream) {
    throw new BackupFormatError(`${what} in the ${block.type} block at ${hex(block.offset)} points outside the block`, block.offset + addrOffset);
  }
  if (block.stringType !== 2) return w.slice(block.offset + rel, size, what).reduce((s, c) => s + String.fromCharCode(c), '');
  return w.utf16(block.offset + rel, size, what);
}

/** A short, printable description of the bytes at `offset`, for "found X" messages. */
export function describeBytes(w: Window, offset: number): string {
  if (!w.has(offset, 1)) return 'the end of the file';
  const n = Math.min(8, w.end - offset);
  const b = w.slice(offset, n);
  const printable = [...b].every((c) => c >= 0x20 && c < 0x7f);
  const text = printable
    ? JSON.stringify(String.fromCharCode(...b))
    : [...b].map((c) => c.toString(16).padStart(2, '0')).join(' ');
  return `bytes ${text}`;
}
