/**
 * MD5s of a file, block by block and whole, computed on a worker thread that reads the file
 * itself: the thread that drives the uploads never hashes, so hashing and sending overlap
 * (MD5 runs at about 750 MiB/s a core; two passes on the main thread cost a quarter of the
 * throughput in bench/upload).
 */
import { Worker } from 'node:worker_threads';

// Plain CommonJS evaluated in the worker, so the bundles need no extra entry point.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
try {
  const fd = openSync(workerData.path, 'r');
  const whole = createHash('md5');
  const buf = Buffer.allocUnsafe(workerData.blockSize);
  for (let index = 0; ; index++) {
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    if (got === 0) break;
    const data = buf.subarray(0, got);
    whole.update(data);
    parentPort.postMessage({ index, size: got, md5: createHash('md5').update(data).digest('hex') });
    if (got < buf.length) break;
  }
  closeSync(fd);
  parentPort.postMessage({ whole: whole.digest('base64') });
} catch (e) {
  parentPort.postMessage({ error: String((e && e.message) || e) });
}`;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  promise.catch(() => undefined); // consumers await it; an early failure must not be unhandled
  return { promise, resolve, reject };
}

export interface BlockHash {
  index: number;
  size: number;
  /** Hex MD5 of the block. */
  md5: string;
}

export class FileHasher {
  private readonly worker: Worker;
  private readonly blocks: Deferred<BlockHash>[] = [];
  private readonly whole = deferred<string>();
  private failure: unknown;

  constructor(path: string, blockSize: number) {
    this.worker = new Worker(SOURCE, { eval: true, workerData: { path, blockSize } });
    this.worker.on('message', (m: BlockHash & { whole?: string; error?: string }) => {
      if (m.error !== undefined) this.fail(new Error(`cannot read ${path}: ${m.error}`));
      else if (m.whole !== undefined) this.whole.resolve(m.whole);
      else this.slot(m.index).resolve(m);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('the hashing worker stopped')));
  }

  private slot(index: number): Deferred<BlockHash> {
    while (this.blocks.length <= index) {
      const d = deferred<BlockHash>();
      if (this.failure) d.reject(this.failure);
      this.blocks.push(d);
    }
    return this.blocks[index]!;
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    for (const d of this.blocks) d.reject(this.failure);
    this.whole.reject(this.failure);
  }

  block(index: number): Promise<BlockHash> {
    return this.slot(index).promise;
  }

  /** Base64 MD5 of the whole file. */
  wholeMd5(): Promise<string> {
    return this.whole.promise;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
