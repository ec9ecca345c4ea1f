/**
 * Wraps a logical MTF byte stream (as writeSyntheticBackup writes it) into an MSSQLBAK container
 * laid out like the one SQL Server 2016 writes for `BACKUP ... WITH COMPRESSION`
 * (backup-format.md section 8):
 *
 *   header (480 bytes) | 0x21 record: TAPE | `$` pad | raw SFMB |
 *   0x21 records of at most 64 KiB each, cut where each data payload starts and ends |
 *   `,` index of the records that follow the payloads | raw SFMB | 0x21 record: ESET, ESET |
 *   `$` pad | raw SFMB
 *
 * Filemark blocks are stored raw at 512-aligned offsets; everything else is LZ77+Huffman.
 * Record fields whose meaning is unknown (the checksum at +24) hold values of our own.
 */
import { compressXpressHuffman } from './xpressEncoder';

const FIRST_RECORD = 480;
const RECORD_HEADER = 28;
const PAD_HEADER = 24;
const SECTOR = 512;
const MAX_RECORD = 65536;
const MAX_COMPRESSED = 0xffff;
/** Payload streams whose starts and ends cut records, as SQL Server flushes around them. */
const PAYLOADS = new Set(['MQDA', 'MQTL']);

interface Segment {
  start: number;
  end: number;
  /** A raw filemark (SFMB) rather than compressed data. */
  raw: boolean;
}

export interface ContainerLayout {
  /** Every record: its file offset, logical offset and size, and whether it is stored raw. */
  records: { phys: number; logical: number; size: number; raw: boolean }[];
  /** Where the `,` index records start. */
  indexes: number[];
}

/** The compressed file for a logical MTF stream. */
export function writeCompressedContainer(logical: Uint8Array): Uint8Array {
  return layOutContainer(logical).bytes;
}

/** The compressed file and where its records went (tests cut and mutate at record boundaries). */
export function layOutContainer(logical: Uint8Array): { bytes: Uint8Array; layout: ContainerLayout } {
  // A record stores its size in 512-byte units, as MTF blocks always fill them.
  if (logical.length % SECTOR !== 0) throw new Error(`a logical MTF stream of ${logical.length} bytes is not whole 512-byte sectors`);
  const { segments, trailerStarts, indexBase } = planSegments(logical);
  const out = new Growable();
  out.reserve(FIRST_RECORD);
  out.ascii(0, 'MSSQLBAK');
  out.u32(8, 2);
  out.u32(12, 3);
  // The real header holds a few 8-byte runs of 0xFF; nothing reads them.
  for (const at of [0x30, 0x50, 0x70, 0x90]) out.buf.fill(0xff, at, at + 8);

  const layout: ContainerLayout = { records: [], indexes: [] };
  let pendingIndex: { logical: number; phys: number }[] = [];
  for (const seg of segments) {
    if (seg.raw) {
      if (pendingIndex.length > 0) {
        layout.indexes.push(out.length);
        writeIndex(out, pendingIndex);
        pendingIndex = [];
      } else {
        writePad(out);
      }
      layout.records.push({ phys: out.length, logical: seg.start, size: SECTOR, raw: true });
      out.bytes(logical.subarray(seg.start, seg.end));
      continue;
    }
    for (const chunk of compressChunks(logical, seg.start, seg.end)) {
      const phys = out.length;
      if (trailerStarts.has(chunk.start)) pendingIndex.push({ logical: chunk.start - indexBase, phys });
      layout.records.push({ phys, logical: chunk.start, size: chunk.end - chunk.start, raw: false });
      writeRecord(out, chunk.end - chunk.start, chunk.data);
    }
  }
  return { bytes: out.result(), layout };
}

/**
 * Splits the logical stream into raw filemarks and compressed segments, cut where payloads
 * start and end. `trailerStarts` are the cuts at payload ends (the index points there).
 */
