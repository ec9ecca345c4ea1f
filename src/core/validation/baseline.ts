/**
 * A workload baseline: a performance collection (the same counters as sizing, in the same
 * folder layout) plus the top queries by CPU and by duration: from Query Store where it is on
 * (the intervals since the baseline began), else from sys.dm_exec_query_stats (per execution,
 * since each plan was cached). Capture one on the source before the migration and one on the
 * target after the cutover; compareBaselines() says, per metric and per top query, before, after
 * and the change.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectPerformance, type CollectOptions, type CollectResult } from '../perf/collector';
import { seriesOfCollection, type WorkloadSeries } from '../perf/series';
import { readCollection } from '../perf/store';
import { percentile } from '../sku/recommend';
import { sourceQuery, type QueryOptions, type SourceConnection, type SourceQuery } from '../source/connection';
import { readProperties } from '../source/inventory';
import { bracket } from './queries';

export const BASELINE_FORMAT = 'sqlmig-baseline';
export const BASELINE_FILE = 'baseline.json';
export const DEFAULT_TOP_QUERIES = 10;
/** Each side returns this many per measure, so a query in one side's top list is found on the other. */
const FETCH_TOP = 50;

export interface QueryStat {
  database: string;
  queryHash: string;
  text: string;
  executions: number;
  cpuMs: number;
  durationMs: number;
  logicalReads: number;
  /** The time the numbers cover (s): the window (Query Store) or since the plan was cached (DMV). */
  seconds: number;
  from: 'query-store' | 'dmv';
}

export interface BaselineFile {
  format: typeof BASELINE_FORMAT;
  formatVersion: 1;
  label: string;
  server: string;
  engineEdition: number;
  /** Server time the workload window began (ISO). */
  since: string;
  capturedAt: string;
  queryStoreDatabases: string[];
  queries: QueryStat[];
}

export interface Baseline {
  folder: string;
  file: BaselineFile;
  series: WorkloadSeries;
}

type Row = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0) || 0);

export function queryStoreDatabasesQuery(): SourceQuery {
  return sourceQuery('baseline.queryStoreDatabases', `
SELECT d.name FROM sys.databases AS d WHERE d.database_id > 4 AND d.state = 0 AND d.is_query_store_on = 1`);
}

/** Top queries from Query Store, for several databases in one batch: the intervals ending after @since. */
export function queryStoreQuery(databases: string[], since: string): SourceQuery {
  const branch = (db: string, i: number) => {
    const b = bracket(db);
    return `SELECT @d${i} AS database_name, CONVERT(nvarchar(40), q.query_hash, 1) AS query_hash, MAX(LEFT(qt.query_sql_text, 400)) AS query_text,
  SUM(rs.count_executions) AS executions, SUM(rs.avg_cpu_time * rs.count_executions) / 1000.0 AS cpu_ms,
  SUM(rs.avg_duration * rs.count_executions) / 1000.0 AS duration_ms, SUM(rs.avg_logical_io_reads * rs.count_executions) AS logical_reads,
  DATEDIFF(second, CONVERT(datetime2, @since, 127), SYSUTCDATETIME()) AS seconds
FROM ${b}.sys.query_store_runtime_stats AS rs
JOIN ${b}.sys.query_store_runtime_stats_interval AS i ON i.runtime_stats_interval_id = rs.runtime_stats_interval_id
JOIN ${b}.sys.query_store_plan AS p ON p.plan_id = rs.plan_id
JOIN ${b}.sys.query_store_query AS q ON q.query_id = p.query_id
JOIN ${b}.sys.query_store_query_text AS qt ON qt.query_text_id = q.query_text_id
WHERE i.end_time > CONVERT(datetimeoffset, @since, 127)
GROUP BY q.query_hash`;
  };
  return sourceQuery('baseline.queryStore', databases.map(branch).join('\nUNION ALL\n'), [
    ...databases.map((d, i) => ({ name: `d${i}`, type: 'nvarchar' as const, value: d })),
    { name: 'since', type: 'nvarchar', value: since },
  ]);
}

