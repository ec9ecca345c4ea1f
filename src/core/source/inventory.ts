/**
 * What the source server is and holds: version and edition, user databases (size, state, recovery
 * model, compatibility level, TDE, containment), every database file, and recent backup history
 * from msdb. Four queries, whatever the number of databases. Column lists depend on the version
 * so that a 2008 server is never asked for a column it does not have.
 */
import { sourceQuery, type QueryOptions, type SourceConnection, type SourceQuery } from './connection';
import { SourceError } from './errors';
import { productName } from './version';

export { productName } from './version';

export interface ServerProperties {
  serverName: string;
  /** e.g. "15.0.4298.1" */
  productVersion: string;
  /** 10 = 2008/2008 R2, 11 = 2012, 12 = 2014, 13 = 2016, 14 = 2017, 15 = 2019, 16 = 2022, 17 = 2025 */
  majorVersion: number;
  /** "SQL Server 2019" etc. */
  productName: string;
  productLevel: string;
  updateLevel?: string;
  edition: string;
  /** 2 Standard, 3 Enterprise/Developer, 4 Express, 5 SQL Database, 8 Managed Instance... */
  engineEdition: number;
  isClustered: boolean;
  isHadrEnabled: boolean;
  collation: string;
  hostPlatform: 'Windows' | 'Linux';
  isSysadmin: boolean;
  hasControlServer: boolean;
  hasViewServerState: boolean;
}

export interface DatabaseInfo {
  id: number;
  name: string;
  /** ONLINE, OFFLINE, RESTORING, RECOVERING, SUSPECT, EMERGENCY... */
  state: string;
  recoveryModel: 'FULL' | 'BULK_LOGGED' | 'SIMPLE';
  compatibilityLevel: number;
  isEncrypted: boolean;
  containment: 'NONE' | 'PARTIAL';
  isBrokerEnabled: boolean;
  isReadOnly: boolean;
  userAccess: string;
  collation: string | null;
  createDate: string | null;
  dataSizeMb: number;
  logSizeMb: number;
  dataFiles: number;
  logFiles: number;
  /** Whether the login can open it (HAS_DBACCESS). */
  hasAccess: boolean;
  /** NULL in FULL recovery until the first full backup: the log is still truncated as in SIMPLE. */
  lastLogBackupLsn: string | null;
  /** SQL Server 2019+; undefined before. */
  acceleratedDatabaseRecovery?: boolean;
}

export type FileType = 'ROWS' | 'LOG' | 'FILESTREAM' | 'FULLTEXT' | 'OTHER';

export interface DatabaseFile {
  databaseId: number;
  fileId: number;
  type: FileType;
  name: string;
  physicalName: string;
  sizeMb: number;
}

export type BackupKind = 'Database' | 'DifferentialDatabase' | 'TransactionLog' | 'File' | 'DifferentialFile' | 'Partial' | 'DifferentialPartial';

export interface BackupRecord {
  database: string;
  type: BackupKind;
  startDate: string;
  finishDate: string;
  hasChecksums: boolean;
  isCopyOnly: boolean;
  isCompressed: boolean;
  sizeMb: number;
  /** Position of this backup set on its media: above 1 means appended to a file that holds others. */
  position: number;
  mediaSetId: number;
  /** Files (stripes) the backup was written to. */
  familyCount: number;
  /** Backup sets written to the same media set (appended media when above 1). */
  setsOnMedia: number;
  /** disk, url, virtual device (third-party tools), tape... */
  device: 'disk' | 'url' | 'virtual' | 'tape' | 'other';
  /** The first stripe's path or URL. */
  location: string;
  isEncrypted: boolean;
  firstLsn: string;
  lastLsn: string;
}

export interface ServerInventory {
  properties: ServerProperties;
  databases: DatabaseInfo[];
  files: DatabaseFile[];
  backups: BackupRecord[];
  /** Why the backup history could not be read (msdb permission), when it could not. */
  backupHistoryError?: string;
}

