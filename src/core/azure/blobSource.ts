/**
 * A backup file in Blob Storage as a `ByteSource`: the backup reader asks for a few byte ranges
 * and each becomes one ranged GET, so reading a header never downloads the backup.
 *
 * Every read is pinned to the ETag seen when the source was opened: if the blob is overwritten
 * while it is being read (an upload still in progress, a re-upload), the read fails with a clear
 * error instead of mixing bytes of two versions.
 */
import type { BlobClient } from '@azure/storage-blob';
import type { ByteSource } from '../backup/byteSource';

export class BlobSourceError extends Error {
  constructor(
    message: string,
    /** Set so the backup reader reports the blob as unreadable, not as corrupt. */
    readonly code: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'BlobSourceError';
  }
}

/** The blob URL without its query string, which may hold a SAS. */
export function blobDisplayName(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function describe(e: unknown, name: string): BlobSourceError {
  const err = e as { statusCode?: number; code?: string; message?: string; name?: string };
  if (err?.name === 'AbortError') return new BlobSourceError(`reading ${name} was cancelled`, 'ABORT_ERR');
  const status = err?.statusCode;
  const code = err?.code ?? 'BLOB_READ_FAILED';
  if (status === 404) return new BlobSourceError(`blob not found: ${name}`, code, status);
  if (status === 412) return new BlobSourceError(`the blob ${name} changed while it was being read (it is being uploaded or was replaced)`, 'BlobChanged', status);
  if (status === 403) return new BlobSourceError(`access to ${name} was denied (check the account key or SAS)`, code, status);
  // The SDK's messages never include the request's credentials.
  return new BlobSourceError(`cannot read ${name}: ${err?.message ?? String(e)}`, code, status);
}

export interface BlobSourceOptions {
  abortSignal?: AbortSignal;
}

export class BlobSource implements ByteSource {
  private constructor(
    readonly name: string,
    private readonly blob: BlobClient,
    private readonly bytes: number,
    /** The version being read. */
    readonly etag: string | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Opens a blob. `known` skips the properties request when a listing already gave the size
   * and ETag (the common case when a whole container is scanned).
   */
  static async open(blob: BlobClient, known?: { size: number; etag?: string }, options: BlobSourceOptions = {}): Promise<BlobSource> {
    const name = blobDisplayName(blob.url);
    if (known) return new BlobSource(name, blob, known.size, known.etag, options.abortSignal);
    try {
      const props = await blob.getProperties({ abortSignal: options.abortSignal });
      return new BlobSource(name, blob, props.contentLength ?? 0, props.etag, options.abortSignal);
    } catch (e) {
      throw describe(e, name);
    }
  }

  async size(): Promise<number> {
    return this.bytes;
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const want = Math.max(0, Math.min(length, this.bytes - offset));
    if (want === 0) return new Uint8Array(0);
    const buf = into && into.length >= want ? into : Buffer.allocUnsafe(want);
    let got = 0;
    try {
      const res = await this.blob.download(offset, want, {
        abortSignal: this.signal,
        ...(this.etag && { conditions: { ifMatch: this.etag } }),
      });
      const body = res.readableStreamBody;
      if (!body) throw new BlobSourceError(`no body in the response for ${this.name}`, 'BLOB_READ_FAILED');
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const n = Math.min(chunk.length, want - got);
        buf.set(n === chunk.length ? chunk : chunk.subarray(0, n), got);
        got += n;
      }
    } catch (e) {
      throw e instanceof BlobSourceError ? e : describe(e, this.name);
    }
    if (got < want) {
      throw new BlobSourceError(`the download of ${this.name} ended after ${got} of ${want} bytes at offset ${offset}`, 'BLOB_SHORT_READ');
    }
    return buf.length === got ? buf : buf.subarray(0, got);
  }

  async close(): Promise<void> {}
}