/** Top queries from the plan cache (user databases; those with Query Store left to it). */
export function queryStatsQuery(majorVersion: number): SourceQuery {
  return sourceQuery('baseline.queryStats', `
WITH q AS (
  SELECT DB_NAME(CONVERT(int, pa.value)) AS database_name, CONVERT(nvarchar(40), qs.query_hash, 1) AS query_hash,
    MAX(LEFT(SUBSTRING(st.text, qs.statement_start_offset / 2 + 1,
      (CASE qs.statement_end_offset WHEN -1 THEN DATALENGTH(st.text) ELSE qs.statement_end_offset END - qs.statement_start_offset) / 2 + 1), 400)) AS query_text,
    SUM(qs.execution_count) AS executions, SUM(qs.total_worker_time) / 1000.0 AS cpu_ms, SUM(qs.total_elapsed_time) / 1000.0 AS duration_ms,
    SUM(qs.total_logical_reads) AS logical_reads, DATEDIFF(second, MIN(qs.creation_time), GETDATE()) AS seconds
  FROM sys.dm_exec_query_stats AS qs
  CROSS APPLY sys.dm_exec_plan_attributes(qs.plan_handle) AS pa
  CROSS APPLY sys.dm_exec_sql_text(qs.sql_handle) AS st
  WHERE pa.attribute = N'dbid' AND CONVERT(int, pa.value) > 4 AND CONVERT(int, pa.value) <> 32767${majorVersion >= 13 ? `
    AND CONVERT(int, pa.value) NOT IN (SELECT database_id FROM sys.databases WHERE is_query_store_on = 1)` : ''}
  GROUP BY CONVERT(int, pa.value), qs.query_hash
), r AS (
  SELECT q.*, ROW_NUMBER() OVER (ORDER BY q.cpu_ms DESC) AS by_cpu, ROW_NUMBER() OVER (ORDER BY q.duration_ms DESC) AS by_duration FROM q
)
SELECT database_name, query_hash, query_text, executions, cpu_ms, duration_ms, logical_reads, seconds FROM r
WHERE by_cpu <= ${FETCH_TOP} OR by_duration <= ${FETCH_TOP}`);
}

function toStat(r: Row, from: QueryStat['from']): QueryStat {
  return {
    database: String(r.database_name ?? ''), queryHash: String(r.query_hash ?? ''), text: String(r.query_text ?? '').trim(),
    executions: num(r.executions), cpuMs: num(r.cpu_ms), durationMs: num(r.duration_ms), logicalReads: num(r.logical_reads), seconds: num(r.seconds), from,
  };
}

/**
 * Keeps the top `n` by CPU and by duration, per the whole server, as rates (per second of the time
 * each covers): Query Store's window and the plan cache's lifetime are not the same length.
 */
export function topQueries(stats: QueryStat[], n = FETCH_TOP): QueryStat[] {
  const rate = (v: number, q: QueryStat) => v / Math.max(1, q.seconds);
  const byCpu = [...stats].sort((a, b) => rate(b.cpuMs, b) - rate(a.cpuMs, a)).slice(0, n);
  const byDuration = [...stats].sort((a, b) => rate(b.durationMs, b) - rate(a.durationMs, a)).slice(0, n);
  const keep = new Set([...byCpu, ...byDuration]);
  return stats.filter((s) => keep.has(s));
}

export async function readTopQueries(conn: SourceConnection, since: string, options: QueryOptions = {}): Promise<{ queries: QueryStat[]; queryStoreDatabases: string[] }> {
  const props = await readProperties(conn, options);
  const major = props.engineEdition === 8 ? 99 : props.majorVersion;
  const qsDbs = major >= 13 ? (await conn.query<Row>(queryStoreDatabasesQuery(), options)).map((r) => String(r.name)) : [];
  const fromStore = qsDbs.length ? (await conn.query<Row>(queryStoreQuery(qsDbs, since), options)).map((r) => toStat(r, 'query-store')) : [];
  const fromDmv = (await conn.query<Row>(queryStatsQuery(major), options)).map((r) => toStat(r, 'dmv')).filter((s) => !qsDbs.includes(s.database));
  return { queries: topQueries([...fromStore, ...fromDmv]), queryStoreDatabases: qsDbs };
}

export interface CaptureOptions extends CollectOptions {
  /** source, target, or any word that says which side and when. */
  label: string;
}

export interface CaptureResult extends CollectResult {
  baseline: BaselineFile;
}

