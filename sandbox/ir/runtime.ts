/**
 * The emulated self-hosted integration runtime. Given one of a migration service's
 * authentication keys (which, as the real runtime's keys do, name the service endpoint), it
 * registers a node, sends heartbeats with its figures, and for every network-share migration
 * of that service uploads the backups it finds in the share's folder to the target storage
 * account: Arrived when first seen, Uploading while blocks are staged, Uploaded once committed.
 * A regenerated key takes it offline until it registers again with a current key.
 *
 * Runs in process (tests, `sandbox.startIntegrationRuntime()`) or as its own process
 * (sandbox/ir/main.ts). It only ever connects to loopback addresses.
 */
import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { isLoopback } from '../../src/core/azure/cloud';
import type { FileReport, HeartbeatReply, RegisterReply, UploadJob } from './protocol';

const BLOCK_BYTES = 4 * 1024 * 1024;

export interface RuntimeOptions {
  authKey: string;
  nodeName?: string;
  /** Lines about what it does (never secrets). */
  log?: (line: string) => void;
  /** Heartbeat period; the service's suggestion when absent. */
  heartbeatMs?: number;
}

export type RuntimeState = 'Online' | 'Offline' | 'Stopped';

/** The service endpoint a runtime key names (`IR@id@service@ServiceEndpoint=host:port@secret`). */
export function endpointOfKey(authKey: string): string {
  const m = /@ServiceEndpoint=([^@]+)@/.exec(authKey);
  if (!m) throw new Error('this is not an integration runtime authentication key (it names no ServiceEndpoint)');
  const url = `http://${m[1]}`;
  if (!isLoopback(url)) throw new Error(`the key names the service endpoint ${m[1]}, which is not on this machine's loopback; the sandbox runtime connects to loopback only`);
  return url;
}

interface Tracked extends FileReport {
  mtimeMs: number;
  /** Seen with the same size and time twice: the copy into the share has finished. */
  stable: boolean;
}

class RuntimeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class IntegrationRuntime {
  state: RuntimeState = 'Offline';
  /** Why it is offline, when it is. */
  reason = 'not registered';
  readonly nodeName: string;
  private authKey: string;
  private endpoint: string;
  private heartbeatMs = 2000;
  private timer?: NodeJS.Timeout;
  private busy = false;
  private readonly tracked = new Map<string, Map<string, Tracked>>();
  private sentBytes = 0;
  private running = 0;

  private constructor(private readonly options: RuntimeOptions) {
    this.nodeName = options.nodeName ?? hostname().toUpperCase();
    this.authKey = options.authKey;
    this.endpoint = endpointOfKey(options.authKey);
  }

