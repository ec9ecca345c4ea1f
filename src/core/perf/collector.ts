/**
 * Performance collection over an open connection: the static facts first (three queries), then
 * one sample every interval (ONE batch each, its cost measured), appended to the collection's
 * folder as it is taken. Running it again on the same folder resumes: samples are appended and
 * the static facts refreshed. Cancelling (the signal) ends the session cleanly: what was taken
 * stays, and the folder is ready for the next run.
 */
import { readProperties } from '../source/inventory';
import { SourceError } from '../source/errors';
import type { QueryOptions, SourceConnection } from '../source/connection';
import { COLLECTION_FORMAT, COLLECTION_FORMAT_VERSION, type CollectionManifest, type DatabaseInfo, type FileKind, type HostInfo, type RawSample } from './model';
import { DATABASES_QUERY, featuresQuery, hostQuery, sampleQuery } from './queries';
import { appendSample, readCollection, readManifest, repairSamples, writeManifest } from './store';

declare const SQLMIG_VERSION: string | undefined;
const VERSION = typeof SQLMIG_VERSION === 'string' ? SQLMIG_VERSION : '0.0.0-dev';

export const DEFAULT_INTERVAL_SEC = 30;
/** Microsoft's collector asks for at least 10 minutes before a recommendation. */
export const MIN_RECOMMENDATION_SECONDS = 600;
export const DEFAULT_BUFFER_POOL_EVERY = 10;
export const DEFAULT_STATIC_EVERY_SEC = 3600;

export interface CollectProgress {
  folder: string;
  /** Samples taken in this run, and planned. */
  taken: number;
  planned: number;
  /** Samples in the folder (earlier runs included). */
  total: number;
  /** Server-time span the folder covers, in seconds. */
  spanSeconds: number;
  /** The last sample's round trip (ms). */
  lastCostMs: number;
}

export interface CollectOptions extends QueryOptions {
  folder: string;
  intervalSec?: number;
  /** This run's length (default 600 s: the minimum before a recommendation). */
  durationSec?: number;
  /** Read the buffer pool every N samples (default 10); 1 = every sample, as Microsoft's collector. */
  bufferPoolEvery?: number;
  /** Refresh the static facts this often (default hourly). */
  staticEverySec?: number;
  onProgress?: (p: CollectProgress) => void;
  /** Waits between samples (tests pass a fast one); default: real time, cut short by the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock the schedule runs on (ms), paired with `sleep`; default Date.now. */
  now?: () => number;
}

export interface CollectResult {
  folder: string;
  taken: number;
  total: number;
  spanSeconds: number;
  /** Round trips this run: static reads and samples. */
  roundTrips: number;
  sampleCostMs: { mean: number; max: number };
  stoppedBy: 'duration' | 'cancelled';
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN);
const opt = (v: unknown): number | undefined => (v === null || v === undefined || Number.isNaN(num(v)) ? undefined : num(v));

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function fileKind(typeDesc: string): FileKind {
  const t = typeDesc.toUpperCase();
  return t === 'ROWS' || t === 'LOG' || t === 'FILESTREAM' ? t : 'OTHER';
}

