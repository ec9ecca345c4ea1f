/**
 * One file -> one block blob: blocks staged with bounded concurrency, each checked by the service
 * against its MD5 (transactional Content-MD5).
 *
 * Resumable: a block's id is derived from its index and its content's MD5, so after a crash or a
 * killed upload the same file yields the same ids, and the blocks the blob already holds
 * (uncommitted from an earlier try, or committed from an earlier version of the file) are not
 * sent again. A changed file yields new ids, so stale blocks can never be committed in its
 * place. A blob whose committed block list is exactly the file's ids is identical: it is left
 * as it is. No whole-file hash is computed: the ids carry each block's MD5, which the service
 * checked when it took the block.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { BlockBlobClient } from '@azure/storage-blob';
import { toAzureError } from '../azure/errors';
import { BlockReader, type HashedBlock } from './blockReader';

export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
/** Blocks in flight per file. */
export const DEFAULT_CONCURRENCY = 4;
/** Blocks read and hashed ahead of the ones in flight. */
const READ_AHEAD = 2;
/** The MD5 of no bytes (an empty file has no block to take it from). */
const EMPTY_MD5 = '1B2M2Y8AsgTpgAmY7PhCfg==';
/** Azure's limit of blocks per blob. */
export const MAX_BLOCKS = 50_000;

export interface BlockUploadOptions {
  blockSize?: number;
  /** Blocks in flight at once (default 4); memory is about (concurrency + 2) x blockSize. */
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
  /**
   * Base64 MD5 of the whole file when it comes for free: a file of one block (most log
   * backups), whose blob then carries it as Content-MD5. Larger files are verified block by block.
   */
  md5?: string;
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

/** Blocks the blob already holds, by id: what an earlier try left uncommitted, and what is committed. */
async function blocksOnService(blob: BlockBlobClient, signal: AbortSignal | undefined, action: string) {
  try {
    const list = await blob.getBlockList('all', { abortSignal: signal });
    const committed = (list.committedBlocks ?? []).map((b) => ({ id: b.name, size: b.size }));
    const known = new Map<string, number>();
    for (const b of [...committed, ...(list.uncommittedBlocks ?? []).map((u) => ({ id: u.name, size: u.size }))]) known.set(b.id, b.size);
    return { exists: list.blobContentLength !== undefined || committed.length > 0, length: list.blobContentLength, committed, known };
  } catch (e) {
    if (isNotFound(e)) return { exists: false, length: undefined, committed: [], known: new Map<string, number>() };
    throw toAzureError(e, action);
  }
}

export async function uploadFileAsBlocks(path: string, blob: BlockBlobClient, options: BlockUploadOptions = {}): Promise<FileUploadResult> {
  const signal = options.signal;
  const blobName = blob.name;
  const before = await stat(path);
  const size = before.size;
  const blockSize = blockSizeFor(size, options.blockSize);
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const report = (p: Omit<BlockProgress, 'path' | 'blobName' | 'bytesTotal'>) => options.onProgress?.({ path, blobName, bytesTotal: size, ...p });
  const action = `upload ${path} to ${blob.containerName}/${blobName}`;

  signal?.throwIfAborted();
  const onService = await blocksOnService(blob, signal, action);
  // Enough slots to keep `concurrency` blocks in flight while the next ones are read and hashed.
  const reader = new BlockReader(path, size, blockSize, concurrency + READ_AHEAD);
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let sameAsCommitted = onService.committed.length === Math.ceil(size / blockSize) && onService.length === size;
  let firstMd5: string | undefined;
  let blocksSent = 0;
  let blocksReused = 0;
  let bytesSent = 0;
  let bytesDone = 0;
  const onAbort = () => reader.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let offset = 0; offset < size; offset += blockSize) {
      signal?.throwIfAborted();
      if (failure) break;
      const want = Math.min(blockSize, size - offset);
      let block: HashedBlock | undefined;
      try {
        block = await reader.next();
      } catch (e) {
        signal?.throwIfAborted();
        throw e;
      }
      if (!block || block.size !== want) throw new Error(`${path} shrank while it was being uploaded: wait until the backup has finished writing`);
      const id = blockId(block.index, block.md5);
      ids.push(id);
      if (block.index === 0) firstMd5 = block.md5;
      if (onService.committed[block.index]?.id !== id) sameAsCommitted = false;
      if (onService.known.get(id) === want) {
        reader.release(block);
        blocksReused++;
        bytesDone += want;
        report({ bytesDone, blocksSent, blocksReused });
        continue;
      }
      const sent = block;
      const task = blob
        .stageBlock(id, sent.bytes, want, { transactionalContentMD5: Buffer.from(sent.md5, 'hex'), abortSignal: signal })
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
          reader.release(sent);
          inFlight.delete(task);
        });
      inFlight.add(task);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.allSettled(inFlight);
    reader.close(true);
  }
  if (failure) throw toAzureError(failure, action);
  signal?.throwIfAborted();

  const after = await stat(path);
  if (after.size !== size || after.mtimeMs !== before.mtimeMs) {
    throw new Error(`${path} changed while it was being uploaded: wait until the backup has finished writing, then upload again`);
  }
  // One block is the whole file: its MD5 is the file's, worth keeping on the blob.
  const md5 = ids.length === 1 && firstMd5 ? Buffer.from(firstMd5, 'hex').toString('base64') : size === 0 ? EMPTY_MD5 : undefined;
  const base = { path, blobName, size, ...(md5 && { md5 }) };
  if (sameAsCommitted && onService.exists) {
    return { ...base, outcome: 'identical', blocksSent: 0, blocksReused: 0, bytesSent: 0 };
  }
  try {
    // The SDK commits each id as "Latest": staged now, or already committed with the same content.
    await blob.commitBlockList(ids, {
      blobHTTPHeaders: { blobContentType: 'application/octet-stream', ...(md5 && { blobContentMD5: Buffer.from(md5, 'base64') }) },
      ...(options.metadata && { metadata: options.metadata }),
      abortSignal: signal,
    });
  } catch (e) {
    throw toAzureError(e, action);
  }
  return { ...base, outcome: blocksReused > 0 ? 'resumed' : 'uploaded', blocksSent, blocksReused, bytesSent };
}
