/**
 * The login plan: for every source login (or those selected by name or pattern), what happens
 * on the target and the exact statements. SQL logins are created with their password hash and
 * SID (`WITH PASSWORD = 0x... HASHED, SID = 0x...`) so the restored databases' SQL users stay
 * mapped; Windows logins and groups become Microsoft Entra logins (`FROM EXTERNAL PROVIDER`)
 * through the domain mapping. What exists is skipped (never dropped or altered); system and
 * certificate-mapped logins are excluded, each with the reason. Role memberships and server
 * permissions follow each login as separate statements, so one that the target refuses is
 * reported without undoing the login.
 */
import { inTransaction, binaryLiteral, quoteName } from '../tsql';
import type { TargetPrincipals } from '../targetCatalog';
import { entraNameFor, type DomainMapping } from './entraNames';
import type { LoginKind, ServerPermission, SourceLogin, SourceLogins } from './sourceLogins';

export interface LoginSelection {
  /** Exact names (case-insensitive). */
  names?: string[];
  /** Wildcards: * any characters, ? one (case-insensitive), e.g. CONTOSO\* */
  patterns?: string[];
}

export interface PlannedStatement {
  /** What it does, for people: "member of sysadmin", "GRANT VIEW SERVER STATE". */
  what: string;
  sql: string;
}

export type TargetLoginKind = 'sql' | 'entra-user' | 'entra-group';

export type PlannedLogin =
  | { action: 'create'; source: string; sourceKind: LoginKind; target: string; targetKind: TargetLoginKind; create: PlannedStatement; then: PlannedStatement[]; notes: string[] }
  | { action: 'skip'; source: string; sourceKind: LoginKind; target?: string; reason: string; then: PlannedStatement[] }
  | { action: 'exclude'; source: string; sourceKind: LoginKind; reason: string };

export interface PlannedRole {
  name: string;
  action: 'create' | 'exists';
  create?: PlannedStatement;
  /** The role's own server permissions and its membership in other roles, applied after the logins. */
  then: PlannedStatement[];
}

export interface LoginPlan {
  roles: PlannedRole[];
  logins: PlannedLogin[];
}

