/**
 * What the target managed instance already holds, read before anything is created there so
 * that nothing is created twice and nothing is dropped: databases, logins (with SIDs), server
 * roles and their members, Agent jobs, operators, linked servers, credentials, Database Mail
 * accounts and profiles, and certificates in master (TDE certificates uploaded through ARM
 * appear there). Each read is one query.
 */
import { sourceQuery, type QueryOptions, type SourceConnection, type SourceQuery } from '../source/connection';
import { quoteName } from './tsql';

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

export const TARGET_DATABASES_QUERY: SourceQuery = sourceQuery('target.databases', `
SELECT name, state_desc FROM sys.databases WHERE database_id > 4 ORDER BY name`);

export const TARGET_LOGINS_QUERY: SourceQuery = sourceQuery('target.logins', `
SELECT name, type, CONVERT(nvarchar(200), sid, 1) AS sid, CAST(is_disabled AS int) AS is_disabled
FROM sys.server_principals WHERE type IN ('S', 'U', 'G', 'E', 'X', 'C', 'K') ORDER BY name`);

export const TARGET_ROLES_QUERY: SourceQuery = sourceQuery('target.serverRoles', `
SELECT r.name AS role_name, CAST(r.is_fixed_role AS int) AS is_fixed_role, m.name AS member_name
FROM sys.server_principals AS r
LEFT JOIN sys.server_role_members AS rm ON rm.role_principal_id = r.principal_id
LEFT JOIN sys.server_principals AS m ON m.principal_id = rm.member_principal_id
WHERE r.type = 'R' ORDER BY r.name`);

export const TARGET_OBJECTS_QUERY: SourceQuery = sourceQuery('target.serverObjects', `
SELECT N'job' AS kind, name FROM msdb.dbo.sysjobs
UNION ALL SELECT N'operator' AS kind, name FROM msdb.dbo.sysoperators
UNION ALL SELECT N'linked-server' AS kind, name FROM sys.servers WHERE is_linked = 1
UNION ALL SELECT N'credential' AS kind, name FROM sys.credentials
UNION ALL SELECT N'mail-account' AS kind, name FROM msdb.dbo.sysmail_account
UNION ALL SELECT N'mail-profile' AS kind, name FROM msdb.dbo.sysmail_profile`);

export const TARGET_CERTIFICATES_QUERY: SourceQuery = sourceQuery('target.certificates', `
SELECT name, CONVERT(nvarchar(100), thumbprint, 1) AS thumbprint FROM master.sys.certificates ORDER BY name`);

/** Users of one database (run in a connection to it or with the database's name in front). */
export function databaseUsersQuery(database: string): SourceQuery {
  return sourceQuery('target.databaseUsers', `
SELECT dp.name, dp.type, CONVERT(nvarchar(200), dp.sid, 1) AS sid, sp.name AS login_name
FROM ${quoteName(database)}.sys.database_principals AS dp
LEFT JOIN sys.server_principals AS sp ON sp.sid = dp.sid
WHERE dp.type IN ('S', 'U', 'G', 'E', 'X') AND dp.principal_id > 4
ORDER BY dp.name`);
}

export interface TargetLogin {
  name: string;
  type: string;
  sid: string;
  disabled: boolean;
}

export interface TargetPrincipals {
  databases: string[];
  /** By lower-case name. */
  logins: Map<string, TargetLogin>;
  /** Login names by upper-case SID. */
  bySid: Map<string, string>;
  /** By lower-case role name: fixed or not, members (lower case). */
  roles: Map<string, { name: string; fixed: boolean; members: Set<string> }>;
}

export async function readTargetPrincipals(conn: SourceConnection, options: QueryOptions = {}): Promise<TargetPrincipals> {
  const [dbs, logins, roles] = await Promise.all([
    conn.query<Row>(TARGET_DATABASES_QUERY, options),
    conn.query<Row>(TARGET_LOGINS_QUERY, options),
    conn.query<Row>(TARGET_ROLES_QUERY, options),
  ]);
  const out: TargetPrincipals = { databases: dbs.map((d) => str(d.name)), logins: new Map(), bySid: new Map(), roles: new Map() };
  for (const l of logins) {
    const login = { name: str(l.name), type: str(l.type).trim(), sid: str(l.sid).toUpperCase(), disabled: Number(l.is_disabled) === 1 };
    out.logins.set(login.name.toLowerCase(), login);
    if (login.sid) out.bySid.set(login.sid, login.name);
  }
  for (const r of roles) {
    const key = str(r.role_name).toLowerCase();
    const role = out.roles.get(key) ?? { name: str(r.role_name), fixed: Number(r.is_fixed_role) === 1, members: new Set<string>() };
    if (r.member_name) role.members.add(str(r.member_name).toLowerCase());
    out.roles.set(key, role);
  }
  return out;
}

export type ServerObjectKind = 'job' | 'operator' | 'linked-server' | 'credential' | 'mail-account' | 'mail-profile';

/** The names of the server objects on the target, by kind (lower case). */
export async function readTargetObjects(conn: SourceConnection, options: QueryOptions = {}): Promise<Map<ServerObjectKind, Set<string>>> {
  const out = new Map<ServerObjectKind, Set<string>>();
  for (const r of await conn.query<Row>(TARGET_OBJECTS_QUERY, options)) {
    const kind = str(r.kind) as ServerObjectKind;
    if (!out.has(kind)) out.set(kind, new Set());
    out.get(kind)!.add(str(r.name).toLowerCase());
  }
  return out;
}

/** Thumbprints (0x + upper-case hex) of the certificates in the target's master. */
export async function readTargetCertificates(conn: SourceConnection, options: QueryOptions = {}): Promise<Map<string, string>> {
  const rows = await conn.query<Row>(TARGET_CERTIFICATES_QUERY, options);
  return new Map(rows.filter((r) => r.thumbprint).map((r) => [str(r.thumbprint).toUpperCase().replace(/^0X/, '0x'), str(r.name)]));
}
