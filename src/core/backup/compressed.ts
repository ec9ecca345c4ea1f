/**
 * The MSSQLBAK container that SQL Server writes for `BACKUP ... WITH COMPRESSION`, read as a
 * ByteSource over the decompressed MTF stream, so the MTF parser reads a compressed backup with
 * the same code as an uncompressed one.
 *
 * Layout (backup-format.md section 8, as a file written by SQL Server 2016 shows it):
 * - bytes 0-15: `MSSQLBAK`, u32 2 (the container version), u32 3; a header up to offset 480;
 * - records from 480 with no gaps:
 *   - 0x21: a 28-byte header (+1 u8 decompressed size / 512, +2 u16 compressed size, +20 u32
 *     zero, +24 a checksum of unknown algorithm), then one LZ77+Huffman stream;
 *   - `$` (0x24): `24 00 u16 n` and 20 zero bytes, then n bytes that pad to a 512-byte boundary;
 *   - `,` (0x2c): 24 bytes, then an index ending on a 512-byte boundary: `u16 1, u16 1, u32
 *     count, u32 size, u32 checksum`, `count` pairs of u64 logical offset / u64 file offset of
 *     the records that follow the data payloads (where the trailer blocks sit), zero fill, and
 *     a copy of its 16-byte header;
 *   - raw SFMB filemark blocks (512 bytes, not compressed) at 512-aligned offsets.
 * Logical offsets in the index count from the first record after the media label's filemark
 * (the first SSET): 1536 in the real file.
 *
 * Only what the reader asks for is read: the container header and the first records, the
 * records the index points at and those after them, and, for a range in between, record
 * headers walked forward from the head. Records are decompressed only as far as needed.
 */
import { BackupFormatError, hex } from './binary';
import type { ByteSource } from './byteSource';
import { decompressXpressHuffman, XpressError } from './xpress';

export const COMPRESSED_MAGIC = 'MSSQLBAK';

const HEADER_BYTES = 16;
const FIRST_RECORD = 480;
const RECORD_HEADER = 28;
/** The header of a `$` pad and of a `,` index record. */
const PAD_HEADER = 24;
const INDEX_HEADER = 16;
const SECTOR = 512;
const MAX_RECORD_OUTPUT = 65536;
/** The smallest LZ77+Huffman stream: its code-length table and two 16-bit words. */
const MIN_STREAM = 256 + 4;
const KNOWN_VERSION = 2;
const TYPE_COMPRESSED = 0x21;
const TYPE_PAD = 0x24;
const TYPE_INDEX = 0x2c;
/** How far from the end the index is looked for. */
const TAIL_SEARCH = 16 * 1024;
/** Bytes read at a record header: the header, and often the next small records. */
const READ_AHEAD = 1024;
const MAX_WINDOWS = 6;
const MAX_DECODED = 4;
/** Decompress at least this much of a record at a time (then twice as much), so walking a record is not quadratic. */
const MIN_DECODE = 4096;

/** A truncated or corrupt container; the offset is a file offset. */
export class ContainerError extends BackupFormatError {
  constructor(message: string, offset: number, truncated = false) {
    super(message, offset, truncated);
    this.name = 'ContainerError';
  }
}

/** An MSSQLBAK container this version cannot read (an older layout, or encrypted). */
export class UnreadableContainerError extends Error {
  constructor(
    message: string,
    readonly encrypted = false,
  ) {
    super(message);
    this.name = 'UnreadableContainerError';
  }
}

/** A span of the logical stream: a compressed record or a raw filemark. */
interface Piece {
  /** File offset of the record (or of the raw block). */
  phys: number;
  logical: number;
  size: number;
  /** Bytes of LZ77+Huffman input after the record header; 0 for a raw block. */
  csize: number;
}

type Step = { piece: Piece; next: number } | { skip: number } | { end: true } | { damage: ContainerError };

interface IndexEntry {
  logical: number;
  phys: number;
}

interface Decoded {
  buf: Uint8Array;
  valid: number;
}

/** 64 KiB output buffers reused across files: scanning thousands of files would otherwise churn. */
const bufferPool: Uint8Array[] = [];
const POOLED = 64;

function u16(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 0x1000000;
}

function isTag(b: Uint8Array, i: number, tag: string): boolean {
  for (let k = 0; k < tag.length; k++) if (b[i + k] !== tag.charCodeAt(k)) return false;
  return true;
}