function planSegments(logical: Uint8Array): { segments: Segment[]; trailerStarts: Set<number>; indexBase: number } {
  const cuts = new Set<number>();
  const trailerStarts = new Set<number>();
  const { filemarks, payloads } = blocksOf(logical);
  for (const p of payloads) {
    const start = Math.ceil(p.start / SECTOR) * SECTOR;
    const end = Math.floor(p.end / SECTOR) * SECTOR;
    if (end <= start) continue;
    cuts.add(start);
    cuts.add(end);
    trailerStarts.add(end);
  }
  const segments: Segment[] = [];
  let start = 0;
  const flush = (end: number) => {
    const points = [...cuts].filter((c) => c > start && c < end).sort((a, b) => a - b);
    for (const p of [...points, end]) {
      if (p > start) segments.push({ start, end: p, raw: false });
      start = p;
    }
  };
  for (const fm of filemarks) {
    flush(fm);
    segments.push({ start: fm, end: fm + SECTOR, raw: true });
    start = fm + SECTOR;
  }
  flush(logical.length);
  // The index counts from the first set, which starts after the media label's filemark.
  return { segments, trailerStarts, indexBase: filemarks.length > 0 ? filemarks[0]! + SECTOR : 0 };
}

/**
 * The filemarks and data payloads of an MTF stream, found by following block and stream headers
 * without checking them (a test may wrap a deliberately damaged stream). Stops where the chain
 * makes no sense; the rest is then compressed without cuts.
 */
function blocksOf(logical: Uint8Array): { filemarks: number[]; payloads: { start: number; end: number }[] } {
  const filemarks: number[] = [];
  const payloads: { start: number; end: number }[] = [];
  const u16 = (i: number) => logical[i]! | (logical[i + 1]! << 8);
  const tag = (i: number) => String.fromCharCode(...logical.subarray(i, i + 4));
  const length = (i: number) => u16(i) + u16(i + 2) * 2 ** 16 + u16(i + 4) * 2 ** 32;
  let at = 0;
  chain: while (at + 52 <= logical.length) {
    if (tag(at) === 'SFMB') {
      if (at % SECTOR !== 0) break;
      filemarks.push(at);
      at += SECTOR;
      continue;
    }
    let s = at + u16(at + 8);
    for (let streams = 0; streams < 256 && s + 22 <= logical.length; streams++) {
      const dataEnd = s + 22 + length(s + 8);
      if (PAYLOADS.has(tag(s)) && dataEnd > s + 22) payloads.push({ start: s + 22, end: Math.min(dataEnd, logical.length) });
      if (tag(s) === 'SPAD') {
        if (dataEnd <= at || dataEnd % SECTOR !== 0) break chain;
        at = dataEnd;
        continue chain;
      }
      s = Math.ceil(dataEnd / 4) * 4;
    }
    break;
  }
  return { filemarks, payloads };
}

/** Compressed records of at most 64 KiB each (smaller when the data does not compress). */
function* compressChunks(logical: Uint8Array, start: number, end: number): Generator<{ start: number; end: number; data: Uint8Array }> {
  for (let at = start; at < end; ) {
    let size = Math.min(MAX_RECORD, end - at);
    let data = compressXpressHuffman(logical.subarray(at, at + size));
    while (data.length > MAX_COMPRESSED) {
      size = Math.max(SECTOR, Math.floor(size / 2 / SECTOR) * SECTOR);
      data = compressXpressHuffman(logical.subarray(at, at + size));
    }
    yield { start: at, end: at + size, data };
    at += size;
  }
}

function writeRecord(out: Growable, size: number, data: Uint8Array): void {
  const at = out.reserve(RECORD_HEADER);
  out.u8(at, 0x21);
  out.u8(at + 1, size / SECTOR);
  out.u16(at + 2, data.length);
  out.u32(at + 24, checksum(data));
  out.bytes(data);
}

