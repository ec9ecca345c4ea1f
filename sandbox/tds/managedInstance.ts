/**
 * The sandbox's managed instance, as a second TDS server: SERVERPROPERTY('EngineEdition') = 8,
 * the databases the sandbox restored (with the users their backups carry), and its own
 * logins, server roles, permissions, credentials, Agent jobs, operators, Database Mail and
 * linked servers, created only through the statements in tsql.ts and with Managed Instance's
 * rules (no Windows logins, Microsoft Entra principals that must exist in the tenant, only
 * T-SQL job steps, SQL Server OLE DB providers, SAS or managed identity credentials). A
 * statement it does not understand is a syntax error; every batch is kept for tests.
 *
 *   const mi = await startManagedInstanceServer({ name: 'sqlmi-sandbox', admin, databases: () => [...] });
 */
import { randomBytes } from 'node:crypto';
import { entraSid } from './principals';
import type { CellValue, ColumnSpec } from './protocol';
import { queryId, SqlError, startTdsServerWith, type QueryRequest, type ResultSet, type RunningTdsServer, type SandboxLogin } from './server';
import type { ProfileDatabase, ProfilePerf, ProfileQuery } from './profile';
import { parseBatch, type ProcValue, type Statement } from './tsql';
import { workloadAnswers, type TableDrift } from './workload';

export interface RestoredDatabase {
  name: string;
  /** The users its backup carries: name, type and SID (as on the source). */
  users?: { name: string; type: 'WINDOWS_USER' | 'WINDOWS_GROUP' | 'SQL_USER'; sid: string }[];
  /** What its backup holds (the source database's description): tables, modules, files, workload. */
  content?: ProfileDatabase;
}

export interface ManagedInstanceServerOptions {
  /** The instance's name (server_name). */
  name: string;
  /** Its host name as ARM gives it (fullyQualifiedDomainName): the TLS certificate is issued for it. */
  hostName?: string;
  host?: string;
  port?: number;
  /** The instance admin (SQL authentication); a random password when absent. */
  admin?: SandboxLogin;
  /** Microsoft Entra access tokens it accepts (for the cloud's SQL audience). */
  accessTokens?: string[];
  /** The databases on the instance now (the sandbox's restored ones); read on every query. */
  databases?: () => RestoredDatabase[];
  /** Certificates in master (TDE certificates uploaded through ARM); read on every query. */
  certificates?: () => { name: string; thumbprint: string }[];
  /**
   * The Microsoft Entra tenant: its verified domains, its users (UPNs; absent: every name in
   * those domains exists) and its groups by display name.
   */
  entra?: { domains: string[]; users?: string[]; groups: string[] };
  /** The instance's clock for its performance counters (real time by default). */
  clock?: () => number;
  /** Its workload's shape (8 vCores, General Purpose latencies by default). */
  perf?: ProfilePerf;
  /** Restored tables that differ from their source (a scenario for validation). */
  drift?: () => TableDrift[];
}

/** How the sandbox instance runs the source's queries: reports slower (remote storage), the rest a little faster. */
function miQueryFactor(_database: string, q: ProfileQuery): { cpu: number; duration: number } {
  return /report/i.test(q.text) ? { cpu: 1.1, duration: 1.45 } : { cpu: 0.85, duration: 0.9 };
}

interface LoginRec { name: string; type: 'S' | 'E' | 'X'; sid: string; disabled: boolean; defaultDatabase: string; defaultLanguage: string; passwordHash?: string }
interface JobRec { name: string; enabled: boolean; steps: { id: number; name: string; subsystem: string; command: string; database: string }[]; schedules: string[]; servers: string[] }

