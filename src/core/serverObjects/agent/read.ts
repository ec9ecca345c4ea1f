/**
 * The source server's objects outside the databases that a database migration leaves behind:
 * Agent jobs (steps, schedules, email notification), operators, alerts, linked servers and
 * their login mappings, credentials, Database Mail accounts and profiles. Eight queries, each
 * on msdb or master catalog views. Secrets are never read: credential secrets, linked server
 * remote passwords and mail account passwords cannot be read back from SQL Server anyway, and
 * are placeholders in the script.
 */
import { sourceQuery, type QueryOptions, type SourceConnection, type SourceQuery } from '../../source/connection';
import { SourceError } from '../../source/errors';

export interface JobStep {
  id: number;
  name: string;
  subsystem: string;
  command: string;
  database: string | null;
  databaseUser: string | null;
  onSuccessAction: number;
  onSuccessStepId: number;
  onFailAction: number;
  onFailStepId: number;
  retryAttempts: number;
  retryInterval: number;
  outputFile: string | null;
  proxy: string | null;
}

export interface JobSchedule {
  name: string;
  enabled: boolean;
  freqType: number;
  freqInterval: number;
  freqSubdayType: number;
  freqSubdayInterval: number;
  freqRelativeInterval: number;
  freqRecurrenceFactor: number;
  activeStartDate: number;
  activeEndDate: number;
  activeStartTime: number;
  activeEndTime: number;
}

export interface AgentJob {
  name: string;
  enabled: boolean;
  description: string | null;
  category: string | null;
  owner: string | null;
  startStepId: number;
  notifyLevelEmail: number;
  notifyEmailOperator: string | null;
  notifyLevelPage: number;
  notifyLevelNetsend: number;
  notifyLevelEventlog: number;
  deleteLevel: number;
  steps: JobStep[];
  schedules: JobSchedule[];
}

export interface Operator {
  name: string;
  enabled: boolean;
  email: string | null;
  pager: string | null;
  netsend: string | null;
}

export interface Alert {
  name: string;
  messageId: number;
  severity: number;
  enabled: boolean;
}

export interface LinkedServer {
  name: string;
  product: string;
  provider: string;
  dataSource: string | null;
  location: string | null;
  providerString: string | null;
  catalog: string | null;
  logins: { localLogin: string | null; useSelf: boolean; remoteUser: string | null }[];
}

export interface Credential {
  name: string;
  identity: string;
}

export interface MailAccount {
  name: string;
  email: string;
  displayName: string | null;
  replyTo: string | null;
  description: string | null;
  server: string;
  serverType: string;
  port: number;
  username: string | null;
  useDefaultCredentials: boolean;
  enableSsl: boolean;
}

export interface MailProfile {
  name: string;
  description: string | null;
  accounts: { account: string; sequence: number }[];
}

export interface ServerObjects {
  jobs: AgentJob[];
  operators: Operator[];
  alerts: Alert[];
  linkedServers: LinkedServer[];
  credentials: Credential[];
  mailAccounts: MailAccount[];
  mailProfiles: MailProfile[];
  /** What could not be read (a missing permission), by part. */
  unreadable: { part: string; message: string }[];
}

export const JOBS_QUERY: SourceQuery = sourceQuery('agent.jobs', `
SELECT CONVERT(nvarchar(36), j.job_id) AS job_id, j.name, CAST(j.enabled AS int) AS enabled, j.description, c.name AS category_name,
  SUSER_SNAME(j.owner_sid) AS owner_name, j.start_step_id, j.notify_level_email, o.name AS notify_email_operator,
  j.notify_level_page, j.notify_level_netsend, j.notify_level_eventlog, j.delete_level
FROM msdb.dbo.sysjobs AS j
LEFT JOIN msdb.dbo.syscategories AS c ON c.category_id = j.category_id
LEFT JOIN msdb.dbo.sysoperators AS o ON o.id = j.notify_email_operator_id
ORDER BY j.name`);

export const STEPS_QUERY: SourceQuery = sourceQuery('agent.steps', `
SELECT CONVERT(nvarchar(36), s.job_id) AS job_id, s.step_id, s.step_name, s.subsystem, s.command, s.database_name, s.database_user_name,
  s.on_success_action, s.on_success_step_id, s.on_fail_action, s.on_fail_step_id, s.retry_attempts, s.retry_interval,
  s.output_file_name, p.name AS proxy_name
FROM msdb.dbo.sysjobsteps AS s
LEFT JOIN msdb.dbo.sysproxies AS p ON p.proxy_id = s.proxy_id
ORDER BY s.job_id, s.step_id`);

