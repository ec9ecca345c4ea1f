/**
 * The source server's answers about what lives outside its databases: logins (with SIDs,
 * password hashes and policy flags), server role memberships and permissions, TDE databases and
 * their certificates (CERTENCODED, and CERTPRIVATEKEY as a PVK encrypted with the caller's
 * password), Agent jobs with steps and schedules, operators, alerts, linked servers,
 * credentials and Database Mail, all from the server profile.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { CellValue, ColumnSpec } from './protocol';
import { profileLogins } from './principals';
import type { ServerProfile } from './profile';
import { pvkOf } from './pvkWriter';
import { SqlError, type QueryRequest, type ResultSet } from './server';

type Answer = (req: QueryRequest, profile: ServerProfile) => ResultSet[];
const col = (name: string, type: ColumnSpec['type']): ColumnSpec => ({ name, type });
const set = (columns: ColumnSpec[], rows: CellValue[][]): ResultSet[] => [{ columns, rows }];

const TYPE_CODE: Record<string, string> = { SQL_LOGIN: 'S', WINDOWS_LOGIN: 'U', WINDOWS_GROUP: 'G', CERTIFICATE_MAPPED_LOGIN: 'C' };

/** A GUID from a name, stable across runs (job ids). */
function guidOf(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/** A certificate's DER and SQL Server thumbprint (SHA-1 of the DER). */
export function certificateDer(pem: string): { der: Buffer; thumbprint: string } {
  const der = new X509Certificate(pem).raw;
  return { der, thumbprint: `0x${createHash('sha1').update(der).digest('hex').toUpperCase()}` };
}

/** The thumbprint a TDE database's key uses: its certificate's, when the profile has the certificate itself. */
export function tdeThumbprint(profile: ServerProfile, tde: { certificate: string; thumbprint: string }): string {
  const cert = (profile.certificates ?? []).find((c) => c.name.toLowerCase() === tde.certificate.toLowerCase());
  return cert ? certificateDer(cert.certificate).thumbprint : tde.thumbprint.toUpperCase().replace(/^0X/, '0x');
}

const CERT_ID_BASE = 256;

export const SERVER_OBJECT_ANSWERS: Record<string, Answer> = {
  'logins.principals': (_req, profile) =>
    set(
      [col('principal_id', 'int'), col('name', 'nvarchar'), col('type', 'nvarchar'), col('sid', 'nvarchar'), col('is_disabled', 'int'), col('default_database_name', 'nvarchar'),
        col('default_language_name', 'nvarchar'), col('password_hash', 'nvarchar'), col('is_policy_checked', 'int'), col('is_expiration_checked', 'int')],
      profileLogins(profile).sort((a, b) => a.name.localeCompare(b.name)).map((l) => {
        const sql = l.type === 'SQL_LOGIN';
        return [l.principalId, l.name, TYPE_CODE[l.type]!, l.sid, l.disabled ? 1 : 0, l.defaultDatabase, l.defaultLanguage, l.passwordHash,
          sql ? (l.checkPolicy ? 1 : 0) : null, sql ? (l.checkExpiration ? 1 : 0) : null];
      }),
    ),
  'logins.roleMembers': (_req, profile) => {
    const rows: CellValue[][] = [['sysadmin', 1, 'sa'], ['sysadmin', 1, 'NT SERVICE\\MSSQLSERVER']];
    for (const r of profile.serverRoles ?? []) for (const m of r.members) rows.push([r.name, FIXED_ROLES.includes(r.name.toLowerCase()) ? 1 : 0, m]);
    return set([col('role_name', 'nvarchar'), col('is_fixed_role', 'int'), col('member_name', 'nvarchar')], rows);
  },
  'logins.permissions': (_req, profile) => {
    const rows: CellValue[][] = profileLogins(profile).map((l) => ['SERVER', 'CONNECT SQL', 'GRANT', l.name, null]);
    for (const p of profile.serverPermissions ?? []) rows.push([p.class ?? 'SERVER', p.permission, p.state ?? 'GRANT', p.grantee, p.on ?? null]);
    return set([col('class_desc', 'nvarchar'), col('permission_name', 'nvarchar'), col('state_desc', 'nvarchar'), col('grantee', 'nvarchar'), col('on_name', 'nvarchar')], rows);
  },
  'tde.databases': (req, profile) => {
    if (/k\.encryptor_type/.test(req.sql) && Number(profile.server.version.split('.')[0]) < 12) throw new SqlError(207, "Invalid column name 'encryptor_type'.");
    const certs = profile.certificates ?? [];
    return set(
      [col('database_name', 'nvarchar'), col('encryption_state', 'int'), col('encryptor_type', 'nvarchar'), col('thumbprint', 'nvarchar'), col('certificate_id', 'int'),
        col('certificate_name', 'nvarchar'), col('pvt_key_encryption_type', 'nvarchar'), col('expiry_date', 'datetime')],
      profile.databases.filter((d) => d.tde).sort((a, b) => a.name.localeCompare(b.name)).map((d) => {
        const i = certs.findIndex((c) => c.name.toLowerCase() === d.tde!.certificate.toLowerCase());
        const c = certs[i];
        return [d.name, 3, 'CERTIFICATE', tdeThumbprint(profile, d.tde!), c ? CERT_ID_BASE + i : null, c?.name ?? null,
          c ? (c.privateKey ? c.privateKeyEncryption ?? 'MK' : 'NA') : null, c ? new X509Certificate(c.certificate).validTo : null];
      }),
    );
  },
  'tde.export': (req, profile) => {
    if (Number(profile.server.version.split('.')[0]) < 11) throw new SqlError(195, "'CERTENCODED' is not a recognized built-in function name.", 15);
    const id = Number(req.params.get('certificateId'));
    const password = req.params.get('password');
    if (typeof password !== 'string' || !password) throw new SqlError(137, 'Must declare the scalar variable "@password".', 15);
    const c = (profile.certificates ?? [])[id - CERT_ID_BASE];
    const columns = [col('name', 'nvarchar'), col('thumbprint', 'nvarchar'), col('certificate', 'varbinary(max)'), col('private_key', 'varbinary(max)')];
    if (!c) return set(columns, []);
    const { der, thumbprint } = certificateDer(c.certificate);
    // CERTPRIVATEKEY returns NULL when it cannot decrypt the key (a password-protected key without the decryption password).
    const pvk = c.privateKey && (c.privateKeyEncryption ?? 'MK') === 'MK' ? pvkOf(c.privateKey, password) : null;
    return set(columns, [[c.name, thumbprint, der, pvk]]);
  },
  'agent.jobs': (_req, profile) =>
    set(
      [col('job_id', 'nvarchar'), col('name', 'nvarchar'), col('enabled', 'int'), col('description', 'nvarchar'), col('category_name', 'nvarchar'), col('owner_name', 'nvarchar'),
        col('start_step_id', 'int'), col('notify_level_email', 'int'), col('notify_email_operator', 'nvarchar'), col('notify_level_page', 'int'), col('notify_level_netsend', 'int'),
        col('notify_level_eventlog', 'int'), col('delete_level', 'int')],
      (profile.jobs ?? []).map((j) => {
        const n = (profile.jobNotifications ?? []).find((x) => x.job.toLowerCase() === j.name.toLowerCase());
        return [guidOf(j.name), j.name, j.enabled === false ? 0 : 1, null, '[Uncategorized (Local)]', 'sa', 1, n?.level ?? 0, n?.operator ?? null, 0, 0, 2, 0];
      }),
    ),
  'agent.steps': (_req, profile) =>
    set(
      [col('job_id', 'nvarchar'), col('step_id', 'int'), col('step_name', 'nvarchar'), col('subsystem', 'nvarchar'), col('command', 'nvarchar(max)'), col('database_name', 'nvarchar'),
        col('database_user_name', 'nvarchar'), col('on_success_action', 'int'), col('on_success_step_id', 'int'), col('on_fail_action', 'int'), col('on_fail_step_id', 'int'),
        col('retry_attempts', 'int'), col('retry_interval', 'int'), col('output_file_name', 'nvarchar'), col('proxy_name', 'nvarchar')],
      (profile.jobs ?? []).flatMap((j) =>
        j.steps.map((s, i) => [guidOf(j.name), i + 1, s.name, s.subsystem, s.command, s.database ?? (s.subsystem === 'TSQL' ? 'master' : null), null,
          i === j.steps.length - 1 ? 1 : 3, 0, 2, 0, 0, 0, null, null]),
      ),
    ),
  'agent.schedules': (_req, profile) =>
    set(
      [col('job_id', 'nvarchar'), col('name', 'nvarchar'), col('enabled', 'int'), col('freq_type', 'int'), col('freq_interval', 'int'), col('freq_subday_type', 'int'),
        col('freq_subday_interval', 'int'), col('freq_relative_interval', 'int'), col('freq_recurrence_factor', 'int'), col('active_start_date', 'int'),
        col('active_end_date', 'int'), col('active_start_time', 'int'), col('active_end_time', 'int')],
      (profile.jobSchedules ?? []).map((s) => [guidOf(s.job), s.name, s.enabled === false ? 0 : 1, s.freqType, s.freqInterval ?? 1, s.freqSubdayType ?? 1, s.freqSubdayInterval ?? 0,
        s.freqRelativeInterval ?? 0, s.freqRecurrenceFactor ?? 0, s.activeStartDate ?? 20240101, s.activeEndDate ?? 99991231, s.activeStartTime ?? 0, s.activeEndTime ?? 235959]),
    ),
  'agent.operators': (_req, profile) =>
    set([col('name', 'nvarchar'), col('enabled', 'int'), col('email_address', 'nvarchar'), col('pager_address', 'nvarchar'), col('netsend_address', 'nvarchar')],
      (profile.operators ?? []).map((o) => [o.name, o.enabled === false ? 0 : 1, o.email ?? null, o.pager ?? null, o.netsend ?? null])),
  'agent.alerts': (_req, profile) =>
    set([col('name', 'nvarchar'), col('message_id', 'int'), col('severity', 'int'), col('enabled', 'int')],
      (profile.alerts ?? []).map((a) => [a.name, a.messageId ?? 0, a.severity ?? 0, a.enabled === false ? 0 : 1])),
  'objects.linkedServers': (_req, profile) => {
    const rows: CellValue[][] = [];
    for (const s of profile.linkedServers ?? []) {
      const logins = (profile.linkedServerLogins ?? []).filter((l) => l.server.toLowerCase() === s.name.toLowerCase());
      const base = [s.name, s.product ?? '', s.provider, s.dataSource ?? null, null, null, null];
      if (!logins.length) rows.push([...base, null, null, null]);
      for (const l of logins) rows.push([...base, l.localLogin ?? null, l.useSelf ? 1 : 0, l.remoteUser ?? null]);
    }
    return set([col('name', 'nvarchar'), col('product', 'nvarchar'), col('provider', 'nvarchar'), col('data_source', 'nvarchar'), col('location', 'nvarchar'),
      col('provider_string', 'nvarchar'), col('catalog', 'nvarchar'), col('local_login', 'nvarchar'), col('uses_self_credential', 'int'), col('remote_name', 'nvarchar')], rows);
  },
  'objects.credentials': (_req, profile) => {
    const fromObjects = (profile.serverObjects ?? []).filter((o) => o.kind === 'credential').map((o) => ({ name: o.name, identity: o.detail ?? '' }));
    return set([col('name', 'nvarchar'), col('credential_identity', 'nvarchar')], [...(profile.credentials ?? []), ...fromObjects].map((c) => [c.name, c.identity]));
  },
  'objects.databaseMail': (_req, profile) => {
    const mail = profile.databaseMail ?? { accounts: [], profiles: [] };
    const rows: CellValue[][] = [];
    for (const a of mail.accounts) {
      rows.push(['account', a.name, a.email, a.displayName ?? null, a.replyTo ?? null, null, a.server, 'SMTP', a.port ?? 25, a.username ?? null, a.useDefaultCredentials ? 1 : 0, a.enableSsl ? 1 : 0, null, null]);
    }
    for (const p of mail.profiles) {
      if (!p.accounts.length) rows.push(['profile', p.name, null, null, null, p.description ?? null, null, null, null, null, null, null, null, null]);
      p.accounts.forEach((a, i) => rows.push(['profile', p.name, null, null, null, p.description ?? null, null, null, null, null, null, null, a, i + 1]));
    }
    return set([col('kind', 'nvarchar'), col('name', 'nvarchar'), col('email_address', 'nvarchar'), col('display_name', 'nvarchar'), col('replyto_address', 'nvarchar'),
      col('description', 'nvarchar'), col('servername', 'nvarchar'), col('servertype', 'nvarchar'), col('port', 'int'), col('username', 'nvarchar'),
      col('use_default_credentials', 'int'), col('enable_ssl', 'int'), col('account_name', 'nvarchar'), col('sequence_number', 'int')], rows);
  },
};

export const FIXED_ROLES = ['sysadmin', 'securityadmin', 'serveradmin', 'setupadmin', 'processadmin', 'diskadmin', 'dbcreator', 'bulkadmin', 'public'];