export interface ManagedInstanceState {
  logins: Map<string, LoginRec>;
  roles: Map<string, { name: string; fixed: boolean; members: Set<string> }>;
  permissions: { state: string; permission: string; grantee: string; on?: string }[];
  credentials: Map<string, { name: string; identity: string; hasSecret: boolean }>;
  jobs: Map<string, JobRec>;
  operators: Map<string, { name: string; email: string | null }>;
  mailAccounts: Map<string, { name: string; email: string; server: string }>;
  mailProfiles: Map<string, { name: string; accounts: string[] }>;
  linkedServers: Map<string, { name: string; provider: string; dataSource: string | null; logins: { local: string | null; remote: string | null }[] }>;
  /** Users changed by ALTER USER, by database then user (lower case). */
  users: Map<string, Map<string, { sid: string; type: string }>>;
}

export interface RunningManagedInstance extends RunningTdsServer {
  state: ManagedInstanceState;
  /** Every batch or statement received, in order (queries and DDL). */
  batches: string[];
  admin: SandboxLogin;
}

const FIXED_ROLES = ['sysadmin', 'securityadmin', 'serveradmin', 'setupadmin', 'processadmin', 'diskadmin', 'dbcreator', 'bulkadmin', 'public'];
const PROVIDERS = ['SQLNCLI', 'SQLNCLI11', 'SQLOLEDB', 'MSOLEDBSQL', 'MSOLEDBSQL19'];
const SERVER_PERMISSIONS = new Set([
  'ADMINISTER BULK OPERATIONS', 'ALTER ANY CONNECTION', 'ALTER ANY CREDENTIAL', 'ALTER ANY DATABASE', 'ALTER ANY EVENT NOTIFICATION', 'ALTER ANY EVENT SESSION',
  'ALTER ANY LINKED SERVER', 'ALTER ANY LOGIN', 'ALTER ANY SERVER AUDIT', 'ALTER ANY SERVER ROLE', 'ALTER SERVER STATE', 'ALTER TRACE', 'AUTHENTICATE SERVER',
  'CONNECT ANY DATABASE', 'CONNECT SQL', 'CONTROL SERVER', 'CREATE ANY DATABASE', 'CREATE DDL EVENT NOTIFICATION', 'CREATE SERVER ROLE', 'EXTERNAL ACCESS ASSEMBLY',
  'IMPERSONATE ANY LOGIN', 'SELECT ALL USER SECURABLES', 'UNSAFE ASSEMBLY', 'VIEW ANY DATABASE', 'VIEW ANY DEFINITION', 'VIEW SERVER STATE', 'IMPERSONATE', 'CONTROL',
  'ALTER', 'VIEW DEFINITION', 'VIEW SERVER PERFORMANCE STATE', 'VIEW SERVER SECURITY STATE',
]);

