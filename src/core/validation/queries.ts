/**
 * Post-migration validation's queries: read-only catalog views and bounded aggregates, one
 * database at a time through three-part names (so they run the same on SQL Server and on a
 * managed instance, over the connection already open).
 */
import { sourceQuery, type SourceQuery } from '../source/connection';

export const bracket = (name: string) => `[${name.replace(/]/g, ']]')}]`;
const literal = (s: string) => `N'${s.replace(/'/g, "''")}'`;

/** User objects by type (sys.objects). */
export function objectsQuery(database: string): SourceQuery {
  const db = bracket(database);
  return sourceQuery('validate.objects', `
SELECT o.type_desc, COUNT(*) AS n
FROM ${db}.sys.objects AS o
WHERE o.is_ms_shipped = 0
GROUP BY o.type_desc`);
}

/** Tables, one row per partition: rows from the metadata, the clustered key, heap or not. */
export function tablesQuery(database: string, majorVersion: number): SourceQuery {
  const db = bracket(database);
  return sourceQuery('validate.tables', `
SELECT s.name AS schema_name, t.name AS table_name, p.partition_number, p.rows AS row_count,
  STUFF((SELECT N',' + QUOTENAME(c.name) + CASE WHEN ic.is_descending_key = 1 THEN N' DESC' ELSE N'' END
         FROM ${db}.sys.index_columns AS ic JOIN ${db}.sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
         WHERE ic.object_id = t.object_id AND ic.index_id = 1 AND ic.key_ordinal > 0
         ORDER BY ic.key_ordinal FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'), 1, 1, N'') AS clustered_key,
  CASE WHEN EXISTS (SELECT 1 FROM ${db}.sys.indexes AS i WHERE i.object_id = t.object_id AND i.index_id = 0) THEN 1 ELSE 0 END AS is_heap
FROM ${db}.sys.tables AS t
JOIN ${db}.sys.schemas AS s ON s.schema_id = t.schema_id
JOIN ${db}.sys.partitions AS p ON p.object_id = t.object_id AND p.index_id IN (0, 1)
WHERE t.is_ms_shipped = 0${majorVersion >= 12 ? ' AND t.is_memory_optimized = 0' : ''}`);
}

/** The options compared, with the SQL Server version that has each. */
export const DATABASE_OPTIONS: [name: string, expr: string, minMajor: number][] = [
  ['state_desc', 'd.state_desc', 10], ['compatibility_level', 'd.compatibility_level', 10], ['collation_name', 'd.collation_name', 10],
  ['recovery_model_desc', 'd.recovery_model_desc', 10], ['is_read_only', 'd.is_read_only', 10], ['user_access_desc', 'd.user_access_desc', 10],
  ['snapshot_isolation_state_desc', 'd.snapshot_isolation_state_desc', 10], ['is_read_committed_snapshot_on', 'd.is_read_committed_snapshot_on', 10],
  ['is_auto_close_on', 'd.is_auto_close_on', 10], ['is_auto_shrink_on', 'd.is_auto_shrink_on', 10], ['is_auto_create_stats_on', 'd.is_auto_create_stats_on', 10],
  ['is_auto_update_stats_on', 'd.is_auto_update_stats_on', 10], ['is_auto_update_stats_async_on', 'd.is_auto_update_stats_async_on', 10],
  ['page_verify_option_desc', 'd.page_verify_option_desc', 10], ['is_ansi_nulls_on', 'd.is_ansi_nulls_on', 10], ['is_quoted_identifier_on', 'd.is_quoted_identifier_on', 10],
  ['is_recursive_triggers_on', 'd.is_recursive_triggers_on', 10], ['is_trustworthy_on', 'd.is_trustworthy_on', 10], ['is_broker_enabled', 'd.is_broker_enabled', 10],
  ['is_parameterization_forced', 'd.is_parameterization_forced', 10], ['containment_desc', 'd.containment_desc', 11],
  ['target_recovery_time_in_seconds', 'd.target_recovery_time_in_seconds', 11], ['delayed_durability_desc', 'd.delayed_durability_desc', 12],
  ['is_query_store_on', 'd.is_query_store_on', 13], ['is_encrypted', 'd.is_encrypted', 10], ['encryption_state', 'k.encryption_state', 10],
];

/** One database's options (and TDE state) as name/value rows. */
export function databaseOptionsQuery(database: string, majorVersion: number): SourceQuery {
  // Compact: the request stays within one 4 KB TDS packet.
  const values = DATABASE_OPTIONS.filter(([, , min]) => majorVersion >= min).map(([name, expr]) => `(N'${name}',CONVERT(nvarchar(256),${expr}))`).join(',');
  return sourceQuery('validate.database', `
SELECT v.name, v.value
FROM sys.databases AS d
LEFT JOIN sys.dm_database_encryption_keys AS k ON k.database_id = d.database_id
CROSS APPLY (VALUES ${values}) AS v(name, value)
WHERE d.name = @db`, [{ name: 'db', type: 'nvarchar', value: database }]);
}

/** Database users, with whether a server login has their SID. */
export function usersQuery(database: string, majorVersion: number): SourceQuery {
  const db = bracket(database);
  return sourceQuery('validate.users', `
SELECT dp.name, dp.type_desc, CONVERT(nvarchar(200), dp.sid, 1) AS sid, CASE WHEN sp.sid IS NULL THEN 0 ELSE 1 END AS has_login,
  ${majorVersion >= 11 ? 'dp.authentication_type_desc' : "N'INSTANCE'"} AS authentication_type_desc
FROM ${db}.sys.database_principals AS dp
LEFT JOIN sys.server_principals AS sp ON sp.sid = dp.sid
WHERE dp.type IN ('S', 'U', 'G', 'E', 'X') AND dp.principal_id > 4 AND dp.sid IS NOT NULL AND dp.sid <> 0x00`);
}

export type ChecksumMethod = 'full' | 'head' | 'tail';
export interface ChecksumTask {
  schema: string;
  table: string;
  method: ChecksumMethod;
  /** Rows read for head and tail. */
  rows?: number;
  /** ORDER BY columns, bracketed, with DESC where the key is descending. */
  key?: string[];
}

const flip = (k: string) => (/ DESC$/i.test(k) ? k.replace(/ DESC$/i, '') : `${k} DESC`);

/** Checksums of several tables in one batch (one rowset): CHECKSUM_AGG(BINARY_CHECKSUM(*)) and COUNT_BIG(*) each. */
export function checksumQuery(database: string, tasks: ChecksumTask[]): SourceQuery {
  const db = bracket(database);
  const branches = tasks.map((t) => {
    const ref = literal(`${t.schema}.${t.table}`);
    const name = `${db}.${bracket(t.schema)}.${bracket(t.table)}`;
    const head = `SELECT ${ref} AS table_ref, N'${t.method}' AS method, COUNT_BIG(*) AS row_count, CHECKSUM_AGG(BINARY_CHECKSUM(*)) AS checksum`;
    if (t.method === 'full') return `${head}\nFROM ${name}`;
    const order = (t.method === 'tail' ? t.key!.map(flip) : t.key!).join(', ');
    return `${head}\nFROM (SELECT TOP (${t.rows}) * FROM ${name} ORDER BY ${order}) AS x`;
  });
  return sourceQuery('validate.checksums', branches.join('\nUNION ALL\n'));
}
