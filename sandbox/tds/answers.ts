/**
 * Answers the product's catalog queries from a server profile, the way the instance it describes
 * would: the id comment names the rowset, sp_executesql parameters pick databases and limits, the
 * LIKE patterns in the query text filter module definitions, and columns or views the profile's
 * version does not have fail with SQL Server's own errors (207, 208). Anything else is an error.
 */
import { sqlLike } from '../../src/core/assessment/tsqlText';
import type { ColumnSpec, CellValue } from './protocol';
import { queryId, SqlError, type QueryRequest, type ResultSet } from './server';
import type { ProfileDatabase, ProfileFile, ServerProfile } from './profile';
import { profileLogins, userSid } from './principals';
import { SERVER_OBJECT_ANSWERS, tdeThumbprint } from './serverObjectAnswers';
import { workloadAnswers, type TableDrift } from './workload';

type Answer = (req: QueryRequest, profile: ServerProfile) => ResultSet[];

const col = (name: string, type: ColumnSpec['type']): ColumnSpec => ({ name, type });
const set = (columns: ColumnSpec[], rows: CellValue[][]): ResultSet[] => [{ columns, rows }];

function major(profile: ServerProfile): number {
  return Number(profile.server.version.split('.')[0]);
}

/** Fails like SQL Server when a query names what this version lacks. */
function requireVersion(req: QueryRequest, profile: ServerProfile, needs: [RegExp, number, 'column' | 'object', string][]): void {
  for (const [re, minMajor, kind, name] of needs) {
    if (re.test(req.sql) && major(profile) < minMajor) {
      throw kind === 'column' ? new SqlError(207, `Invalid column name '${name}'.`) : new SqlError(208, `Invalid object name '${name}'.`);
    }
  }
}

const DENIED: Record<string, [number, string]> = {
  'server.jobSteps': [229, "The SELECT permission was denied on the object 'sysjobs', database 'msdb', schema 'dbo'."],
  'server.backupHistory': [229, "The SELECT permission was denied on the object 'backupset', database 'msdb', schema 'dbo'."],
  'server.encryption': [300, "VIEW SERVER STATE permission was denied on object 'server', database 'master'."],
  'server.traceFlags': [2571, "User does not have permission to use DBCC TRACESTATUS."],
};

export function expandFiles(d: ProfileDatabase): ProfileFile[] {
  const files = d.files ?? [{ name: d.name, type: 'ROWS', sizeMb: 64 }, { name: `${d.name}_log`, type: 'LOG', sizeMb: 16 }];
  return files.flatMap((f) =>
    f.count && f.count > 1 ? Array.from({ length: f.count }, (_, i) => ({ ...f, name: `${f.name}_${i + 1}`, count: 1 })) : [f],
  );
}

const FILE_TYPE = { ROWS: 0, LOG: 1, FILESTREAM: 2 } as const;
const SYSTEM_DATABASES = ['master', 'tempdb', 'model', 'msdb'];

function userDatabaseId(profile: ServerProfile, d: ProfileDatabase): number {
  return 5 + profile.databases.indexOf(d);
}

interface FileRow { databaseId: number; fileId: number; type: number; name: string; path: string; sizeMb: number }

function fileRows(profile: ServerProfile): FileRow[] {
  const out: FileRow[] = [];
  SYSTEM_DATABASES.forEach((name, i) => {
    out.push({ databaseId: i + 1, fileId: 1, type: 0, name: name === 'master' ? 'master' : `${name}dev`, path: `C:\\SQLData\\${name}.mdf`, sizeMb: 8 });
    out.push({ databaseId: i + 1, fileId: 2, type: 1, name: `${name}log`, path: `C:\\SQLData\\${name}log.ldf`, sizeMb: 8 });
  });
  for (const d of profile.databases) {
    expandFiles(d).forEach((f, i) =>
      out.push({
        databaseId: userDatabaseId(profile, d),
        fileId: i + 1,
        type: FILE_TYPE[f.type],
        name: f.name,
        path: f.physicalName ?? `D:\\SQLData\\${f.name}${f.type === 'LOG' ? '.ldf' : f.type === 'FILESTREAM' ? '' : i === 0 ? '.mdf' : '.ndf'}`,
        sizeMb: f.sizeMb,
      }),
    );
  }
  return out;
}

