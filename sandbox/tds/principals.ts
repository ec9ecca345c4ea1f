/**
 * The sandbox's security identifiers: made up, but shaped like SQL Server's, and the same for
 * the same name every time, so that a login, the database users that belong to it on the
 * source, and the same users in a database restored on the sandbox managed instance agree.
 * Windows SIDs look like S-1-5-21-a-b-c-rid (28 bytes); SQL login SIDs are 16 bytes; sa is 0x01.
 */
import { createHash } from 'node:crypto';
import type { ProfileLogin, ServerProfile } from './profile';

const hash = (text: string) => createHash('sha256').update(text.toLowerCase()).digest();

export function windowsSid(name: string): string {
  const h = hash(`windows:${name}`);
  const head = Buffer.from([0x01, 0x05, 0, 0, 0, 0, 0, 0x05, 0x15, 0, 0, 0]);
  return `0x${Buffer.concat([head, h.subarray(0, 16)]).toString('hex').toUpperCase()}`;
}

export function sqlSid(name: string): string {
  if (name.toLowerCase() === 'sa') return '0x01';
  return `0x${hash(`sql:${name}`).subarray(0, 16).toString('hex').toUpperCase()}`;
}

/** An Entra principal's SID on the sandbox instance (a real one derives it from the object id). */
export function entraSid(name: string): string {
  return `0x${hash(`entra:${name}`).subarray(0, 16).toString('hex').toUpperCase()}`;
}

/** A password hash in SQL Server 2012+'s shape: 0x0200, a 4-byte salt, SHA-512 of UTF-16 password + salt. */
export function passwordHash(password: string, salt: Buffer): string {
  const digest = createHash('sha512').update(Buffer.concat([Buffer.from(password, 'utf16le'), salt])).digest();
  return `0x0200${salt.toString('hex').toUpperCase()}${digest.toString('hex').toUpperCase()}`;
}

export interface SandboxLoginRow extends Required<Pick<ProfileLogin, 'name' | 'type'>> {
  principalId: number;
  sid: string;
  passwordHash: string | null;
  checkPolicy: boolean;
  checkExpiration: boolean;
  defaultDatabase: string;
  defaultLanguage: string;
  disabled: boolean;
}

const SYSTEM_LOGINS: ProfileLogin[] = [
  { name: 'sa', type: 'SQL_LOGIN', checkPolicy: true, disabled: true },
  { name: '##MS_PolicyEventProcessingLogin##', type: 'SQL_LOGIN', checkPolicy: true, disabled: true },
  { name: '##MS_PolicyTsqlExecutionLogin##', type: 'SQL_LOGIN', checkPolicy: true, disabled: true },
  { name: '##MS_SQLResourceSigningCertificate##', type: 'CERTIFICATE_MAPPED_LOGIN' },
  { name: 'NT AUTHORITY\\SYSTEM', type: 'WINDOWS_LOGIN' },
  { name: 'NT SERVICE\\MSSQLSERVER', type: 'WINDOWS_LOGIN' },
  { name: 'BUILTIN\\Administrators', type: 'WINDOWS_GROUP' },
];

/** Every login of a profile's server: the system ones, `windowsLogins` and `logins`, with SIDs. */
export function profileLogins(profile: ServerProfile): SandboxLoginRow[] {
  const all: ProfileLogin[] = [
    ...SYSTEM_LOGINS,
    ...(profile.windowsLogins ?? []).map((w): ProfileLogin => ({ name: w.name, type: w.type ?? 'WINDOWS_LOGIN', ...(w.disabled !== undefined && { disabled: w.disabled }) })),
    ...(profile.logins ?? []),
  ];
  const seen = new Set<string>();
  return all.filter((l) => !seen.has(l.name.toLowerCase()) && seen.add(l.name.toLowerCase())).map((l, i) => {
    const sql = l.type === 'SQL_LOGIN';
    return {
      name: l.name,
      type: l.type,
      principalId: l.name === 'sa' ? 1 : 256 + i,
      sid: l.sid ?? (sql ? sqlSid(l.name) : l.type === 'CERTIFICATE_MAPPED_LOGIN' ? `0x01060000000000090100000${hash(l.name).subarray(0, 4).toString('hex').toUpperCase()}` : windowsSid(l.name)),
      passwordHash: sql ? (l.passwordHash ?? passwordHash(`sandbox-${l.name}`, hash(l.name).subarray(0, 4))) : null,
      checkPolicy: l.checkPolicy ?? sql,
      checkExpiration: l.checkExpiration ?? false,
      defaultDatabase: l.defaultDatabase ?? 'master',
      defaultLanguage: l.defaultLanguage ?? 'us_english',
      disabled: l.disabled ?? false,
    };
  });
}

/** The SID of a database user: its login's (by the user's `login`, or its own name), or one of its own. */
export function userSid(profile: ServerProfile, user: { name: string; type: string; login?: string }): string {
  const login = profileLogins(profile).find((l) => l.name.toLowerCase() === (user.login ?? user.name).toLowerCase());
  if (login) return login.sid;
  return user.type === 'SQL_USER' ? sqlSid(user.name) : windowsSid(user.name);
}
