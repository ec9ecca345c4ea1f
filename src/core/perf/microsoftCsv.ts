/**
 * Imports a collection made by Microsoft's collector (Data Migration Assistant, the Azure Data
 * Studio extension, `az datamigration performance-data-collection`, SqlAssessment.exe
 * PerfDataCollection): per SQL Server instance, three CSV files
 *
 *   <instance>_CommonInstanceLevel_Counters.csv   static hardware facts
 *   <instance>_CommonDbLevel_Counters.csv         static database and file layout
 *   <instance>_PerformanceAggregated_Counters.csv every 10 minutes, the max, mean and variance of each counter
 *
 * What is public about them: those names, the 10-minute windows of max/mean/variance, the counter
 * names (SqlInstanceCpuPercent, PhysicalMemoryInUse, MemoryUtilizationPercentage,
 * DatabaseCpuPercent, CachedSizeInMb, ReadIOInMb, WriteIOInMb, NumOfReads, NumOfWrites,
 * ReadLatency, WriteLatency) and that the aggregated file has a CounterName column (a user reports
 * the abbreviation DCP for DatabaseCpuPercent). The column layout itself is not published, so
 * columns are found by their header names (a list of the names seen in Microsoft's outputs and
 * plain variants), in a long layout (one row per counter) or a wide one (one column per counter,
 * optionally suffixed Max/Mean/Variance). Whatever is not understood is listed, never guessed.
 *
 * Each window becomes the points it summarises (window / interval of them, 20 by default): the
 * normal quantiles of its mean and variance, clipped to [0, max], the top one at the max. Counters
 * rise together inside a window (a conservative choice for sums of files and databases).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from './csv';
import type { DatabaseInfo, FileKind, HostInfo } from './model';
import type { DatabasePoint, FileSeries, InstancePoint, WorkloadSeries } from './series';

export const MS_SUFFIXES = {
  instance: '_CommonInstanceLevel_Counters.csv',
  database: '_CommonDbLevel_Counters.csv',
  performance: '_PerformanceAggregated_Counters.csv',
} as const;

export interface MicrosoftImportOptions {
  /** The collector's perf query interval (PerfQueryIntervalInSec, default 30): file counters are per interval. */
  intervalSec?: number;
  /** Window length when the file has no end time (default 600: 20 iterations of 30 s). */
  windowSec?: number;
  /** PhysicalMemoryInUse's unit; auto: KB (as sys.dm_os_process_memory gives it) when values exceed 2,097,152, else MB. */
  memoryUnit?: 'auto' | 'kb' | 'mb';
  /** Which instance, when the folder holds several. */
  instance?: string;
  /** Keep windows starting in [from, to] (ms since the epoch), as Microsoft's StartTime/EndTime. */
  from?: number;
  to?: number;
}

export interface MicrosoftImport {
  series: WorkloadSeries;
  instance: string;
  files: string[];
  /** Other instances in the folder. */
  otherInstances: string[];
  unknownCounters: string[];
  unknownColumns: string[];
  /** What was assumed where the layout says nothing, for the report. */
  assumptions: string[];
}

