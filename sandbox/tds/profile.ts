/**
 * A server profile: the SQL Server instance the sandbox pretends to be, as JSON — version,
 * databases (files, filegroups, modules, tables, users, assemblies, backup history), linked
 * servers, Agent jobs, trace flags, configuration and server-level objects. Everything optional
 * has a plain default, so a profile only says what makes its server special.
 */
import { readFileSync } from 'node:fs';
import cleanProfile from '../profiles/clean.json';
import defaultProfile from '../profiles/default.json';

export interface ProfileFile {
  name: string;
  type: 'ROWS' | 'LOG' | 'FILESTREAM';
  sizeMb: number;
  physicalName?: string;
  /** Shorthand for many alike files: name_1 .. name_n. */
  count?: number;
}

export interface ProfileBackup {
  /** D full, I differential, L log. */
  type: 'D' | 'I' | 'L';
  /** Server wall-clock times, e.g. 2026-11-01T02:00:00. */
  start: string;
  finish: string;
  checksum?: boolean;
  copyOnly?: boolean;
  compressed?: boolean;
  sizeMb?: number;
  position?: number;
  stripes?: number;
  setsOnMedia?: number;
  device?: 'disk' | 'url' | 'virtual' | 'tape';
  location?: string;
  encrypted?: boolean;
  firstLsn?: string;
  lastLsn?: string;
}

export interface ProfileDatabase {
  name: string;
  state?: string;
  recoveryModel?: 'FULL' | 'BULK_LOGGED' | 'SIMPLE';
  compatibilityLevel?: number;
  containment?: 'NONE' | 'PARTIAL';
  brokerEnabled?: boolean;
  readOnly?: boolean;
  userAccess?: 'MULTI_USER' | 'SINGLE_USER' | 'RESTRICTED_USER';
  collation?: string;
  createDate?: string;
  /** TDE: the database encryption key's certificate. */
  tde?: { certificate: string; thumbprint: string };
  /** NULL until the first full backup in FULL recovery; defaults from the recovery model. */
  lastLogBackupLsn?: string | null;
  acceleratedDatabaseRecovery?: boolean;
  /** HAS_DBACCESS for every login (default true). */
  accessible?: boolean;
  /** Any query that reads this database fails with this error (a damaged or busy database). */
  failsWith?: { number: number; message: string };
  files?: ProfileFile[];
  filegroups?: { name: string; type: 'FD' | 'FX' }[];
  /** schema.table.column */
  filestreamColumns?: string[];
  /** schema.table */
  fileTables?: string[];
  assemblies?: { name: string; permissionSet: 'SAFE' | 'EXTERNAL_ACCESS' | 'UNSAFE' }[];
  modules?: { schema?: string; name: string; type?: string; definition: string }[];
  tables?: ProfileTable[];
  /** `login`: the server login the user belongs to (same SID); the user's own name when absent. */
  users?: { name: string; type: 'WINDOWS_USER' | 'WINDOWS_GROUP' | 'SQL_USER'; login?: string }[];
  backups?: ProfileBackup[];
  /** Its share of the workload (sandbox/tds/workload.ts); derived from its size when absent. */
  workload?: ProfileWorkload;
  /** Database options beyond the ones above (sys.databases columns by name), for validation. */
  options?: Record<string, string | number | boolean>;
  queryStore?: boolean;
}

export interface ProfileTable {
  schema?: string;
  name: string;
  columns?: string[];
  memoryOptimized?: boolean;
  /** Rows (derived from the name when absent). */
  rows?: number;
  /** Clustered index key columns; null: a heap. Default: the first column, or Id. */
  key?: string[] | null;
  /** Partitions (default 1); rows spread evenly. */
  partitions?: number;
}

export interface ProfileWorkload {
  /** Its share of the instance's CPU (shares are normalised over the databases). */
  cpuShare?: number;
  /** IOPS at the daily peak (at the quietest hour: 15% of it). */
  peakIops?: number;
  /** MiB/s read at the peak. */
  peakReadMiBps?: number;
  /** Log written at the peak, MiB/s. */
  peakLogMiBps?: number;
  /** Buffer pool it holds, GB. */
  cachedGb?: number;
  /** Its top queries: what baselines compare. */
  queries?: ProfileQuery[];
}