/** True when 256 bytes of 4-bit code lengths fill the 15-bit code space exactly (a valid table). */
function isCompleteHuffmanTable(b: Uint8Array, at: number): boolean {
  if (at + 256 > b.length) return false;
  let space = 0;
  for (let i = 0; i < 256; i++) {
    const v = b[at + i]!;
    if (v & 15) space += 1 << (15 - (v & 15));
    if (v >> 4) space += 1 << (15 - (v >> 4));
  }
  return space === 1 << 15;
}

export class CompressedSource implements ByteSource {
  /** Pieces from the start of the logical stream, contiguous. */
  private readonly head: Piece[] = [];
  /** Where the head walk stands in the file, and the logical offset it has reached. */
  private headEnd = FIRST_RECORD;
  private headLogical = 0;
  /** Why the head walk cannot go on: the end of the file, or a damaged record. */
  private headStop: 'end' | ContainerError | undefined;
  /** Pieces found through the index, contiguous up to the end of the file; empty when unknown. */
  private tail: Piece[] = [];
  private logicalEnd = 0;
  /** A truncated or broken record that ends the readable stream early. */
  private endDamage: ContainerError | undefined;
  private readonly windows: { base: number; bytes: Uint8Array }[] = [];
  private readonly decoded = new Map<Piece, Decoded>();

