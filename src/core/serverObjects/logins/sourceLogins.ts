/**
 * What the source server's logins are: every server principal that can log in (SQL logins
 * with SID, password hash and policy flags; Windows logins and groups; certificate- and
 * key-mapped logins), the server role memberships and the server-level permissions. Three
 * queries. The password hash is SQL Server's own (LOGINPROPERTY PasswordHash, salted SHA-2 since
 * 2012): it is carried to the target as such, never a password.
 */
import { sourceQuery, type QueryOptions, type SourceConnection, type SourceQuery } from '../../source/connection';

export type LoginKind = 'sql' | 'windows-user' | 'windows-group' | 'certificate' | 'asymmetric-key' | 'entra-user' | 'entra-group';

export interface SourceLogin {
  principalId: number;
  name: string;
  kind: LoginKind;
  /** 0x-prefixed hex. */
  sid: string;
  disabled: boolean;
  defaultDatabase: string | null;
  defaultLanguage: string | null;
  /** SQL logins only. */
  passwordHash?: string;
  checkPolicy?: boolean;
  checkExpiration?: boolean;
}

export interface RoleMembership {
  role: string;
  fixedRole: boolean;
  member: string;
}

export interface ServerPermission {
  /** SERVER, SERVER_PRINCIPAL, ENDPOINT. */
  classDesc: string;
  permission: string;
  /** GRANT, GRANT_WITH_GRANT_OPTION, DENY. */
  state: string;
  grantee: string;
  /** The login a SERVER_PRINCIPAL permission is on. */
  on: string | null;
}

export interface SourceLogins {
  logins: SourceLogin[];
  roleMemberships: RoleMembership[];
  permissions: ServerPermission[];
}

const KINDS: Record<string, LoginKind> = { S: 'sql', U: 'windows-user', G: 'windows-group', C: 'certificate', K: 'asymmetric-key', E: 'entra-user', X: 'entra-group' };

export const LOGINS_QUERY: SourceQuery = sourceQuery('logins.principals', `
SELECT p.principal_id, p.name, p.type, CONVERT(nvarchar(200), p.sid, 1) AS sid, CAST(p.is_disabled AS int) AS is_disabled,
  p.default_database_name, p.default_language_name, CONVERT(nvarchar(600), l.password_hash, 1) AS password_hash,
  CAST(l.is_policy_checked AS int) AS is_policy_checked, CAST(l.is_expiration_checked AS int) AS is_expiration_checked
FROM sys.server_principals AS p
LEFT JOIN sys.sql_logins AS l ON l.principal_id = p.principal_id
WHERE p.type IN ('S', 'U', 'G', 'C', 'K', 'E', 'X')
ORDER BY p.name`);

/** sys.server_principals.is_fixed_role is SQL Server 2012 and later; before, the fixed roles are principals 3 to 10. */
export function roleMembershipsQuery(majorVersion: number): SourceQuery {
  const fixed = majorVersion >= 11 ? 'CAST(r.is_fixed_role AS int)' : 'CASE WHEN r.principal_id BETWEEN 3 AND 10 THEN 1 ELSE 0 END';
  return sourceQuery('logins.roleMembers', `
SELECT r.name AS role_name, ${fixed} AS is_fixed_role, m.name AS member_name
FROM sys.server_role_members AS rm
JOIN sys.server_principals AS r ON r.principal_id = rm.role_principal_id
JOIN sys.server_principals AS m ON m.principal_id = rm.member_principal_id
ORDER BY r.name, m.name`);
}

export const PERMISSIONS_QUERY: SourceQuery = sourceQuery('logins.permissions', `
SELECT p.class_desc, p.permission_name, p.state_desc, g.name AS grantee, t.name AS on_name
FROM sys.server_permissions AS p
JOIN sys.server_principals AS g ON g.principal_id = p.grantee_principal_id
LEFT JOIN sys.server_principals AS t ON p.class = 101 AND t.principal_id = p.major_id
WHERE g.type IN ('S', 'U', 'G', 'R', 'C', 'K')
ORDER BY g.name, p.permission_name`);

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const optStr = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
const bool = (v: unknown) => v === true || v === 1 || v === '1';

export function toLogin(r: Row): SourceLogin {
  const kind = KINDS[str(r.type).trim().toUpperCase()] ?? 'sql';
  return {
    principalId: Number(r.principal_id),
    name: str(r.name),
    kind,
    sid: str(r.sid),
    disabled: bool(r.is_disabled),
    defaultDatabase: optStr(r.default_database_name),
    defaultLanguage: optStr(r.default_language_name),
    ...(kind === 'sql' && {
      ...(optStr(r.password_hash) && { passwordHash: str(r.password_hash) }),
      checkPolicy: bool(r.is_policy_checked),
      checkExpiration: bool(r.is_expiration_checked),
    }),
  };
}

export async function readSourceLogins(conn: SourceConnection, majorVersion: number, options: QueryOptions = {}): Promise<SourceLogins> {
  const [logins, roles, permissions] = await Promise.all([
    conn.query<Row>(LOGINS_QUERY, options),
    conn.query<Row>(roleMembershipsQuery(majorVersion), options),
    conn.query<Row>(PERMISSIONS_QUERY, options),
  ]);
  return {
    logins: logins.map(toLogin),
    roleMemberships: roles.map((r) => ({ role: str(r.role_name), fixedRole: bool(r.is_fixed_role), member: str(r.member_name) })),
    permissions: permissions.map((p) => ({ classDesc: str(p.class_desc), permission: str(p.permission_name), state: str(p.state_desc), grantee: str(p.grantee), on: optStr(p.on_name) })),
  };
}