export interface LoginPlanOptions {
  selection?: LoginSelection;
  mapping: DomainMapping;
  /** The source server's name (its local accounts, SERVER\name, are not domain accounts). */
  sourceServerName?: string;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

export function selected(name: string, s: LoginSelection | undefined): boolean {
  if (!s || (!s.names?.length && !s.patterns?.length)) return true;
  return (s.names ?? []).some((n) => n.toLowerCase() === name.toLowerCase()) || (s.patterns ?? []).some((p) => wildcard(p).test(name));
}

const SYSTEM_PREFIXES = ['NT AUTHORITY\\', 'NT SERVICE\\', 'BUILTIN\\', 'NT VIRTUAL MACHINE\\'];

/** Why a login is not migrated at all, or undefined. */
export function exclusionReason(l: SourceLogin, sourceServerName?: string): string | undefined {
  if (l.name.startsWith('##') && l.name.endsWith('##')) return 'a system login SQL Server creates for itself (##...##)';
  if (l.principalId === 1 || l.name.toLowerCase() === 'sa') return 'the sa login: the managed instance has its own administrator (the admin login chosen when it was created)';
  const upper = l.name.toUpperCase();
  if (SYSTEM_PREFIXES.some((p) => upper.startsWith(p))) return 'a Windows system account or local group of the source machine; it has no meaning on the managed instance';
  if (sourceServerName && (l.kind === 'windows-user' || l.kind === 'windows-group')) {
    const machine = sourceServerName.split('\\')[0]!.toUpperCase();
    if (upper.startsWith(`${machine}\\`)) return `a local account of the source machine ${machine}, not of a domain`;
  }
  if (l.kind === 'certificate') return 'a certificate-mapped login: it exists to sign code, with a certificate of its own; create the certificate on the target, then the login FROM CERTIFICATE';
  if (l.kind === 'asymmetric-key') return 'an asymmetric-key-mapped login: it exists to sign code; create the key on the target, then the login FROM ASYMMETRIC KEY';
  return undefined;
}

function permissionStatement(p: ServerPermission, grantee: string, rename: (source: string) => string | undefined): PlannedStatement | { skip: string } {
  const verb = p.state === 'DENY' ? 'DENY' : 'GRANT';
  const withGrant = p.state === 'GRANT_WITH_GRANT_OPTION' ? ' WITH GRANT OPTION' : '';
  if (!/^[A-Z ]+$/.test(p.permission)) return { skip: `permission "${p.permission}" is not a server permission name` };
  if (p.classDesc === 'SERVER') {
    return { what: `${verb} ${p.permission}${withGrant}`, sql: `${verb} ${p.permission} TO ${quoteName(grantee)}${withGrant};` };
  }
  if (p.classDesc === 'SERVER_PRINCIPAL' && p.on) {
    const on = rename(p.on);
    if (!on) return { skip: `${verb} ${p.permission} ON LOGIN::${p.on}: that login is not migrated` };
    return { what: `${verb} ${p.permission} ON LOGIN::${on}${withGrant}`, sql: `${verb} ${p.permission} ON LOGIN::${quoteName(on)} TO ${quoteName(grantee)}${withGrant};` };
  }
  return { skip: `${verb} ${p.permission} on ${p.classDesc.toLowerCase()}${p.on ? ` ${p.on}` : ''}: endpoints are the managed instance's own` };
}

/** A permission every login has by being created: not repeated. */
const implicit = (p: ServerPermission) => p.classDesc === 'SERVER' && p.permission === 'CONNECT SQL' && p.state === 'GRANT';

export function planLogins(source: SourceLogins, target: TargetPrincipals, options: LoginPlanOptions): LoginPlan {
  const renamed = new Map<string, string>(); // source login (lower) -> target name, for every login that will exist
  const logins: PlannedLogin[] = [];
  const candidates = source.logins.filter((l) => selected(l.name, options.selection));

  // First pass: names and whether each can be created.
  const decided = candidates.map((l) => {
    const excluded = exclusionReason(l, options.sourceServerName);
    if (excluded) return { l, excluded };
    let targetName = l.name;
    let targetKind: TargetLoginKind = 'sql';
    if (l.kind === 'windows-user' || l.kind === 'windows-group') {
      const e = entraNameFor(l.name, l.kind, options.mapping);
      if (!e.ok) return { l, invalid: e.reason };
      targetName = e.name;
      targetKind = e.kind === 'user' ? 'entra-user' : 'entra-group';
    } else if (l.kind === 'entra-user' || l.kind === 'entra-group') {
      targetKind = l.kind;
    }
    renamed.set(l.name.toLowerCase(), targetName);
    return { l, targetName, targetKind };
  });
  const rename = (n: string) => renamed.get(n.toLowerCase());

  // User-defined server roles the selected logins are members of (or that hold permissions they need).
  const roleNames = new Set(source.roleMemberships.filter((m) => !m.fixedRole && renamed.has(m.member.toLowerCase())).map((m) => m.role));
  const roles: PlannedRole[] = [...roleNames].sort().map((name) => {
    const exists = target.roles.has(name.toLowerCase());
    const then: PlannedStatement[] = [];
    for (const p of source.permissions.filter((x) => x.grantee.toLowerCase() === name.toLowerCase() && !implicit(x))) {
      const s = permissionStatement(p, name, rename);
      if ('sql' in s) then.push(s);
    }
    for (const m of source.roleMemberships.filter((x) => x.member.toLowerCase() === name.toLowerCase())) {
      then.push({ what: `member of ${m.role}`, sql: `ALTER SERVER ROLE ${quoteName(m.role)} ADD MEMBER ${quoteName(name)};` });
    }
    return exists ? { name, action: 'exists', then } : { name, action: 'create', create: { what: `create server role ${name}`, sql: `CREATE SERVER ROLE ${quoteName(name)};` }, then };
  });

  for (const d of decided) {
    const l = d.l;
    if ('excluded' in d && d.excluded) {
      logins.push({ action: 'exclude', source: l.name, sourceKind: l.kind, reason: d.excluded });
      continue;
    }
    if ('invalid' in d && d.invalid) {
      logins.push({ action: 'skip', source: l.name, sourceKind: l.kind, reason: d.invalid, then: [] });
      continue;
    }
    const targetName = d.targetName!;
    const targetKind = d.targetKind!;
    // What follows the login: role memberships and server permissions not already there.
    const then: PlannedStatement[] = [];
    const existingRoleMembers = (role: string) => target.roles.get(role.toLowerCase())?.members ?? new Set<string>();
    for (const m of source.roleMemberships.filter((x) => x.member.toLowerCase() === l.name.toLowerCase())) {
      if (m.role.toLowerCase() === 'public' || existingRoleMembers(m.role).has(targetName.toLowerCase())) continue;
      then.push({ what: `member of ${m.role}`, sql: `ALTER SERVER ROLE ${quoteName(m.role)} ADD MEMBER ${quoteName(targetName)};` });
    }
    const notes: string[] = [];
    for (const p of source.permissions.filter((x) => x.grantee.toLowerCase() === l.name.toLowerCase() && !implicit(x))) {
      const s = permissionStatement(p, targetName, rename);
      if ('sql' in s) then.push(s);
      else notes.push(`not migrated: ${s.skip}`);
    }
    const existing = target.logins.get(targetName.toLowerCase());
    if (existing) {
      logins.push({ action: 'skip', source: l.name, sourceKind: l.kind, target: targetName, reason: `a login named ${existing.name} already exists on the target (left as it is, its roles and permissions too)`, then: [] });
      continue;
    }
    if (l.kind === 'sql') {
      if (!l.passwordHash) {
        logins.push({ action: 'skip', source: l.name, sourceKind: l.kind, reason: 'the source returned no password hash for it (the reading login needs CONTROL SERVER)', then: [] });
        continue;
      }
      const sidOwner = target.bySid.get(l.sid.toUpperCase());
      if (sidOwner) {
        logins.push({ action: 'skip', source: l.name, sourceKind: l.kind, reason: `its SID ${l.sid} belongs to login ${sidOwner} on the target`, then: [] });
        continue;
      }
    }
    const statements: string[] = [];
    const defaultDb = l.defaultDatabase && l.defaultDatabase.toLowerCase() !== 'master' ? l.defaultDatabase : undefined;
    const dbOnTarget = defaultDb && target.databases.some((x) => x.toLowerCase() === defaultDb.toLowerCase());
    if (defaultDb && !dbOnTarget) notes.push(`default database ${defaultDb} is not on the target yet: master until it is migrated (then ALTER LOGIN ${quoteName(targetName)} WITH DEFAULT_DATABASE = ${quoteName(defaultDb)})`);
    if (targetKind === 'sql') {
      const options = [
        `PASSWORD = ${binaryLiteral(l.passwordHash!)} HASHED`,
        `SID = ${binaryLiteral(l.sid)}`,
        ...(dbOnTarget ? [`DEFAULT_DATABASE = ${quoteName(defaultDb!)}`] : []),
        ...(l.defaultLanguage ? [`DEFAULT_LANGUAGE = ${quoteName(l.defaultLanguage)}`] : []),
        `CHECK_POLICY = ${l.checkPolicy ? 'ON' : 'OFF'}`,
        `CHECK_EXPIRATION = ${l.checkExpiration && l.checkPolicy ? 'ON' : 'OFF'}`,
      ];
      statements.push(`CREATE LOGIN ${quoteName(targetName)} WITH ${options.join(', ')};`);
      if (l.checkExpiration && !l.checkPolicy) notes.push('CHECK_EXPIRATION was on without CHECK_POLICY, which SQL Server does not allow at creation: created with both off');
    } else {
      statements.push(`CREATE LOGIN ${quoteName(targetName)} FROM EXTERNAL PROVIDER;`);
      const opts = [...(dbOnTarget ? [`DEFAULT_DATABASE = ${quoteName(defaultDb!)}`] : []), ...(l.defaultLanguage ? [`DEFAULT_LANGUAGE = ${quoteName(l.defaultLanguage)}`] : [])];
      if (opts.length) statements.push(`ALTER LOGIN ${quoteName(targetName)} WITH ${opts.join(', ')};`);
      notes.push(`Microsoft Entra ${targetKind === 'entra-user' ? 'user' : 'group'} ${targetName} (from Windows ${l.kind === 'windows-group' ? 'group' : 'login'} ${l.name})`);
    }
    if (l.disabled) statements.push(`ALTER LOGIN ${quoteName(targetName)} DISABLE;`);
    logins.push({
      action: 'create', source: l.name, sourceKind: l.kind, target: targetName, targetKind,
      create: { what: `create ${targetKind === 'sql' ? 'SQL login' : targetKind === 'entra-user' ? 'Microsoft Entra login' : 'Microsoft Entra group login'}${l.disabled ? ' (disabled)' : ''}`, sql: inTransaction(statements) },
      then, notes,
    });
  }
  return { roles, logins };
}

/**
 * A statement as shown to people: a password hash is as sensitive as a password (it can be
 * attacked offline), so plans, dry runs and JSON output show where it goes, never the hash.
 */
export function maskPasswordHashes(sql: string): string {
  return sql.replace(/PASSWORD = 0x[0-9A-F]+ HASHED/gi, 'PASSWORD = 0x<password hash, not shown> HASHED');
}

/** The plan as shown to people (hashes masked). */
export function displayPlan(plan: LoginPlan): LoginPlan {
  return {
    roles: plan.roles,
    logins: plan.logins.map((l) => (l.action === 'create' ? { ...l, create: { ...l.create, sql: maskPasswordHashes(l.create.sql) } } : l)),
  };
}

/** Every statement of a plan, in the order apply sends them (for review and dry runs). */
export function planStatements(plan: LoginPlan): string[] {
  return [
    ...plan.roles.flatMap((r) => (r.create ? [r.create.sql] : [])),
    ...plan.logins.flatMap((l) => (l.action === 'create' ? [l.create.sql, ...l.then.map((t) => t.sql)] : l.action === 'skip' ? l.then.map((t) => t.sql) : [])),
    ...plan.roles.flatMap((r) => r.then.map((t) => t.sql)),
  ];
}
