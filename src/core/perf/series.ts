/**
 * From raw samples to what sizing and baselines read: one point per interval between two
 * consecutive samples (same SQL Server start, so the cumulative counters are comparable), for the
 * instance, each database and each file. Rates come from the counters' deltas over the server's
 * own monotonic clock (ms_ticks). tempdb is left out of IO and storage: Managed Instance keeps it on
 * local SSD in every tier, outside the storage limits sized here.
 */
import type { DatabaseInfo, FileKind, HostInfo, PerfCollection, RawSample, ServerFacts } from './model';

const TEMPDB = 2;
const RESOURCE_DB = 32767;
const MIB = 1024 * 1024;

export interface InstancePoint {
  /** End of the interval (ms since the epoch, server time). */
  t: number;
  seconds: number;
  cpuPercent: number;
  /** Logical CPUs busy: cpuPercent of the host's CPUs. */
  vCores: number;
  memoryGb: number;
  iops: number;
  readIops: number;
  writeIops: number;
  /** MiB/s read and written, data and log files. */
  readMiBps: number;
  writeMiBps: number;
  /** MiB/s written to log files: the log rate. */
  logMiBps: number;
  readLatencyMs?: number;
  writeLatencyMs?: number;
  /** Log write latency alone (what commits wait for). */
  logWriteLatencyMs?: number;
  /** Allocated size of every file (system databases but tempdb included). */
  storageGb: number;
}

export interface DatabasePoint {
  t: number;
  vCores: number;
  /** Its share of the CPU the queries used (0..1). */
  cpuShare: number;
  cachedMb?: number;
  iops: number;
  readMiBps: number;
  writeMiBps: number;
  logMiBps: number;
  readLatencyMs?: number;
  writeLatencyMs?: number;
  dataGb: number;
  logGb: number;
}

export interface FileSeries {
  database: string;
  databaseId: number;
  fileId: number;
  name: string;
  type: FileKind;
  sizeGb: number;
  /** Per interval: IOPS and MiB/s. */
  iops: number[];
  miBps: number[];
}

export interface WorkloadSeries {
  server: ServerFacts;
  host: HostInfo;
  databases: DatabaseInfo[];
  instance: InstancePoint[];
  perDatabase: Record<string, DatabasePoint[]>;
  files: FileSeries[];
  source: {
    kind: 'sqlmig' | 'microsoft-csv';
    location: string;
    /** Data points behind the series (samples, or windows for an import). */
    dataPoints: number;
    firstAt?: string;
    lastAt?: string;
    /** Server time covered, in seconds. */
    spanSeconds: number;
    /** How the points were obtained, for reports. */
    method: string;
  };
  /** What made points missing: SQL Server restarts, windows outside the range. */
  notes: string[];
}

export interface SeriesWindow {
  /** Keep intervals ending at or after this time (ms since the epoch). */
  from?: number;
  to?: number;
}

interface FileDelta { reads: number; bytesRead: number; stallRead: number; writes: number; bytesWritten: number; stallWrite: number; size: number }

const delta = (a: number, b: number) => Math.max(0, b - a);
const latency = (stall: number, ops: number) => (ops > 0 ? stall / ops : undefined);

