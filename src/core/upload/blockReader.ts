/**
 * Reads a file block by block and hashes each block (MD5) on one worker thread shared by every
 * upload in the process: the thread that sends never reads or hashes, so hashing the next
 * blocks overlaps with sending the current ones.
 *
 * The blocks live in slots of one SharedArrayBuffer per file: the worker reads a block into a
 * free slot and hashes it there, the sender sends a view of that slot, then frees it. Nothing
 * is copied and only slot numbers and hashes cross threads (transferring a fresh buffer per
 * block instead made V8 account it as new memory each time, and collect garbage for it). The
 * number of slots bounds memory and how far the worker reads ahead.
 */
import { Worker } from 'node:worker_threads';

// Plain CommonJS evaluated in the worker, so the bundles need no extra entry point.
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const jobs = new Map();
function fill(id, j, slot) {
  const index = j.next;
  const offset = index * j.blockSize;
  const want = Math.min(j.blockSize, j.size - offset);
  if (want <= 0) return;
  j.next++;
  const view = new Uint8Array(j.memory, slot * j.slotSize, want);
  let got = 0;
  while (got < want) {
    const n = readSync(j.fd, view, got, want - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  const md5 = createHash('md5').update(view.subarray(0, got)).digest('hex');
  parentPort.postMessage({ type: 'block', job: id, index, slot, size: got, md5 });
}
parentPort.on('message', (m) => {
  const j = jobs.get(m.job);
  try {
    if (m.type === 'open') {
      const job = { fd: openSync(m.path, 'r'), blockSize: m.blockSize, size: m.size, memory: m.memory, slotSize: m.slotSize, next: 0 };
      jobs.set(m.job, job);
      for (let slot = 0; slot < m.slots; slot++) fill(m.job, job, slot);
    } else if (m.type === 'close') {
      if (j) closeSync(j.fd);
      jobs.delete(m.job);
    } else if (m.type === 'free' && j) {
      fill(m.job, j, m.slot);
    }
  } catch (e) {
    parentPort.postMessage({ type: 'error', job: m.job, message: String((e && e.message) || e) });
  }
});`;

export interface HashedBlock {
  index: number;
  /** Bytes read: less than asked only when the file shrank. */
  size: number;
  /** Hex MD5 of the block. */
  md5: string;
  /** The block's bytes, in its slot: hand it back with `release` once sent. */
  bytes: Buffer;
  slot: number;
}

type Message = { type: 'block'; job: number; index: number; slot: number; size: number; md5: string } | { type: 'error'; job: number; message: string };

interface Job {
  deliver(m: Message): void;
  fail(e: Error): void;
}

/** The one worker, started on first use; it keeps the process alive only while a reader is open. */
class SharedWorker {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextJob = 1;

  open(job: Job): number {
    const id = this.nextJob++;
    this.jobs.set(id, job);
    this.ensure().ref();
    return id;
  }

  post(message: Record<string, unknown>): void {
    this.ensure().postMessage(message);
  }

  close(id: number): void {
    if (!this.jobs.delete(id)) return;
    this.worker?.postMessage({ type: 'close', job: id });
    if (this.jobs.size === 0) this.worker?.unref();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(SOURCE, { eval: true });
    w.on('message', (m: Message) => this.jobs.get(m.job)?.deliver(m));
    const lost = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined; // the next reader starts a new one
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const j of jobs) j.fail(e);
    };
    w.on('error', lost);
    w.on('exit', () => lost(new Error('the hashing worker stopped')));
    this.worker = w;
    return w;
  }
}

const shared = new SharedWorker();

/**
 * The memory of the last closed reader, for the next one: a buffer per file would leave each
 * file's blocks to the garbage collector, which frees them late (memory grew by a file's worth
 * of blocks per file). Safe to reuse: the worker handles messages in order, so it fills the next
 * reader's slots only after it has closed the previous reader's job.
 */
let spare: SharedArrayBuffer | undefined;

function memoryFor(bytes: number): SharedArrayBuffer {
  const m = spare && spare.byteLength >= bytes ? spare : new SharedArrayBuffer(bytes);
  spare = undefined;
  return m;
}

/** The blocks of one file, in order, read and hashed ahead into `slots` slots of one block each. */
export class BlockReader {
  private readonly job: number;
  private readonly memory: SharedArrayBuffer;
  private readonly slotSize: number;
  private readonly ready = new Map<number, HashedBlock>();
  private waiting: { index: number; resolve(b: HashedBlock): void; reject(e: unknown): void } | undefined;
  private failure: Error | undefined;
  private nextIndex = 0;
  private closed = false;
  private readonly blocks: number;

  constructor(path: string, size: number, blockSize: number, slots: number) {
    this.blocks = Math.ceil(size / blockSize);
    this.slotSize = Math.max(1, Math.min(blockSize, size));
    const count = Math.max(1, Math.min(slots, this.blocks));
    this.memory = memoryFor(this.slotSize * count);
    this.job = shared.open({
      deliver: (m) => {
        if (this.closed) return;
        if (m.type === 'error') return this.fail(new Error(`cannot read ${path}: ${m.message}`));
        const block: HashedBlock = { index: m.index, size: m.size, md5: m.md5, slot: m.slot, bytes: Buffer.from(this.memory, m.slot * this.slotSize, m.size) };
        if (this.waiting?.index === m.index) {
          const w = this.waiting;
          this.waiting = undefined;
          w.resolve(block);
        } else this.ready.set(m.index, block);
      },
      fail: (e) => this.fail(e),
    });
    if (this.blocks > 0) shared.post({ type: 'open', job: this.job, path, blockSize, size, memory: this.memory, slotSize: this.slotSize, slots: count });
  }

  /** The next block, or undefined after the last one. */
  next(): Promise<HashedBlock | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.nextIndex >= this.blocks) return Promise.resolve(undefined);
    const index = this.nextIndex++;
    const block = this.ready.get(index);
    if (block) {
      this.ready.delete(index);
      return Promise.resolve(block);
    }
    return new Promise((resolve, reject) => {
      this.waiting = { index, resolve, reject };
    });
  }

  /** Frees a block's slot (once it is sent, or not needed), to read a later block into. */
  release(block: HashedBlock): void {
    if (!this.closed) shared.post({ type: 'free', job: this.job, slot: block.slot });
  }

  /**
   * Stops reading. `reuseMemory` only once nothing sends from a slot any more: the next reader
   * may take the memory over.
   */
  close(reuseMemory = false): void {
    if (reuseMemory && !this.closed && (!spare || spare.byteLength < this.memory.byteLength)) spare = this.memory;
    if (this.closed) return;
    this.closed = true;
    shared.close(this.job);
    this.waiting?.reject(new Error('the block reader was closed'));
    this.waiting = undefined;
    this.ready.clear();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.waiting?.reject(this.failure);
    this.waiting = undefined;
  }
}
