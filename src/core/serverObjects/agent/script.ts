/**
 * One reviewable T-SQL file per server: what Managed Instance supports, scripted object by
 * object (Database Mail, operators, credentials, linked servers, Agent jobs with their T-SQL
 * steps and schedules), and every unsupported item listed with the reason. Secrets are never
 * read: where one is needed the script holds a placeholder N'<FILL IN: ...>' that the user
 * replaces; apply refuses an object that still has one. Each object is one batch in a
 * transaction, headed by a `-- sqlmig:object KIND "NAME"` line that apply reads.
 *
 * What Managed Instance supports comes from Microsoft's "T-SQL differences between SQL Server
 * and Azure SQL Managed Instance" (SQL Server Agent, Linked servers, Credential, Database Mail)
 * and "Automate management tasks using SQL Agent jobs in Azure SQL Managed Instance".
 */
import { execProc, inTransaction, nString, quoteName } from '../tsql';
import type { AgentJob, JobSchedule, JobStep, ServerObjects } from './read';

export type ScriptKind = 'mail-account' | 'mail-profile' | 'operator' | 'credential' | 'linked-server' | 'job';

export interface ScriptedObject {
  kind: ScriptKind;
  name: string;
  /** The batch: statements in a transaction. */
  sql: string;
  /** What the user must fill in before applying. */
  placeholders: string[];
  /** What changed from the source, or what to review. */
  notes: string[];
}

export interface UnsupportedItem {
  kind: ScriptKind | 'alert' | 'job-step' | 'schedule';
  name: string;
  reason: string;
}

export interface ServerObjectScript {
  objects: ScriptedObject[];
  unsupported: UnsupportedItem[];
  warnings: string[];
}

export const PLACEHOLDER_PREFIX = '<FILL IN: ';
const placeholder = (what: string) => `${PLACEHOLDER_PREFIX}${what}>`;

/** The OLE DB providers Managed Instance linked servers and OPENDATASOURCE accept. */
export const SUPPORTED_PROVIDERS = ['SQLNCLI', 'SQLNCLI11', 'SQLOLEDB', 'MSOLEDBSQL', 'MSOLEDBSQL19'];

/** Job step subsystems Managed Instance runs, and why the others do not move. */
export function stepSupport(step: JobStep): { supported: true } | { supported: false; reason: string } {
  switch (step.subsystem.toUpperCase()) {
    case 'TSQL':
      return { supported: true };
    case 'CMDEXEC':
      return { supported: false, reason: 'an operating system (CmdExec) step: Managed Instance has no command shell; run it with Azure Automation or a VM' };
    case 'POWERSHELL':
      return { supported: false, reason: 'a PowerShell step: not supported on Managed Instance; consider Azure Automation' };
    case 'SSIS':
      return { supported: false, reason: 'an SSIS step: on Managed Instance packages run through an Azure-SSIS integration runtime with SSISDB; re-create the step there' };
    case 'ANALYSISQUERY':
    case 'ANALYSISCOMMAND':
      return { supported: false, reason: 'an Analysis Services step: SQL Server Analysis Services is not supported on Managed Instance' };
    case 'MERGE':
      return { supported: false, reason: 'a merge replication step: merge replication is not supported on Managed Instance' };
    case 'QUEUEREADER':
      return { supported: false, reason: 'a Queue Reader step: not supported on Managed Instance' };
    case 'LOGREADER':
    case 'SNAPSHOT':
    case 'DISTRIBUTION':
      return { supported: false, reason: `a replication ${step.subsystem} agent step: created by configuring replication on the target, not copied` };
    case 'ACTIVESCRIPTING':
      return { supported: false, reason: 'an ActiveX Script step: removed from SQL Server' };
    default:
      return { supported: false, reason: `a ${step.subsystem} step: not supported on Managed Instance` };
  }
}