export interface ProfileQuery {
  text: string;
  /** CPU and duration per execution (ms), executions per minute at the peak. */
  cpuMs: number;
  durationMs: number;
  perMinute: number;
  logicalReads?: number;
}

/** The instance's workload shape: a daily pattern peaking at 14:00 UTC, quietest at 02:00. */
export interface ProfilePerf {
  cpuCount?: number;
  /** Memory SQL Server holds (GB). */
  memoryGb?: number;
  /** Instance CPU % at the quietest hour and at the peak. */
  cpuQuiet?: number;
  cpuPeak?: number;
  /** Read and write latency of data files, write latency of log files (ms). */
  readLatencyMs?: number;
  writeLatencyMs?: number;
  logWriteLatencyMs?: number;
  /** When SQL Server started (ISO). */
  startedAt?: string;
}

export interface ServerProfile {
  server: {
    name: string;
    /** e.g. 15.0.4298.1 */
    version: string;
    productLevel?: string;
    updateLevel?: string;
    edition?: string;
    engineEdition?: number;
    collation?: string;
    hostPlatform?: 'Windows' | 'Linux';
    clustered?: boolean;
    hadrEnabled?: boolean;
  };
  configurations?: Record<string, number>;
  linkedServers?: { name: string; provider: string; product?: string; dataSource?: string }[];
  jobs?: { name: string; enabled?: boolean; steps: { name: string; subsystem: string; database?: string; command: string }[] }[];
  /** Global trace flags on. */
  traceFlags?: number[];
  windowsLogins?: { name: string; type?: 'WINDOWS_LOGIN' | 'WINDOWS_GROUP'; disabled?: boolean }[];
  serverObjects?: { kind: string; name: string; detail?: string }[];
  databases: ProfileDatabase[];
  /** The workload's shape for performance counters (sandbox/tds/workload.ts); defaults when absent. */
  perf?: ProfilePerf;
  /** Logins beyond `windowsLogins` (which are logins too) and the system ones every server has. */
  logins?: ProfileLogin[];
  /** Server role memberships (fixed roles, and user-defined roles, which are created). */
  serverRoles?: { name: string; members: string[] }[];
  serverPermissions?: ProfilePermission[];
  /** Certificates in master, with their private keys (PEM): what TDE database encryption keys use. */
  certificates?: ProfileCertificate[];
  /** Agent job schedules, by job name. */
  jobSchedules?: { job: string; name: string; enabled?: boolean; freqType: number; freqInterval?: number; freqSubdayType?: number; freqSubdayInterval?: number;
    freqRelativeInterval?: number; freqRecurrenceFactor?: number; activeStartDate?: number; activeEndDate?: number; activeStartTime?: number; activeEndTime?: number }[];
  /** Email notification of jobs, by job name. */
  jobNotifications?: { job: string; operator: string; level: 1 | 2 | 3 }[];
  operators?: { name: string; enabled?: boolean; email?: string; pager?: string; netsend?: string }[];
  alerts?: { name: string; severity?: number; messageId?: number; enabled?: boolean }[];
  credentials?: { name: string; identity: string }[];
  /** Logins of linked servers (`linkedServers`): a local login (none: every login) and its remote user, or self mapping. */
  linkedServerLogins?: { server: string; localLogin?: string; remoteUser?: string; useSelf?: boolean }[];
  databaseMail?: {
    accounts: { name: string; email: string; displayName?: string; replyTo?: string; server: string; port?: number; username?: string; useDefaultCredentials?: boolean; enableSsl?: boolean }[];
    profiles: { name: string; description?: string; accounts: string[] }[];
  };
}

