/**
 * The collection's queries. A sample is ONE batch with ONE rowset: a UNION ALL of the DMVs
 * Microsoft's collector reads, each row tagged with its kind (k) and carrying up to nine numbers
 * (v1..v9, float: exact to 2^53). The static facts (host, databases and files, In-Memory OLTP and
 * FILESTREAM filegroups) are three small queries read at the start and hourly.
 */
import { sourceQuery, type SqlParam, type SourceQuery } from '../source/connection';

const bracket = (name: string) => `[${name.replace(/]/g, ']]')}]`;

/**
 * Cumulative counters in one round trip. `bufferPool` adds the buffer pool per database (a scan of
 * every buffer descriptor). The text is kept under 1,800 characters so that the request fits one
 * 4 KB TDS packet (a request of two packets waits for a delayed acknowledgement on many stacks).
 */
export function sampleQuery(options: { majorVersion: number; bufferPool: boolean }): SourceQuery {
  const committed = options.majorVersion >= 11 ? 'i.committed_kb,i.committed_target_kb' : 'NULL,NULL';
  const n = (k: number) => Array.from({ length: k }, () => 'NULL').join(',');
  const text = `
DECLARE @now datetime2(3)=SYSUTCDATETIME();
WITH c AS (SELECT TOP (1) r.x.value('(//SystemHealth/ProcessUtilization)[1]','int') AS u,r.x.value('(//SystemHealth/SystemIdle)[1]','int') AS idle
  FROM (SELECT CONVERT(xml,record) AS x,[timestamp] AS ts FROM sys.dm_os_ring_buffers
    WHERE ring_buffer_type=N'RING_BUFFER_SCHEDULER_MONITOR' AND record LIKE N'%<SystemHealth>%') AS r ORDER BY r.ts DESC),
d AS (SELECT CONVERT(int,pa.value) AS db,SUM(qs.total_worker_time) AS w,SUM(qs.total_elapsed_time) AS e,SUM(qs.execution_count) AS n
  FROM sys.dm_exec_query_stats AS qs CROSS APPLY sys.dm_exec_plan_attributes(qs.plan_handle) AS pa
  WHERE pa.attribute=N'dbid' GROUP BY CONVERT(int,pa.value))
SELECT N'clock' AS k,NULL AS db,NULL AS f,
  CAST(DATEDIFF(second,'19700101',@now) AS float)*1000+DATEPART(millisecond,@now) AS v1,CAST(i.ms_ticks AS float) AS v2,
  CAST(DATEDIFF(second,'19700101',i.sqlserver_start_time) AS float)*1000 AS v3,${committed.replace(',', ' AS v4,')} AS v5,
  NULL AS v6,NULL AS v7
FROM sys.dm_os_sys_info AS i
UNION ALL SELECT N'cpu',NULL,NULL,u,idle,${n(5)} FROM c
UNION ALL SELECT N'mem',NULL,NULL,physical_memory_in_use_kb,memory_utilization_percentage,${n(5)} FROM sys.dm_os_process_memory
UNION ALL SELECT N'dbcpu',db,NULL,w,e,n,${n(4)} FROM d
UNION ALL SELECT N'file',s.database_id,s.file_id,s.num_of_reads,s.num_of_bytes_read,s.io_stall_read_ms,s.num_of_writes,s.num_of_bytes_written,
  s.io_stall_write_ms,s.size_on_disk_bytes FROM sys.dm_io_virtual_file_stats(NULL,NULL) AS s${options.bufferPool ? `
UNION ALL SELECT N'buf',b.database_id,NULL,COUNT_BIG(*),${n(6)} FROM sys.dm_os_buffer_descriptors AS b WHERE b.database_id<>32767 GROUP BY b.database_id` : ''}`;
  return sourceQuery('perf.sample', text.replace(/\n\s+/g, '\n'));
}

/** The host: logical CPUs, memory, when SQL Server started. */
export function hostQuery(majorVersion: number): SourceQuery {
  const memory = majorVersion >= 11 ? 'i.physical_memory_kb / 1024' : 'i.physical_memory_in_bytes / 1048576';
  return sourceQuery('perf.host', `
SELECT i.cpu_count, i.hyperthread_ratio, CAST(${memory} AS float) AS physical_memory_mb,
  (SELECT CAST(c.value_in_use AS float) FROM sys.configurations AS c WHERE c.name = N'max server memory (MB)') AS max_server_memory_mb,
  CONVERT(nvarchar(30), i.sqlserver_start_time, 126) AS sqlserver_start_time
FROM sys.dm_os_sys_info AS i`);
}

/** Databases (not tempdb) and their files, as one rowset. */
export const DATABASES_QUERY: SourceQuery = sourceQuery('perf.databases', `
SELECT N'db' AS k, d.database_id, CAST(NULL AS int) AS file_id, d.name, d.state_desc AS detail, CAST(d.compatibility_level AS float) AS n1
FROM sys.databases AS d WHERE d.database_id <> 2
UNION ALL
SELECT N'file', f.database_id, f.file_id, f.name, f.type_desc, CAST(f.size AS float) * 8 / 1024
FROM sys.master_files AS f WHERE f.database_id <> 2`);

/** Which online databases have MEMORY_OPTIMIZED_DATA (FX) or FILESTREAM (FD) filegroups: one batch for all. */
export function featuresQuery(databases: string[]): SourceQuery | undefined {
  if (!databases.length) return undefined;
  const params: SqlParam[] = databases.map((d, i) => ({ name: `d${i}`, type: 'nvarchar', value: d }));
  const text = databases
    .map((d, i) => `SELECT @d${i} AS database_name, fg.type FROM ${bracket(d)}.sys.filegroups AS fg WHERE fg.type IN ('FX', 'FD')`)
    .join('\nUNION ALL\n');
  return sourceQuery('perf.features', text, params);
}