/** Each procedure the instance runs, with the parameters its documentation lists. */
const PROCEDURES: Record<string, { params: string[]; required: string[] }> = {
  'msdb.dbo.sp_add_job': { params: ['job_name', 'enabled', 'description', 'start_step_id', 'category_name', 'category_id', 'owner_login_name', 'notify_level_eventlog', 'notify_level_email', 'notify_level_netsend', 'notify_level_page', 'notify_email_operator_name', 'notify_netsend_operator_name', 'notify_page_operator_name', 'delete_level', 'job_id'], required: ['job_name'] },
  'msdb.dbo.sp_add_jobstep': { params: ['job_id', 'job_name', 'step_id', 'step_name', 'subsystem', 'command', 'additional_parameters', 'cmdexec_success_code', 'on_success_action', 'on_success_step_id', 'on_fail_action', 'on_fail_step_id', 'server', 'database_name', 'database_user_name', 'retry_attempts', 'retry_interval', 'os_run_priority', 'output_file_name', 'flags', 'proxy_id', 'proxy_name', 'step_uid'], required: ['step_name'] },
  'msdb.dbo.sp_add_jobschedule': { params: ['job_id', 'job_name', 'name', 'enabled', 'freq_type', 'freq_interval', 'freq_subday_type', 'freq_subday_interval', 'freq_relative_interval', 'freq_recurrence_factor', 'active_start_date', 'active_end_date', 'active_start_time', 'active_end_time', 'schedule_id', 'automatic_post', 'schedule_uid'], required: ['name'] },
  'msdb.dbo.sp_add_jobserver': { params: ['job_id', 'job_name', 'server_name'], required: [] },
  'msdb.dbo.sp_add_operator': { params: ['name', 'enabled', 'email_address', 'pager_address', 'weekday_pager_start_time', 'weekday_pager_end_time', 'saturday_pager_start_time', 'saturday_pager_end_time', 'sunday_pager_start_time', 'sunday_pager_end_time', 'pager_days', 'netsend_address', 'category_name'], required: ['name'] },
  'msdb.dbo.sysmail_add_account_sp': { params: ['account_name', 'email_address', 'display_name', 'replyto_address', 'description', 'mailserver_name', 'mailserver_type', 'port', 'username', 'password', 'use_default_credentials', 'enable_ssl', 'account_id'], required: ['account_name', 'email_address', 'mailserver_name'] },
  'msdb.dbo.sysmail_add_profile_sp': { params: ['profile_name', 'description', 'profile_id'], required: ['profile_name'] },
  'msdb.dbo.sysmail_add_profileaccount_sp': { params: ['profile_id', 'profile_name', 'account_id', 'account_name', 'sequence_number'], required: ['sequence_number'] },
  'master.dbo.sp_addlinkedserver': { params: ['server', 'srvproduct', 'provider', 'datasrc', 'location', 'provstr', 'catalog', 'linkedstrategy'], required: ['server'] },
  'master.dbo.sp_addlinkedsrvlogin': { params: ['rmtsrvname', 'useself', 'locallogin', 'rmtuser', 'rmtpassword'], required: ['rmtsrvname'] },
};

const err = (number: number, message: string, severity = 16) => new SqlError(number, message, severity);
const col = (name: string, type: ColumnSpec['type']): ColumnSpec => ({ name, type });
const set = (columns: ColumnSpec[], rows: CellValue[][]): ResultSet[] => [{ columns, rows }];

function newState(adminName: string): ManagedInstanceState {
  const roles = new Map(FIXED_ROLES.map((r) => [r, { name: r, fixed: true, members: new Set<string>() }]));
  roles.get('sysadmin')!.members.add(adminName.toLowerCase());
  return {
    logins: new Map([[adminName.toLowerCase(), { name: adminName, type: 'S', sid: `0x${randomBytes(16).toString('hex').toUpperCase()}`, disabled: false, defaultDatabase: 'master', defaultLanguage: 'us_english' }]]),
    roles, permissions: [], credentials: new Map(), jobs: new Map(), operators: new Map(), mailAccounts: new Map(), mailProfiles: new Map(),
    linkedServers: new Map(), users: new Map(),
  };
}

const text = (v: ProcValue | undefined): string | null => (v === undefined || v === null ? null : typeof v === 'object' ? v.binary : String(v));