export const SCHEDULES_QUERY: SourceQuery = sourceQuery('agent.schedules', `
SELECT CONVERT(nvarchar(36), js.job_id) AS job_id, s.name, CAST(s.enabled AS int) AS enabled, s.freq_type, s.freq_interval, s.freq_subday_type,
  s.freq_subday_interval, s.freq_relative_interval, s.freq_recurrence_factor, s.active_start_date, s.active_end_date,
  s.active_start_time, s.active_end_time
FROM msdb.dbo.sysjobschedules AS js
JOIN msdb.dbo.sysschedules AS s ON s.schedule_id = js.schedule_id
ORDER BY js.job_id, s.name`);

export const OPERATORS_QUERY: SourceQuery = sourceQuery('agent.operators', `
SELECT name, CAST(enabled AS int) AS enabled, email_address, pager_address, netsend_address FROM msdb.dbo.sysoperators ORDER BY name`);

export const ALERTS_QUERY: SourceQuery = sourceQuery('agent.alerts', `
SELECT name, message_id, severity, CAST(enabled AS int) AS enabled FROM msdb.dbo.sysalerts ORDER BY name`);

export const LINKED_SERVERS_QUERY: SourceQuery = sourceQuery('objects.linkedServers', `
SELECT s.name, s.product, s.provider, s.data_source, s.location, s.provider_string, s.catalog,
  p.name AS local_login, CAST(l.uses_self_credential AS int) AS uses_self_credential, l.remote_name
FROM sys.servers AS s
LEFT JOIN sys.linked_logins AS l ON l.server_id = s.server_id
LEFT JOIN sys.server_principals AS p ON p.principal_id = l.local_principal_id
WHERE s.is_linked = 1
ORDER BY s.name, p.name`);

export const CREDENTIALS_QUERY: SourceQuery = sourceQuery('objects.credentials', `
SELECT name, credential_identity FROM sys.credentials ORDER BY name`);

export const MAIL_QUERY: SourceQuery = sourceQuery('objects.databaseMail', `
SELECT N'account' AS kind, a.name, a.email_address, a.display_name, a.replyto_address, a.description, s.servername, s.servertype, s.port,
  s.username, CAST(s.use_default_credentials AS int) AS use_default_credentials, CAST(s.enable_ssl AS int) AS enable_ssl,
  CAST(NULL AS nvarchar(128)) AS account_name, CAST(NULL AS int) AS sequence_number
FROM msdb.dbo.sysmail_account AS a
JOIN msdb.dbo.sysmail_server AS s ON s.account_id = a.account_id
UNION ALL
SELECT N'profile' AS kind, p.name, NULL, NULL, NULL, p.description, NULL, NULL, NULL, NULL, NULL, NULL, a.name, pa.sequence_number
FROM msdb.dbo.sysmail_profile AS p
LEFT JOIN msdb.dbo.sysmail_profileaccount AS pa ON pa.profile_id = p.profile_id
LEFT JOIN msdb.dbo.sysmail_account AS a ON a.account_id = pa.account_id`);

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const opt = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const bool = (v: unknown) => v === true || v === 1 || v === '1';

