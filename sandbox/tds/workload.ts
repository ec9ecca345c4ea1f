/**
 * The sandbox's workload: answers to sqlmig's performance, baseline and validation queries, for
 * the source server (from its profile) and for the managed instance (the databases it restored),
 * with data that has a shape. Every counter is a function of the server's clock: the CPU follows a
 * daily curve (quietest at 02:00 UTC, peak at 14:00), IO and log writes follow it per database,
 * cumulative counters are the exact integrals of those rates since SQL Server started, so any two
 * samples give the rates a real server would. A hot database takes most of the CPU (its
 * `workload.cpuShare`), tables have rows and keys, and a restored copy can drift from its source
 * (rows missing or changed in a chosen table) for validation to find.
 */
import { createHash } from 'node:crypto';
import type { CellValue, ColumnSpec } from './protocol';
import type { ProfileDatabase, ProfilePerf, ProfileQuery, ProfileTable } from './profile';
import { SqlError, type QueryRequest, type ResultSet } from './server';

const col = (name: string, type: ColumnSpec['type']): ColumnSpec => ({ name, type });
const set = (columns: ColumnSpec[], rows: CellValue[][]): ResultSet[] => [{ columns, rows }];

/** A table of a restored copy that differs from its source: its last rows missing, its first rows changed. */
export interface TableDrift {
  database: string;
  /** schema.table, or the table's name in dbo. */
  table: string;
  missingRows?: number;
  changedRows?: number;
}

export interface WorkloadDatabase {
  id: number;
  name: string;
  state: string;
  content: ProfileDatabase;
  /** The users as this server sees them, and whether a login has their SID. */
  users: () => { name: string; type: string; sid: string; hasLogin: boolean; authentication: 'INSTANCE' | 'DATABASE' | 'NONE' }[];
}

export interface WorkloadServer {
  majorVersion: number;
  /** The server's clock (ms since the epoch): tests run it fast to see hours in seconds. */
  now: () => number;
  perf: ProfilePerf;
  databases: () => WorkloadDatabase[];
  drift?: () => TableDrift[];
  /** The managed instance runs queries differently: multipliers of CPU and duration per query. */
  queryFactor?: (database: string, query: ProfileQuery) => { cpu: number; duration: number };
  /** Options this server forces (Managed Instance keeps every database in FULL recovery). */
  forcedOptions?: Record<string, string>;
  /** Encrypted databases (TDE) whatever the profile says (the instance's own choice), by name. */
  encrypted?: (database: WorkloadDatabase) => boolean;
}

const DAY = 86_400;
const OMEGA = (2 * Math.PI) / DAY;
const PEAK_SHIFT = 2 * 3600; // quietest at 02:00 UTC
const hash = (text: string) => createHash('sha256').update(text).digest();
const int32 = (text: string) => hash(text).readInt32LE(0);

/** The daily curve at a time (seconds since the epoch): 0 at 02:00 UTC, 1 at 14:00. */
export function daily(tSec: number): number {
  return 0.5 - 0.5 * Math.cos(OMEGA * (tSec - PEAK_SHIFT));
}
/** Its integral from 0 to tSec. */
function dailyIntegral(tSec: number): number {
  return 0.5 * tSec - (0.5 / OMEGA) * Math.sin(OMEGA * (tSec - PEAK_SHIFT));
}
/** ∫ (quiet + (peak - quiet) · daily) dt over [fromSec, toSec]. */
function area(quiet: number, peak: number, fromSec: number, toSec: number): number {
  return quiet * (toSec - fromSec) + (peak - quiet) * (dailyIntegral(toSec) - dailyIntegral(fromSec));
}

function perfOf(p: ProfilePerf) {
  return {
    cpuCount: p.cpuCount ?? 16, memoryGb: p.memoryGb ?? 48, cpuQuiet: p.cpuQuiet ?? 8, cpuPeak: p.cpuPeak ?? 55,
    readLatencyMs: p.readLatencyMs ?? 4, writeLatencyMs: p.writeLatencyMs ?? 3, logWriteLatencyMs: p.logWriteLatencyMs ?? 1.5,
    startedAt: Date.parse(p.startedAt ?? '2026-10-01T03:00:00Z'),
  };
}

interface DbShape { cpuShare: number; peakIops: number; peakReadMiBps: number; peakLogMiBps: number; cachedGb: number; queries: ProfileQuery[] }