// ---- queries ----------------------------------------------------------------------------------

export const PROPERTIES_QUERY: SourceQuery = sourceQuery('server.properties', `
SELECT CAST(SERVERPROPERTY('ServerName') AS nvarchar(256)) AS server_name,
  CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,
  CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS product_level,
  CAST(SERVERPROPERTY('ProductUpdateLevel') AS nvarchar(128)) AS product_update_level,
  CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
  CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition,
  CAST(SERVERPROPERTY('IsClustered') AS int) AS is_clustered,
  CAST(SERVERPROPERTY('IsHadrEnabled') AS int) AS is_hadr_enabled,
  CAST(SERVERPROPERTY('Collation') AS nvarchar(128)) AS collation,
  CASE WHEN CAST(SERVERPROPERTY('PathSeparator') AS nvarchar(1)) = N'/' THEN N'Linux' ELSE N'Windows' END AS host_platform,
  IS_SRVROLEMEMBER('sysadmin') AS is_sysadmin,
  HAS_PERMS_BY_NAME(NULL, NULL, 'CONTROL SERVER') AS has_control_server,
  HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER STATE') AS has_view_server_state`);

export function databasesQuery(majorVersion: number): SourceQuery {
  const containment = majorVersion >= 11 ? 'd.containment' : 'CAST(0 AS tinyint)';
  const adr = majorVersion >= 15 ? 'd.is_accelerated_database_recovery_on' : 'CAST(NULL AS bit)';
  return sourceQuery('server.databases', `
SELECT d.database_id, d.name, d.state_desc, d.recovery_model_desc, d.compatibility_level,
  d.is_encrypted, CAST(${containment} AS int) AS containment, d.is_broker_enabled, d.is_read_only,
  d.user_access_desc, d.collation_name, d.create_date,
  CAST(ISNULL(f.data_mb, 0) AS float) AS data_mb, CAST(ISNULL(f.log_mb, 0) AS float) AS log_mb,
  ISNULL(f.data_files, 0) AS data_files, ISNULL(f.log_files, 0) AS log_files,
  HAS_DBACCESS(d.name) AS has_access,
  CAST(rs.last_log_backup_lsn AS nvarchar(30)) AS last_log_backup_lsn,
  ${adr} AS is_adr_on
FROM sys.databases AS d
LEFT JOIN (
  SELECT database_id,
    SUM(CASE WHEN type = 0 THEN CAST(size AS bigint) ELSE 0 END) * 8 / 1024.0 AS data_mb,
    SUM(CASE WHEN type = 1 THEN CAST(size AS bigint) ELSE 0 END) * 8 / 1024.0 AS log_mb,
    SUM(CASE WHEN type = 0 THEN 1 ELSE 0 END) AS data_files,
    SUM(CASE WHEN type = 1 THEN 1 ELSE 0 END) AS log_files
  FROM sys.master_files GROUP BY database_id
) AS f ON f.database_id = d.database_id
LEFT JOIN sys.database_recovery_status AS rs ON rs.database_id = d.database_id
WHERE d.database_id > 4
ORDER BY d.name`);
}

export const FILES_QUERY: SourceQuery = sourceQuery('server.files', `
SELECT database_id, file_id, type, name, physical_name, CAST(CAST(size AS bigint) * 8 / 1024.0 AS float) AS size_mb
FROM sys.master_files
ORDER BY database_id, file_id`);