  private constructor(
    private readonly inner: ByteSource,
    readonly fileSize: number,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  /** The decompressed (logical) size; bytes after a damaged record are not part of it. */
  get logicalSize(): number {
    return this.logicalEnd;
  }

  /** A truncated or broken record that ends the readable stream early, if any. */
  get damage(): ContainerError | undefined {
    return this.endDamage;
  }

  /**
   * Opens the container in `inner` (`fileSize` bytes). `prefix` may hold the first bytes of the
   * file, already read. Throws UnreadableContainerError for a layout this version does not
   * read, ContainerError when not even the first record is there.
   */
  static async open(inner: ByteSource, fileSize: number, prefix?: Uint8Array): Promise<CompressedSource> {
    const c = new CompressedSource(inner, fileSize);
    // A copy: the caller's buffer may be reused once it has handed it over.
    if (prefix && prefix.length > 0) c.windows.push({ base: 0, bytes: new Uint8Array(prefix.subarray(0, Math.min(prefix.length, fileSize))) });
    await c.checkLayout();
    const base = await c.mapHead();
    if (c.headLogical === 0) {
      throw c.headStop instanceof ContainerError ? c.headStop : new ContainerError('the container holds no backup data', FIRST_RECORD);
    }
    await c.mapTail(base);
    return c;
  }

  async size(): Promise<number> {
    return this.logicalEnd;
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const end = Math.min(this.logicalEnd, offset + length);
    const n = Math.max(0, end - offset);
    const out = into && into.length >= n ? into.subarray(0, n) : new Uint8Array(n);
    let at = offset;
    while (at < end) {
      const piece = await this.pieceAt(at);
      const from = at - piece.logical;
      const count = Math.min(piece.size - from, end - at);
      const bytes = piece.csize === 0 ? await this.phys(piece.phys + from, count) : (await this.decode(piece, from + count)).subarray(from);
      out.set(bytes.subarray(0, count), at - offset);
      at += count;
    }
    return out;
  }

  /** The file offset that holds logical byte `logical` (for messages about the real file). */
  physicalOffset(logical: number): number {
    if (logical >= this.logicalEnd) return this.endDamage?.offset ?? this.fileSize;
    const piece = find(this.head, logical) ?? find(this.tail, logical);
    if (!piece) return this.headEnd; // not mapped yet: the walk stands here
    return piece.csize === 0 ? piece.phys + (logical - piece.logical) : piece.phys;
  }

  /** Returns pooled memory; the source must not be read afterwards. */
  release(): void {
    for (const d of this.decoded.values()) if (bufferPool.length < POOLED) bufferPool.push(d.buf);
    this.decoded.clear();
    this.windows.length = 0;
  }

  /** Releases memory only: the inner source belongs to whoever opened it. */
  async close(): Promise<void> {
    this.release();
  }

  /**
   * The container header and the first record decide whether this is the layout this version
   * reads. Only structural evidence is used: the version word, the shape of the first record
   * header and whether a valid Huffman table follows it.
   */
  private async checkLayout(): Promise<void> {
    if (this.fileSize < HEADER_BYTES) {
      throw new ContainerError(`the file ends at byte ${this.fileSize}, inside the container header`, this.fileSize, true);
    }
    const h = await this.phys(0, FIRST_RECORD + RECORD_HEADER + 256);
    const version = u32(h, 8);
    if (version < KNOWN_VERSION) {
      throw new UnreadableContainerError(
        `compressed backup in a container layout this version does not read (SQL Server 2008-2012?): container version ${version}`,
      );
    }
    if (version > KNOWN_VERSION) {
      throw new UnreadableContainerError(`compressed backup in a container version this version does not read (version ${version}; known: ${KNOWN_VERSION})`);
    }
    if (h.length < FIRST_RECORD + RECORD_HEADER) {
      const at = Math.min(this.fileSize, FIRST_RECORD);
      throw new ContainerError(`the file ends at byte ${this.fileSize}, before the first compressed record is complete`, at, true);
    }
    const r = FIRST_RECORD;
    const payloadLength = u32(h, r + 20);
    if (h[r] === TYPE_COMPRESSED && payloadLength === 0) return;
    const tableFollows = isCompleteHuffmanTable(h, r + RECORD_HEADER);
    // Backups taken WITH ENCRYPTION: no sample here. Third-party notes (rsleedbx/mssqlbak-tests)
    // describe an MSSQLBAK container for them too, compressed or not, with this 28-byte record
    // header carrying the AES ciphertext length where this layout has a zero (and the IV in
    // +4..+19), and the encrypted backup key (RSA, wrapped by the certificate) in the container
    // header. Where the encryptor's thumbprint sits is not known, so it is not reported: only
    // this structural sign is used, and only on the first record.
    if (payloadLength > 0 && payloadLength % 16 === 0 && payloadLength <= MAX_RECORD_OUTPUT + 16 && !tableFollows) {
      throw new UnreadableContainerError(
        'encrypted backup (BACKUP ... WITH ENCRYPTION): its records carry encrypted payloads; the certificate or asymmetric key ' +
          'that encrypted it must exist in master on the target managed instance before the restore',
        true,
      );
    }
    // Older containers reportedly have an 8-byte record header before the Huffman table.
    if (isCompleteHuffmanTable(h, r + 8)) {
      throw new UnreadableContainerError('compressed backup in a container layout this version does not read (SQL Server 2008-2012?): 8-byte record headers');
    }
    if (tableFollows) {
      throw new ContainerError(`the first compressed record at ${hex(r)} has a broken header (type 0x${h[r]!.toString(16)}, +20 = ${payloadLength})`, r);
    }
    throw new UnreadableContainerError(
      `compressed backup in a container layout this version does not read (SQL Server 2008-2012?): no record of the known form at ${hex(r)}`,
    );
  }

  /**
   * Maps the head: the media label's record(s) and filemark, then the first record after it,
   * whose logical offset is the base of the index's offsets. Returns that base.
   */
  private async mapHead(): Promise<number | undefined> {
    let sawFilemark = false;
    while (this.headStop === undefined) {
      const piece = await this.extendHead();
      if (!piece) continue;
      if (sawFilemark && piece.csize > 0) return piece.logical;
      if (piece.csize === 0) sawFilemark = true;
    }
    return undefined;
  }

  /**
   * Maps the end of the file from the last record the index points at (the one after the last
   * data payload, before the trailer blocks); without a usable index, walks to the end.
   */
  private async mapTail(base: number | undefined): Promise<void> {
    const index = base === undefined || this.headStop !== undefined ? undefined : await this.findIndex();
    if (index && base !== undefined) {
      const last = index.reduce((a, b) => (b.phys > a.phys ? b : a));
      if (last.phys > this.headEnd && base + last.logical >= this.headLogical) {
        const mapped = await this.walkTail(last.phys, base + last.logical);
        if (mapped.pieces.length > 0) {
          this.tail = mapped.pieces;
          this.logicalEnd = mapped.logicalEnd;
          this.endDamage = mapped.damage;
          return;
        }
      }
    }
    while (this.headStop === undefined) await this.extendHead();
    this.logicalEnd = this.headLogical;
    if (this.headStop instanceof ContainerError) this.endDamage = this.headStop;
  }

  /**
   * The first logical offset at or after `logical` from which the rest of the stream is mapped
   * without walking record headers: where a reader of the end should start.
   */
  mappedFrom(logical: number): number {
    const first = this.tail[0];
    return first && logical < first.logical && logical >= this.headLogical ? first.logical : logical;
  }

  /** Walks one more record at the head; returns the data piece it added, if any. */
  private async extendHead(): Promise<Piece | undefined> {
    if (this.headStop !== undefined) return undefined;
    const first = this.tail[0];
    if (first && this.headEnd >= first.phys) {
      if (this.headEnd !== first.phys || this.headLogical !== first.logical) {
        throw new ContainerError(
          `the container's index places the record at ${hex(first.phys)} at logical offset ${first.logical}, ` +
            `but the records before it end at ${hex(this.headEnd)}, logical offset ${this.headLogical}`,
          first.phys,
        );
      }
      // The head has reached the tail: one map from here on.
      this.head.push(...this.tail);
      this.tail = [];
      this.headLogical = this.logicalEnd;
      this.headStop = this.endDamage ?? 'end';
      return undefined;
    }
    const step = await this.step(this.headEnd, this.headLogical);
    if ('damage' in step) {
      this.headStop = step.damage;
    } else if ('end' in step) {
      this.headStop = 'end';
    } else if ('skip' in step) {
      this.headEnd = step.skip;
    } else {
      this.head.push(step.piece);
      this.headEnd = step.next;
      this.headLogical += step.piece.size;
      return step.piece;
    }
    return undefined;
  }

  private async walkTail(phys: number, logical: number): Promise<{ pieces: Piece[]; logicalEnd: number; damage?: ContainerError }> {
    const pieces: Piece[] = [];
    let at = phys;
    for (;;) {
      const step = await this.step(at, logical);
      if ('damage' in step) return { pieces, logicalEnd: logical, damage: step.damage };
      if ('end' in step) return { pieces, logicalEnd: logical };
      if ('skip' in step) {
        at = step.skip;
        continue;
      }
      pieces.push(step.piece);
      logical += step.piece.size;
      at = step.next;
    }
  }

  /**
   * The last `,` index in the file's final bytes: its 16-byte header sits at its start and,
   * as a copy, just before a 512-byte boundary.
   */
  private async findIndex(): Promise<IndexEntry[] | undefined> {
    const from = Math.max(FIRST_RECORD, this.fileSize - TAIL_SEARCH);
    const w = await this.phys(from, this.fileSize - from, 0);
    for (let boundary = Math.floor(this.fileSize / SECTOR) * SECTOR; boundary - INDEX_HEADER >= from; boundary -= SECTOR) {
      const copy = boundary - INDEX_HEADER - from;
      if (u16(w, copy) !== 1 || u16(w, copy + 2) !== 1) continue;
      const count = u32(w, copy + 4);
      const size = u32(w, copy + 8);
      const start = boundary - size - from;
      if (count < 1 || size < INDEX_HEADER * 2 + 16 * count || start - PAD_HEADER < 0) continue;
      if (w[start - PAD_HEADER] !== TYPE_INDEX) continue;
      let same = true;
      for (let k = 0; k < INDEX_HEADER && same; k++) same = w[start + k] === w[copy + k];
      if (!same) continue;
      const entries: IndexEntry[] = [];
      for (let i = 0; i < count; i++) {
        const e = start + INDEX_HEADER + 16 * i;
        const logical = u32(w, e) + u32(w, e + 4) * 2 ** 32;
        const phys = u32(w, e + 8) + u32(w, e + 12) * 2 ** 32;
        if (phys < FIRST_RECORD || phys >= from + start - PAD_HEADER || !Number.isSafeInteger(logical)) return undefined;
        entries.push({ logical, phys });
      }
      return entries;
    }
    return undefined;
  }

  /** Reads the record header at `at`, whose data (if any) starts at logical offset `logical`. */
  private async step(at: number, logical: number): Promise<Step> {
    if (at >= this.fileSize) return { end: true };
    const h = await this.phys(at, PAD_HEADER + INDEX_HEADER);
    const truncated = (what: string) =>
      ({ damage: new ContainerError(`the file ends at byte ${this.fileSize}, inside ${what} at ${hex(at)}`, at, true) }) as const;
    const corrupt = (what: string) => ({ damage: new ContainerError(`${what} (container record at ${hex(at)})`, at) }) as const;
    if (at % SECTOR === 0 && isTag(h, 0, 'SFMB'.slice(0, h.length))) {
      if (at + SECTOR > this.fileSize) return truncated('a filemark block');
      return { piece: { phys: at, logical, size: SECTOR, csize: 0 }, next: at + SECTOR };
    }
    const type = h[0]!;
    if (type === TYPE_COMPRESSED) {
      if (h.length < RECORD_HEADER) return truncated('a compressed record header');
      const size = h[1]! * SECTOR;
      const csize = u16(h, 2);
      if (size === 0 || size > MAX_RECORD_OUTPUT) return corrupt(`a compressed record claims ${size} decompressed bytes`);
      if (csize < MIN_STREAM) return corrupt(`a compressed record claims only ${csize} compressed bytes`);
      if (u32(h, 20) !== 0) return corrupt('a compressed record header has a non-zero field at +20');
      const next = at + RECORD_HEADER + csize;
      if (next > this.fileSize) return truncated(`the compressed record (it needs ${next - this.fileSize} more bytes)`);
      return { piece: { phys: at, logical, size, csize }, next };
    }
    if (type === TYPE_PAD || type === TYPE_INDEX) {
      const what = type === TYPE_PAD ? 'a pad record' : 'an index record';
      if (h.length < PAD_HEADER + (type === TYPE_INDEX ? INDEX_HEADER : 0)) return truncated(what);
      if (h[1] !== 0) return corrupt(`${what} has an unexpected header`);
      const length = type === TYPE_PAD ? u16(h, 2) : u32(h, PAD_HEADER + 8);
      const next = at + PAD_HEADER + length;
      if (next % SECTOR !== 0) return corrupt(`${what} does not end on a 512-byte boundary`);
      if (next > this.fileSize) return truncated(what);
      return { skip: next };
    }
    return corrupt(`unknown record type 0x${type.toString(16).padStart(2, '0')}`);
  }

  private async pieceAt(logical: number): Promise<Piece> {
    for (;;) {
      const piece = find(this.head, logical) ?? find(this.tail, logical);
      if (piece) return piece;
      // In the gap between head and tail: walk record headers forward from the head.
      if (this.headStop !== undefined) break;
      await this.extendHead();
    }
    if (this.headStop instanceof ContainerError) throw this.headStop;
    throw new ContainerError(`logical offset ${logical} lies in no record`, this.headEnd);
  }

  /** The decompressed bytes of `piece`, valid at least up to `need`. */
  private async decode(piece: Piece, need: number): Promise<Uint8Array> {
    const cached = this.decoded.get(piece);
    if (cached) this.decoded.delete(piece); // re-inserted below: most recently used last
    if (cached && cached.valid >= need) {
      this.decoded.set(piece, cached);
      return cached.buf;
    }
    let buf = cached?.buf;
    if (!buf && this.decoded.size >= MAX_DECODED) {
      const oldest = this.decoded.keys().next().value as Piece;
      buf = this.decoded.get(oldest)!.buf;
      this.decoded.delete(oldest);
    }
    buf ??= bufferPool.pop() ?? new Uint8Array(MAX_RECORD_OUTPUT);
    const input = await this.phys(piece.phys + RECORD_HEADER, piece.csize, 0);
    const stopAfter = Math.min(piece.size, Math.max(need, (cached?.valid ?? 0) * 2, MIN_DECODE));
    let valid: number;
    try {
      valid = decompressXpressHuffman(input, buf.subarray(0, piece.size), { stopAfter });
    } catch (e) {
      if (bufferPool.length < POOLED) bufferPool.push(buf);
      if (!(e instanceof XpressError)) throw e;
      const at = piece.phys + RECORD_HEADER + e.inputOffset;
      throw new ContainerError(`the compressed record at ${hex(piece.phys)} does not decompress: ${e.message} (at byte ${hex(at)})`, at);
    }
    this.decoded.set(piece, { buf, valid });
    return buf;
  }

  /** File bytes [offset, offset + length), clamped to the end of the file. */
  private async phys(offset: number, length: number, readAhead = READ_AHEAD): Promise<Uint8Array> {
    const want = Math.max(0, Math.min(length, this.fileSize - offset));
    for (const w of this.windows) {
      if (offset >= w.base && offset + want <= w.base + w.bytes.length) return w.bytes.subarray(offset - w.base, offset - w.base + want);
    }
    const toRead = Math.min(Math.max(want, readAhead), this.fileSize - offset);
    const got = await this.inner.read(offset, toRead);
    if (got.length < want) {
      throw new ContainerError(`short read: asked for ${want} bytes at ${hex(offset)}, got ${got.length} (the file shrank while being read?)`, offset + got.length, true);
    }
    // Keep the first window (the head), forget the oldest of the others.
    if (this.windows.length >= MAX_WINDOWS) this.windows.splice(1, 1);
    this.windows.push({ base: offset, bytes: got });
    return got.subarray(0, want);
  }
}

/** The piece holding `logical` in a contiguous, sorted list. */
function find(pieces: Piece[], logical: number): Piece | undefined {
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = pieces[mid]!;
    if (logical < p.logical) hi = mid - 1;
    else if (logical >= p.logical + p.size) lo = mid + 1;
    else return p;
  }
  return undefined;
}