function filesOf(d: ProfileDatabase) {
  const files = d.files ?? [{ name: d.name, type: 'ROWS' as const, sizeMb: 64 }, { name: `${d.name}_log`, type: 'LOG' as const, sizeMb: 16 }];
  return files.flatMap((f) => (f.count && f.count > 1 ? Array.from({ length: f.count }, (_, i) => ({ ...f, name: `${f.name}_${i + 1}`, count: 1 })) : [f]));
}

/** A database's shape: its profile's, else derived from its size (bigger databases work more). */
function shapeOf(d: ProfileDatabase): Omit<DbShape, 'cpuShare'> & { weight: number } {
  const sizeGb = filesOf(d).reduce((s, f) => s + f.sizeMb, 0) / 1024;
  const w = d.workload ?? {};
  // Databases without a say share what the busy ones leave: half a share each.
  const weight = w.cpuShare ?? 0.5;
  const tables = d.tables ?? [];
  return {
    weight,
    peakIops: w.peakIops ?? Math.round(20 + 4 * Math.sqrt(Math.min(sizeGb, 4096))),
    peakReadMiBps: w.peakReadMiBps ?? Math.round((1 + Math.sqrt(Math.min(sizeGb, 4096)) / 4) * 10) / 10,
    peakLogMiBps: w.peakLogMiBps ?? 0.2,
    cachedGb: w.cachedGb ?? Math.min(sizeGb * 0.3, 8),
    queries: w.queries ?? [
      { text: `SELECT TOP (50) * FROM dbo.${tables[0]?.name ?? 'Orders'} WHERE CustomerId = @p0 ORDER BY 1 DESC`, cpuMs: 2, durationMs: 3, perMinute: 120 },
      { text: `UPDATE dbo.${tables[0]?.name ?? 'Orders'} SET Status = @p0 WHERE Id = @p1`, cpuMs: 0.5, durationMs: 1.2, perMinute: 300 },
      { text: `EXEC dbo.usp_${d.name}_Report @from = @p0`, cpuMs: 40, durationMs: 90, perMinute: 2 },
    ],
  };
}

function shapes(dbs: WorkloadDatabase[]): Map<number, DbShape> {
  const raw = dbs.map((d) => ({ d, s: shapeOf(d.content) }));
  const total = raw.reduce((s, x) => s + x.s.weight, 0) || 1;
  return new Map(raw.map(({ d, s }) => [d.id, { ...s, cpuShare: s.weight / total }]));
}

/** Rows of a table (derived from its name when the profile does not say). */
export function tableRows(db: string, t: ProfileTable): number {
  return t.rows ?? 50 + (Math.abs(int32(`${db}.${t.schema ?? 'dbo'}.${t.name}:rows`)) % 20_000);
}

function tableKey(t: ProfileTable): string[] | null {
  if (t.key === null) return null;
  return t.key ?? [t.columns?.[0] ?? 'Id'];
}

/** CHECKSUM_AGG(BINARY_CHECKSUM(*)) over rows [from, to] (1-based, in key order), in the sandbox's model: a XOR of row checksums. */
function checksumRange(db: string, table: string, from: number, to: number, changedUpTo: number): number {
  const seed = int32(`${db.toLowerCase()}|${table.toLowerCase()}`);
  const changed = int32(`${db.toLowerCase()}|${table.toLowerCase()}|changed`);
  let x = 0;
  for (let i = from; i <= to; i++) x ^= mix32((i <= changedUpTo ? changed : seed) ^ Math.imul(i, 0x9e3779b1));
  return x | 0;
}

/** MurmurHash3's finaliser: a row's checksum from its table's seed and its position. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function requestedNames(req: QueryRequest): string[] {
  return [...req.params.entries()].filter(([k]) => /^d\d+$/.test(k)).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1))).map(([, v]) => String(v));
}

/** The database a per-database query reads, by the [name].sys. prefix in its text. */
function databaseIn(req: QueryRequest, server: WorkloadServer, view = 'sys'): WorkloadDatabase {
  const m = new RegExp(`\\[((?:[^\\]]|\\]\\])+)\\]\\.${view}\\.`, 'i').exec(req.sql);
  const name = m?.[1]?.replace(/]]/g, ']');
  const d = name ? server.databases().find((x) => x.name.toLowerCase() === name.toLowerCase()) : undefined;
  if (!d) throw new SqlError(911, `Database '${name ?? '?'}' does not exist. Make sure that the name is entered correctly.`);
  if (d.state !== 'ONLINE') throw new SqlError(942, `Database '${d.name}' cannot be opened because it is ${d.state}.`, 14);
  return d;
}