/** Host, databases with their files, and which of them use In-Memory OLTP or FILESTREAM. */
export async function readStaticFacts(conn: SourceConnection, majorVersion: number, options: QueryOptions = {}): Promise<{ host: HostInfo; databases: DatabaseInfo[] }> {
  const [hostRow] = await conn.query<Row>(hostQuery(majorVersion), options);
  const host: HostInfo = {
    cpuCount: num(hostRow?.cpu_count) || 1,
    ...(opt(hostRow?.hyperthread_ratio) !== undefined && { hyperthreadRatio: opt(hostRow?.hyperthread_ratio)! }),
    ...(opt(hostRow?.physical_memory_mb) !== undefined && { physicalMemoryMb: opt(hostRow?.physical_memory_mb)! }),
    ...(opt(hostRow?.max_server_memory_mb) !== undefined && { maxServerMemoryMb: opt(hostRow?.max_server_memory_mb)! }),
    ...(typeof hostRow?.sqlserver_start_time === 'string' && { startedAt: hostRow.sqlserver_start_time }),
  };
  const rows = await conn.query<Row>(DATABASES_QUERY, options);
  const byId = new Map<number, DatabaseInfo>();
  for (const r of rows.filter((x) => x.k === 'db')) {
    byId.set(num(r.database_id), {
      id: num(r.database_id), name: String(r.name), state: String(r.detail ?? 'ONLINE'),
      ...(opt(r.n1) !== undefined && { compatibilityLevel: opt(r.n1)! }), files: [],
    });
  }
  for (const r of rows.filter((x) => x.k === 'file')) {
    byId.get(num(r.database_id))?.files.push({ fileId: num(r.file_id), name: String(r.name), type: fileKind(String(r.detail ?? '')), sizeMb: num(r.n1) || 0 });
  }
  const databases = [...byId.values()].sort((a, b) => a.id - b.id);
  const online = databases.filter((d) => d.id > 4 && d.state === 'ONLINE').map((d) => d.name);
  const q = featuresQuery(online);
  if (q) {
    try {
      for (const r of await conn.query<Row>(q, options)) {
        const d = databases.find((x) => x.name === r.database_name);
        if (!d) continue;
        if (r.type === 'FX') d.memoryOptimized = true;
        if (r.type === 'FD') d.filestream = true;
      }
    } catch (e) {
      // A database the login cannot open leaves In-Memory OLTP unknown there; the rest still counts.
      if (!(e instanceof SourceError) || (e.kind !== 'permission' && e.kind !== 'sql')) throw e;
    }
  }
  return { host, databases };
}

/** The sample rowset as a RawSample. */
export function toSample(rows: Row[], costMs: number): RawSample {
  const clock = rows.find((r) => r.k === 'clock');
  if (!clock) throw new Error('the sample has no clock row');
  const cpu = rows.find((r) => r.k === 'cpu');
  const mem = rows.find((r) => r.k === 'mem');
  const bufRows = rows.filter((r) => r.k === 'buf');
  return {
    t: num(clock.v1), ticks: num(clock.v2), start: num(clock.v3),
    ...(cpu && { cpu: { sql: num(cpu.v1), idle: num(cpu.v2) } }),
    mem: {
      inUseKb: num(mem?.v1) || 0, utilization: num(mem?.v2) || 0,
      ...(opt(clock.v4) !== undefined && { committedKb: opt(clock.v4)! }),
      ...(opt(clock.v5) !== undefined && { targetKb: opt(clock.v5)! }),
    },
    dbCpu: rows.filter((r) => r.k === 'dbcpu').map((r) => [num(r.db), num(r.v1), num(r.v2), num(r.v3)]),
    ...(bufRows.length && { buf: bufRows.map((r) => [num(r.db), num(r.v1)] as [number, number]) }),
    files: rows.filter((r) => r.k === 'file').map((r) => [num(r.db), num(r.f), num(r.v1), num(r.v2), num(r.v3), num(r.v4), num(r.v5), num(r.v6), num(r.v7)]),
    costMs: Math.round(costMs * 100) / 100,
  };
}

