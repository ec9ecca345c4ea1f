/**
 * The queries rules read from. A probe is asked once per assessment, whatever the number of rules
 * that use it; a database-scoped probe covers many databases in one batch (three-part names, one
 * UNION ALL branch per database), so round trips grow with probes, not with databases.
 */
import { sourceQuery, type SourceQuery, type SqlParam } from '../source/connection';

export type ProbeScope = 'server' | 'database';

export interface ProbeContext {
  majorVersion: number;
  /** For database probes: the databases this batch covers. */
  databases: readonly string[];
}

export interface Probe {
  id: ProbeId;
  scope: ProbeScope;
  build(ctx: ProbeContext): SourceQuery;
}

export type ProbeId =
  | 'server.configurations'
  | 'server.linkedServers'
  | 'server.jobSteps'
  | 'server.traceFlags'
  | 'server.logins'
  | 'server.encryption'
  | 'server.objects'
  | 'database.modules'
  | 'database.objects';

/** What each probe reads, in words for a progress line (the ids are ours, not the user's). */
export const PROBE_LABELS: Readonly<Record<ProbeId, string>> = {
  'server.configurations': 'Reading the server configuration',
  'server.linkedServers': 'Reading the linked servers',
  'server.jobSteps': 'Reading the SQL Agent jobs',
  'server.traceFlags': 'Reading the trace flags',
  'server.logins': 'Reading the logins',
  'server.encryption': 'Reading the encryption settings',
  'server.objects': 'Reading the server-level objects',
  'database.modules': 'Reading procedures, views, functions and triggers',
  'database.objects': 'Reading filegroups, assemblies, users and tables',
};

/** [name], with ] doubled: safe for any database name. */
export function quoteName(name: string): string {
  return `[${name.replace(/]/g, ']]')}]`;
}

/** One SELECT per database, each naming its database through a parameter (@d0, @d1, ...). */
function perDatabase(
  id: ProbeId,
  databases: readonly string[],
  branch: (db: string, param: string) => string,
  wrap: { head: string; tail: string } = { head: '', tail: '' },
): SourceQuery {
  if (databases.length === 0) throw new Error(`probe ${id} needs at least one database`);
  const params: SqlParam[] = databases.map((name, i) => ({ name: `d${i}`, type: 'nvarchar', value: name }));
  const text = wrap.head + databases.map((db, i) => branch(quoteName(db), `@d${i}`)).join('\nUNION ALL\n') + wrap.tail;
  return sourceQuery(id, text, params);
}

/**
 * LIKE patterns that make a module (procedure, function, view, trigger) a candidate for the text
 * rules. Keep them broad: rules confirm each candidate on the code itself.
 */
export const MODULE_PATTERNS: readonly string[] = [
  '%ASSEMBLY%FROM%',
  '%BULK%INSERT%',
  '%COMPUTE%',
  '%CRYPTOGRAPHIC%PROVIDER%',
  '%database[_]principal[_]aliases%',
  '%sp[_]addalias%',
  '%sp[_]dropalias%',
  '%DISABLE[_]DEF[_]CNST[_]CHK%',
  '%FASTFIRSTROW%',
  '%DISTRIBUTED%TRAN%',
  '%*=%',
  '%=*%',
  '%OPENROWSET%',
  '%OPENDATASOURCE%',
  '%RAISERROR%',
  '%xp[_]sendmail%',
  '%xp[_]startmail%',
  '%xp[_]readmail%',
  '%xp[_]stopmail%',
  '%sp[_]dboption%',
  '%sp[_]addserver%',
  '%sp[_]activedirectory[_]%',
  '%xp[_]cmdshell%',
];

const likeAny = (column: string) => MODULE_PATTERNS.map((p) => `${column} LIKE N'${p.replace(/'/g, "''")}'`).join(' OR ');