const OBJECT_TYPES: Record<string, string> = {
  SQL_STORED_PROCEDURE: 'SQL_STORED_PROCEDURE', VIEW: 'VIEW', SQL_SCALAR_FUNCTION: 'SQL_SCALAR_FUNCTION', SQL_TABLE_VALUED_FUNCTION: 'SQL_TABLE_VALUED_FUNCTION',
  SQL_INLINE_TABLE_VALUED_FUNCTION: 'SQL_INLINE_TABLE_VALUED_FUNCTION', SQL_TRIGGER: 'SQL_TRIGGER',
};

/** The query ids this module answers, and how. */
export function workloadAnswers(server: WorkloadServer): Record<string, (req: QueryRequest) => ResultSet[]> {
  const P = () => perfOf(server.perf);
  const userDbs = () => server.databases();
  const driftOf = (db: string, schema: string, table: string) =>
    (server.drift?.() ?? []).find((d) => d.database.toLowerCase() === db.toLowerCase() && [`${schema}.${table}`, table].some((n) => n.toLowerCase() === d.table.toLowerCase()));

  /** Cumulative counters of one database at a time (seconds). */
  function cumulative(tSec: number) {
    const p = P();
    const startSec = p.startedAt / 1000;
    const cpuSeconds = (area(p.cpuQuiet, p.cpuPeak, startSec, tSec) / 100) * p.cpuCount;
    return { startSec, cpuSeconds };
  }

  const answers: Record<string, (req: QueryRequest) => ResultSet[]> = {
    'perf.host': () => {
      const p = P();
      return set(
        [col('cpu_count', 'int'), col('hyperthread_ratio', 'int'), col('physical_memory_mb', 'float'), col('max_server_memory_mb', 'float'), col('sqlserver_start_time', 'nvarchar')],
        [[p.cpuCount, 2, Math.round(p.memoryGb * 1024 * 1.25), Math.round(p.memoryGb * 1024), new Date(p.startedAt).toISOString().slice(0, 23)]],
      );
    },
    'perf.databases': () => {
      const rows: CellValue[][] = [];
      const system = ['master', 'model', 'msdb'];
      system.forEach((name) => rows.push(['db', name === 'master' ? 1 : name === 'model' ? 3 : 4, null, name, 'ONLINE', 160]));
      for (const d of userDbs()) rows.push(['db', d.id, null, d.name, d.state, d.content.compatibilityLevel ?? 150]);
      system.forEach((name) => {
        const id = name === 'master' ? 1 : name === 'model' ? 3 : 4;
        rows.push(['file', id, 1, name === 'master' ? 'master' : `${name}dev`, 'ROWS', 8], ['file', id, 2, `${name}log`, 'LOG', 8]);
      });
      for (const d of userDbs()) filesOf(d.content).forEach((f, i) => rows.push(['file', d.id, i + 1, f.name, f.type, f.sizeMb]));
      return set([col('k', 'nvarchar'), col('database_id', 'int'), col('file_id', 'int'), col('name', 'nvarchar'), col('detail', 'nvarchar'), col('n1', 'float')], rows);
    },
    'perf.features': (req) => {
      const rows: CellValue[][] = [];
      for (const name of requestedNames(req)) {
        const d = userDbs().find((x) => x.name.toLowerCase() === name.toLowerCase());
        if (!d || !req.sql.includes(`[${name.replace(/]/g, ']]')}].sys.filegroups`)) throw new SqlError(911, `Database '${name}' does not exist. Make sure that the name is entered correctly.`);
        for (const fg of d.content.filegroups ?? []) rows.push([d.name, fg.type]);
      }
      return set([col('database_name', 'nvarchar'), col('type', 'nvarchar')], rows);
    },
    'perf.sample': (req) => {
      const p = P();
      const now = server.now();
      const tSec = now / 1000;
      const { startSec, cpuSeconds } = cumulative(tSec);
      const minuteSec = Math.floor(tSec / 60) * 60;
      const cpu = Math.round(p.cpuQuiet + (p.cpuPeak - p.cpuQuiet) * daily(minuteSec));
      const f = daily(tSec);
      const rows: CellValue[][] = [];
      const v = (...xs: (number | null)[]) => [...xs, ...Array.from({ length: 7 - xs.length }, () => null)];
      rows.push(['clock', null, null, ...v(now, now - p.startedAt, p.startedAt, p.memoryGb * 1048576, p.memoryGb * 1048576)]);
      rows.push(['cpu', null, null, ...v(cpu, Math.max(0, 95 - cpu))]);
      rows.push(['mem', null, null, ...v(Math.round(p.memoryGb * 1048576 * (0.9 + 0.1 * f)), 100)]);
      const dbs = userDbs().filter((d) => d.state === 'ONLINE');
      const sh = shapes(dbs);
      const elapsed = tSec - startSec;
      for (const d of dbs) {
        const s = sh.get(d.id)!;
        const execs = s.queries.reduce((x, q) => x + (q.perMinute / 60) * area(0.15, 1, startSec, tSec), 0);
        rows.push(['dbcpu', d.id, null, ...v(Math.round(cpuSeconds * s.cpuShare * 1e6), Math.round(cpuSeconds * s.cpuShare * 1.6e6), Math.round(execs))]);
      }
      // System databases: a trickle of IO; tempdb a little more (it is left out of sizing).
      const fileRow = (db: number, file: number, reads: number, readBytes: number, writes: number, writeBytes: number, sizeBytes: number, readLat: number, writeLat: number) =>
        rows.push(['file', db, file, ...v(Math.round(reads), Math.round(readBytes), Math.round(reads * readLat), Math.round(writes), Math.round(writeBytes), Math.round(writes * writeLat), sizeBytes)]);
      for (const [id, dataSize] of [[1, 8], [2, 1024], [3, 8], [4, 64]] as const) {
        fileRow(id, 1, elapsed * (id === 2 ? 5 : 0.2), elapsed * (id === 2 ? 5 : 0.2) * 8192, elapsed * (id === 2 ? 8 : 0.1), elapsed * (id === 2 ? 8 : 0.1) * 8192, dataSize * 1048576, p.readLatencyMs, p.writeLatencyMs);
        fileRow(id, 2, elapsed * 0.01, elapsed * 0.01 * 4096, elapsed * (id === 2 ? 4 : 0.1), elapsed * (id === 2 ? 4 : 0.1) * 4096, 8 * 1048576, p.readLatencyMs, p.logWriteLatencyMs);
      }
      for (const d of dbs) {
        const s = sh.get(d.id)!;
        const files = filesOf(d.content);
        const data = files.filter((x) => x.type !== 'LOG');
        const logs = files.filter((x) => x.type === 'LOG');
        const dataMb = data.reduce((x, y) => x + y.sizeMb, 0) || 1;
        const ops = area(s.peakIops * 0.15, s.peakIops, startSec, tSec);
        const readMiB = area(s.peakReadMiBps * 0.15, s.peakReadMiBps, startSec, tSec);
        const logMiB = area(s.peakLogMiBps * 0.15, s.peakLogMiBps, startSec, tSec);
        files.forEach((file, i) => {
          const size = file.sizeMb * 1048576;
          if (file.type === 'LOG') {
            const share = 1 / logs.length;
            fileRow(d.id, i + 1, ops * 0.005 * share, ops * 0.005 * share * 61440, ops * 0.25 * share, logMiB * 1048576 * share, size, p.readLatencyMs, p.logWriteLatencyMs);
          } else {
            const share = file.sizeMb / dataMb;
            fileRow(d.id, i + 1, ops * 0.7 * share, readMiB * 1048576 * share, ops * 0.05 * share, ops * 0.05 * share * 8192, size, p.readLatencyMs, p.writeLatencyMs);
          }
        });
      }
      if (/sys\.dm_os_buffer_descriptors/i.test(req.sql)) {
        for (const d of dbs) rows.push(['buf', d.id, null, ...v(Math.round(sh.get(d.id)!.cachedGb * (0.8 + 0.2 * f) * 131072))]);
        rows.push(['buf', 1, null, ...v(2048)], ['buf', 2, null, ...v(40960)]);
      }
      const vcols = Array.from({ length: 7 }, (_, i) => col(`v${i + 1}`, 'float'));
      return set([col('k', 'nvarchar'), col('db', 'int'), col('f', 'int'), ...vcols], rows);
    },

    'validate.objects': (req) => {
      const d = databaseIn(req, server);
      const counts = new Map<string, number>();
      const add = (t: string, n = 1) => counts.set(t, (counts.get(t) ?? 0) + n);
      for (const t of d.content.tables ?? []) {
        add('USER_TABLE');
        if (tableKey(t)) add('PRIMARY_KEY_CONSTRAINT');
      }
      for (const m of d.content.modules ?? []) add(OBJECT_TYPES[m.type ?? 'SQL_STORED_PROCEDURE'] ?? 'SQL_STORED_PROCEDURE');
      return set([col('type_desc', 'nvarchar'), col('n', 'int')], [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    },
    'validate.tables': (req) => {
      const d = databaseIn(req, server);
      const rows: CellValue[][] = [];
      for (const t of d.content.tables ?? []) {
        if (t.memoryOptimized) continue;
        const schema = t.schema ?? 'dbo';
        const drift = driftOf(d.name, schema, t.name);
        const n = Math.max(0, tableRows(d.name, t) - (drift?.missingRows ?? 0));
        const parts = Math.max(1, t.partitions ?? 1);
        const key = tableKey(t);
        for (let pn = 1; pn <= parts; pn++) {
          const base = Math.floor(tableRows(d.name, t) / parts);
          // Missing rows are the last ones: they come off the last partition.
          const rowsHere = pn < parts ? base : n - base * (parts - 1);
          rows.push([schema, t.name, pn, Math.max(0, rowsHere), key ? key.map((k) => `[${k}]`).join(',') : null, key ? 0 : 1]);
        }
      }
      return set([col('schema_name', 'nvarchar'), col('table_name', 'nvarchar'), col('partition_number', 'int'), col('row_count', 'bigint'), col('clustered_key', 'nvarchar'), col('is_heap', 'int')], rows);
    },
    'validate.checksums': (req) => {
      const d = databaseIn(req, server, '\\[[^\\]]+\\]');
      const rows: CellValue[][] = [];
      for (const branch of req.sql.split(/\bUNION ALL\b/i)) {
        const ref = /SELECT\s+N'((?:[^']|'')*)'\s+AS\s+table_ref,\s*N'(full|head|tail)'\s+AS\s+method/i.exec(branch);
        if (!ref) continue;
        const from = /FROM\s+(?:\(\s*SELECT\s+TOP\s+\((\d+)\)\s+\*\s+FROM\s+)?\[((?:[^\]]|\]\])+)\]\.\[((?:[^\]]|\]\])+)\]\.\[((?:[^\]]|\]\])+)\]/i.exec(branch);
        if (!from) throw new SqlError(102, "Incorrect syntax near 'FROM'.", 15);
        const [, top, dbName, schema, table] = from as unknown as [string, string | undefined, string, string, string];
        if (dbName.replace(/]]/g, ']').toLowerCase() !== d.name.toLowerCase()) throw new SqlError(50000, 'the sandbox answers one database per checksum batch');
        const t = (d.content.tables ?? []).find((x) => (x.schema ?? 'dbo').toLowerCase() === schema.toLowerCase() && x.name.toLowerCase() === table.replace(/]]/g, ']').toLowerCase());
        if (!t) throw new SqlError(208, `Invalid object name '${d.name}.${schema}.${table}'.`);
        const method = ref[2]!.toLowerCase();
        if (method !== 'full' && !tableKey(t)) throw new SqlError(50000, 'a head or tail sample needs a key to order by');
        if (method !== 'full' && !/ORDER BY/i.test(branch)) throw new SqlError(1033, 'The ORDER BY clause is invalid in views, inline functions, derived tables, subqueries, and common table expressions, unless TOP, OFFSET or FOR XML is also specified.');
        const drift = driftOf(d.name, t.schema ?? 'dbo', t.name);
        const n = Math.max(0, tableRows(d.name, t) - (drift?.missingRows ?? 0));
        const changed = drift?.changedRows ?? 0;
        const k = top ? Number(top) : n;
        const [lo, hi] = method === 'tail' ? [Math.max(1, n - k + 1), n] : [1, Math.min(n, k)];
        rows.push([ref[1]!.replace(/''/g, "'"), method, Math.max(0, hi - lo + 1), hi >= lo ? checksumRange(d.name, `${t.schema ?? 'dbo'}.${t.name}`, lo, hi, changed) : null]);
      }
      return set([col('table_ref', 'nvarchar'), col('method', 'nvarchar'), col('row_count', 'bigint'), col('checksum', 'int')], rows);
    },
    'validate.database': (req) => {
      const name = String(req.params.get('db') ?? '');
      const d = userDbs().find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (!d) return set([col('name', 'nvarchar'), col('value', 'nvarchar')], []);
      const c = d.content;
      const encrypted = server.encrypted ? server.encrypted(d) : Boolean(c.tde);
      const options: Record<string, string> = {
        state_desc: d.state, compatibility_level: String(c.compatibilityLevel ?? 150), collation_name: c.collation ?? 'SQL_Latin1_General_CP1_CI_AS',
        recovery_model_desc: c.recoveryModel ?? 'FULL', is_read_only: c.readOnly ? '1' : '0', user_access_desc: c.userAccess ?? 'MULTI_USER',
        snapshot_isolation_state_desc: 'OFF', is_read_committed_snapshot_on: '0', is_auto_close_on: '0', is_auto_shrink_on: '0',
        is_auto_create_stats_on: '1', is_auto_update_stats_on: '1', is_auto_update_stats_async_on: '0', page_verify_option_desc: 'CHECKSUM',
        is_ansi_nulls_on: '0', is_quoted_identifier_on: '0', is_recursive_triggers_on: '0', is_trustworthy_on: '0',
        is_broker_enabled: c.brokerEnabled ? '1' : '0', is_parameterization_forced: '0', containment_desc: c.containment ?? 'NONE',
        target_recovery_time_in_seconds: '60', delayed_durability_desc: 'DISABLED', is_query_store_on: c.queryStore ? '1' : '0',
        is_encrypted: encrypted ? '1' : '0', encryption_state: encrypted ? '3' : '',
        ...Object.fromEntries(Object.entries(c.options ?? {}).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])),
        ...server.forcedOptions,
      };
      const asked = [...req.sql.matchAll(/\(N'([a-z_]+)',/g)].map((m) => m[1]!);
      return set([col('name', 'nvarchar'), col('value', 'nvarchar')], asked.map((k) => [k, options[k] ?? null]));
    },
    'validate.users': (req) => {
      const d = databaseIn(req, server);
      return set([col('name', 'nvarchar'), col('type_desc', 'nvarchar'), col('sid', 'nvarchar'), col('has_login', 'int'), col('authentication_type_desc', 'nvarchar')],
        d.users().map((u) => [u.name, u.type, u.sid, u.hasLogin ? 1 : 0, u.authentication]));
    },

    'baseline.queryStoreDatabases': () => set([col('name', 'nvarchar')], userDbs().filter((d) => d.state === 'ONLINE' && d.content.queryStore).map((d) => [d.name])),
    'baseline.queryStats': (req) => topQueries('dmv', req),
    'baseline.queryStore': (req) => topQueries('store', req),
  };

  /** Query totals since the start (DMV) or since @since (Query Store, per database). */
  function topQueries(kind: 'dmv' | 'store', req: QueryRequest): ResultSet[] {
    const p = P();
    const tSec = server.now() / 1000;
    const startSec = p.startedAt / 1000;
    const names = requestedNames(req);
    const since = req.params.get('since');
    const fromSec = kind === 'store' && since ? Math.max(startSec, Date.parse(String(since).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(String(since)) ? '' : 'Z')) / 1000) : startSec;
    const rows: CellValue[][] = [];
    for (const d of userDbs()) {
      if (d.state !== 'ONLINE') continue;
      if (kind === 'store' && !names?.some((n) => n.toLowerCase() === d.name.toLowerCase())) continue;
      if (kind === 'store' && !req.sql.includes(`[${d.name.replace(/]/g, ']]')}].sys.query_store_runtime_stats`)) throw new SqlError(911, `Database '${d.name}' does not exist.`);
      if (kind === 'dmv' && d.content.queryStore && /is_query_store_on/.test(req.sql)) continue;
      for (const q of shapeOf(d.content).queries) {
        const factor = server.queryFactor?.(d.name, q) ?? { cpu: 1, duration: 1 };
        const executions = Math.round((q.perMinute / 60) * area(0.15, 1, fromSec, tSec));
        const queryHash = `0x${hash(q.text).subarray(0, 8).toString('hex').toUpperCase()}`;
        rows.push([d.name, queryHash, q.text, executions, executions * q.cpuMs * factor.cpu, executions * q.durationMs * factor.duration, executions * (q.logicalReads ?? 20), Math.round(tSec - fromSec)]);
      }
    }
    return set([col('database_name', 'nvarchar'), col('query_hash', 'nvarchar'), col('query_text', 'nvarchar'), col('executions', 'bigint'), col('cpu_ms', 'float'), col('duration_ms', 'float'), col('logical_reads', 'float'), col('seconds', 'int')], rows);
  }
  return answers;
}