/** The databases a database probe asked for, in parameter order, checked against the query text. */
function requestedDatabases(req: QueryRequest, profile: ServerProfile): ProfileDatabase[] {
  const names = [...req.params.entries()].filter(([k]) => /^d\d+$/.test(k)).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1))).map(([, v]) => String(v));
  if (names.length === 0) throw new SqlError(137, 'Must declare the scalar variable "@d0".', 15);
  return names.map((name) => {
    const d = profile.databases.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!d || !req.sql.includes(`[${name.replace(/]/g, ']]')}].`)) throw new SqlError(911, `Database '${name}' does not exist. Make sure that the name is entered correctly.`);
    if ((d.state ?? 'ONLINE') !== 'ONLINE') throw new SqlError(942, `Database '${d.name}' cannot be opened because it is ${d.state}.`, 14);
    if (d.accessible === false) throw new SqlError(916, `The server principal "${req.login}" is not able to access the database "${d.name}" under the current security context.`, 14);
    if (d.failsWith) throw new SqlError(d.failsWith.number, d.failsWith.message);
    return d;
  });
}

/** The LIKE patterns the query applies to m.definition. */
function likePatterns(sql: string): string[] {
  const out = new Set<string>();
  for (const m of sql.matchAll(/definition\s+LIKE\s+N?'((?:[^']|'')*)'/gi)) out.add(m[1]!.replace(/''/g, "'"));
  return [...out];
}

function splitName(qualified: string): [string, string] {
  const i = qualified.indexOf('.');
  return i < 0 ? ['dbo', qualified] : [qualified.slice(0, i), qualified.slice(i + 1)];
}