/** A `$` record up to the next 512-byte boundary (none when already there). */
function writePad(out: Growable): void {
  if (out.length % SECTOR === 0) return;
  let end = Math.ceil(out.length / SECTOR) * SECTOR;
  if (end - out.length < PAD_HEADER) end += SECTOR;
  const at = out.reserve(end - out.length);
  out.u8(at, 0x24);
  out.u16(at + 2, end - at - PAD_HEADER);
}

/** A `,` index of (logical offset, file offset) pairs, ending on a 512-byte boundary. */
function writeIndex(out: Growable, entries: { logical: number; phys: number }[]): void {
  const at = out.reserve(PAD_HEADER);
  out.u8(at, 0x2c);
  const start = out.length;
  const end = Math.ceil((start + 16 + 16 * entries.length + 16) / SECTOR) * SECTOR;
  out.reserve(end - start);
  out.u16(start, 1);
  out.u16(start + 2, 1);
  out.u32(start + 4, entries.length);
  out.u32(start + 8, end - start);
  entries.forEach((e, i) => {
    out.u64(start + 16 + 16 * i, e.logical);
    out.u64(start + 24 + 16 * i, e.phys);
  });
  out.u32(start + 12, checksum(out.buf.subarray(start + 16, start + 16 + 16 * entries.length)));
  out.buf.copyWithin(end - 16, start, start + 16);
}

/** Our own checksum for the fields whose algorithm is unknown (nothing verifies them). */
function checksum(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

class Growable {
  buf = new Uint8Array(64 * 1024);
  length = 0;
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.fill(0, at, at + n);
    this.length += n;
    return at;
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length); // may grow `buf`: take the offset first
    this.buf.set(b, at);
  }
  ascii(at: number, s: string): void {
    for (let i = 0; i < s.length; i++) this.buf[at + i] = s.charCodeAt(i);
  }
  u8(at: number, v: number): void {
    this.buf[at] = v & 0xff;
  }
  u16(at: number, v: number): void {
    this.u8(at, v);
    this.u8(at + 1, v >>> 8);
  }
  u32(at: number, v: number): void {
    this.u16(at, v & 0xffff);
    this.u16(at + 2, Math.floor(v / 0x10000) & 0xffff);
  }
  u64(at: number, v: number): void {
    this.u32(at, v % 2 ** 32);
    this.u32(at + 4, Math.floor(v / 2 ** 32));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export interface ContainerRecord {
  /** File offset of the record, and where the next one starts. */
  at: number;
  end: number;
  kind: 'compressed' | 'raw' | 'pad' | 'index';
  /** Logical bytes it holds (0 for pads and indexes). */
  size: number;
}

/**
 * Every record of a container, walked by the layout rules above (for tests that cut or damage
 * a file at record boundaries, real or synthetic). Stops at the first thing it cannot place.
 */
export function containerRecords(file: Uint8Array): ContainerRecord[] {
  const records: ContainerRecord[] = [];
  const u16 = (i: number) => file[i]! | (file[i + 1]! << 8);
  const u32 = (i: number) => u16(i) + u16(i + 2) * 0x10000;
  for (let at = FIRST_RECORD; at < file.length; ) {
    let rec: ContainerRecord;
    if (at % SECTOR === 0 && String.fromCharCode(...file.subarray(at, at + 4)) === 'SFMB') {
      rec = { at, end: at + SECTOR, kind: 'raw', size: SECTOR };
    } else if (file[at] === 0x21) {
      rec = { at, end: at + RECORD_HEADER + u16(at + 2), kind: 'compressed', size: file[at + 1]! * SECTOR };
    } else if (file[at] === 0x24) {
      rec = { at, end: at + PAD_HEADER + u16(at + 2), kind: 'pad', size: 0 };
    } else if (file[at] === 0x2c) {
      rec = { at, end: at + PAD_HEADER + u32(at + PAD_HEADER + 8), kind: 'index', size: 0 };
    } else {
      break;
    }
    if (rec.end > file.length) break;
    records.push(rec);
    at = rec.end;
  }
  return records;
}
