/**
 * Byte ranges of one source, held in a few windows. Parsers are synchronous: they ask for a
 * view of bytes, and when those bytes have not been read yet the view throws `NeedBytes`;
 * `step` then reads them and runs the parser again. In the common case (head and tail already
 * read) a whole file parses without a single extra await.
 */
import { BackupFormatError, hex, Window } from './binary';
import type { ByteSource } from './byteSource';

export const HEAD_BYTES = 16 * 1024;
/** One block with every stream header in a different place needs one read per stream. */
const MAX_READS_PER_STEP = 512;
const PINNED = 2;
const MAX_WINDOWS = 8;

/** Thrown by `view` for bytes not read yet; never escapes `step`. */
class NeedBytes {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {}
}

/**
 * Scratch buffers reused across files: scanning thousands of small files otherwise spends its
 * time allocating and collecting 16 KiB buffers. Nothing decoded keeps a reference to them.
 */
const scratchPool = new Map<number, Uint8Array[]>();
const POOLED_PER_SIZE = 64;

function takeScratch(length: number): Uint8Array {
  const size = Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(1, length))));
  return scratchPool.get(size)?.pop() ?? new Uint8Array(size);
}

function giveBack(buf: Uint8Array): void {
  let free = scratchPool.get(buf.length);
  if (!free) scratchPool.set(buf.length, (free = []));
  if (free.length < POOLED_PER_SIZE) free.push(buf);
}

export class RangeReader {
  private readonly windows: Window[] = [];
  private readonly scratch: Uint8Array[] = [];
  /** Windows at or after this index were read by the running step and must stay. */
  private stepFloor = 0;

  constructor(
    readonly source: ByteSource,
    readonly size: number,
  ) {}

  /**
   * A window holding [offset, offset + length), clamped to the end of the file (so that a
   * parser reading past the end gets a "truncated" error with the right offset).
   */
  view(offset: number, length: number): Window {
    const want = Math.min(length, Math.max(0, this.size - offset));
    for (const w of this.windows) if (w.has(offset, want)) return w;
    throw new NeedBytes(offset, length);
  }

  /** Reads [offset, offset + max(length, readAhead)) into a new window. */
  async fetch(offset: number, length: number, readAhead = 1024): Promise<void> {
    const toRead = Math.min(Math.max(length, readAhead), Math.max(0, this.size - offset));
    // Bytes already held (the tail of a small file overlaps its head) are copied, not read again.
    const overlap = this.windows.find((w) => w.base <= offset && w.end > offset);
    const have = overlap ? Math.min(overlap.end - offset, toRead) : 0;
    const scratch = takeScratch(toRead);
    this.scratch.push(scratch);
    if (overlap) scratch.set(overlap.slice(offset, have), 0);
    const rest = toRead - have;
    if (rest > 0) {
      const got = await this.source.read(offset + have, rest, scratch.subarray(have, toRead));
      if (got.length < rest) {
        throw new BackupFormatError(
          `short read: asked for ${rest} bytes at ${hex(offset + have)}, got ${got.length} (the file shrank while being read?)`,
          offset + have + got.length,
          true,
        );
      }
      // A source may return its own memory rather than fill ours.
      if (got.buffer !== scratch.buffer || got.byteOffset !== scratch.byteOffset + have) scratch.set(got.subarray(0, rest), have);
    }
    // Keep the head and tail (the first two) and every window the current step has read;
    // forget older walk windows beyond a few.
    if (this.windows.length >= MAX_WINDOWS && this.stepFloor > PINNED) {
      this.windows.splice(PINNED, 1);
      this.stepFloor--;
    }
    this.windows.push(new Window(scratch.subarray(0, toRead), offset, this.size));
  }

  /** Runs `parse`, reading whatever bytes it asks for, until it completes or fails. */
  async step<T>(parse: () => T): Promise<T> {
    this.stepFloor = this.windows.length;
    for (let reads = 0; ; reads++) {
      try {
        return parse();
      } catch (e) {
        if (!(e instanceof NeedBytes)) throw e;
        if (reads >= MAX_READS_PER_STEP) throw new BackupFormatError(`gave up after ${reads} reads around ${hex(e.offset)}`, e.offset);
        await this.fetch(e.offset, e.length);
      }
    }
  }

  /** Returns the scratch buffers; no window of this reader may be used afterwards. */
  release(): void {
    for (const b of this.scratch) giveBack(b);
    this.scratch.length = 0;
    this.windows.length = 0;
  }
}