  /** Registers and starts the heartbeat; rejects when the key is not accepted. */
  static async start(options: RuntimeOptions): Promise<IntegrationRuntime> {
    const ir = new IntegrationRuntime(options);
    await ir.register();
    return ir;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async call<T>(path: string, body: Record<string, unknown>): Promise<T> {
    const res = await fetch(`${this.endpoint}/_sandbox/ir/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, authKey: this.authKey, nodeName: this.nodeName }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : {};
    if (!res.ok) throw new RuntimeError(res.status, json?.error?.code ?? String(res.status), json?.error?.message ?? `HTTP ${res.status}`);
    return json as T;
  }

  /** Registers (again) with a key, the current one when none is given, and goes online. */
  async register(authKey?: string): Promise<void> {
    if (authKey) {
      this.endpoint = endpointOfKey(authKey);
      this.authKey = authKey;
    }
    const r = await this.call<RegisterReply>('register', { machineName: hostname() });
    this.heartbeatMs = this.options.heartbeatMs ?? r.heartbeatMs;
    this.state = 'Online';
    this.reason = '';
    this.log(`node ${this.nodeName} registered with ${r.integrationRuntimeName}`);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.state !== 'Online') return;
    this.timer = setTimeout(() => void this.beat(), ms);
  }

  private async beat(): Promise<void> {
    if (this.busy || this.state !== 'Online') return;
    this.busy = true;
    try {
      const mem = process.memoryUsage();
      const { jobs } = await this.call<HeartbeatReply>('heartbeat', {
        stats: { availableMemoryInMB: Math.round((mem.heapTotal - mem.heapUsed) / 1048576) + 4096, cpuUtilization: 5, concurrentJobsRunning: this.running, sentBytes: this.sentBytes, receivedBytes: 0 },
      });
      for (const job of jobs) await this.runJob(job);
    } catch (e) {
      if (e instanceof RuntimeError && e.status === 401) {
        this.state = 'Offline';
        this.reason = e.message;
        this.log(`offline: ${e.message}`);
      } else {
        this.log(`heartbeat failed, will retry: ${(e as Error).message}`);
      }
    } finally {
      this.busy = false;
      this.schedule(this.heartbeatMs);
    }
  }

  /** One pass over a share folder: note new files, upload the finished ones, report. */
  private async runJob(job: UploadJob): Promise<void> {
    let files = this.tracked.get(job.migrationId);
    if (!files) this.tracked.set(job.migrationId, (files = new Map()));
    const errors: string[] = [];
    try {
      for (const entry of await readdir(job.folder, { withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const s = await stat(join(job.folder, entry.name));
        const t = files.get(entry.name);
        if (!t || t.size !== s.size || t.mtimeMs !== s.mtimeMs) {
          if (t?.status === 'Uploaded') this.log(`${entry.name} changed after its upload; uploading it again`);
          files.set(entry.name, { name: entry.name, size: s.size, mtimeMs: s.mtimeMs, stable: false, status: 'Arrived', dataWritten: 0, copyThroughput: 0, copyDuration: 0 });
        } else {
          t.stable = true;
        }
      }
    } catch (e) {
      errors.push(`Cannot read the network share folder: ${(e as Error).message}`);
    }
    await this.report(job, files, errors);
    const container = new BlobServiceClient(job.blobEndpoint.replace(/\/$/, ''), new StorageSharedKeyCredential(job.accountName, job.accountKey)).getContainerClient(job.container);
    for (const t of files.values()) {
      if (!t.stable || t.status === 'Uploaded' || this.state !== 'Online') continue;
      try {
        await container.createIfNotExists();
        await this.upload(job, container.getBlockBlobClient(t.name), t, files);
      } catch (e) {
        t.status = 'Arrived';
        t.dataWritten = 0;
        const err = e as { statusCode?: number; message?: string };
        errors.push(
          err.statusCode === 403
            ? `Uploading ${t.name} to storage account '${job.accountName}' failed: access denied (check the target account key).`
            : `Uploading ${t.name} to storage account '${job.accountName}' failed: ${err.message ?? String(e)}`,
        );
        break;
      }
    }
    await this.report(job, files, errors);
  }

  private async upload(job: UploadJob, blob: ReturnType<ReturnType<BlobServiceClient['getContainerClient']>['getBlockBlobClient']>, t: Tracked, files: Map<string, Tracked>): Promise<void> {
    const started = Date.now();
    t.status = 'Uploading';
    t.dataWritten = 0;
    this.running++;
    const fh = await open(join(job.folder, t.name), 'r');
    try {
      const ids: string[] = [];
      const buf = Buffer.allocUnsafe(Math.min(BLOCK_BYTES, Math.max(1, t.size)));
      let lastReport = Date.now();
      for (let offset = 0; offset < t.size; offset += BLOCK_BYTES) {
        const want = Math.min(BLOCK_BYTES, t.size - offset);
        const { bytesRead } = await fh.read(buf, 0, want, offset);
        if (bytesRead !== want) throw new Error(`${t.name} became shorter while it was being read`);
        // Block ids: same length for every block, derived from the offset, so a retried upload restages the same ids.
        const id = Buffer.from(createHash('sha256').update(`${t.name}:${offset}`).digest('hex').slice(0, 32)).toString('base64');
        await blob.stageBlock(id, buf.subarray(0, want), want);
        ids.push(id);
        t.dataWritten = offset + want;
        this.sentBytes += want;
        if (Date.now() - lastReport > 500) {
          lastReport = Date.now();
          await this.report(job, files, []);
        }
      }
      await blob.commitBlockList(ids);
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      t.status = 'Uploaded';
      t.dataWritten = t.size;
      t.copyDuration = Math.round(seconds);
      t.copyThroughput = Math.round(t.size / 1024 / seconds);
      this.log(`uploaded ${t.name} (${t.size} bytes)`);
    } finally {
      this.running--;
      await fh.close();
    }
  }

  private async report(job: UploadJob, files: Map<string, Tracked>, errors: string[]): Promise<void> {
    const list: FileReport[] = [...files.values()].map(({ name, size, status, dataWritten, copyThroughput, copyDuration }) => ({ name, size, status, dataWritten, copyThroughput, copyDuration }));
    await this.call('report', { migrationId: job.migrationId, files: list, errors });
  }

  async stop(): Promise<void> {
    this.state = 'Stopped';
    if (this.timer) clearTimeout(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
  }
}