export const PROBES: Record<ProbeId, Probe> = {
  'server.configurations': {
    id: 'server.configurations',
    scope: 'server',
    build: () => sourceQuery('server.configurations', `
SELECT name, CAST(value_in_use AS bigint) AS value_in_use
FROM sys.configurations
ORDER BY name`),
  },
  'server.linkedServers': {
    id: 'server.linkedServers',
    scope: 'server',
    build: () => sourceQuery('server.linkedServers', `
SELECT name, provider, product, data_source
FROM sys.servers
WHERE is_linked = 1
ORDER BY name`),
  },
  'server.jobSteps': {
    id: 'server.jobSteps',
    scope: 'server',
    build: () => sourceQuery('server.jobSteps', `
SELECT j.name AS job_name, CAST(j.enabled AS int) AS job_enabled, s.step_id, s.step_name, s.subsystem,
  s.database_name, s.command
FROM msdb.dbo.sysjobs AS j
JOIN msdb.dbo.sysjobsteps AS s ON s.job_id = j.job_id
ORDER BY j.name, s.step_id`),
  },
  'server.traceFlags': {
    id: 'server.traceFlags',
    scope: 'server',
    // Global trace flags only (-1); the rowset is TraceFlag, Status, Global, Session.
    build: () => sourceQuery('server.traceFlags', 'DBCC TRACESTATUS(-1) WITH NO_INFOMSGS'),
  },
  'server.logins': {
    id: 'server.logins',
    scope: 'server',
    build: () => sourceQuery('server.logins', `
SELECT name, type_desc, CAST(is_disabled AS int) AS is_disabled
FROM sys.server_principals
WHERE type IN ('U', 'G') AND name NOT LIKE N'NT %'
ORDER BY name`),
  },
  'server.encryption': {
    id: 'server.encryption',
    scope: 'server',
    build: ({ majorVersion }) => sourceQuery('server.encryption', `
SELECT DB_NAME(k.database_id) AS database_name, k.encryption_state, c.name AS certificate_name,
  CONVERT(nvarchar(130), k.encryptor_thumbprint, 1) AS thumbprint,
  ${majorVersion >= 12 ? 'k.encryptor_type' : "CAST(N'CERTIFICATE' AS nvarchar(32))"} AS encryptor_type
FROM sys.dm_database_encryption_keys AS k
LEFT JOIN master.sys.certificates AS c ON c.thumbprint = k.encryptor_thumbprint
WHERE k.database_id > 4`),
  },
  'server.objects': {
    id: 'server.objects',
    scope: 'server',
    // Server-level objects a database backup does not carry, or that Managed Instance lacks.
    build: () => sourceQuery('server.objects', `
SELECT N'cryptographic-provider' AS kind, name, CAST(dll_path AS nvarchar(4000)) AS detail FROM sys.cryptographic_providers
UNION ALL
SELECT N'server-audit', name, type_desc FROM sys.server_audits WHERE type <> 'UR'
UNION ALL
SELECT N'credential', name, credential_identity FROM sys.credentials
UNION ALL
SELECT N'extended-procedure', name, dll_name FROM master.sys.extended_procedures WHERE OBJECTPROPERTY(object_id, 'IsMSShipped') = 0
UNION ALL
SELECT N'startup-procedure', name, NULL FROM master.sys.procedures WHERE OBJECTPROPERTY(object_id, 'ExecIsStartup') = 1`),
  },
  'database.modules': {
    id: 'database.modules',
    scope: 'database',
    // The filter stands once, outside the union; SQL Server pushes it into every branch.
    build: ({ databases }) =>
      perDatabase('database.modules', databases, (db, p) => `  SELECT ${p} AS database_name, s.name AS schema_name,
    COALESCE(o.name, t.name) AS object_name, COALESCE(o.type_desc, N'DATABASE_DDL_TRIGGER') AS object_type, m.definition
  FROM ${db}.sys.sql_modules AS m
  LEFT JOIN ${db}.sys.objects AS o ON o.object_id = m.object_id
  LEFT JOIN ${db}.sys.schemas AS s ON s.schema_id = o.schema_id
  LEFT JOIN ${db}.sys.triggers AS t ON t.object_id = m.object_id`, {
        head: 'SELECT x.database_name, x.schema_name, x.object_name, x.object_type, x.definition\nFROM (\n',
        tail: `\n) AS x\nWHERE ${likeAny('x.definition')}`,
      }),
  },
  'database.objects': {
    id: 'database.objects',
    scope: 'database',
    build: ({ databases, majorVersion }) =>
      perDatabase('database.objects', databases, (db, p) => {
        const parts = [
          `SELECT ${p} AS database_name, CASE fg.type WHEN 'FD' THEN N'filestream-filegroup' ELSE N'memory-optimized-filegroup' END AS kind,
  CAST(NULL AS nvarchar(128)) AS schema_name, fg.name AS object_name, CAST(fg.type AS nvarchar(256)) AS detail
FROM ${db}.sys.filegroups AS fg WHERE fg.type IN ('FD', 'FX')`,
          `SELECT ${p}, N'filestream-column', s.name, tb.name + N'.' + c.name, NULL
FROM ${db}.sys.columns AS c JOIN ${db}.sys.tables AS tb ON tb.object_id = c.object_id JOIN ${db}.sys.schemas AS s ON s.schema_id = tb.schema_id
WHERE c.is_filestream = 1`,
          `SELECT ${p}, N'assembly', NULL, a.name, a.permission_set_desc
FROM ${db}.sys.assemblies AS a WHERE a.is_user_defined = 1`,
          `SELECT ${p}, N'next-name', s.name, tb.name + CASE WHEN c.name IS NULL THEN N'' ELSE N'.' + c.name END, NULL
FROM ${db}.sys.tables AS tb JOIN ${db}.sys.schemas AS s ON s.schema_id = tb.schema_id
LEFT JOIN ${db}.sys.columns AS c ON c.object_id = tb.object_id AND c.name = N'NEXT'
WHERE tb.name = N'NEXT' OR c.name IS NOT NULL`,
          `SELECT ${p}, N'windows-user', NULL, dp.name, dp.type_desc
FROM ${db}.sys.database_principals AS dp WHERE dp.type IN ('U', 'G') AND dp.name NOT LIKE N'NT %'`,
        ];
        if (majorVersion >= 11) {
          parts.push(`SELECT ${p}, N'filetable', s.name, tb.name, NULL
FROM ${db}.sys.filetables AS ft JOIN ${db}.sys.tables AS tb ON tb.object_id = ft.object_id JOIN ${db}.sys.schemas AS s ON s.schema_id = tb.schema_id`);
        }
        if (majorVersion >= 12) {
          parts.push(`SELECT ${p}, N'memory-optimized-table', s.name, tb.name, NULL
FROM ${db}.sys.tables AS tb JOIN ${db}.sys.schemas AS s ON s.schema_id = tb.schema_id WHERE tb.is_memory_optimized = 1`);
        }
        return parts.join('\nUNION ALL\n');
      }),
  },
};