const ANSWERS: Record<string, Answer> = {
  'server.properties': (req, profile) => {
    const s = profile.server;
    const sysadmin = req.sysadmin;
    return set(
      [col('server_name', 'nvarchar'), col('product_version', 'nvarchar'), col('product_level', 'nvarchar'), col('product_update_level', 'nvarchar'),
        col('edition', 'nvarchar'), col('engine_edition', 'int'), col('is_clustered', 'int'), col('is_hadr_enabled', 'int'), col('collation', 'nvarchar'),
        col('host_platform', 'nvarchar'), col('is_sysadmin', 'int'), col('has_control_server', 'int'), col('has_view_server_state', 'int')],
      [[s.name, s.version, s.productLevel ?? 'RTM', s.updateLevel ?? null, s.edition ?? 'Enterprise Edition (64-bit)', s.engineEdition ?? 3,
        s.clustered ? 1 : 0, major(profile) >= 11 ? (s.hadrEnabled ? 1 : 0) : null, s.collation ?? 'SQL_Latin1_General_CP1_CI_AS',
        s.hostPlatform ?? 'Windows', sysadmin ? 1 : 0, sysadmin ? 1 : 0, sysadmin || !req.deny.includes('server.encryption') ? 1 : 0]],
    );
  },
  'server.databases': (req, profile) => {
    requireVersion(req, profile, [[/\bd\.containment\b/, 11, 'column', 'containment'], [/is_accelerated_database_recovery_on/, 15, 'column', 'is_accelerated_database_recovery_on']]);
    const rows = [...profile.databases].sort((a, b) => a.name.localeCompare(b.name)).map((d) => {
      const files = expandFiles(d);
      const sum = (t: string) => files.filter((f) => f.type === t).reduce((s, f) => s + f.sizeMb, 0);
      const recovery = d.recoveryModel ?? 'FULL';
      const lsn = d.lastLogBackupLsn !== undefined ? d.lastLogBackupLsn : recovery === 'SIMPLE' ? null : '42000000012345600001';
      return [userDatabaseId(profile, d), d.name, d.state ?? 'ONLINE', recovery, d.compatibilityLevel ?? Math.min(major(profile) * 10, 160),
        Boolean(d.tde), d.containment === 'PARTIAL' ? 1 : 0, d.brokerEnabled ?? false, d.readOnly ?? false, d.userAccess ?? 'MULTI_USER',
        d.collation ?? 'SQL_Latin1_General_CP1_CI_AS', d.createDate ?? '2021-03-04T10:00:00', sum('ROWS'), sum('LOG'),
        files.filter((f) => f.type === 'ROWS').length, files.filter((f) => f.type === 'LOG').length,
        d.accessible === false ? 0 : 1, lsn, major(profile) >= 15 ? (d.acceleratedDatabaseRecovery ?? false) : null] as CellValue[];
    });
    return set(
      [col('database_id', 'int'), col('name', 'nvarchar'), col('state_desc', 'nvarchar'), col('recovery_model_desc', 'nvarchar'), col('compatibility_level', 'int'),
        col('is_encrypted', 'bit'), col('containment', 'int'), col('is_broker_enabled', 'bit'), col('is_read_only', 'bit'), col('user_access_desc', 'nvarchar'),
        col('collation_name', 'nvarchar'), col('create_date', 'datetime'), col('data_mb', 'float'), col('log_mb', 'float'), col('data_files', 'int'),
        col('log_files', 'int'), col('has_access', 'int'), col('last_log_backup_lsn', 'nvarchar'), col('is_adr_on', 'bit')],
      rows,
    );
  },
  'server.files': (_req, profile) =>
    set(
      [col('database_id', 'int'), col('file_id', 'int'), col('type', 'int'), col('name', 'nvarchar'), col('physical_name', 'nvarchar'), col('size_mb', 'float')],
      fileRows(profile).map((f) => [f.databaseId, f.fileId, f.type, f.name, f.path, f.sizeMb]),
    ),
  'server.backupHistory': (req, profile) => {
    requireVersion(req, profile, [[/encryptor_thumbprint/, 12, 'column', 'encryptor_thumbprint']]);
    const perType = Number(req.params.get('perType') ?? 0);
    const rows: CellValue[][] = [];
    let mediaSet = 1000;
    for (const d of profile.databases) {
      const all = [...(d.backups ?? [])].sort((a, b) => a.finish.localeCompare(b.finish));
      const kept = all.filter((b) => all.filter((x) => x.type === b.type && x.finish > b.finish).length < perType);
      for (const b of kept) {
        rows.push([d.name, b.type, b.start, b.finish, b.checksum ? 1 : 0, b.copyOnly ? 1 : 0, b.compressed ? 1 : 0, b.sizeMb ?? 100, b.position ?? 1,
          mediaSet++, b.stripes ?? 1, b.setsOnMedia ?? b.position ?? 1, { disk: 2, url: 9, virtual: 7, tape: 5 }[b.device ?? 'disk'],
          b.location ?? `D:\\Backups\\${d.name}\\${d.name}_${b.type}_${b.finish.replace(/\D/g, '')}.${b.type === 'L' ? 'trn' : 'bak'}`,
          b.encrypted ? 1 : 0, b.firstLsn ?? '42000000001000000001', b.lastLsn ?? '42000000002000000001']);
      }
    }
    rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[3]).localeCompare(String(b[3])));
    return set(
      [col('database_name', 'nvarchar'), col('type', 'nvarchar'), col('backup_start_date', 'datetime'), col('backup_finish_date', 'datetime'),
        col('has_backup_checksums', 'int'), col('is_copy_only', 'int'), col('is_compressed', 'int'), col('size_mb', 'float'), col('position', 'int'),
        col('media_set_id', 'int'), col('family_count', 'int'), col('sets_on_media', 'int'), col('device_type', 'int'), col('physical_device_name', 'nvarchar'),
        col('is_encrypted', 'int'), col('first_lsn', 'nvarchar'), col('last_lsn', 'nvarchar')],
      rows,
    );
  },
  'server.configurations': (_req, profile) =>
    set([col('name', 'nvarchar'), col('value_in_use', 'bigint')], Object.entries(profile.configurations ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v])),
  'server.linkedServers': (_req, profile) =>
    set(
      [col('name', 'nvarchar'), col('provider', 'nvarchar'), col('product', 'nvarchar'), col('data_source', 'nvarchar')],
      (profile.linkedServers ?? []).map((l) => [l.name, l.provider, l.product ?? '', l.dataSource ?? '']),
    ),
  'server.jobSteps': (_req, profile) =>
    set(
      [col('job_name', 'nvarchar'), col('job_enabled', 'int'), col('step_id', 'int'), col('step_name', 'nvarchar'), col('subsystem', 'nvarchar'),
        col('database_name', 'nvarchar'), col('command', 'nvarchar(max)')],
      (profile.jobs ?? []).flatMap((j) => j.steps.map((s, i) => [j.name, j.enabled === false ? 0 : 1, i + 1, s.name, s.subsystem, s.database ?? null, s.command])),
    ),
  'server.traceFlags': (_req, profile) =>
    set([col('TraceFlag', 'int'), col('Status', 'int'), col('Global', 'int'), col('Session', 'int')], (profile.traceFlags ?? []).map((f) => [f, 1, 1, 0])),
  'server.logins': (_req, profile) =>
    set(
      [col('name', 'nvarchar'), col('type_desc', 'nvarchar'), col('is_disabled', 'int')],
      (profile.windowsLogins ?? []).map((l) => [l.name, l.type ?? 'WINDOWS_LOGIN', l.disabled ? 1 : 0]),
    ),
  'server.encryption': (req, profile) => {
    requireVersion(req, profile, [[/k\.encryptor_type/, 12, 'column', 'encryptor_type']]);
    return set(
      [col('database_name', 'nvarchar'), col('encryption_state', 'int'), col('certificate_name', 'nvarchar'), col('thumbprint', 'nvarchar'), col('encryptor_type', 'nvarchar')],
      profile.databases.filter((d) => d.tde).map((d) => [d.name, 3, d.tde!.certificate, tdeThumbprint(profile, d.tde!), 'CERTIFICATE']),
    );
  },
  'server.objects': (_req, profile) =>
    set([col('kind', 'nvarchar'), col('name', 'nvarchar'), col('detail', 'nvarchar')], (profile.serverObjects ?? []).map((o) => [o.kind, o.name, o.detail ?? null])),
  'database.modules': (req, profile) => {
    const patterns = likePatterns(req.sql);
    if (patterns.length === 0) throw new SqlError(102, "Incorrect syntax near 'WHERE'.", 15);
    const rows: CellValue[][] = [];
    for (const d of requestedDatabases(req, profile)) {
      for (const m of d.modules ?? []) {
        if (patterns.some((p) => sqlLike(m.definition, p))) rows.push([d.name, m.schema ?? 'dbo', m.name, m.type ?? 'SQL_STORED_PROCEDURE', m.definition]);
      }
    }
    return set([col('database_name', 'nvarchar'), col('schema_name', 'nvarchar'), col('object_name', 'nvarchar'), col('object_type', 'nvarchar'), col('definition', 'nvarchar(max)')], rows);
  },
  'database.objects': (req, profile) => {
    requireVersion(req, profile, [[/sys\.filetables/, 11, 'object', 'sys.filetables'], [/is_memory_optimized/, 12, 'column', 'is_memory_optimized']]);
    const rows: CellValue[][] = [];
    for (const d of requestedDatabases(req, profile)) {
      for (const fg of d.filegroups ?? []) rows.push([d.name, fg.type === 'FD' ? 'filestream-filegroup' : 'memory-optimized-filegroup', null, fg.name, fg.type]);
      for (const c of d.filestreamColumns ?? []) {
        const [schema, rest] = splitName(c);
        rows.push([d.name, 'filestream-column', schema, rest, null]);
      }
      for (const a of d.assemblies ?? []) rows.push([d.name, 'assembly', null, a.name, a.permissionSet === 'EXTERNAL_ACCESS' ? 'EXTERNAL_ACCESS' : `${a.permissionSet}`]);
      for (const t of d.tables ?? []) {
        if (t.name.toUpperCase() === 'NEXT') rows.push([d.name, 'next-name', t.schema ?? 'dbo', t.name, null]);
        else if ((t.columns ?? []).some((c) => c.toUpperCase() === 'NEXT')) rows.push([d.name, 'next-name', t.schema ?? 'dbo', `${t.name}.NEXT`, null]);
      }
      for (const u of d.users ?? []) if (u.type !== 'SQL_USER' && !u.name.startsWith('NT ')) rows.push([d.name, 'windows-user', null, u.name, u.type]);
      if (/sys\.filetables/.test(req.sql)) {
        for (const t of d.fileTables ?? []) {
          const [schema, rest] = splitName(t);
          rows.push([d.name, 'filetable', schema, rest, null]);
        }
      }
      if (/is_memory_optimized/.test(req.sql)) {
        for (const t of d.tables ?? []) if (t.memoryOptimized) rows.push([d.name, 'memory-optimized-table', t.schema ?? 'dbo', t.name, null]);
      }
    }
    return set([col('database_name', 'nvarchar'), col('kind', 'nvarchar'), col('schema_name', 'nvarchar'), col('object_name', 'nvarchar'), col('detail', 'nvarchar')], rows);
  },
  ...SERVER_OBJECT_ANSWERS,
};

