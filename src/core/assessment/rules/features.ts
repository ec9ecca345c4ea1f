/** Engine features, server settings and server-level objects that Managed Instance lacks or treats differently. */
import { docFor, perDatabaseFindings, plural, TSQL_DIFFERENCES_DOC, type Finding, type Rule } from '../rule';

const SQL_PROVIDERS = new Set(['sqlncli', 'sqlncli10', 'sqlncli11', 'sqloledb', 'msoledbsql', 'msoledbsql19']);

/** Global trace flags Managed Instance accepts (DBCC TRACEON documentation). */
export const MI_TRACE_FLAGS = new Set([460, 2301, 2389, 2390, 2453, 2467, 7471, 8207, 9389, 10316, 11024]);

/** sp_configure options Managed Instance does not support, with the default a source should have. */
const UNSUPPORTED_OPTIONS: Record<string, number> = {
  'allow polybase export': 0,
  'allow updates': 0,
  'filestream access level': 0,
  'remote access': 1,
  'remote data archive': 0,
  'remote proc trans': 0,
  'scan for startup procs': 0,
};

function serverObjectRule(id: string, kind: string, title: string, category: Rule['category'], what: (n: number) => string, recommendation: string, type: string): Rule {
  return {
    id,
    title,
    level: 'instance',
    category,
    origin: 'managed-instance-limit',
    probes: ['server.objects'],
    recommendation,
    docs: TSQL_DIFFERENCES_DOC,
    evaluate: (facts) => {
      const items = facts.serverObjects.filter((o) => o.kind === kind);
      return items.length ? [{ message: what(items.length), objects: items.map((o) => ({ type, name: o.name, ...(o.detail && { detail: o.detail }) })) }] : [];
    },
  };
}