export async function readServerObjects(conn: SourceConnection, options: QueryOptions = {}): Promise<ServerObjects> {
  const unreadable: ServerObjects['unreadable'] = [];
  const tolerant = async (part: string, q: SourceQuery): Promise<Row[]> => {
    try {
      return await conn.query<Row>(q, options);
    } catch (e) {
      if (!(e instanceof SourceError) || e.kind !== 'permission') throw e;
      unreadable.push({ part, message: e.message });
      return [];
    }
  };
  const [jobs, steps, schedules, operators, alerts, linked, credentials, mail] = [
    await tolerant('Agent jobs', JOBS_QUERY), await tolerant('Agent job steps', STEPS_QUERY), await tolerant('Agent schedules', SCHEDULES_QUERY),
    await tolerant('operators', OPERATORS_QUERY), await tolerant('alerts', ALERTS_QUERY), await tolerant('linked servers', LINKED_SERVERS_QUERY),
    await tolerant('credentials', CREDENTIALS_QUERY), await tolerant('Database Mail', MAIL_QUERY),
  ];
  const byJob = <T>(rows: Row[], map: (r: Row) => T) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const id = str(r.job_id).toLowerCase();
      if (!m.has(id)) m.set(id, []);
      m.get(id)!.push(map(r));
    }
    return m;
  };
  const stepsOf = byJob(steps, (r): JobStep => ({
    id: num(r.step_id), name: str(r.step_name), subsystem: str(r.subsystem), command: str(r.command), database: opt(r.database_name), databaseUser: opt(r.database_user_name),
    onSuccessAction: num(r.on_success_action), onSuccessStepId: num(r.on_success_step_id), onFailAction: num(r.on_fail_action), onFailStepId: num(r.on_fail_step_id),
    retryAttempts: num(r.retry_attempts), retryInterval: num(r.retry_interval), outputFile: opt(r.output_file_name), proxy: opt(r.proxy_name),
  }));
  const schedulesOf = byJob(schedules, (r): JobSchedule => ({
    name: str(r.name), enabled: bool(r.enabled), freqType: num(r.freq_type), freqInterval: num(r.freq_interval), freqSubdayType: num(r.freq_subday_type),
    freqSubdayInterval: num(r.freq_subday_interval), freqRelativeInterval: num(r.freq_relative_interval), freqRecurrenceFactor: num(r.freq_recurrence_factor),
    activeStartDate: num(r.active_start_date), activeEndDate: num(r.active_end_date), activeStartTime: num(r.active_start_time), activeEndTime: num(r.active_end_time),
  }));
  const linkedServers = new Map<string, LinkedServer>();
  for (const r of linked) {
    const key = str(r.name).toLowerCase();
    const s = linkedServers.get(key) ?? {
      name: str(r.name), product: str(r.product), provider: str(r.provider), dataSource: opt(r.data_source), location: opt(r.location),
      providerString: opt(r.provider_string), catalog: opt(r.catalog), logins: [],
    };
    if (r.uses_self_credential !== null && r.uses_self_credential !== undefined) {
      s.logins.push({ localLogin: opt(r.local_login), useSelf: bool(r.uses_self_credential), remoteUser: opt(r.remote_name) });
    }
    linkedServers.set(key, s);
  }
  const mailProfiles = new Map<string, MailProfile>();
  for (const r of mail.filter((m) => m.kind === 'profile')) {
    const key = str(r.name).toLowerCase();
    const p = mailProfiles.get(key) ?? { name: str(r.name), description: opt(r.description), accounts: [] };
    if (r.account_name) p.accounts.push({ account: str(r.account_name), sequence: num(r.sequence_number) });
    mailProfiles.set(key, p);
  }
  return {
    jobs: jobs.map((j) => ({
      name: str(j.name), enabled: bool(j.enabled), description: opt(j.description), category: opt(j.category_name), owner: opt(j.owner_name),
      startStepId: num(j.start_step_id) || 1, notifyLevelEmail: num(j.notify_level_email), notifyEmailOperator: opt(j.notify_email_operator),
      notifyLevelPage: num(j.notify_level_page), notifyLevelNetsend: num(j.notify_level_netsend), notifyLevelEventlog: num(j.notify_level_eventlog),
      deleteLevel: num(j.delete_level),
      steps: stepsOf.get(str(j.job_id).toLowerCase()) ?? [],
      schedules: schedulesOf.get(str(j.job_id).toLowerCase()) ?? [],
    })),
    operators: operators.map((o) => ({ name: str(o.name), enabled: bool(o.enabled), email: opt(o.email_address), pager: opt(o.pager_address), netsend: opt(o.netsend_address) })),
    alerts: alerts.map((a) => ({ name: str(a.name), messageId: num(a.message_id), severity: num(a.severity), enabled: bool(a.enabled) })),
    linkedServers: [...linkedServers.values()],
    credentials: credentials.map((c) => ({ name: str(c.name), identity: str(c.credential_identity) })),
    mailAccounts: mail.filter((m) => m.kind === 'account').map((a) => ({
      name: str(a.name), email: str(a.email_address), displayName: opt(a.display_name), replyTo: opt(a.replyto_address), description: opt(a.description),
      server: str(a.servername), serverType: str(a.servertype) || 'SMTP', port: num(a.port) || 25, username: opt(a.username),
      useDefaultCredentials: bool(a.use_default_credentials), enableSsl: bool(a.enable_ssl),
    })),
    mailProfiles: [...mailProfiles.values()],
    unreadable,
  };
}