export async function startManagedInstanceServer(options: ManagedInstanceServerOptions): Promise<RunningManagedInstance> {
  const admin = options.admin ?? { user: 'sqladmin', password: randomBytes(12).toString('base64url') };
  let state = newState(admin.user);
  const batches: string[] = [];
  const entra = options.entra ?? { domains: ['contoso.com'], groups: [] };
  const databases = () => options.databases?.() ?? [];
  const findDb = (name: string) => databases().find((d) => d.name.toLowerCase() === name.toLowerCase());

  function usersOf(s: ManagedInstanceState, db: RestoredDatabase) {
    const overlay = s.users.get(db.name.toLowerCase()) ?? new Map();
    return (db.users ?? []).map((u) => {
      const changed = overlay.get(u.name.toLowerCase());
      const type = changed?.type ?? (u.type === 'SQL_USER' ? 'S' : u.type === 'WINDOWS_GROUP' ? 'G' : 'U');
      return { name: u.name, type, sid: changed?.sid ?? u.sid };
    });
  }

  function execute(s: ManagedInstanceState, st: Statement, req: QueryRequest): void {
    const login = (name: string) => s.logins.get(name.toLowerCase());
    switch (st.kind) {
      case 'set':
      case 'begin-transaction':
      case 'commit-transaction':
        return;
      case 'create-login-windows':
        throw err(40517, "Keyword or statement option 'FROM WINDOWS' is not supported in this version of SQL Server.", 15);
      case 'create-login-sql': {
        if (login(st.name)) throw err(15025, `The server principal '${st.name}' already exists.`);
        if (st.name.includes('\\')) throw err(15407, `'${st.name}' is not a valid Windows NT name. Give the complete name: <domain\\username>.`);
        const o = st.options;
        const sid = typeof o.SID === 'string' ? `0x${o.SID}` : `0x${randomBytes(16).toString('hex').toUpperCase()}`;
        if (typeof o.SID === 'string' && (o.SID.length < 2 || o.SID.length > 170)) throw err(15419, 'Supplied parameter sid should be binary(16).');
        if ([...s.logins.values()].some((l) => l.sid === sid)) throw err(15433, 'Supplied parameter sid is in use.');
        if (st.passwordHash !== undefined && !/^0(1|2)00[0-9A-F]+$/.test(st.passwordHash)) throw err(15021, 'Invalid value given for parameter PASSWORD. Specify a valid parameter value.');
        if (st.passwordHash?.startsWith('0200') && st.passwordHash.length !== 140) throw err(15021, 'Invalid value given for parameter PASSWORD. Specify a valid parameter value.');
        if (o.CHECK_EXPIRATION === true && o.CHECK_POLICY === false) throw err(15122, 'The CHECK_EXPIRATION option cannot be used when CHECK_POLICY is OFF.');
        const db = typeof o.DEFAULT_DATABASE === 'string' ? o.DEFAULT_DATABASE : 'master';
        if (db.toLowerCase() !== 'master' && !findDb(db)) throw err(15010, `The database '${db}' does not exist. Supply a valid database name. To see available databases, use sys.databases.`);
        s.logins.set(st.name.toLowerCase(), {
          name: st.name, type: 'S', sid, disabled: false, defaultDatabase: db, defaultLanguage: typeof o.DEFAULT_LANGUAGE === 'string' ? o.DEFAULT_LANGUAGE : 'us_english',
          ...(st.passwordHash && { passwordHash: st.passwordHash }),
        });
        return;
      }
      case 'create-login-external': {
        if (login(st.name)) throw err(15025, `The server principal '${st.name}' already exists.`);
        const at = st.name.lastIndexOf('@');
        const inDomain = at > 0 && entra.domains.some((d) => d.toLowerCase() === st.name.slice(at + 1).toLowerCase());
        const found = at > 0 ? inDomain && (!entra.users || entra.users.some((u) => u.toLowerCase() === st.name.toLowerCase())) : entra.groups.some((g) => g.toLowerCase() === st.name.toLowerCase());
        if (!found) throw err(33130, `Principal '${st.name}' could not be found or this principal type is not supported.`);
        s.logins.set(st.name.toLowerCase(), { name: st.name, type: at > 0 ? 'E' : 'X', sid: entraSid(st.name), disabled: false, defaultDatabase: 'master', defaultLanguage: 'us_english' });
        return;
      }
      case 'alter-login-state': {
        const l = login(st.name);
        if (!l) throw err(15151, `Cannot alter the login '${st.name}', because it does not exist or you do not have permission.`);
        l.disabled = !st.enabled;
        return;
      }
      case 'alter-login-options': {
        const l = login(st.name);
        if (!l) throw err(15151, `Cannot alter the login '${st.name}', because it does not exist or you do not have permission.`);
        const db = st.options.DEFAULT_DATABASE;
        if (db && db.toLowerCase() !== 'master' && !findDb(db)) throw err(15010, `The database '${db}' does not exist. Supply a valid database name. To see available databases, use sys.databases.`);
        if (db) l.defaultDatabase = db;
        if (st.options.DEFAULT_LANGUAGE) l.defaultLanguage = st.options.DEFAULT_LANGUAGE;
        return;
      }
      case 'create-server-role':
        if (s.roles.has(st.name.toLowerCase()) || login(st.name)) throw err(15025, `The server principal '${st.name}' already exists.`);
        s.roles.set(st.name.toLowerCase(), { name: st.name, fixed: false, members: new Set() });
        return;
      case 'alter-server-role-add': {
        const role = s.roles.get(st.role.toLowerCase());
        if (!role) throw err(15151, `Cannot alter the server role '${st.role}', because it does not exist or you do not have permission.`);
        if (!login(st.member) && !s.roles.has(st.member.toLowerCase())) throw err(15151, `Cannot add the principal '${st.member}', because it does not exist or you do not have permission.`);
        role.members.add(st.member.toLowerCase());
        return;
      }
      case 'permission': {
        if (!login(st.grantee) && !s.roles.has(st.grantee.toLowerCase())) throw err(15151, `Cannot find the login '${st.grantee}', because it does not exist or you do not have permission.`);
        for (const p of st.permissions) {
          if (!SERVER_PERMISSIONS.has(p)) throw err(102, `Incorrect syntax near '${p}'.`, 15);
          if (st.on && !login(st.on.name)) throw err(15151, `Cannot find the login '${st.on.name}', because it does not exist or you do not have permission.`);
          s.permissions.push({ state: st.withGrantOption ? 'GRANT_WITH_GRANT_OPTION' : st.state, permission: p, grantee: st.grantee, ...(st.on && { on: st.on.name }) });
        }
        return;
      }
      case 'alter-user-login': {
        const db = findDb(req.database);
        if (!db) throw err(15151, `Cannot alter the user '${st.user}', because it does not exist or you do not have permission.`);
        const users = usersOf(s, db);
        const user = users.find((u) => u.name.toLowerCase() === st.user.toLowerCase());
        if (!user) throw err(15151, `Cannot alter the user '${st.user}', because it does not exist or you do not have permission.`);
        const l = login(st.login);
        if (!l) throw err(15151, `Cannot find the login '${st.login}', because it does not exist or you do not have permission.`);
        if (users.some((u) => u !== user && u.sid === l.sid)) throw err(15063, 'The login already has an account under a different user name.');
        const overlay = s.users.get(db.name.toLowerCase()) ?? new Map();
        overlay.set(user.name.toLowerCase(), { sid: l.sid, type: l.type });
        s.users.set(db.name.toLowerCase(), overlay);
        return;
      }
      case 'create-credential': {
        if (s.credentials.has(st.name.toLowerCase())) throw err(15025, `The credential '${st.name}' already exists.`);
        const identity = st.identity.toUpperCase();
        if (identity !== 'SHARED ACCESS SIGNATURE' && identity !== 'MANAGED IDENTITY') throw err(41929, `Credential identity '${st.identity}' is not supported: use SHARED ACCESS SIGNATURE or Managed Identity.`);
        s.credentials.set(st.name.toLowerCase(), { name: st.name, identity: st.identity, hasSecret: st.secret !== undefined });
        return;
      }
      case 'exec':
        return execProcedure(s, st.procedure, st.params);
    }
  }

  function execProcedure(s: ManagedInstanceState, procedure: string, params: Map<string, ProcValue>): void {
    const spec = PROCEDURES[procedure];
    if (!spec) throw err(2812, `Could not find stored procedure '${procedure}'.`);
    for (const k of params.keys()) if (!spec.params.includes(k)) throw err(8145, `@${k} is not a parameter for procedure ${procedure.split('.').pop()}.`);
    for (const r of spec.required) if (text(params.get(r)) === null) throw err(201, `Procedure or function '${procedure.split('.').pop()}' expects parameter '@${r}', which was not supplied.`);
    const p = (k: string) => text(params.get(k));
    const job = () => {
      const name = p('job_name');
      const j = name ? s.jobs.get(name.toLowerCase()) : undefined;
      if (!j) throw err(14262, `The specified @job_name ('${name}') does not exist.`);
      return j;
    };
    switch (procedure) {
      case 'msdb.dbo.sp_add_job': {
        const name = p('job_name')!;
        if (s.jobs.has(name.toLowerCase())) throw err(14261, `The specified @job_name ('${name}') already exists.`);
        const operator = p('notify_email_operator_name');
        if (operator && !s.operators.has(operator.toLowerCase())) throw err(14234, `The specified '@notify_email_operator_name' is invalid (valid values are returned by sp_help_operator).`);
        s.jobs.set(name.toLowerCase(), { name, enabled: p('enabled') !== '0', steps: [], schedules: [], servers: [] });
        return;
      }
      case 'msdb.dbo.sp_add_jobstep': {
        const j = job();
        const subsystem = (p('subsystem') ?? 'TSQL').toUpperCase();
        if (subsystem === 'CMDEXEC' || subsystem === 'POWERSHELL') throw err(41914, `SQL Server Agent feature ${subsystem === 'CMDEXEC' ? 'Command shell' : 'PowerShell'} is not supported in SQL Database Managed Instance. Review the documentation for supported options.`);
        if (!['TSQL', 'SSIS', 'LOGREADER', 'SNAPSHOT', 'DISTRIBUTION'].includes(subsystem)) throw err(41914, `SQL Server Agent feature ${subsystem} is not supported in SQL Database Managed Instance. Review the documentation for supported options.`);
        const db = p('database_name') ?? 'master';
        if (!['master', 'msdb', 'model', 'tempdb'].includes(db.toLowerCase()) && !findDb(db)) throw err(14262, `The specified @database_name ('${db}') does not exist.`);
        if (p('output_file_name')) throw err(41914, 'SQL Server Agent feature Output file is not supported in SQL Database Managed Instance.');
        j.steps.push({ id: Number(p('step_id') ?? j.steps.length + 1), name: p('step_name')!, subsystem, command: p('command') ?? '', database: db });
        return;
      }
      case 'msdb.dbo.sp_add_jobschedule': {
        const j = job();
        if (p('freq_type') === '128') throw err(41914, 'SQL Server Agent feature Schedule job ONIDLE is not supported in SQL Database Managed Instance.');
        j.schedules.push(p('name')!);
        return;
      }
      case 'msdb.dbo.sp_add_jobserver':
        job().servers.push(p('server_name') ?? '(local)');
        return;
      case 'msdb.dbo.sp_add_operator': {
        const name = p('name')!;
        if (s.operators.has(name.toLowerCase())) throw err(14261, `The specified @name ('${name}') already exists.`);
        if (p('pager_address') || p('netsend_address')) throw err(41914, 'SQL Server Agent feature Pager/NetSend notification is not supported in SQL Database Managed Instance.');
        s.operators.set(name.toLowerCase(), { name, email: p('email_address') });
        return;
      }
      case 'msdb.dbo.sysmail_add_account_sp': {
        const name = p('account_name')!;
        if (s.mailAccounts.has(name.toLowerCase())) throw err(14614, `Account '${name}' already exists.`);
        if (p('use_default_credentials') === '1') throw err(41914, 'Database Mail with the service\'s Windows credentials is not supported in SQL Database Managed Instance.');
        s.mailAccounts.set(name.toLowerCase(), { name, email: p('email_address')!, server: p('mailserver_name')! });
        return;
      }
      case 'msdb.dbo.sysmail_add_profile_sp': {
        const name = p('profile_name')!;
        if (s.mailProfiles.has(name.toLowerCase())) throw err(14614, `Profile '${name}' already exists.`);
        s.mailProfiles.set(name.toLowerCase(), { name, accounts: [] });
        return;
      }
      case 'msdb.dbo.sysmail_add_profileaccount_sp': {
        const profile = s.mailProfiles.get((p('profile_name') ?? '').toLowerCase());
        if (!profile) throw err(14607, `profile name is not valid`);
        const account = s.mailAccounts.get((p('account_name') ?? '').toLowerCase());
        if (!account) throw err(14607, `account name is not valid`);
        profile.accounts.push(account.name);
        return;
      }
      case 'master.dbo.sp_addlinkedserver': {
        const name = p('server')!;
        if (s.linkedServers.has(name.toLowerCase())) throw err(15028, `The server '${name}' already exists.`);
        const provider = p('provider') ?? 'SQLNCLI';
        if (!PROVIDERS.includes(provider.toUpperCase())) throw err(7403, `The OLE DB provider "${provider}" has not been registered.`);
        s.linkedServers.set(name.toLowerCase(), { name, provider, dataSource: p('datasrc'), logins: [] });
        return;
      }
      case 'master.dbo.sp_addlinkedsrvlogin': {
        const server = s.linkedServers.get((p('rmtsrvname') ?? '').toLowerCase());
        if (!server) throw err(15015, `The server '${p('rmtsrvname')}' does not exist. Use sp_helpserver to show available servers.`);
        const local = p('locallogin');
        if (local && !s.logins.has(local.toLowerCase())) throw err(15007, `'${local}' is not a valid login or you do not have permission.`);
        server.logins.push({ local, remote: p('rmtuser') });
        return;
      }
    }
  }

  const workload = workloadAnswers({
    majorVersion: 12,
    now: options.clock ?? Date.now,
    perf: options.perf ?? { cpuCount: 8, memoryGb: 40, cpuQuiet: 5, cpuPeak: 42, readLatencyMs: 6.5, writeLatencyMs: 6, logWriteLatencyMs: 4.5, startedAt: '2026-11-01T00:00:00Z' },
    ...(options.drift && { drift: options.drift }),
    queryFactor: miQueryFactor,
    forcedOptions: { recovery_model_desc: 'FULL' },
    databases: () => databases().map((d, i) => {
      const content: ProfileDatabase = { ...(d.content ?? { name: d.name }), name: d.name };
      // A restore raises compatibility levels below 100 to 100.
      if ((content.compatibilityLevel ?? 150) < 100) content.compatibilityLevel = 100;
      return {
        id: 5 + i, name: d.name, state: 'ONLINE', content,
        users: () => usersOf(state, d).map((u) => ({
          name: u.name, type: u.type === 'S' ? 'SQL_USER' : u.type === 'G' ? 'WINDOWS_GROUP' : u.type === 'E' ? 'EXTERNAL_USER' : u.type === 'X' ? 'EXTERNAL_GROUP' : 'WINDOWS_USER',
          sid: u.sid, hasLogin: [...state.logins.values()].some((l) => l.sid === u.sid), authentication: 'INSTANCE' as const,
        })),
      };
    }),
  });

  function answerQuery(id: string, req: QueryRequest): ResultSet[] {
    const fromWorkload = workload[id];
    if (fromWorkload) return fromWorkload(req);
    switch (id) {
      case 'server.properties':
        return set(
          [col('server_name', 'nvarchar'), col('product_version', 'nvarchar'), col('product_level', 'nvarchar'), col('product_update_level', 'nvarchar'), col('edition', 'nvarchar'),
            col('engine_edition', 'int'), col('is_clustered', 'int'), col('is_hadr_enabled', 'int'), col('collation', 'nvarchar'), col('host_platform', 'nvarchar'),
            col('is_sysadmin', 'int'), col('has_control_server', 'int'), col('has_view_server_state', 'int')],
          [[options.name, '12.0.2000.8', 'RTM', null, 'SQL Azure', 8, 0, 1, 'SQL_Latin1_General_CP1_CI_AS', 'Windows', 1, 1, 1]],
        );
      case 'target.databases':
        return set([col('name', 'nvarchar'), col('state_desc', 'nvarchar')], databases().map((d) => [d.name, 'ONLINE']));
      case 'target.logins':
        return set([col('name', 'nvarchar'), col('type', 'nvarchar'), col('sid', 'nvarchar'), col('is_disabled', 'int')],
          [...state.logins.values()].map((l) => [l.name, l.type, l.sid, l.disabled ? 1 : 0]));
      case 'target.serverRoles':
        return set([col('role_name', 'nvarchar'), col('is_fixed_role', 'int'), col('member_name', 'nvarchar')],
          [...state.roles.values()].flatMap((r) => (r.members.size ? [...r.members].map((m) => [r.name, r.fixed ? 1 : 0, state.logins.get(m)?.name ?? state.roles.get(m)?.name ?? m]) : [[r.name, r.fixed ? 1 : 0, null]])));
      case 'target.serverObjects': {
        const rows: CellValue[][] = [
          ...[...state.jobs.values()].map((j) => ['job', j.name]), ...[...state.operators.values()].map((o) => ['operator', o.name]),
          ...[...state.linkedServers.values()].map((l) => ['linked-server', l.name]), ...[...state.credentials.values()].map((c) => ['credential', c.name]),
          ...[...state.mailAccounts.values()].map((a) => ['mail-account', a.name]), ...[...state.mailProfiles.values()].map((p) => ['mail-profile', p.name]),
        ];
        return set([col('kind', 'nvarchar'), col('name', 'nvarchar')], rows);
      }
      case 'target.certificates':
        return set([col('name', 'nvarchar'), col('thumbprint', 'nvarchar')], (options.certificates?.() ?? []).map((c) => [c.name, c.thumbprint]));
      case 'target.databaseUsers': {
        const m = /FROM\s+\[((?:[^\]]|\]\])+)\]\.sys\.database_principals/i.exec(req.sql);
        const db = m ? findDb(m[1]!.replace(/]]/g, ']')) : undefined;
        if (!db) throw err(911, `Database '${m?.[1] ?? '?'}' does not exist. Make sure that the name is entered correctly.`);
        return set([col('name', 'nvarchar'), col('type', 'nvarchar'), col('sid', 'nvarchar'), col('login_name', 'nvarchar')],
          usersOf(state, db).map((u) => [u.name, u.type, u.sid, [...state.logins.values()].find((l) => l.sid === u.sid)?.name ?? null]));
      }
      default:
        throw err(50000, `The sandbox managed instance has no answer for query id "${id}".`);
    }
  }

  const server = await startTdsServerWith({
    serverName: options.name,
    version: [12, 0, 2000],
    ...(options.host && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    logins: [admin],
    ...(options.accessTokens && { accessTokens: options.accessTokens }),
    ...(options.hostName && { certificateNames: [options.hostName] }),
    answer: (req) => {
      batches.push(req.sql);
      const id = queryId(req.sql);
      if (id) return answerQuery(id, req);
      const statements = parseBatch(req.sql);
      if (!statements.length) throw err(102, "Incorrect syntax near 'end of batch'.", 15);
      const transactional = statements[0]!.kind === 'begin-transaction';
      if (transactional && statements[statements.length - 1]!.kind !== 'commit-transaction') throw err(266, 'Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements.');
      // In a transaction (and with XACT_ABORT on, as the product's connections have it) a failure undoes the whole batch.
      const draft = transactional ? structuredClone(state) : state;
      for (const st of statements) execute(draft, st, req);
      state = draft;
      return [];
    },
  });
  return {
    ...server,
    get state() {
      return state;
    },
    batches,
    admin,
  };
}