export interface MicrosoftCsvTexts {
  instance?: string;
  database?: string;
  performance: string;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const COLUMNS = {
  time: ['timestamp', 'timecreated', 'datapointsstarttime', 'datapointstarttime', 'starttime', 'windowstart', 'collectiontime', 'aggregationstarttime', 'time', 'datetime', 'date'],
  endTime: ['endtime', 'windowend', 'datapointsendtime', 'datapointendtime', 'aggregationendtime'],
  instance: ['instancename', 'instanceid', 'sqlinstancename', 'servername', 'sqlservername', 'machinename'],
  database: ['databasename', 'database', 'dbname', 'parentdatabasename'],
  file: ['filelogicalname', 'logicalfilename', 'logicalname', 'filename', 'file'],
  fileId: ['fileid'],
  databaseId: ['databaseid', 'dbid'],
  counter: ['countername', 'counter', 'metric', 'metricname', 'performancedimension'],
  max: ['max', 'maxvalue', 'maximum', 'countervaluemax', 'aggregatedmax'],
  mean: ['mean', 'avg', 'average', 'meanvalue', 'countervaluemean', 'aggregatedmean'],
  variance: ['variance', 'var', 'countervaluevariance'],
  stddev: ['stddev', 'stdev', 'standarddeviation'],
  value: ['countervalue', 'value'],
  fileType: ['filetype', 'typedesc', 'type', 'filetypedesc'],
  sizeMb: ['sizeinmb', 'sizemb', 'filesizeinmb', 'filesizemb', 'size'],
  compat: ['compatibilitylevel', 'databasecompatibilitylevel'],
  cpuCount: ['logicalcpucount', 'cpucount', 'logicalcpus', 'numberoflogicalcpus', 'numofcores', 'numberofcores'],
  hyperthread: ['hyperthreadratio'],
  physicalMemory: ['physicalmemoryinmb', 'totalphysicalmemoryinmb', 'physicalmemorymb', 'physicalmemory', 'totalphysicalmemory'],
  maxServerMemory: ['maxservermemoryinuse', 'maxservermemoryinmb', 'maxservermemory'],
  version: ['instanceversion', 'productversion', 'version', 'sqlversion'],
  edition: ['instanceedition', 'edition'],
} as const;

type Counter =
  | 'SqlInstanceCpuPercent' | 'PhysicalMemoryInUse' | 'MemoryUtilizationPercentage' | 'DatabaseCpuPercent' | 'CachedSizeInMb'
  | 'ReadIOInMb' | 'WriteIOInMb' | 'NumOfReads' | 'NumOfWrites' | 'ReadLatency' | 'WriteLatency';
const COUNTERS: Record<string, Counter> = Object.fromEntries(
  (['SqlInstanceCpuPercent', 'PhysicalMemoryInUse', 'MemoryUtilizationPercentage', 'DatabaseCpuPercent', 'CachedSizeInMb', 'ReadIOInMb', 'WriteIOInMb', 'NumOfReads', 'NumOfWrites', 'ReadLatency', 'WriteLatency'] as Counter[])
    .flatMap((c) => [[norm(c), c], [`aggregated${norm(c)}`, c]]),
);
/** The one abbreviation a public source attests (MicrosoftDocs/azure-docs issue 113402). */
COUNTERS.dcp = 'DatabaseCpuPercent';
COUNTERS.readlatencyinms = 'ReadLatency';
COUNTERS.writelatencyinms = 'WriteLatency';

const STAT_SUFFIXES: [string, 'max' | 'mean' | 'variance'][] = [['max', 'max'], ['maximum', 'max'], ['mean', 'mean'], ['avg', 'mean'], ['average', 'mean'], ['variance', 'variance'], ['var', 'variance']];

interface Stats { max?: number; mean?: number; variance?: number }
interface Observation { time: number; end?: number; instance: string; database?: string; file?: string; counter: Counter; stats: Stats }

class Table {
  readonly header: string[];
  readonly rows: string[][];
  constructor(text: string) {
    const all = parseCsv(text);
    this.header = (all[0] ?? []).map((h) => h.trim());
    this.rows = all.slice(1);
  }
  index(names: readonly string[]): number {
    const normalized = this.header.map(norm);
    for (const n of names) {
      const i = normalized.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  }
}

const number = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!t) return undefined;
  const n = Number(t.replace(/,(?=\d{3}\b)/g, ''));
  return Number.isFinite(n) ? n : undefined;
};
const time = (s: string | undefined): number | undefined => {
  if (!s?.trim()) return undefined;
  const t = s.trim();
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(t) && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

/** Acklam's inverse normal CDF (relative error below 1.2e-9). */
export function probit(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The k points a window of max/mean/variance summarises, ascending. */
export function expandWindow(stats: Stats, k: number): number[] {
  const mean = stats.mean ?? stats.max ?? 0;
  const sd = Math.sqrt(Math.max(0, stats.variance ?? 0));
  const max = stats.max ?? Number.POSITIVE_INFINITY;
  const out = Array.from({ length: k }, (_, i) => Math.min(max, Math.max(0, mean + sd * probit((i + 0.5) / k))));
  if (stats.max !== undefined && k > 0) out[k - 1] = Math.max(out[k - 1]!, stats.max);
  return out;
}

function fileKind(s: string | undefined, name: string): FileKind {
  const t = norm(s ?? '');
  if (t === 'log' || t === '1' || t === 'logfile') return 'LOG';
  if (t === 'rows' || t === 'data' || t === '0' || t === 'datafile') return 'ROWS';
  if (t === 'filestream' || t === '2') return 'FILESTREAM';
  return /(^|_)log$/i.test(name) ? 'LOG' : 'ROWS';
}

/** Observations from the aggregated file: long (CounterName column) or wide (a column per counter). */
function observations(perf: Table, unknownCounters: Set<string>, unknownColumns: Set<string>): Observation[] {
  const at = (k: keyof typeof COLUMNS) => perf.index(COLUMNS[k]);
  const iTime = at('time');
  if (iTime < 0) throw new Error(`the aggregated counters file has no time column (looked for ${COLUMNS.time.join(', ')}); its columns: ${perf.header.join(', ')}`);
  const iEnd = at('endTime');
  const iInst = at('instance');
  const iDb = at('database');
  const iFile = at('file');
  const iFileId = at('fileId');
  const iCounter = at('counter');
  const out: Observation[] = [];
  const base = (r: string[]) => {
    const t = time(r[iTime]);
    if (t === undefined) return undefined;
    const db = iDb >= 0 ? r[iDb]?.trim() || undefined : undefined;
    const file = iFile >= 0 ? r[iFile]?.trim() || undefined : iFileId >= 0 ? r[iFileId]?.trim() || undefined : undefined;
    const end = iEnd >= 0 ? time(r[iEnd]) : undefined;
    return { time: t, ...(end !== undefined && { end }), instance: iInst >= 0 ? r[iInst]?.trim() ?? '' : '', ...(db && { database: db }), ...(file && { file }) };
  };
  if (iCounter >= 0) {
    const iMax = at('max');
    const iMean = at('mean');
    const iVar = at('variance');
    const iSd = at('stddev');
    const iValue = at('value');
    if (iMax < 0 && iMean < 0 && iValue < 0) throw new Error(`the aggregated counters file has a counter column but no max, mean or value column; its columns: ${perf.header.join(', ')}`);
    const used = new Set([iTime, iEnd, iInst, iDb, iFile, iFileId, iCounter, iMax, iMean, iVar, iSd, iValue].filter((i) => i >= 0));
    perf.header.forEach((h, i) => !used.has(i) && unknownColumns.add(h));
    for (const r of perf.rows) {
      const b = base(r);
      const name = r[iCounter]?.trim() ?? '';
      const counter = COUNTERS[norm(name)];
      if (!counter) {
        if (name) unknownCounters.add(name);
        continue;
      }
      if (!b) continue;
      const value = iValue >= 0 ? number(r[iValue]) : undefined;
      const sd = iSd >= 0 ? number(r[iSd]) : undefined;
      const stats: Stats = {
        ...((iMax >= 0 ? number(r[iMax]) : value) !== undefined && { max: (iMax >= 0 ? number(r[iMax]) : value)! }),
        ...((iMean >= 0 ? number(r[iMean]) : value) !== undefined && { mean: (iMean >= 0 ? number(r[iMean]) : value)! }),
        ...((iVar >= 0 ? number(r[iVar]) : sd !== undefined ? sd * sd : undefined) !== undefined && { variance: (iVar >= 0 ? number(r[iVar]) : sd! * sd!)! }),
      };
      if (stats.max === undefined && stats.mean === undefined) continue;
      out.push({ ...b, counter, stats });
    }
    return out;
  }
  // Wide: columns named after counters, optionally with a statistic suffix.
  const columns: { i: number; counter: Counter; stat: keyof Stats | 'value' }[] = [];
  const used = new Set([iTime, iEnd, iInst, iDb, iFile, iFileId].filter((i) => i >= 0));
  perf.header.forEach((h, i) => {
    if (used.has(i)) return;
    const n = norm(h);
    if (COUNTERS[n]) return void columns.push({ i, counter: COUNTERS[n]!, stat: 'value' });
    for (const [suffix, stat] of STAT_SUFFIXES) {
      if (n.endsWith(suffix) && COUNTERS[n.slice(0, -suffix.length)]) return void columns.push({ i, counter: COUNTERS[n.slice(0, -suffix.length)]!, stat });
    }
    unknownColumns.add(h);
  });
  if (!columns.length) throw new Error(`the aggregated counters file has neither a counter-name column nor a column named after a counter; its columns: ${perf.header.join(', ')}`);
  for (const r of perf.rows) {
    const b = base(r);
    if (!b) continue;
    const by = new Map<Counter, Stats>();
    for (const c of columns) {
      const v = number(r[c.i]);
      if (v === undefined) continue;
      const s = by.get(c.counter) ?? {};
      if (c.stat === 'value') {
        s.max ??= v;
        s.mean ??= v;
      } else s[c.stat] = v;
      by.set(c.counter, s);
    }
    for (const [counter, stats] of by) out.push({ ...b, counter, stats });
  }
  return out;
}

function hostOf(t: Table | undefined, instance: string): { host: HostInfo; version: string; edition: string } {
  if (!t || !t.rows.length) return { host: { cpuCount: 0 }, version: '', edition: '' };
  const iInst = t.index(COLUMNS.instance);
  const rows = iInst >= 0 && instance ? t.rows.filter((r) => !r[iInst] || r[iInst]!.trim().toLowerCase() === instance.toLowerCase()) : t.rows;
  const r = rows[rows.length - 1] ?? t.rows[t.rows.length - 1]!;
  const get = (k: keyof typeof COLUMNS) => {
    const i = t.index(COLUMNS[k]);
    return i >= 0 ? r[i] : undefined;
  };
  const cpu = number(get('cpuCount')) ?? 0;
  return {
    host: {
      cpuCount: cpu,
      ...(number(get('hyperthread')) !== undefined && { hyperthreadRatio: number(get('hyperthread'))! }),
      ...(number(get('physicalMemory')) !== undefined && { physicalMemoryMb: number(get('physicalMemory'))! }),
      ...(number(get('maxServerMemory')) !== undefined && { maxServerMemoryMb: number(get('maxServerMemory'))! }),
    },
    version: get('version')?.trim() ?? '',
    edition: get('edition')?.trim() ?? '',
  };
}

function databasesOf(t: Table | undefined, observed: Observation[]): DatabaseInfo[] {
  const dbs = new Map<string, DatabaseInfo>();
  const add = (name: string, id?: number) => {
    let d = dbs.get(name.toLowerCase());
    if (!d) {
      d = { id: id ?? 0, name, state: 'ONLINE', files: [] };
      dbs.set(name.toLowerCase(), d);
    }
    return d;
  };
  if (t) {
    const iDb = t.index(COLUMNS.database);
    const iFile = t.index(COLUMNS.file);
    const iFileId = t.index(COLUMNS.fileId);
    const iDbId = t.index(COLUMNS.databaseId);
    const iType = t.index(COLUMNS.fileType);
    const iSize = t.index(COLUMNS.sizeMb);
    const iCompat = t.index(COLUMNS.compat);
    const iTime = t.index(COLUMNS.time);
    // Static rows repeat hourly: the last reading of each file wins.
    const rows = iTime >= 0 ? [...t.rows].sort((a, b) => (time(a[iTime]) ?? 0) - (time(b[iTime]) ?? 0)) : t.rows;
    for (const r of rows) {
      const name = iDb >= 0 ? r[iDb]?.trim() : undefined;
      if (!name) continue;
      const d = add(name, iDbId >= 0 ? number(r[iDbId]) : undefined);
      const compat = iCompat >= 0 ? number(r[iCompat]) : undefined;
      if (compat !== undefined) d.compatibilityLevel = compat;
      const fileName = (iFile >= 0 ? r[iFile]?.trim() : undefined) || (iFileId >= 0 ? r[iFileId]?.trim() : undefined);
      if (!fileName) continue;
      const fileId = (iFileId >= 0 ? number(r[iFileId]) : undefined) ?? d.files.length + 1;
      const existing = d.files.find((f) => f.name === fileName);
      const file = { fileId, name: fileName, type: fileKind(iType >= 0 ? r[iType] : undefined, fileName), sizeMb: (iSize >= 0 ? number(r[iSize]) : undefined) ?? 0 };
      if (existing) Object.assign(existing, file);
      else d.files.push(file);
    }
  }
  for (const o of observed) {
    if (!o.database) continue;
    const d = add(o.database);
    if (o.file && !d.files.some((f) => f.name === o.file)) d.files.push({ fileId: d.files.length + 1, name: o.file, type: fileKind(undefined, o.file), sizeMb: 0 });
  }
  const system = new Set(['master', 'model', 'msdb', 'tempdb']);
  let next = 5;
  const list = [...dbs.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const d of list) {
    if (d.id) continue;
    d.id = system.has(d.name.toLowerCase()) ? ['master', 'tempdb', 'model', 'msdb'].indexOf(d.name.toLowerCase()) + 1 : next++;
  }
  return list.filter((d) => d.name.toLowerCase() !== 'tempdb');
}

/** Builds the series from the three files' texts (the aggregated one is required). */
export function seriesOfMicrosoftCsv(texts: MicrosoftCsvTexts, options: MicrosoftImportOptions & { location?: string; instanceName?: string } = {}): Omit<MicrosoftImport, 'files' | 'otherInstances'> {
  const intervalSec = options.intervalSec ?? 30;
  const unknownCounters = new Set<string>();
  const unknownColumns = new Set<string>();
  const assumptions: string[] = [];
  const perf = new Table(texts.performance);
  let obs = observations(perf, unknownCounters, unknownColumns);
  const instances = [...new Set(obs.map((o) => o.instance).filter(Boolean))];
  const wanted = options.instanceName ?? options.instance;
  const instance = instances.find((i) => wanted !== undefined && i.toLowerCase() === wanted.toLowerCase()) ?? instances[0] ?? wanted ?? '';
  if (instances.length > 1) obs = obs.filter((o) => !o.instance || o.instance.toLowerCase() === instance.toLowerCase());
  const { host, version, edition } = hostOf(texts.instance ? new Table(texts.instance) : undefined, instance);
  const databases = databasesOf(texts.database ? new Table(texts.database) : undefined, obs);
  if (!host.cpuCount) {
    host.cpuCount = 1;
    assumptions.push('No logical CPU count was found in the instance file: CPU percentages are read as of 1 vCore; check LogicalCpuCount');
  }

  // Windows: distinct start times; their length from the end time, else the spacing of starts, else windowSec.
  const starts = [...new Set(obs.map((o) => o.time))].filter((t) => (options.from === undefined || t >= options.from) && (options.to === undefined || t <= options.to)).sort((a, b) => a - b);
  const ends = new Map<number, number>();
  for (const o of obs) if (o.end !== undefined) ends.set(o.time, Math.max(ends.get(o.time) ?? 0, o.end));
  const spacing = starts.length > 1 ? median(starts.slice(1).map((s, i) => s - starts[i]!)) / 1000 : undefined;
  const windowSecOf = (s: number) => (ends.has(s) ? (ends.get(s)! - s) / 1000 : options.windowSec ?? spacing ?? 600);
  if (!ends.size) assumptions.push(`Windows taken as ${options.windowSec !== undefined ? `${options.windowSec} s long (as asked)` : spacing !== undefined ? `${Math.round(spacing)} s long (the spacing of their start times)` : '600 s long (the collector\'s default)'}`);
  assumptions.push(`File counters (NumOfReads, NumOfWrites, ReadIOInMb, WriteIOInMb) are per collection interval of ${intervalSec} s; MB read as MiB`);
  assumptions.push('DatabaseCpuPercent is a database\'s share of the CPU SQL Server used');

  const memValues = obs.filter((o) => o.counter === 'PhysicalMemoryInUse').map((o) => o.stats.max ?? o.stats.mean ?? 0);
  const memUnit = options.memoryUnit && options.memoryUnit !== 'auto' ? options.memoryUnit : Math.max(0, ...memValues) > 2_097_152 ? 'kb' : 'mb';
  assumptions.push(`PhysicalMemoryInUse read as ${memUnit.toUpperCase()}${options.memoryUnit && options.memoryUnit !== 'auto' ? ' (as asked)' : ' (by its magnitude)'}`);

  const fileType = new Map(databases.flatMap((d) => d.files.map((f) => [`${d.name.toLowerCase()}|${f.name.toLowerCase()}`, f] as const)));
  const instancePoints: InstancePoint[] = [];
  const perDatabase: Record<string, DatabasePoint[]> = {};
  const fileSeries = new Map<string, FileSeries>();
  const storageGb = databases.reduce((s, d) => s + d.files.reduce((x, f) => x + f.sizeMb, 0), 0) / 1024;

  for (const start of starts) {
    const windowSec = windowSecOf(start);
    const k = Math.max(1, Math.round(windowSec / intervalSec));
    const inWindow = obs.filter((o) => o.time === start);
    const expanded = new Map<string, number[]>();
    const key = (o: { counter: Counter; database?: string; file?: string }) => `${o.counter}|${o.database?.toLowerCase() ?? ''}|${o.file?.toLowerCase() ?? ''}`;
    for (const o of inWindow) expanded.set(key(o), expandWindow(o.stats, k));
    const value = (counter: Counter, i: number, database?: string, file?: string) => expanded.get(key({ counter, ...(database && { database }), ...(file && { file }) }))?.[i];
    const fileKeys = [...new Set(inWindow.filter((o) => o.file && o.database).map((o) => `${o.database}|${o.file}`))];
    for (let i = 0; i < k; i++) {
      const t = start + (i + 1) * intervalSec * 1000;
      const cpuPercent = value('SqlInstanceCpuPercent', i) ?? 0;
      const vCores = (cpuPercent / 100) * host.cpuCount;
      const mem = value('PhysicalMemoryInUse', i);
      const files = fileKeys.map((fk) => {
        const [database, file] = fk.split('|') as [string, string];
        const info = fileType.get(`${database.toLowerCase()}|${file.toLowerCase()}`);
        const reads = (value('NumOfReads', i, database, file) ?? 0) / intervalSec;
        const writes = (value('NumOfWrites', i, database, file) ?? 0) / intervalSec;
        return {
          database, file, type: info?.type ?? fileKind(undefined, file), sizeGb: (info?.sizeMb ?? 0) / 1024, reads, writes,
          readMiBps: (value('ReadIOInMb', i, database, file) ?? 0) / intervalSec, writeMiBps: (value('WriteIOInMb', i, database, file) ?? 0) / intervalSec,
          readLatency: value('ReadLatency', i, database, file), writeLatency: value('WriteLatency', i, database, file),
        };
      }).filter((f) => f.database.toLowerCase() !== 'tempdb');
      const weighted = (pick: (f: (typeof files)[number]) => [number | undefined, number]) => {
        let s = 0;
        let w = 0;
        for (const f of files) {
          const [v, weight] = pick(f);
          if (v === undefined || weight <= 0) continue;
          s += v * weight;
          w += weight;
        }
        return w > 0 ? s / w : undefined;
      };
      const logs = files.filter((f) => f.type === 'LOG');
      const rl = weighted((f) => [f.readLatency, f.reads]);
      const wl = weighted((f) => [f.writeLatency, f.writes]);
      const lwl = weighted((f) => (f.type === 'LOG' ? [f.writeLatency, f.writes] : [undefined, 0]));
      instancePoints.push({
        t, seconds: intervalSec, cpuPercent, vCores, memoryGb: mem === undefined ? 0 : memUnit === 'kb' ? mem / 1048576 : mem / 1024,
        iops: files.reduce((s, f) => s + f.reads + f.writes, 0), readIops: files.reduce((s, f) => s + f.reads, 0), writeIops: files.reduce((s, f) => s + f.writes, 0),
        readMiBps: files.reduce((s, f) => s + f.readMiBps, 0), writeMiBps: files.reduce((s, f) => s + f.writeMiBps, 0), logMiBps: logs.reduce((s, f) => s + f.writeMiBps, 0),
        ...(rl !== undefined && { readLatencyMs: rl }), ...(wl !== undefined && { writeLatencyMs: wl }), ...(lwl !== undefined && { logWriteLatencyMs: lwl }),
        storageGb,
      });
      for (const d of databases) {
        if (d.id <= 4) continue;
        const dFiles = files.filter((f) => f.database.toLowerCase() === d.name.toLowerCase());
        const share = Math.max(0, (value('DatabaseCpuPercent', i, d.name) ?? 0) / 100);
        const cached = value('CachedSizeInMb', i, d.name);
        (perDatabase[d.name] ??= []).push({
          t, vCores: share * vCores, cpuShare: share, ...(cached !== undefined && { cachedMb: cached }),
          iops: dFiles.reduce((s, f) => s + f.reads + f.writes, 0), readMiBps: dFiles.reduce((s, f) => s + f.readMiBps, 0), writeMiBps: dFiles.reduce((s, f) => s + f.writeMiBps, 0),
          logMiBps: dFiles.filter((f) => f.type === 'LOG').reduce((s, f) => s + f.writeMiBps, 0),
          dataGb: d.files.filter((f) => f.type !== 'LOG').reduce((s, f) => s + f.sizeMb, 0) / 1024,
          logGb: d.files.filter((f) => f.type === 'LOG').reduce((s, f) => s + f.sizeMb, 0) / 1024,
        });
      }
      for (const f of files) {
        const fk = `${f.database.toLowerCase()}|${f.file.toLowerCase()}`;
        let s = fileSeries.get(fk);
        if (!s) {
          const d = databases.find((x) => x.name.toLowerCase() === f.database.toLowerCase());
          s = { database: f.database, databaseId: d?.id ?? 0, fileId: d?.files.find((x) => x.name.toLowerCase() === f.file.toLowerCase())?.fileId ?? 0, name: f.file, type: f.type, sizeGb: f.sizeGb, iops: [], miBps: [] };
          fileSeries.set(fk, s);
        }
        s.iops.push(f.reads + f.writes);
        s.miBps.push(f.readMiBps + f.writeMiBps);
      }
    }
  }
  const first = instancePoints[0];
  const last = instancePoints[instancePoints.length - 1];
  const series: WorkloadSeries = {
    server: { name: instance || 'unknown', productVersion: version, edition, engineEdition: 0 },
    host, databases, instance: instancePoints, perDatabase, files: [...fileSeries.values()],
    source: {
      kind: 'microsoft-csv', location: options.location ?? '(text)', dataPoints: starts.length,
      ...(first && { firstAt: new Date(first.t - first.seconds * 1000).toISOString() }), ...(last && { lastAt: new Date(last.t).toISOString() }),
      spanSeconds: instancePoints.reduce((s, p) => s + p.seconds, 0),
      method: `${starts.length} windows of Microsoft's collector, each expanded to its points from max, mean and variance (normal quantiles, clipped to [0, max])`,
    },
    notes: [],
  };
  return { series, instance, unknownCounters: [...unknownCounters].sort(), unknownColumns: [...unknownColumns].sort(), assumptions };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The instances a folder holds Microsoft collector files for, with their files. */
export async function findMicrosoftCollections(folder: string): Promise<Map<string, { instance?: string; database?: string; performance?: string }>> {
  const names = await readdir(folder);
  const out = new Map<string, { instance?: string; database?: string; performance?: string }>();
  for (const n of names) {
    for (const [kind, suffix] of Object.entries(MS_SUFFIXES) as [keyof typeof MS_SUFFIXES, string][]) {
      if (n.toLowerCase().endsWith(suffix.toLowerCase())) {
        const prefix = n.slice(0, n.length - suffix.length);
        const e = out.get(prefix) ?? {};
        e[kind] = join(folder, n);
        out.set(prefix, e);
      }
    }
  }
  return out;
}

export async function importMicrosoftCollection(folder: string, options: MicrosoftImportOptions = {}): Promise<MicrosoftImport> {
  const found = await findMicrosoftCollections(folder);
  const withPerf = [...found.entries()].filter(([, f]) => f.performance);
  if (!withPerf.length) throw new Error(`${folder} has no *${MS_SUFFIXES.performance} file (Microsoft's collector writes three CSV files per instance)`);
  const pick = options.instance ? withPerf.find(([p]) => p.toLowerCase() === options.instance!.toLowerCase() || p.toLowerCase().endsWith(options.instance!.toLowerCase())) : withPerf[0];
  if (!pick) throw new Error(`${folder} has no collection of ${options.instance}; it has: ${withPerf.map(([p]) => p).join(', ')}`);
  const [prefix, files] = pick;
  const texts: MicrosoftCsvTexts = {
    performance: await readFile(files.performance!, 'utf8'),
    ...(files.instance && { instance: await readFile(files.instance, 'utf8') }),
    ...(files.database && { database: await readFile(files.database, 'utf8') }),
  };
  const result = seriesOfMicrosoftCsv(texts, { ...options, location: folder, instanceName: options.instance ?? prefix });
  if (!files.instance) result.assumptions.push(`No *${MS_SUFFIXES.instance} file: the host's CPU count is unknown`);
  if (!files.database) result.assumptions.push(`No *${MS_SUFFIXES.database} file: file sizes and types are unknown (storage is not sized)`);
  return {
    ...result,
    files: [files.instance, files.database, files.performance].filter((x): x is string => Boolean(x)),
    otherInstances: withPerf.map(([p]) => p).filter((p) => p !== prefix),
  };
}
