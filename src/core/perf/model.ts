/**
 * What a performance collection holds: the server's static facts (host, databases, files) and
 * raw samples of the counters Microsoft's collector reads (instance CPU from the scheduler
 * monitor ring buffer, process memory, CPU per database from the query stats, buffer pool per
 * database, per-file IO from the virtual file stats). Samples keep the cumulative counters as the
 * server gave them; rates are derived later (series.ts), so nothing is lost to an early choice.
 */

export const COLLECTION_FORMAT = 'sqlmig-perf-collection';
export const COLLECTION_FORMAT_VERSION = 1;

export type FileKind = 'ROWS' | 'LOG' | 'FILESTREAM' | 'OTHER';

export interface FileInfo {
  fileId: number;
  name: string;
  type: FileKind;
  sizeMb: number;
}

export interface DatabaseInfo {
  id: number;
  name: string;
  state: string;
  compatibilityLevel?: number;
  /** Has a MEMORY_OPTIMIZED_DATA filegroup: In-Memory OLTP, which only Business Critical has. */
  memoryOptimized?: boolean;
  /** Has a FILESTREAM filegroup (no Managed Instance tier restores it). */
  filestream?: boolean;
  files: FileInfo[];
}

export interface HostInfo {
  /** Logical CPUs SQL Server sees (an Azure vCore is one logical CPU). */
  cpuCount: number;
  hyperthreadRatio?: number;
  physicalMemoryMb?: number;
  maxServerMemoryMb?: number;
  /** When SQL Server started (ISO): cumulative counters restart with it. */
  startedAt?: string;
}

export interface ServerFacts {
  name: string;
  productVersion: string;
  edition: string;
  engineEdition: number;
}

export interface CollectionSession {
  startedAt: string;
  endedAt?: string;
  samples: number;
}

export interface CollectionManifest {
  format: typeof COLLECTION_FORMAT;
  formatVersion: typeof COLLECTION_FORMAT_VERSION;
  tool: { name: 'sqlmig'; version: string };
  server: ServerFacts;
  host: HostInfo;
  /** The latest static read (databases come and go; a resumed collection refreshes them). */
  databases: DatabaseInfo[];
  intervalSec: number;
  /** The buffer pool (sys.dm_os_buffer_descriptors, a scan of every buffer) is read every this many samples. */
  bufferPoolEvery: number;
  createdAt: string;
  updatedAt: string;
  /** Each run of `collect` on this folder. */
  sessions: CollectionSession[];
}

/** [database_id, total_worker_time µs, total_elapsed_time µs, execution_count], summed over cached plans. */
export type DbCpuRow = [number, number, number, number];
/** [database_id, pages in the buffer pool]. */
export type BufferRow = [number, number];
/** [database_id, file_id, reads, bytes read, read stall ms, writes, bytes written, write stall ms, size on disk bytes]. */
export type FileRow = [number, number, number, number, number, number, number, number, number];

export interface RawSample {
  /** Server time, ms since the epoch (UTC). */
  t: number;
  /** sys.dm_os_sys_info.ms_ticks: a monotonic clock for intervals. */
  ticks: number;
  /** SQL Server's start (ms since the epoch): a different value means the counters restarted. */
  start: number;
  /** The latest scheduler monitor record: SQL Server's CPU % and the machine's idle %, over its minute. */
  cpu?: { sql: number; idle: number };
  mem: { inUseKb: number; utilization: number; committedKb?: number; targetKb?: number };
  dbCpu: DbCpuRow[];
  buf?: BufferRow[];
  files: FileRow[];
  /** The sample's round trip as the collector measured it (ms). */
  costMs: number;
}

export interface PerfCollection {
  folder: string;
  manifest: CollectionManifest;
  samples: RawSample[];
}