/** The latest `perType` backups of each type for each database, with their media. */
export function backupHistoryQuery(majorVersion: number, perType: number): SourceQuery {
  const compressed = majorVersion >= 10 ? 'CASE WHEN b.compressed_backup_size < b.backup_size THEN 1 ELSE 0 END' : '0';
  const encrypted = majorVersion >= 12 ? 'CASE WHEN b.encryptor_thumbprint IS NULL THEN 0 ELSE 1 END' : '0';
  return sourceQuery('server.backupHistory', `
SELECT x.database_name, x.type, x.backup_start_date, x.backup_finish_date, x.has_backup_checksums, x.is_copy_only,
  x.is_compressed, x.size_mb, x.position, x.media_set_id, x.family_count, x.sets_on_media, x.device_type,
  x.physical_device_name, x.is_encrypted, x.first_lsn, x.last_lsn
FROM (
  SELECT b.database_name, b.type, b.backup_start_date, b.backup_finish_date,
    CAST(b.has_backup_checksums AS int) AS has_backup_checksums, CAST(b.is_copy_only AS int) AS is_copy_only,
    ${compressed} AS is_compressed, CAST(b.backup_size / 1048576.0 AS float) AS size_mb, b.position, b.media_set_id,
    (SELECT COUNT(*) FROM msdb.dbo.backupmediafamily AS f WHERE f.media_set_id = b.media_set_id AND f.mirror = 0) AS family_count,
    (SELECT COUNT(*) FROM msdb.dbo.backupset AS o WHERE o.media_set_id = b.media_set_id) AS sets_on_media,
    (SELECT MIN(f.device_type) FROM msdb.dbo.backupmediafamily AS f WHERE f.media_set_id = b.media_set_id) AS device_type,
    (SELECT MIN(f.physical_device_name) FROM msdb.dbo.backupmediafamily AS f WHERE f.media_set_id = b.media_set_id AND f.family_sequence_number = 1) AS physical_device_name,
    ${encrypted} AS is_encrypted,
    CAST(b.first_lsn AS nvarchar(30)) AS first_lsn, CAST(b.last_lsn AS nvarchar(30)) AS last_lsn,
    ROW_NUMBER() OVER (PARTITION BY b.database_name, b.type ORDER BY b.backup_finish_date DESC) AS rn
  FROM msdb.dbo.backupset AS b
) AS x
WHERE x.rn <= @perType
ORDER BY x.database_name, x.backup_finish_date`, [{ name: 'perType', type: 'int', value: perType }]);
}

// ---- rows -> model ----------------------------------------------------------------------------

type Row = Record<string, unknown>;
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1';

/** A datetime as the server's wall-clock time, ISO 8601 without a zone (SQL Server keeps none). */
export function wallClock(v: unknown): string {
  if (v instanceof Date) return v.toISOString().replace(/\.\d+Z$|Z$/, '');
  return str(v);
}

export function toProperties(r: Row): ServerProperties {
  const productVersion = str(r.product_version);
  return {
    serverName: str(r.server_name),
    productVersion,
    majorVersion: Number(productVersion.split('.')[0]) || 0,
    productName: productName(productVersion),
    productLevel: str(r.product_level),
    ...(r.product_update_level ? { updateLevel: str(r.product_update_level) } : {}),
    edition: str(r.edition),
    engineEdition: num(r.engine_edition),
    isClustered: bool(r.is_clustered),
    isHadrEnabled: bool(r.is_hadr_enabled),
    collation: str(r.collation),
    hostPlatform: r.host_platform === 'Linux' ? 'Linux' : 'Windows',
    isSysadmin: bool(r.is_sysadmin),
    hasControlServer: bool(r.has_control_server),
    hasViewServerState: bool(r.has_view_server_state),
  };
}

export function toDatabase(r: Row): DatabaseInfo {
  return {
    id: num(r.database_id),
    name: str(r.name),
    state: str(r.state_desc),
    recoveryModel: (str(r.recovery_model_desc) || 'FULL') as DatabaseInfo['recoveryModel'],
    compatibilityLevel: num(r.compatibility_level),
    isEncrypted: bool(r.is_encrypted),
    containment: num(r.containment) === 1 ? 'PARTIAL' : 'NONE',
    isBrokerEnabled: bool(r.is_broker_enabled),
    isReadOnly: bool(r.is_read_only),
    userAccess: str(r.user_access_desc),
    collation: r.collation_name == null ? null : str(r.collation_name),
    createDate: r.create_date == null ? null : wallClock(r.create_date),
    dataSizeMb: num(r.data_mb),
    logSizeMb: num(r.log_mb),
    dataFiles: num(r.data_files),
    logFiles: num(r.log_files),
    hasAccess: bool(r.has_access),
    lastLogBackupLsn: r.last_log_backup_lsn == null ? null : str(r.last_log_backup_lsn),
    ...(r.is_adr_on !== null && r.is_adr_on !== undefined && { acceleratedDatabaseRecovery: bool(r.is_adr_on) }),
  };
}