/** Collects the counters into `folder`, then reads the top queries of the window. */
export async function captureBaseline(conn: SourceConnection, options: CaptureOptions): Promise<CaptureResult> {
  const result = await collectPerformance(conn, options);
  const collection = await readCollection(options.folder);
  const first = collection.samples[0];
  const since = new Date(first?.t ?? Date.now()).toISOString();
  // Stopped early (Ctrl+C), the window is still a baseline: its queries are read all the same.
  const q = options.signal && !options.signal.aborted ? { signal: options.signal } : {};
  const { queries, queryStoreDatabases } = await readTopQueries(conn, since, q);
  const baseline: BaselineFile = {
    format: BASELINE_FORMAT, formatVersion: 1, label: options.label, server: collection.manifest.server.name, engineEdition: collection.manifest.server.engineEdition,
    since, capturedAt: new Date(collection.samples[collection.samples.length - 1]?.t ?? Date.now()).toISOString(), queryStoreDatabases, queries,
  };
  await writeFile(join(options.folder, BASELINE_FILE), `${JSON.stringify(baseline, null, 2)}\n`);
  return { ...result, baseline };
}

export async function loadBaseline(folder: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(join(folder, BASELINE_FILE), 'utf8');
  } catch {
    throw new Error(`${folder} holds no baseline (${BASELINE_FILE}): capture one with sqlmig baseline capture`);
  }
  const file = JSON.parse(text) as BaselineFile;
  if (file.format !== BASELINE_FORMAT) throw new Error(`${join(folder, BASELINE_FILE)} is not a sqlmig baseline`);
  return { folder, file, series: seriesOfCollection(await readCollection(folder)) };
}

export type Direction = 'lower-is-better' | 'higher-is-better' | 'workload';

export interface MetricComparison {
  metric: string;
  unit: string;
  direction: Direction;
  before: { mean: number; p95: number };
  after: { mean: number; p95: number };
  /** after / before - 1, of the means (undefined when before is 0). */
  change?: number;
  verdict: 'better' | 'worse' | 'same' | 'different';
}

export interface QueryComparison {
  database: string;
  queryHash: string;
  text: string;
  before: { cpuMsPerExec: number; durationMsPerExec: number; perMinute: number };
  after?: { cpuMsPerExec: number; durationMsPerExec: number; perMinute: number };
  cpuChange?: number;
  durationChange?: number;
  verdict: 'faster' | 'slower' | 'same' | 'not seen after';
}

export interface BaselineComparison {
  createdAt: string;
  before: { label: string; server: string; folder: string; since: string; capturedAt: string; spanSeconds: number };
  after: { label: string; server: string; folder: string; since: string; capturedAt: string; spanSeconds: number };
  metrics: MetricComparison[];
  queries: QueryComparison[];
  /** Minutes since each baseline began, and a metric's value then, for the charts. */
  timeline: { metric: string; unit: string; before: [number, number][]; after: [number, number][] }[];
  /** A change beyond this (fraction) counts as better or worse. */
  threshold: number;
  notes: string[];
}

const METRICS: { metric: string; unit: string; direction: Direction; pick: (p: WorkloadSeries['instance'][number]) => number | undefined }[] = [
  { metric: 'CPU', unit: '% of the instance', direction: 'lower-is-better', pick: (p) => p.cpuPercent },
  { metric: 'CPU used', unit: 'vCores', direction: 'lower-is-better', pick: (p) => p.vCores },
  { metric: 'Memory in use', unit: 'GB', direction: 'workload', pick: (p) => p.memoryGb },
  { metric: 'IOPS', unit: 'IO/s', direction: 'workload', pick: (p) => p.iops },
  { metric: 'IO throughput', unit: 'MiB/s', direction: 'workload', pick: (p) => p.readMiBps + p.writeMiBps },
  { metric: 'Log write rate', unit: 'MiB/s', direction: 'workload', pick: (p) => p.logMiBps },
  { metric: 'Read latency', unit: 'ms', direction: 'lower-is-better', pick: (p) => p.readLatencyMs },
  { metric: 'Write latency', unit: 'ms', direction: 'lower-is-better', pick: (p) => p.writeLatencyMs },
  { metric: 'Log write latency', unit: 'ms', direction: 'lower-is-better', pick: (p) => p.logWriteLatencyMs },
];

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function perExec(q: QueryStat) {
  const n = Math.max(1, q.executions);
  return { cpuMsPerExec: r3(q.cpuMs / n), durationMsPerExec: r3(q.durationMs / n), perMinute: r3(q.seconds > 0 ? (q.executions / q.seconds) * 60 : 0) };
}

