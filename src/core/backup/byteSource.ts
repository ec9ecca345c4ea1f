/**
 * Where backup bytes come from. The reader asks only for byte ranges, so a local file, a blob
 * (ranged GETs) and an in-memory buffer are read by the same code.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface ByteSource {
  /** A name for messages: a path or a URL without credentials. */
  readonly name: string;
  size(): Promise<number>;
  /**
   * Up to `length` bytes from `offset`; fewer only at the end of the source. A caller that
   * reuses memory passes `into` (at least `length` bytes); the source may fill and return it.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export class FileSource implements ByteSource {
  private constructor(
    readonly name: string,
    private readonly handle: FileHandle,
    private readonly bytes: number,
  ) {}

  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTFILE' });
      return new FileSource(path, handle, stat.size);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async size(): Promise<number> {
    return this.bytes;
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const want = Math.max(0, Math.min(length, this.bytes - offset));
    const buf = into && into.length >= want ? into : Buffer.allocUnsafe(want);
    let got = 0;
    // A single read may return less than asked (pipes, network file systems): loop until EOF.
    while (got < want) {
      const { bytesRead } = await this.handle.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.length === got ? buf : buf.subarray(0, got);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export class BufferSource implements ByteSource {
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'buffer',
  ) {}

  async size(): Promise<number> {
    return this.bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, Math.min(this.bytes.length, offset + length));
  }

  async close(): Promise<void> {}
}
