/**
 * One file -> one block blob: blocks staged with bounded concurrency, each checked by the service
 * against its MD5 (transactional Content-MD5), the whole file's MD5 set on the blob and checked
 * after the commit.
 *
 * Resumable: a block's id is derived from its index and its content's MD5, so after a crash or a
 * killed upload the same file yields the same ids, and the blocks the blob already holds
 * uncommitted (Azure keeps them for a week) are not sent again. A changed file yields new ids,
 * so stale blocks can never be committed in its place. Identical blobs (same size and MD5) are
 * skipped outright.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { BlockBlobClient } from '@azure/storage-blob';
import { toAzureError } from '../azure/errors';
import { FileHasher } from './hashWorker';

export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
/** Azure's limit of blocks per blob. */
export const MAX_BLOCKS = 50_000;

export interface BlockUploadOptions {
  blockSize?: number;
  /** Blocks in flight at once (default 4); memory is about (concurrency + 1) x blockSize. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Metadata stored on the blob (e.g. which database the file belongs to). */
  metadata?: Record<string, string>;
  onProgress?: (p: BlockProgress) => void;
}

export interface BlockProgress {
  path: string;
  blobName: string;
  /** Bytes handled so far: sent now or already on the service. */
  bytesDone: number;
  bytesTotal: number;
  blocksSent: number;
  blocksReused: number;
}

export type UploadOutcome = 'uploaded' | 'resumed' | 'identical';

export interface FileUploadResult {
  path: string;
  blobName: string;
  size: number;
  /** Base64 MD5 of the whole file (the blob's Content-MD5). */
  md5: string;
  outcome: UploadOutcome;
  blocksSent: number;
  blocksReused: number;
  bytesSent: number;
}

export function blockId(index: number, md5Hex: string): string {
  return Buffer.from(`sqlmig-${String(index).padStart(6, '0')}-${md5Hex}`).toString('base64');
}

/** The block size for a file: the asked one, grown (by whole MiB) if the file would need more than 50,000 blocks. */
export function blockSizeFor(size: number, wanted = DEFAULT_BLOCK_SIZE): number {
  if (Math.ceil(size / wanted) <= MAX_BLOCKS) return wanted;
  const mib = 1024 * 1024;
  return Math.ceil(size / MAX_BLOCKS / mib) * mib;
}

export async function fileMd5(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('base64');
}

function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number }).statusCode === 404;
}

export async function uploadFileAsBlocks(path: string, blob: BlockBlobClient, options: BlockUploadOptions = {}): Promise<FileUploadResult> {
  const signal = options.signal;
  const blobName = blob.name;
  const before = await stat(path);
  const size = before.size;
  const blockSize = blockSizeFor(size, options.blockSize);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const report = (p: Omit<BlockProgress, 'path' | 'blobName' | 'bytesTotal'>) => options.onProgress?.({ path, blobName, bytesTotal: size, ...p });

  const action = `upload ${path} to ${blob.containerName}/${blobName}`;
  // Both questions at once: is the blob already there, and which blocks did an earlier try leave?
  const orNone = (e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw toAzureError(e, action);
  };
  const [existing, uncommitted] = await Promise.all([
    blob.getProperties({ abortSignal: signal }).catch(orNone),
    blob.getBlockList('uncommitted', { abortSignal: signal }).catch(orNone),
  ]);
  if (existing && existing.contentLength === size && existing.contentMD5) {
    const md5 = await fileMd5(path, signal);
    if (Buffer.from(existing.contentMD5).toString('base64') === md5) {
      report({ bytesDone: size, blocksSent: 0, blocksReused: 0 });
      return { path, blobName, size, md5, outcome: 'identical', blocksSent: 0, blocksReused: 0, bytesSent: 0 };
    }
  }
  const staged = new Map<string, number>();
  for (const b of uncommitted?.uncommittedBlocks ?? []) staged.set(b.name, b.size);

  const hasher = new FileHasher(path, blockSize);
  const ids: string[] = [];
  const pool: Buffer[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let blocksSent = 0;
  let blocksReused = 0;
  let bytesSent = 0;
  let bytesDone = 0;

  const fh = await open(path, 'r');
  let md5: Buffer | undefined;
  try {
    for (let index = 0, offset = 0; offset < size; index++, offset += blockSize) {
      signal?.throwIfAborted();
      if (failure) break;
      const want = Math.min(blockSize, size - offset);
      const hash = await hasher.block(index);
      if (hash.size !== want) throw new Error(`${path} changed while it was being uploaded: wait until the backup has finished writing`);
      const id = blockId(index, hash.md5);
      ids.push(id);
      if (staged.get(id) === want) {
        blocksReused++;
        bytesDone += want;
        report({ bytesDone, blocksSent, blocksReused });
        continue;
      }
      const buf = pool.pop() ?? Buffer.allocUnsafe(blockSize);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got !== want) throw new Error(`${path} shrank while it was being uploaded (expected ${size} bytes)`);
      const task = blob
        .stageBlock(id, buf.subarray(0, want), want, { transactionalContentMD5: Buffer.from(hash.md5, 'hex'), abortSignal: signal })
        .then(
          () => {
            blocksSent++;
            bytesSent += want;
            bytesDone += want;
            report({ bytesDone, blocksSent, blocksReused });
          },
          (e) => {
            failure ??= e;
          },
        )
        .finally(() => {
          pool.push(buf);
          inFlight.delete(task);
        });
      inFlight.add(task);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (!failure) md5 = Buffer.from(await hasher.wholeMd5(), 'base64');
  } finally {
    await Promise.allSettled(inFlight);
    await fh.close();
    await hasher.close();
  }
  if (failure) throw toAzureError(failure, action);
  signal?.throwIfAborted();
  if (!md5) throw new Error(`${action}: the file's MD5 could not be computed`);

  const after = await stat(path);
  if (after.size !== size || after.mtimeMs !== before.mtimeMs) {
    throw new Error(`${path} changed while it was being uploaded: wait until the backup has finished writing, then upload again`);
  }
  let props: { contentLength?: number; contentMD5?: Uint8Array };
  try {
    await blob.commitBlockList(ids, {
      blobHTTPHeaders: { blobContentMD5: md5, blobContentType: 'application/octet-stream' },
      ...(options.metadata && { metadata: options.metadata }),
      abortSignal: signal,
    });
    props = await blob.getProperties({ abortSignal: signal });
  } catch (e) {
    throw toAzureError(e, action);
  }
  if (props.contentLength !== size || !props.contentMD5 || Buffer.from(props.contentMD5).compare(md5) !== 0) {
    throw new Error(`${action}: verification failed: the blob has ${props.contentLength} bytes and MD5 ${props.contentMD5 ? Buffer.from(props.contentMD5).toString('base64') : 'none'}, the file ${size} bytes and MD5 ${md5.toString('base64')}`);
  }
  return { path, blobName, size, md5: md5.toString('base64'), outcome: blocksReused > 0 ? 'resumed' : 'uploaded', blocksSent, blocksReused, bytesSent };
}