/** Collects into `folder` (new, or a collection of the same server to resume). */
export async function collectPerformance(conn: SourceConnection, options: CollectOptions): Promise<CollectResult> {
  const intervalSec = options.intervalSec ?? DEFAULT_INTERVAL_SEC;
  if (!(intervalSec > 0)) throw new RangeError(`the interval must be a positive number of seconds, not ${intervalSec}`);
  const durationSec = options.durationSec ?? MIN_RECOMMENDATION_SECONDS;
  const bufferPoolEvery = Math.max(1, Math.round(options.bufferPoolEvery ?? DEFAULT_BUFFER_POOL_EVERY));
  const staticEveryMs = (options.staticEverySec ?? DEFAULT_STATIC_EVERY_SEC) * 1000;
  const sleep = options.sleep ?? realSleep;
  const clock = options.now ?? Date.now;
  const signal = options.signal;
  const q = signal ? { signal } : {};
  const tripsBefore = conn.roundTrips;

  const existing = await readManifest(options.folder);
  const properties = await readProperties(conn, q);
  if (existing && existing.server.name.toLowerCase() !== properties.serverName.toLowerCase()) {
    throw new Error(`${options.folder} holds a collection of ${existing.server.name}, not ${properties.serverName}: collect into another folder`);
  }
  await repairSamples(options.folder);
  const previous = existing ? (await readCollection(options.folder)).samples : [];
  let first = previous[0]?.t;
  let last = previous[previous.length - 1]?.t;
  let total = previous.length;

  let facts = await readStaticFacts(conn, properties.majorVersion, q);
  const now = new Date().toISOString();
  const manifest: CollectionManifest = {
    format: COLLECTION_FORMAT, formatVersion: COLLECTION_FORMAT_VERSION, tool: { name: 'sqlmig', version: VERSION },
    server: { name: properties.serverName, productVersion: properties.productVersion, edition: properties.edition, engineEdition: properties.engineEdition },
    host: facts.host, databases: facts.databases, intervalSec, bufferPoolEvery,
    createdAt: existing?.createdAt ?? now, updatedAt: now,
    sessions: [...(existing?.sessions ?? []), { startedAt: now, samples: 0 }],
  };
  const session = manifest.sessions[manifest.sessions.length - 1]!;
  await writeManifest(options.folder, manifest);

  const planned = Math.max(1, Math.ceil(durationSec / intervalSec) + (previous.length ? 0 : 1));
  const costs: number[] = [];
  let staticAt = clock();
  let stoppedBy: CollectResult['stoppedBy'] = 'duration';
  const started = clock();
  try {
    for (let i = 0; i < planned; i++) {
      if (signal?.aborted) {
        stoppedBy = 'cancelled';
        break;
      }
      const due = started + i * intervalSec * 1000;
      if (i > 0) await sleep(due - clock(), signal);
      if (signal?.aborted) {
        stoppedBy = 'cancelled';
        break;
      }
      if (clock() - staticAt >= staticEveryMs) {
        facts = await readStaticFacts(conn, properties.majorVersion, q);
        manifest.host = facts.host;
        manifest.databases = facts.databases;
        staticAt = clock();
      }
      const bufferPool = (total % bufferPoolEvery) === 0;
      const t0 = performance.now();
      const rows = await conn.query<Row>(sampleQuery({ majorVersion: properties.majorVersion, bufferPool }), q);
      const cost = performance.now() - t0;
      const sample = toSample(rows, cost);
      await appendSample(options.folder, sample);
      costs.push(cost);
      total++;
      session.samples++;
      first ??= sample.t;
      last = sample.t;
      options.onProgress?.({ folder: options.folder, taken: i + 1, planned, total, spanSeconds: (last - first) / 1000, lastCostMs: cost });
    }
  } catch (e) {
    if (!(signal?.aborted && e instanceof SourceError && e.kind === 'cancelled')) throw e;
    stoppedBy = 'cancelled';
  } finally {
    session.endedAt = new Date().toISOString();
    manifest.updatedAt = session.endedAt;
    await writeManifest(options.folder, manifest);
  }
  const mean = costs.length ? costs.reduce((s, c) => s + c, 0) / costs.length : 0;
  return {
    folder: options.folder, taken: session.samples, total, spanSeconds: first !== undefined && last !== undefined ? (last - first) / 1000 : 0,
    roundTrips: conn.roundTrips - tripsBefore, sampleCostMs: { mean, max: costs.length ? Math.max(...costs) : 0 }, stoppedBy,
  };
}