export function compareBaselines(before: Baseline, after: Baseline, options: { top?: number; threshold?: number } = {}): BaselineComparison {
  const threshold = options.threshold ?? 0.1;
  const notes: string[] = [];
  const metrics: MetricComparison[] = METRICS.map((m) => {
    const b = before.series.instance.map(m.pick).filter((x): x is number => x !== undefined);
    const a = after.series.instance.map(m.pick).filter((x): x is number => x !== undefined);
    const bm = mean(b);
    const am = mean(a);
    const change = bm > 0 ? am / bm - 1 : undefined;
    const verdict: MetricComparison['verdict'] = change === undefined || Math.abs(change) < threshold ? 'same'
      : m.direction === 'workload' ? 'different' : (change < 0) === (m.direction === 'lower-is-better') ? 'better' : 'worse';
    return { metric: m.metric, unit: m.unit, direction: m.direction, before: { mean: r3(bm), p95: r3(percentile(b, 95)) }, after: { mean: r3(am), p95: r3(percentile(a, 95)) }, ...(change !== undefined && { change: r3(change) }), verdict };
  });
  if (before.series.host.cpuCount !== after.series.host.cpuCount) {
    notes.push(`The servers have different CPU counts (${before.series.host.cpuCount} before, ${after.series.host.cpuCount} after): compare vCores used, not only percentages`);
  }
  const key = (q: QueryStat) => `${q.database.toLowerCase()}|${q.queryHash}`;
  const afterBy = new Map(after.file.queries.map((q) => [key(q), q]));
  const top = options.top ?? DEFAULT_TOP_QUERIES;
  const picked = topQueries(before.file.queries, top).sort((a, b) => b.cpuMs / Math.max(1, b.seconds) - a.cpuMs / Math.max(1, a.seconds));
  const queries: QueryComparison[] = picked.map((q) => {
    const a = afterBy.get(key(q));
    const bq = perExec(q);
    if (!a) return { database: q.database, queryHash: q.queryHash, text: q.text, before: bq, verdict: 'not seen after' };
    const aq = perExec(a);
    const durationChange = bq.durationMsPerExec > 0 ? r3(aq.durationMsPerExec / bq.durationMsPerExec - 1) : undefined;
    const cpuChange = bq.cpuMsPerExec > 0 ? r3(aq.cpuMsPerExec / bq.cpuMsPerExec - 1) : undefined;
    const verdict: QueryComparison['verdict'] = durationChange === undefined || Math.abs(durationChange) < threshold ? 'same' : durationChange < 0 ? 'faster' : 'slower';
    return { database: q.database, queryHash: q.queryHash, text: q.text, before: bq, after: aq, ...(cpuChange !== undefined && { cpuChange }), ...(durationChange !== undefined && { durationChange }), verdict };
  });
  const minutes = (s: WorkloadSeries) => {
    const t0 = s.instance[0] ? s.instance[0].t - s.instance[0].seconds * 1000 : 0;
    return (p: WorkloadSeries['instance'][number]) => (p.t - t0) / 60_000;
  };
  const timeline = METRICS.filter((m) => ['CPU', 'IOPS', 'Log write latency', 'Read latency'].includes(m.metric)).map((m) => {
    const mb = minutes(before.series);
    const ma = minutes(after.series);
    const pts = (s: WorkloadSeries, at: (p: WorkloadSeries['instance'][number]) => number) => s.instance.flatMap((p) => {
      const v = m.pick(p);
      return v === undefined ? [] : [[r3(at(p)), r3(v)] as [number, number]];
    });
    return { metric: m.metric, unit: m.unit, before: pts(before.series, mb), after: pts(after.series, ma) };
  });
  const side = (b: Baseline) => ({ label: b.file.label, server: b.file.server, folder: b.folder, since: b.file.since, capturedAt: b.file.capturedAt, spanSeconds: b.series.source.spanSeconds });
  return { createdAt: new Date().toISOString(), before: side(before), after: side(after), metrics, queries, timeline, threshold, notes };
}
