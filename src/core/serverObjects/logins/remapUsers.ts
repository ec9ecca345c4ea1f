/**
 * After a database is restored on the target, its users still point at the source's logins.
 * SQL users find their SQL logins again by SID (the logins were created with the source's SID);
 * Windows users and groups have no Windows login on a managed instance: each is mapped to the
 * Microsoft Entra login its Windows login became, with ALTER USER ... WITH LOGIN, run in the
 * database. Nothing else in the database changes.
 */
import type { QueryOptions, SourceConnection } from '../../source/connection';
import { SourceError } from '../../source/errors';
import type { TargetConnection } from '../../source/target';
import { databaseUsersQuery, TARGET_LOGINS_QUERY } from '../targetCatalog';
import { quoteName } from '../tsql';
import { serverMessage } from './apply';
import { entraNameFor, type DomainMapping } from './entraNames';
import type { SourceLogin } from './sourceLogins';

export interface UserMappingResult {
  database: string;
  user: string;
  /** mapped: ALTER USER done; already: it has its login; sql: a SQL user with its login (by SID); orphaned: no login on the target; failed. */
  status: 'mapped' | 'already' | 'sql' | 'orphaned' | 'failed' | 'skipped';
  login?: string;
  message?: string;
}

type Row = Record<string, unknown>;

export async function remapDatabaseUsers(
  target: TargetConnection,
  databases: string[],
  sourceLogins: SourceLogin[],
  mapping: DomainMapping,
  options: QueryOptions & { dryRun?: boolean } = {},
): Promise<UserMappingResult[]> {
  const windowsBySid = new Map(sourceLogins.filter((l) => l.kind === 'windows-user' || l.kind === 'windows-group').map((l) => [l.sid.toUpperCase(), l]));
  const windowsByName = new Map(sourceLogins.filter((l) => l.kind === 'windows-user' || l.kind === 'windows-group').map((l) => [l.name.toLowerCase(), l]));
  const targetLogins = new Set((await target.query<Row>(TARGET_LOGINS_QUERY, options)).map((r) => String(r.name).toLowerCase()));
  const out: UserMappingResult[] = [];
  for (const database of databases) {
    const users = await target.query<Row>(databaseUsersQuery(database), options);
    const changes: { user: string; login: string }[] = [];
    for (const u of users) {
      const name = String(u.name);
      const type = String(u.type).trim();
      if (type === 'S') {
        out.push({ database, user: name, status: u.login_name ? 'sql' : 'orphaned', ...(u.login_name ? { login: String(u.login_name) } : {}) });
        continue;
      }
      if (type === 'E' || type === 'X') {
        out.push({ database, user: name, status: 'already', ...(u.login_name ? { login: String(u.login_name) } : {}) });
        continue;
      }
      const source = windowsBySid.get(String(u.sid).toUpperCase()) ?? windowsByName.get(name.toLowerCase());
      const kind = source?.kind === 'windows-group' || (!source && type === 'G') ? 'windows-group' : 'windows-user';
      const entra = entraNameFor(source?.name ?? name, kind, mapping);
      if (!entra.ok) {
        out.push({ database, user: name, status: 'skipped', message: entra.reason });
        continue;
      }
      if (!targetLogins.has(entra.name.toLowerCase())) {
        out.push({ database, user: name, status: 'orphaned', message: `no login ${entra.name} on the target: migrate the logins first` });
        continue;
      }
      changes.push({ user: name, login: entra.name });
    }
    if (!changes.length) continue;
    if (options.dryRun) {
      for (const c of changes) out.push({ database, user: c.user, status: 'mapped', login: c.login, message: 'would run ALTER USER ... WITH LOGIN' });
      continue;
    }
    let conn: SourceConnection | undefined;
    try {
      conn = await target.toDatabase(database, options);
      for (const c of changes) {
        try {
          await conn.query({ id: 'ddl', text: `ALTER USER ${quoteName(c.user)} WITH LOGIN = ${quoteName(c.login)};` }, options);
          out.push({ database, user: c.user, status: 'mapped', login: c.login });
        } catch (e) {
          if (e instanceof SourceError && (e.kind === 'cancelled' || e.kind === 'unreachable')) throw e;
          out.push({ database, user: c.user, status: 'failed', login: c.login, message: serverMessage(e) });
        }
      }
    } finally {
      await conn?.close();
    }
  }
  return out;
}

/** The ALTER USER statements a remap sends, for review. */
export function remapStatement(user: string, login: string): string {
  return `ALTER USER ${quoteName(user)} WITH LOGIN = ${quoteName(login)};`;
}