export interface AnswererOptions {
  /** The server's clock (ms since the epoch) for its performance counters; real time by default. */
  now?: () => number;
  /** Tables of this server that differ from the profile (rows missing or changed). */
  drift?: () => TableDrift[];
}

/** The answerer for a profile: finds the rowset by the query's id comment. */
export function profileAnswerer(profile: ServerProfile, options: AnswererOptions = {}): (req: QueryRequest) => ResultSet[] {
  const logins = new Set(profileLogins(profile).map((l) => l.name.toLowerCase()));
  const workload = workloadAnswers({
    majorVersion: major(profile),
    now: options.now ?? Date.now,
    perf: profile.perf ?? {},
    ...(options.drift && { drift: options.drift }),
    databases: () => profile.databases.map((d) => ({
      id: userDatabaseId(profile, d), name: d.name, state: d.state ?? 'ONLINE', content: d,
      users: () => (d.users ?? []).map((u) => ({
        name: u.name, type: u.type, sid: userSid(profile, u), hasLogin: logins.has((u.login ?? u.name).toLowerCase()), authentication: 'INSTANCE' as const,
      })),
    })),
  });
  return (req) => {
    const id = queryId(req.sql);
    if (!id) {
      throw new SqlError(50000, `The sandbox SQL Server answers only sqlmig's catalog queries, each headed by a /* sqlmig:<id> */ comment; it has no answer for: ${req.sql.trim().slice(0, 80)}`);
    }
    const answer = ANSWERS[id] ?? (workload[id] && ((r: QueryRequest) => workload[id]!(r)));
    if (!answer) throw new SqlError(50000, `The sandbox SQL Server has no answer for query id "${id}".`);
    const denied = req.deny.includes(id) ? DENIED[id] ?? [229, `The SELECT permission was denied for query ${id}.`] : undefined;
    if (denied) throw new SqlError(denied[0], denied[1], 14);
    return answer(req, profile);
  };
}

