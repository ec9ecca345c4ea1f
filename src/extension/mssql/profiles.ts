/**
 * The MSSQL extension's connection profiles as the wizard's source connection: server (with its
 * port), authentication, user, encryption and certificate trust. Never a password: a profile's
 * `password` field and a connection string's Password are left where they are.
 */
import type { SavedConnection, SourceAuthentication, EncryptOption } from '../services/types';
import type { MssqlConnectionGroup, MssqlConnectionInfo, MssqlConnectionProfile } from './api';

export const PROVIDER = 'MSSQL extension';
const MAX_TEXT = 1024;

/** A connection string's keywords, lower case, without Password / Pwd. */
export function parseConnectionString(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const key = text.slice(i, eq).trim().toLowerCase().replace(/\s+/g, ' ');
    let j = eq + 1;
    while (j < text.length && text[j] === ' ') j++;
    let value = '';
    const quote = text[j];
    if (quote === '"' || quote === "'" || quote === '{') {
      const close = quote === '{' ? '}' : quote;
      j++;
      while (j < text.length) {
        if (text[j] === close && text[j + 1] === close) {
          value += close;
          j += 2;
        } else if (text[j] === close) {
          j++;
          break;
        } else value += text[j++];
      }
      const semi = text.indexOf(';', j);
      i = semi < 0 ? text.length : semi + 1;
    } else {
      const semi = text.indexOf(';', j);
      value = text.slice(j, semi < 0 ? text.length : semi).trim();
      i = semi < 0 ? text.length : semi + 1;
    }
    if (key && key !== 'password' && key !== 'pwd') out.set(key, value);
  }
  return out;
}

function fromConnectionString(cs: string): MssqlConnectionInfo {
  const k = parseConnectionString(cs);
  const first = (...names: string[]) => names.map((n) => k.get(n)).find((v) => v !== undefined && v !== '');
  const auth = first('authentication')?.toLowerCase();
  const integrated = /^(true|yes|sspi)$/i.test(first('integrated security', 'trusted_connection') ?? '');
  const encrypt = first('encrypt');
  const trust = first('trustservercertificate', 'trust server certificate');
  return {
    server: first('server', 'data source', 'address', 'addr', 'network address'),
    database: first('database', 'initial catalog'),
    user: first('user id', 'uid', 'user'),
    authenticationType: integrated ? 'Integrated' : auth?.startsWith('active directory') ? 'AzureMFA' : 'SqlLogin',
    ...(encrypt !== undefined && { encrypt }),
    ...(trust !== undefined && { trustServerCertificate: /^(true|yes)$/i.test(trust) }),
  };
}

function authenticationOf(type: string | undefined): { authentication: SourceAuthentication; caveat?: string } {
  switch ((type ?? 'SqlLogin').toLowerCase()) {
    case 'sqllogin':
      return { authentication: 'SqlAuthentication' };
    case 'integrated':
      return {
        authentication: 'WindowsAuthentication',
        caveat: 'saved with Windows integrated sign-in: the assessment signs in with NTLM, so enter DOMAIN\\user and its password',
      };
    case 'azuremfa':
    case 'activedirectorydefault':
      return { authentication: 'EntraToken' };
    case 'activedirectoryserviceprincipal':
      return { authentication: 'EntraToken', caveat: 'saved with a service principal: the assessment uses your Microsoft Entra account\'s token instead' };
    default:
      return { authentication: 'SqlAuthentication', caveat: `saved with "${type}" authentication, which the assessment does not offer: it uses a SQL login` };
  }
}

function encryptOf(value: string | boolean | undefined): EncryptOption {
  if (value === undefined || value === true) return 'mandatory';
  if (value === false) return 'optional';
  const v = value.trim().toLowerCase();
  if (v === 'strict') return 'strict';
  if (v === 'optional' || v === 'false' || v === 'no') return 'optional';
  return 'mandatory';
}

/** HOST, HOST,PORT or HOST\INSTANCE as the wizard writes it (a profile keeps the port apart). */
function serverOf(server: string, port: number | undefined): string {
  const s = server.trim().replace(/^tcp:/i, '');
  if (!port || port === 1433 || s.includes(',')) return s;
  return `${s.replace(/\\.*$/, '')},${port}`;
}

/** Group names by id, the root group ("ROOT") left out. */
export function groupNames(groups: readonly MssqlConnectionGroup[]): Map<string, string> {
  return new Map(groups.filter((g) => g.id && g.name && g.name !== 'ROOT').map((g) => [g.id!, g.name!]));
}

/** A profile as a saved connection; undefined when it names no server (or one too long to be real). */
export function savedConnectionOf(profile: MssqlConnectionProfile, groups: ReadonlyMap<string, string> = new Map()): SavedConnection | undefined {
  const base: MssqlConnectionInfo = profile.connectionString && !profile.server ? { ...fromConnectionString(profile.connectionString), ...(profile.authenticationType && { authenticationType: profile.authenticationType }) } : profile;
  if (typeof base.server !== 'string' || !base.server.trim()) return undefined;
  const server = serverOf(base.server, typeof base.port === 'number' ? base.port : undefined);
  if (server.length > MAX_TEXT) return undefined;
  const { authentication, caveat } = authenticationOf(base.authenticationType);
  const userName = (authentication === 'EntraToken' ? base.user || base.email || '' : base.user ?? '').slice(0, 256);
  const database = typeof base.database === 'string' && base.database ? base.database : undefined;
  const label = (profile.profileName?.trim() || `${server}${database ? ` (${database})` : ''}${userName ? ` - ${userName}` : ''}`).slice(0, MAX_TEXT);
  const id = profile.id?.trim() || `${server}|${database ?? ''}|${userName}`;
  const group = profile.groupId ? groups.get(profile.groupId) : undefined;
  return {
    id,
    label,
    provider: PROVIDER,
    connection: {
      server,
      authentication,
      userName,
      encrypt: encryptOf(base.encrypt),
      trustServerCertificate: base.trustServerCertificate === true,
    },
    ...(database && { database }),
    ...(group && { group }),
    ...(caveat && { caveat }),
  };
}

/** The profiles of the setting's user and workspace values, once each (by id), in order. */
export function savedConnections(profiles: readonly unknown[], groups: readonly unknown[]): SavedConnection[] {
  const names = groupNames(groups.filter((g): g is MssqlConnectionGroup => typeof g === 'object' && g !== null));
  const out = new Map<string, SavedConnection>();
  for (const p of profiles) {
    if (typeof p !== 'object' || p === null) continue;
    const c = savedConnectionOf(p as MssqlConnectionProfile, names);
    if (c && !out.has(c.id)) out.set(c.id, c);
  }
  return [...out.values()];
}

/** The password part of a connection string the MSSQL extension handed over, if it has one. */
export function passwordOf(connectionString: string): string | undefined {
  // parseConnectionString drops it on purpose; read it here only.
  const m = /(?:^|;)\s*(?:password|pwd)\s*=\s*("(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\}|[^;]*)/i.exec(connectionString);
  if (!m) return undefined;
  const raw = m[1]!.trim();
  if (raw.startsWith('"')) return raw.slice(1, -1).replace(/""/g, '"');
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  if (raw.startsWith('{')) return raw.slice(1, -1).replace(/\}\}/g, '}');
  return raw || undefined;
}