export const FEATURE_RULES: Rule[] = [
  {
    id: 'DbCompatLevelLowerThan100',
    title: 'Compatibility level below 100',
    level: 'database',
    category: 'warning',
    origin: 'managed-instance-rule',
    probes: [],
    recommendation: 'Managed Instance raises the level to 100 on restore: test the application at level 100 or higher first, or use SQL Server on an Azure VM.',
    docs: docFor('DbCompatLevelLowerThan100'),
    evaluate: (facts) =>
      facts.databases
        .filter((d) => d.compatibilityLevel > 0 && d.compatibilityLevel < 100)
        .map((d) => ({ database: d.name, message: `Compatibility level ${d.compatibilityLevel}; it becomes 100 on Managed Instance.`, objects: [{ type: 'DATABASE', name: d.name, detail: `compatibility level ${d.compatibilityLevel}` }] })),
  },
  {
    id: 'ClrStrictSecurity',
    title: 'CLR assemblies under strict security',
    level: 'database',
    category: 'warning',
    origin: 'managed-instance-rule',
    probes: ['database.objects'],
    recommendation: 'Managed Instance enforces CLR strict security, which treats SAFE and EXTERNAL_ACCESS assemblies as UNSAFE: sign each assembly with a certificate or asymmetric key whose login has UNSAFE ASSEMBLY, or they will not load after the restore.',
    docs: docFor('ClrStrictSecurity'),
    evaluate: (facts) =>
      perDatabaseFindings(
        facts.objects.filter((o) => o.kind === 'assembly' && /^(SAFE|EXTERNAL_ACCESS)$/i.test(o.detail ?? '')),
        (o) => ({ type: 'ASSEMBLY', name: o.name, detail: o.detail ?? '' }),
        (n) => `${plural(n, 'CLR assembly', 'CLR assemblies')} that will need signing.`,
      ),
  },
  {
    id: 'LinkedServerWithNonSQLProvider',
    title: 'Linked servers with non-SQL providers',
    level: 'instance',
    category: 'issue',
    origin: 'managed-instance-rule',
    probes: ['server.linkedServers'],
    recommendation: 'Managed Instance links only to SQL Server (SQLNCLI, MSOLEDBSQL): consolidate the remote data into Azure SQL, reach it through a SQL Server VM, or use SQL Server on an Azure VM.',
    docs: docFor('LinkedServerWithNonSQLProvider'),
    evaluate: (facts) => {
      const other = facts.linkedServers.filter((l) => !SQL_PROVIDERS.has(l.provider.toLowerCase()));
      return other.length
        ? [{ message: `${plural(other.length, 'linked server')} with a provider other than SQL Server's.`, objects: other.map((l) => ({ type: 'LINKED_SERVER', name: l.name, detail: `${l.provider}${l.dataSource ? ` -> ${l.dataSource}` : ''}` })) }]
        : [];
    },
  },
  {
    id: 'NextColumn',
    title: 'Tables or columns named NEXT',
    level: 'database',
    category: 'issue',
    origin: 'managed-instance-rule',
    probes: ['database.objects'],
    recommendation: 'NEXT is a reserved keyword: write column aliases with an explicit AS and bracket the name ([NEXT]).',
    docs: docFor('NextColumn'),
    evaluate: (facts) =>
      perDatabaseFindings(
        facts.objects.filter((o) => o.kind === 'next-name'),
        (o) => ({ type: o.name.includes('.') ? 'COLUMN' : 'TABLE', name: o.schema ? `${o.schema}.${o.name}` : o.name }),
        (n) => `${plural(n, 'table or column', 'tables or columns')} named NEXT.`,
      ),
  },
  {
    id: 'TraceFlags',
    title: 'Trace flags Managed Instance does not support',
    level: 'instance',
    category: 'warning',
    origin: 'managed-instance-rule',
    probes: ['server.traceFlags'],
    recommendation: 'Remove the trace flags or test without them; Managed Instance accepts only a short list of global trace flags and no session ones. Otherwise use SQL Server on an Azure VM.',
    docs: docFor('TraceFlags'),
    evaluate: (facts) => {
      const flags = facts.traceFlags.filter((t) => t.global && !MI_TRACE_FLAGS.has(t.flag));
      return flags.length ? [{ message: `${plural(flags.length, 'global trace flag')} not supported on Managed Instance.`, objects: flags.map((t) => ({ type: 'TRACE_FLAG', name: String(t.flag) })) }] : [];
    },
  },
  {
    id: 'WindowsAuthentication',
    title: 'Windows logins and users',
    level: 'instance',
    category: 'warning',
    origin: 'managed-instance-rule',
    probes: ['server.logins', 'database.objects'],
    recommendation: 'Managed Instance has no Windows authentication: synchronize Active Directory with Microsoft Entra ID and map the logins to Entra principals (or use Windows authentication for Entra principals through Kerberos).',
    docs: docFor('WindowsAuthentication'),
    evaluate: (facts) => {
      const out: Finding[] = [];
      if (facts.windowsLogins.length) {
        out.push({ message: `${plural(facts.windowsLogins.length, 'Windows login')} on the server.`, objects: facts.windowsLogins.map((l) => ({ type: 'LOGIN', name: l.name, detail: l.type })) });
      }
      out.push(...perDatabaseFindings(
        facts.objects.filter((o) => o.kind === 'windows-user'),
        (o) => ({ type: 'USER', name: o.name, ...(o.detail && { detail: o.detail }) }),
        (n) => `${plural(n, 'Windows user')} in the database.`,
      ));
      return out;
    },
  },
  {
    id: 'UnsupportedServerConfiguration',
    title: 'Server options Managed Instance does not support',
    level: 'instance',
    category: 'warning',
    origin: 'managed-instance-limit',
    probes: ['server.configurations'],
    recommendation: 'These sp_configure options cannot be set on Managed Instance: make sure nothing depends on them.',
    docs: TSQL_DIFFERENCES_DOC,
    evaluate: (facts) => {
      const changed = Object.entries(UNSUPPORTED_OPTIONS).filter(([name, def]) => facts.configurations.has(name) && facts.configurations.get(name) !== def);
      return changed.length
        ? [{ message: `${plural(changed.length, 'server option')} set to a value Managed Instance does not support.`, objects: changed.map(([name]) => ({ type: 'CONFIGURATION', name, detail: `value_in_use = ${facts.configurations.get(name)}` })) }]
        : [];
    },
  },
  serverObjectRule('ServerAuditToFile', 'server-audit', 'Server audits to files or Windows logs', 'warning',
    (n) => `${plural(n, 'server audit')} writing to a file or a Windows log.`,
    'Managed Instance audits write to Azure Blob Storage (TO URL), Event Hubs or Log Analytics: re-create the audits there. Database migrations do not carry server audits.', 'SERVER_AUDIT'),
  serverObjectRule('ServerCredentials', 'credential', 'Server credentials', 'warning',
    (n) => `${plural(n, 'server credential')} the migration will not carry.`,
    'Re-create the credentials on Managed Instance; only SAS, managed identity and Azure Key Vault identities are supported there.', 'CREDENTIAL'),
  serverObjectRule('ExtendedStoredProcedures', 'extended-procedure', 'Extended stored procedures', 'issue',
    (n) => `${plural(n, 'user-defined extended stored procedure')}.`,
    'Managed Instance cannot load DLLs: replace extended stored procedures with CLR code or an external service.', 'EXTENDED_PROCEDURE'),
  serverObjectRule('StartupProcedures', 'startup-procedure', 'Startup procedures', 'warning',
    (n) => `${plural(n, 'procedure')} set to run at server startup.`,
    'Startup procedures are not supported on Managed Instance: schedule the work as an Agent job instead.', 'PROCEDURE'),
];