const FILE_TYPES: Record<number, FileType> = { 0: 'ROWS', 1: 'LOG', 2: 'FILESTREAM', 4: 'FULLTEXT' };

export function toFile(r: Row): DatabaseFile {
  return {
    databaseId: num(r.database_id),
    fileId: num(r.file_id),
    type: FILE_TYPES[num(r.type)] ?? 'OTHER',
    name: str(r.name),
    physicalName: str(r.physical_name),
    sizeMb: num(r.size_mb),
  };
}

const BACKUP_TYPES: Record<string, BackupKind> = {
  D: 'Database', I: 'DifferentialDatabase', L: 'TransactionLog', F: 'File', G: 'DifferentialFile', P: 'Partial', Q: 'DifferentialPartial',
};
const DEVICES: Record<number, BackupRecord['device']> = { 2: 'disk', 102: 'disk', 5: 'tape', 105: 'tape', 7: 'virtual', 107: 'virtual', 9: 'url', 109: 'url' };

export function toBackup(r: Row): BackupRecord {
  return {
    database: str(r.database_name),
    type: BACKUP_TYPES[str(r.type).toUpperCase()] ?? 'Database',
    startDate: wallClock(r.backup_start_date),
    finishDate: wallClock(r.backup_finish_date),
    hasChecksums: bool(r.has_backup_checksums),
    isCopyOnly: bool(r.is_copy_only),
    isCompressed: bool(r.is_compressed),
    sizeMb: num(r.size_mb),
    position: num(r.position) || 1,
    mediaSetId: num(r.media_set_id),
    familyCount: num(r.family_count) || 1,
    setsOnMedia: num(r.sets_on_media) || 1,
    device: DEVICES[num(r.device_type)] ?? 'other',
    location: str(r.physical_device_name),
    isEncrypted: bool(r.is_encrypted),
    firstLsn: str(r.first_lsn),
    lastLsn: str(r.last_lsn),
  };
}

export interface InventoryOptions extends QueryOptions {
  /** Latest backups of each type kept per database (default 5). */
  backupsPerType?: number;
}

export async function readProperties(conn: SourceConnection, options: QueryOptions = {}): Promise<ServerProperties> {
  const [row] = await conn.query<Row>(PROPERTIES_QUERY, options);
  if (!row) throw new Error(`${conn.server} returned no row for server.properties`);
  return toProperties(row);
}

/** The whole inventory in four round trips (the last three side by side when the pool allows). */
export async function readInventory(conn: SourceConnection, options: InventoryOptions = {}): Promise<ServerInventory> {
  const properties = await readProperties(conn, options);
  let backupHistoryError: string | undefined;
  const [databases, files, backups] = await Promise.all([
    conn.query<Row>(databasesQuery(properties.majorVersion), options),
    conn.query<Row>(FILES_QUERY, options),
    // Without msdb access the rest of the inventory still stands; say what is missing.
    conn.query<Row>(backupHistoryQuery(properties.majorVersion, options.backupsPerType ?? 5), options).catch((e: unknown) => {
      if (!(e instanceof SourceError) || e.kind !== 'permission') throw e;
      backupHistoryError = e.message;
      return [] as Row[];
    }),
  ]);
  return {
    properties,
    databases: databases.map(toDatabase),
    files: files.map(toFile),
    backups: backups.map(toBackup),
    ...(backupHistoryError && { backupHistoryError }),
  };
}