/** The series of a sqlmig collection (optionally limited to a window of server time). */
export function seriesOfCollection(collection: PerfCollection, window: SeriesWindow = {}): WorkloadSeries {
  const { manifest } = collection;
  const samples = [...collection.samples].sort((a, b) => a.t - b.t);
  const dbById = new Map(manifest.databases.map((d) => [d.id, d]));
  const fileInfo = new Map<string, { db: DatabaseInfo; file: DatabaseInfo['files'][number] }>(manifest.databases.flatMap((d) => d.files.map((f) => [`${d.id}:${f.fileId}`, { db: d, file: f }] as [string, { db: DatabaseInfo; file: DatabaseInfo['files'][number] }])));
  const cpuCount = manifest.host.cpuCount || 1;
  const instance: InstancePoint[] = [];
  const perDatabase: Record<string, DatabasePoint[]> = {};
  const fileSeries = new Map<string, FileSeries>();
  const notes: string[] = [];
  let lastBuffer: Map<number, number> | undefined = samples[0]?.buf ? new Map(samples[0].buf.map(([db, pages]) => [db, pages])) : undefined;

  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (b.buf) lastBuffer = new Map(b.buf.map(([db, pages]) => [db, pages]));
    if (a.start !== b.start) {
      notes.push(`SQL Server restarted between ${new Date(a.t).toISOString()} and ${new Date(b.t).toISOString()}: that interval is left out`);
      continue;
    }
    const seconds = (b.ticks - a.ticks) / 1000;
    if (!(seconds > 0)) continue;
    if ((window.from !== undefined && b.t < window.from) || (window.to !== undefined && b.t > window.to)) continue;

    const before = new Map(a.files.map((f) => [`${f[0]}:${f[1]}`, f]));
    const perFile = new Map<string, FileDelta & { db: number; fileId: number }>();
    for (const f of b.files) {
      const p = before.get(`${f[0]}:${f[1]}`);
      if (!p || f[0] === TEMPDB) continue;
      perFile.set(`${f[0]}:${f[1]}`, {
        db: f[0], fileId: f[1], reads: delta(p[2], f[2]), bytesRead: delta(p[3], f[3]), stallRead: delta(p[4], f[4]),
        writes: delta(p[5], f[5]), bytesWritten: delta(p[6], f[6]), stallWrite: delta(p[7], f[7]), size: f[8],
      });
    }
    const isLog = (d: { db: number; fileId: number }) => fileInfo.get(`${d.db}:${d.fileId}`)?.file.type === 'LOG';
    const sum = (xs: Iterable<FileDelta & { db: number; fileId: number }>, pick: (d: FileDelta & { db: number; fileId: number }) => number) => {
      let s = 0;
      for (const x of xs) s += pick(x);
      return s;
    };
    const all = [...perFile.values()];
    const logs = all.filter(isLog);
    const cpuPercent = b.cpu?.sql ?? 0;
    const vCores = (cpuPercent / 100) * cpuCount;
    instance.push({
      t: b.t, seconds, cpuPercent, vCores, memoryGb: b.mem.inUseKb / MIB,
      iops: sum(all, (d) => d.reads + d.writes) / seconds,
      readIops: sum(all, (d) => d.reads) / seconds,
      writeIops: sum(all, (d) => d.writes) / seconds,
      readMiBps: sum(all, (d) => d.bytesRead) / MIB / seconds,
      writeMiBps: sum(all, (d) => d.bytesWritten) / MIB / seconds,
      logMiBps: sum(logs, (d) => d.bytesWritten) / MIB / seconds,
      ...optional('readLatencyMs', latency(sum(all, (d) => d.stallRead), sum(all, (d) => d.reads))),
      ...optional('writeLatencyMs', latency(sum(all, (d) => d.stallWrite), sum(all, (d) => d.writes))),
      ...optional('logWriteLatencyMs', latency(sum(logs, (d) => d.stallWrite), sum(logs, (d) => d.writes))),
      storageGb: b.files.filter((f) => f[0] !== TEMPDB).reduce((s, f) => s + f[8], 0) / (MIB * 1024),
    });

    // CPU per database: its share of the worker time the cached plans added, of the instance's CPU.
    const cpuBefore = new Map(a.dbCpu.map((r) => [r[0], r[1]]));
    const workerDelta = new Map<number, number>();
    for (const r of b.dbCpu) {
      if (r[0] === RESOURCE_DB) continue;
      workerDelta.set(r[0], delta(cpuBefore.get(r[0]) ?? r[1], r[1]));
    }
    const totalWorker = [...workerDelta.values()].reduce((s, x) => s + x, 0);
    for (const d of manifest.databases) {
      if (d.id <= 4) continue;
      const files = all.filter((x) => x.db === d.id);
      const dLogs = files.filter(isLog);
      const share = totalWorker > 0 ? (workerDelta.get(d.id) ?? 0) / totalWorker : 0;
      const sizes = b.files.filter((f) => f[0] === d.id);
      const logIds = new Set(d.files.filter((f) => f.type === 'LOG').map((f) => f.fileId));
      const pages = lastBuffer?.get(d.id);
      (perDatabase[d.name] ??= []).push({
        t: b.t, vCores: share * vCores, cpuShare: share,
        ...(pages !== undefined && { cachedMb: (pages * 8) / 1024 }),
        iops: sum(files, (x) => x.reads + x.writes) / seconds,
        readMiBps: sum(files, (x) => x.bytesRead) / MIB / seconds,
        writeMiBps: sum(files, (x) => x.bytesWritten) / MIB / seconds,
        logMiBps: sum(dLogs, (x) => x.bytesWritten) / MIB / seconds,
        ...optional('readLatencyMs', latency(sum(files, (x) => x.stallRead), sum(files, (x) => x.reads))),
        ...optional('writeLatencyMs', latency(sum(files, (x) => x.stallWrite), sum(files, (x) => x.writes))),
        dataGb: sizes.filter((f) => !logIds.has(f[1])).reduce((s, f) => s + f[8], 0) / (MIB * 1024),
        logGb: sizes.filter((f) => logIds.has(f[1])).reduce((s, f) => s + f[8], 0) / (MIB * 1024),
      });
    }
    for (const d of all) {
      const key = `${d.db}:${d.fileId}`;
      const info = fileInfo.get(key);
      let s = fileSeries.get(key);
      if (!s) {
        s = { database: info?.db.name ?? (dbById.get(d.db)?.name ?? `database ${d.db}`), databaseId: d.db, fileId: d.fileId, name: info?.file.name ?? `file ${d.fileId}`, type: info?.file.type ?? 'OTHER', sizeGb: 0, iops: [], miBps: [] };
        fileSeries.set(key, s);
      }
      s.sizeGb = d.size / (MIB * 1024);
      s.iops.push((d.reads + d.writes) / seconds);
      s.miBps.push((d.bytesRead + d.bytesWritten) / MIB / seconds);
    }
  }
  const first = instance[0];
  const last = instance[instance.length - 1];
  const spanSeconds = instance.reduce((s, p) => s + p.seconds, 0);
  return {
    server: manifest.server, host: manifest.host, databases: manifest.databases, instance, perDatabase, files: [...fileSeries.values()],
    source: {
      kind: 'sqlmig', location: collection.folder, dataPoints: samples.length,
      ...(first && { firstAt: new Date(first.t - first.seconds * 1000).toISOString() }), ...(last && { lastAt: new Date(last.t).toISOString() }),
      spanSeconds,
      method: `${samples.length} samples every ${manifest.intervalSec} s (${instance.length} intervals); rates from the deltas of cumulative counters over the server's ms_ticks`,
    },
    notes,
  };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Samples to the series without a folder (tests, baselines kept in memory). */
export function seriesOfSamples(manifest: PerfCollection['manifest'], samples: RawSample[], window?: SeriesWindow): WorkloadSeries {
  return seriesOfCollection({ folder: '(memory)', manifest, samples }, window);
}