function stepNotes(job: AgentJob, step: JobStep): string[] {
  const notes: string[] = [];
  const where = `step ${step.id} "${step.name}"`;
  if (step.outputFile) notes.push(`${where}: its output file ${step.outputFile} is left out (Managed Instance has no file system to write to)`);
  if (step.proxy) notes.push(`${where}: its proxy ${step.proxy} is left out (proxies are not supported)`);
  if (/xp_cmdshell/i.test(step.command)) notes.push(`${where}: calls xp_cmdshell, which Managed Instance does not have; the step will fail until rewritten`);
  if (/\bTO\s+DISK\b/i.test(step.command)) notes.push(`${where}: backs up TO DISK; Managed Instance backs up only TO URL (COPY_ONLY)`);
  void job;
  return notes;
}

function jobObject(job: AgentJob, operators: Set<string>): { object?: ScriptedObject; unsupported: UnsupportedItem[] } {
  const unsupported: UnsupportedItem[] = [];
  for (const s of job.steps) {
    const support = stepSupport(s);
    if (!support.supported) unsupported.push({ kind: 'job-step', name: `${job.name} / step ${s.id} "${s.name}"`, reason: support.reason });
  }
  if (unsupported.length) {
    return { unsupported: [{ kind: 'job', name: job.name, reason: `not scripted: ${unsupported.length} of its ${job.steps.length} steps cannot run on Managed Instance (listed below); a job without them would not do the same work` }, ...unsupported] };
  }
  const notes: string[] = [];
  if (job.owner) notes.push(`owned by ${job.owner} on the source; on the target it belongs to the login that applies it (change with msdb.dbo.sp_update_job @owner_login_name)`);
  if (job.category && !/^\[Uncategorized/.test(job.category)) notes.push(`category "${job.category}" is not scripted`);
  const email = job.notifyLevelEmail > 0 && job.notifyEmailOperator && operators.has(job.notifyEmailOperator.toLowerCase());
  if (job.notifyLevelEmail > 0 && !email) notes.push(`its email notification to ${job.notifyEmailOperator ?? '(no operator)'} is left out: that operator is not scripted`);
  if (job.notifyLevelPage > 0) notes.push('its pager notification is left out (pager is not supported)');
  if (job.notifyLevelNetsend > 0) notes.push('its net send notification is left out (NetSend is not supported)');
  const statements = [
    execProc('msdb.dbo.sp_add_job', {
      job_name: job.name,
      enabled: job.enabled,
      description: job.description ?? undefined,
      start_step_id: job.startStepId,
      notify_level_eventlog: 0,
      ...(email && { notify_level_email: job.notifyLevelEmail, notify_email_operator_name: job.notifyEmailOperator! }),
      delete_level: job.deleteLevel,
    }),
  ];
  for (const s of job.steps) {
    notes.push(...stepNotes(job, s));
    statements.push(execProc('msdb.dbo.sp_add_jobstep', {
      job_name: job.name,
      step_id: s.id,
      step_name: s.name,
      subsystem: 'TSQL',
      command: s.command,
      database_name: s.database ?? 'master',
      database_user_name: s.databaseUser ?? undefined,
      on_success_action: s.onSuccessAction || 1,
      on_success_step_id: s.onSuccessStepId,
      on_fail_action: s.onFailAction || 2,
      on_fail_step_id: s.onFailStepId,
      retry_attempts: s.retryAttempts,
      retry_interval: s.retryInterval,
    }));
  }
  for (const sc of job.schedules) {
    if (sc.freqType === 128) {
      unsupported.push({ kind: 'schedule', name: `${job.name} / schedule "${sc.name}"`, reason: 'runs when the CPU is idle, which Managed Instance does not support; the job is scripted without it' });
      continue;
    }
    statements.push(scheduleStatement(job.name, sc));
  }
  statements.push(execProc('msdb.dbo.sp_add_jobserver', { job_name: job.name, server_name: '(local)' }));
  return { object: { kind: 'job', name: job.name, sql: inTransaction(statements), placeholders: [], notes }, unsupported };
}

function scheduleStatement(jobName: string, s: JobSchedule): string {
  return execProc('msdb.dbo.sp_add_jobschedule', {
    job_name: jobName,
    name: s.name,
    enabled: s.enabled,
    freq_type: s.freqType,
    freq_interval: s.freqInterval,
    freq_subday_type: s.freqSubdayType,
    freq_subday_interval: s.freqSubdayInterval,
    freq_relative_interval: s.freqRelativeInterval,
    freq_recurrence_factor: s.freqRecurrenceFactor,
    active_start_date: s.activeStartDate,
    active_end_date: s.activeEndDate,
    active_start_time: s.activeStartTime,
    active_end_time: s.activeEndTime,
  });
}

/** Credential identities Managed Instance accepts (case-insensitive). */
const CREDENTIAL_IDENTITIES = ['SHARED ACCESS SIGNATURE', 'MANAGED IDENTITY'];

export function scriptServerObjects(src: ServerObjects): ServerObjectScript {
  const objects: ScriptedObject[] = [];
  const unsupported: UnsupportedItem[] = [];
  const warnings: string[] = src.unreadable.map((u) => `${u.part} could not be read: ${u.message}`);

  const accounts = new Set<string>();
  for (const a of src.mailAccounts) {
    if (a.useDefaultCredentials) {
      unsupported.push({ kind: 'mail-account', name: a.name, reason: 'signs in to the mail server with the SQL Server service\'s Windows credentials, which Managed Instance does not have; use an SMTP user name and password' });
      continue;
    }
    const placeholders = a.username ? [`password of mail account ${a.name} (SMTP user ${a.username})`] : [];
    accounts.add(a.name.toLowerCase());
    objects.push({
      kind: 'mail-account', name: a.name, placeholders,
      notes: [`the mail server ${a.server}:${a.port} must be reachable from the managed instance's network (outbound rule for port ${a.port})`],
      sql: inTransaction([execProc('msdb.dbo.sysmail_add_account_sp', {
        account_name: a.name, email_address: a.email, display_name: a.displayName ?? undefined, replyto_address: a.replyTo ?? undefined,
        description: a.description ?? undefined, mailserver_name: a.server, mailserver_type: a.serverType, port: a.port,
        username: a.username ?? undefined, password: a.username ? placeholder(placeholders[0]!) : undefined, enable_ssl: a.enableSsl,
      })]),
    });
  }
  for (const p of src.mailProfiles) {
    const members = p.accounts.filter((a) => accounts.has(a.account.toLowerCase()));
    const notes = p.accounts.filter((a) => !accounts.has(a.account.toLowerCase())).map((a) => `account ${a.account} is not scripted, so it is not in the profile`);
    objects.push({
      kind: 'mail-profile', name: p.name, placeholders: [], notes,
      sql: inTransaction([
        execProc('msdb.dbo.sysmail_add_profile_sp', { profile_name: p.name, description: p.description ?? undefined }),
        ...members.map((a) => execProc('msdb.dbo.sysmail_add_profileaccount_sp', { profile_name: p.name, account_name: a.account, sequence_number: a.sequence })),
      ]),
    });
  }
  if (src.mailProfiles.length && !src.mailProfiles.some((p) => p.name === 'AzureManagedInstance_dbmail_profile')) {
    warnings.push('SQL Server Agent on Managed Instance sends mail only through a Database Mail profile named AzureManagedInstance_dbmail_profile: create it (or rename one) for job notifications');
  }

  const operators = new Set<string>();
  for (const o of src.operators) {
    const notes = [...(o.pager ? [`pager address ${o.pager} left out (pager is not supported)`] : []), ...(o.netsend ? [`net send address ${o.netsend} left out (NetSend is not supported)`] : [])];
    if (!o.email) {
      unsupported.push({ kind: 'operator', name: o.name, reason: 'has no email address, and email is the only notification Managed Instance supports' });
      continue;
    }
    operators.add(o.name.toLowerCase());
    objects.push({ kind: 'operator', name: o.name, placeholders: [], notes, sql: inTransaction([execProc('msdb.dbo.sp_add_operator', { name: o.name, enabled: o.enabled, email_address: o.email })]) });
  }
  for (const a of src.alerts) unsupported.push({ kind: 'alert', name: a.name, reason: 'SQL Server Agent alerts are not supported on Managed Instance yet' });

  for (const c of src.credentials) {
    const identity = c.identity.trim().toUpperCase();
    if (!CREDENTIAL_IDENTITIES.includes(identity)) {
      unsupported.push({ kind: 'credential', name: c.name, reason: `its identity ${c.identity} is a Windows account or another secret; Managed Instance credentials hold a shared access signature, a managed identity or an Azure Key Vault identity` });
      continue;
    }
    const placeholders = identity === 'SHARED ACCESS SIGNATURE' ? [`the shared access signature of credential ${c.name}`] : [];
    const secret = placeholders.length ? `, SECRET = ${nString(placeholder(placeholders[0]!))}` : '';
    objects.push({ kind: 'credential', name: c.name, placeholders, notes: [], sql: inTransaction([`CREATE CREDENTIAL ${quoteName(c.name)} WITH IDENTITY = ${nString(c.identity)}${secret};`]) });
  }

  for (const s of src.linkedServers) {
    if (!SUPPORTED_PROVIDERS.includes(s.provider.toUpperCase())) {
      unsupported.push({ kind: 'linked-server', name: s.name, reason: `provider ${s.provider}${s.product ? ` (${s.product})` : ''}: Managed Instance linked servers reach SQL Server, SQL Database, SQL Managed Instance and Synapse SQL only, through ${SUPPORTED_PROVIDERS.slice(0, 4).join(', ')}` });
      continue;
    }
    const placeholders: string[] = [];
    const notes = [`${s.dataSource ?? s.name} must be reachable from the managed instance's virtual network`];
    if (/^SQLNCLI|^SQLOLEDB$/i.test(s.provider)) notes.push(`provider ${s.provider} is legacy; MSOLEDBSQL is the recommended one`);
    const statements = [execProc('master.dbo.sp_addlinkedserver', {
      server: s.name, srvproduct: s.product, provider: s.provider, datasrc: s.dataSource ?? undefined, location: s.location ?? undefined,
      provstr: s.providerString ?? undefined, catalog: s.catalog ?? undefined,
    })];
    for (const l of s.logins) {
      if (l.useSelf) {
        statements.push(execProc('master.dbo.sp_addlinkedsrvlogin', { rmtsrvname: s.name, useself: 'True', locallogin: l.localLogin }));
        continue;
      }
      if (!l.remoteUser) continue;
      const what = `password of ${l.remoteUser} on linked server ${s.name}`;
      placeholders.push(what);
      statements.push(execProc('master.dbo.sp_addlinkedsrvlogin', { rmtsrvname: s.name, useself: 'False', locallogin: l.localLogin, rmtuser: l.remoteUser, rmtpassword: placeholder(what) }));
    }
    objects.push({ kind: 'linked-server', name: s.name, placeholders, notes, sql: inTransaction(statements) });
  }

  for (const j of src.jobs) {
    const { object, unsupported: u } = jobObject(j, operators);
    if (object) objects.push(object);
    unsupported.push(...u);
  }
  return { objects, unsupported, warnings };
}

/** The file: a header that lists what was left out and why, then one batch per object. */
export function scriptText(script: ServerObjectScript, source: string, generatedAt = new Date()): string {
  const lines = [
    `-- sqlmig: server objects of ${source} for Azure SQL Managed Instance (generated ${generatedAt.toISOString()})`,
    '-- Review every object. Replace each <FILL IN: ...> placeholder with the secret it names; an object',
    '-- that still has one is not applied. Apply object by object with: sqlmig server-objects apply --script FILE',
    '-- Jobs are created with notify_level_eventlog = 0: Managed Instance has no Windows event log.',
    '--',
  ];
  if (script.warnings.length) lines.push('-- Warnings:', ...script.warnings.map((w) => `--   ${w.replace(/[\r\n]+/g, ' ')}`), '--');
  if (script.unsupported.length) {
    lines.push('-- Not scripted (not supported on Managed Instance):');
    for (const u of script.unsupported) lines.push(`--   ${u.kind} ${JSON.stringify(u.name)}: ${u.reason.replace(/[\r\n]+/g, ' ')}`);
  } else lines.push('-- Everything found is scripted.');
  lines.push('');
  const oneLine = (t: string) => t.replace(/[\r\n]+/g, ' ');
  for (const o of script.objects) {
    lines.push(`-- sqlmig:object ${o.kind} ${JSON.stringify(o.name)}`);
    for (const n of o.notes) lines.push(`-- note: ${oneLine(n)}`);
    for (const p of o.placeholders) lines.push(`-- fill in: ${oneLine(p)}`);
    lines.push(o.sql, 'GO', '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