export interface ProfileLogin {
  name: string;
  type: 'SQL_LOGIN' | 'WINDOWS_LOGIN' | 'WINDOWS_GROUP' | 'CERTIFICATE_MAPPED_LOGIN';
  /** Hex, 0x-prefixed; derived from the name when absent. */
  sid?: string;
  /** SQL logins: LOGINPROPERTY(name, 'PasswordHash'), 0x-prefixed hex. */
  passwordHash?: string;
  checkPolicy?: boolean;
  checkExpiration?: boolean;
  defaultDatabase?: string;
  defaultLanguage?: string;
  disabled?: boolean;
}

export interface ProfilePermission {
  grantee: string;
  /** e.g. VIEW SERVER STATE */
  permission: string;
  state?: 'GRANT' | 'GRANT_WITH_GRANT_OPTION' | 'DENY';
  /** SERVER (default), SERVER_PRINCIPAL (on a login: `on`), ENDPOINT (`on`). */
  class?: 'SERVER' | 'SERVER_PRINCIPAL' | 'ENDPOINT';
  on?: string;
}

export interface ProfileCertificate {
  name: string;
  /** PEM certificate. */
  certificate: string;
  /** PEM private key; absent: the certificate has none (pvt_key_encryption_type NA). */
  privateKey?: string;
  /** MK: protected by the master key (CERTPRIVATEKEY works); PW: by a password (it needs that password). */
  privateKeyEncryption?: 'MK' | 'PW';
}

function fail(where: string, what: string): never {
  throw new Error(`server profile ${where}: ${what}`);
}

/** Checks the parts the server relies on; throws with the path of the first thing wrong. */
export function parseProfile(doc: unknown, source = '(inline)'): ServerProfile {
  const at = (p: string) => `${source} ${p}`;
  if (!doc || typeof doc !== 'object') fail(at('(root)'), 'should be an object');
  const p = doc as ServerProfile;
  if (!p.server || typeof p.server.name !== 'string' || !p.server.name) fail(at('server.name'), 'should be a non-empty string');
  if (typeof p.server.version !== 'string' || !/^\d+\.\d+\.\d+(\.\d+)?$/.test(p.server.version)) fail(at('server.version'), 'should look like 15.0.4298.1');
  if (!Array.isArray(p.databases)) fail(at('databases'), 'should be an array');
  const names = new Set<string>();
  p.databases.forEach((d, i) => {
    if (!d || typeof d.name !== 'string' || !d.name) fail(at(`databases[${i}].name`), 'should be a non-empty string');
    if (names.has(d.name.toLowerCase())) fail(at(`databases[${i}].name`), `"${d.name}" appears twice`);
    names.add(d.name.toLowerCase());
    (d.files ?? []).forEach((f, j) => {
      if (!['ROWS', 'LOG', 'FILESTREAM'].includes(f.type)) fail(at(`databases[${i}].files[${j}].type`), 'should be ROWS, LOG or FILESTREAM');
      if (typeof f.sizeMb !== 'number' || f.sizeMb < 0) fail(at(`databases[${i}].files[${j}].sizeMb`), 'should be a number of MB');
    });
    (d.modules ?? []).forEach((m, j) => {
      if (typeof m.definition !== 'string') fail(at(`databases[${i}].modules[${j}].definition`), 'should be a string');
    });
    (d.backups ?? []).forEach((b, j) => {
      if (!['D', 'I', 'L'].includes(b.type)) fail(at(`databases[${i}].backups[${j}].type`), 'should be D, I or L');
      if (Number.isNaN(Date.parse(b.finish))) fail(at(`databases[${i}].backups[${j}].finish`), 'should be a date');
    });
  });
  (p.jobs ?? []).forEach((j, i) => {
    if (!Array.isArray(j.steps)) fail(at(`jobs[${i}].steps`), 'should be an array');
  });
  return p;
}

export function loadProfile(path: string): ServerProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read server profile ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`server profile ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseProfile(doc, path);
}

/** The profiles shipped in sandbox/profiles, by name (bundled, so they work from dist/ too). */
export function bundledProfile(name: 'default' | 'clean'): ServerProfile {
  return parseProfile(structuredClone(name === 'default' ? defaultProfile : cleanProfile), `sandbox/profiles/${name}.json`);
}
