/**
 * Rules that read T-SQL: module definitions (procedures, functions, views, triggers) and T-SQL
 * job steps. The probe's LIKE finds candidates; each matcher confirms on the code with comments
 * blanked and literals replaced, so a keyword in a comment or a string never fires a rule.
 */
import { docFor, perDatabaseFindings, plural, type Category, type Facts, type Finding, type ModuleRow, type Rule } from '../rule';
import type { ProbeId } from '../probes';
import { literalAt, type CodeText } from '../tsqlText';

/** Returns a short excerpt of what matched, or undefined. */
export type Matcher = (code: CodeText, facts: Facts) => string | undefined;

const SQL_PROVIDERS = new Set(['sqlncli', 'sqlncli10', 'sqlncli11', 'sqloledb', 'msoledbsql', 'msoledbsql19']);

/** What matched, with literals put back, on one line. */
function excerpt(code: CodeText, index: number, length: number): string {
  return code.code
    .slice(index, index + length)
    .replace(/§(\d+)§/g, (_, i: string) => `'${(code.literals[Number(i)] ?? '').replace(/'/g, "''")}'`)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

function firstMatch(re: RegExp, filter?: (m: RegExpExecArray, code: CodeText) => boolean): Matcher {
  return (code) => {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    for (let m = g.exec(code.code); m; m = g.exec(code.code)) {
      if (!filter || filter(m, code)) return excerpt(code, m.index, m[0].length);
    }
    return undefined;
  };
}

/** The statement that starts at `index`, roughly: up to the next semicolon or 600 characters. */
function statementAt(code: string, index: number): string {
  const end = code.indexOf(';', index);
  return code.slice(index, end < 0 ? index + 600 : Math.min(end, index + 600));
}

/** Linked servers that code names as NAME.db.schema.object, [NAME].x, or in OPENQUERY(NAME, ...). */
function referencedLinkedServers(code: CodeText, facts: Facts) {
  return facts.linkedServers.filter((ls) => {
    const name = ls.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(\\[${name}\\]|(?<![\\w.\\]])${name})\\s*\\.|OPENQUERY\\s*\\(\\s*\\[?${name}\\]?\\s*,`, 'i').test(code.code);
  });
}

const distributedTran = /\bBEGIN\s+DISTRIBUTED\s+TRAN(SACTION)?\b/i;

export const MATCHERS: Record<string, Matcher> = {
  AssemblyFromFile: firstMatch(/\b(CREATE|ALTER)\s+ASSEMBLY\s+(\[[^\]]+\]|[\w.]+)(\s+AUTHORIZATION\s+(\[[^\]]+\]|\w+))?\s+FROM\s+N?§\d+§/i),
  BulkInsert: firstMatch(/\bBULK\s+INSERT\b/i, (m, c) => !/\bDATA_SOURCE\b/i.test(statementAt(c.code, m.index))),
  ComputeClause: firstMatch(/\bCOMPUTE\s+(SUM|AVG|COUNT|MIN|MAX|STDEV|STDEVP|VAR|VARP)\s*\(/i),
  CryptographicProvider: firstMatch(/\b(CREATE|ALTER)\s+CRYPTOGRAPHIC\s+PROVIDER\b/i),
  DatabasePrincipalAlias: firstMatch(/\b(sys\s*\.\s*)?database_principal_aliases\b|\bsp_addalias\b/i),
  DisableDefCNSTCHK: firstMatch(/\bSET\s+DISABLE_DEF_CNST_CHK\b/i),
  FastFirstRowHint: firstMatch(/\bFASTFIRSTROW\b/i),
  MIHeterogeneousMSDTCTransactSQL: (code, facts) => {
    if (!distributedTran.test(code.code)) return undefined;
    const other = referencedLinkedServers(code, facts).filter((ls) => !SQL_PROVIDERS.has(ls.provider.toLowerCase()));
    return other.length ? `BEGIN DISTRIBUTED TRANSACTION with ${other.map((l) => `${l.name} (${l.provider})`).join(', ')}` : undefined;
  },
  MIHomogeneousMSDTCTransactSQL: (code, facts) => {
    if (!distributedTran.test(code.code)) return undefined;
    const linked = referencedLinkedServers(code, facts);
    if (linked.some((ls) => !SQL_PROVIDERS.has(ls.provider.toLowerCase()))) return undefined; // heterogeneous instead
    return linked.length ? `BEGIN DISTRIBUTED TRANSACTION with ${linked.map((l) => l.name).join(', ')}` : 'BEGIN DISTRIBUTED TRANSACTION';
  },
  // `@v *= 2` is the compound operator; an old-style outer join compares two columns.
  NonANSILeftOuterJoinSyntax: firstMatch(/(?<![@\w#])(\[[^\]]+\]|[A-Za-z_]\w*)(\s*\.\s*(\[[^\]]+\]|\w+))*\s*\*=\s*(?=[A-Za-z_[])/),
  NonANSIRightOuterJoinSyntax: firstMatch(/(?<![@\w#])(\[[^\]]+\]|[A-Za-z_]\w*)(\s*\.\s*(\[[^\]]+\]|\w+))*\s*=\*\s*(?=[A-Za-z_[])/),
  OpenRowsetWithNonBlobDataSourceBulk: firstMatch(/\bOPENROWSET\s*\(\s*BULK\b/i, (m, c) => !/\bDATA_SOURCE\b/i.test(statementAt(c.code, m.index))),
  OpenRowsetWithNonSQLProvider: (code) => {
    const re = /\b(OPENROWSET|OPENDATASOURCE)\s*\(\s*N?(§\d+§)/gi;
    for (let m = re.exec(code.code); m; m = re.exec(code.code)) {
      const provider = literalAt(code, m[2]!) ?? '';
      if (!SQL_PROVIDERS.has(provider.trim().toLowerCase())) return `${m[1]!.toUpperCase()} with provider ${provider}`;
    }
    return undefined;
  },
  RAISERROR: firstMatch(/\bRAISERROR\s+@?\w+\s*,?\s*N?§\d+§/i),
  SqlMail: firstMatch(/\bxp_(sendmail|startmail|readmail|stopmail|deletemail|findnextmsg)\b/i),
  SystemProcedures110: firstMatch(/\b(sp_dboption|sp_addserver|sp_dropalias|sp_activedirectory_(obj|scp|start))\b/i),
  XpCmdshell: firstMatch(/\bxp_cmdshell\b/i),
};

interface TextRuleSpec {
  id: keyof typeof MATCHERS;
  title: string;
  category: Category;
  recommendation: string;
  what: string;
  /** Findings from other facts under the same rule (a registered provider, an enabled setting). */
  extra?: { probes: ProbeId[]; evaluate(facts: Facts): Finding[] };
}

function moduleRule(spec: TextRuleSpec): Rule {
  const matcher = MATCHERS[spec.id]!;
  const needsLinkedServers = spec.id.startsWith('MI') && spec.id.endsWith('MSDTCTransactSQL');
  return {
    id: spec.id,
    title: spec.title,
    level: 'database',
    category: spec.category,
    origin: 'managed-instance-rule',
    probes: [...(needsLinkedServers ? ['database.modules', 'server.linkedServers'] as const : ['database.modules'] as const), ...(spec.extra?.probes ?? [])],
    recommendation: spec.recommendation,
    docs: docFor(spec.id),
    evaluate(facts) {
      const hits: (ModuleRow & { excerpt: string })[] = [];
      for (const m of facts.modules) {
        const found = matcher(m.code, facts);
        if (found) hits.push({ ...m, excerpt: found });
      }
      return [
        ...(spec.extra?.evaluate(facts) ?? []),
        ...perDatabaseFindings(
          hits,
          (m) => ({ type: m.type, name: m.schema ? `${m.schema}.${m.name}` : m.name, detail: m.excerpt }),
          (n) => `${plural(n, 'module')} ${n === 1 ? 'uses' : 'use'} ${spec.what}.`,
        ),
      ];
    },
  };
}

export const TEXT_RULES: Rule[] = [
  moduleRule({ id: 'AssemblyFromFile', title: 'CREATE ASSEMBLY from a file', category: 'issue', what: 'CREATE or ALTER ASSEMBLY FROM a file path',
    recommendation: 'Managed Instance cannot read files: load assemblies with CREATE ASSEMBLY ... FROM 0x... (binary), or use SQL Server on an Azure VM.' }),
  moduleRule({ id: 'BulkInsert', title: 'BULK INSERT from a file', category: 'issue', what: 'BULK INSERT without an Azure Blob DATA_SOURCE',
    recommendation: 'Move the source files to Azure Blob Storage and use BULK INSERT ... WITH (DATA_SOURCE = ...) on an external data source.' }),
  moduleRule({ id: 'ComputeClause', title: 'COMPUTE clause', category: 'warning', what: 'the discontinued COMPUTE clause',
    recommendation: 'Rewrite with GROUP BY ... WITH ROLLUP (or ROLLUP/GROUPING SETS).' }),
  moduleRule({ id: 'CryptographicProvider', title: 'Cryptographic providers (EKM)', category: 'issue', what: 'CREATE or ALTER CRYPTOGRAPHIC PROVIDER',
    recommendation: 'Managed Instance does not support cryptographic providers: remove the usage (use Azure Key Vault for TDE keys), or use SQL Server on an Azure VM.',
    extra: {
      probes: ['server.objects'],
      evaluate: (facts) => {
        const providers = facts.serverObjects.filter((o) => o.kind === 'cryptographic-provider');
        return providers.length
          ? [{ message: `${plural(providers.length, 'cryptographic provider')} registered on the server.`, objects: providers.map((p) => ({ type: 'CRYPTOGRAPHIC_PROVIDER', name: p.name, ...(p.detail && { detail: p.detail }) })) }]
          : [];
      },
    } }),
  moduleRule({ id: 'DatabasePrincipalAlias', title: 'Database principal aliases', category: 'issue', what: 'database principal aliases (sp_addalias, sys.database_principal_aliases)',
    recommendation: 'Aliases are discontinued: replace them with database roles and role membership.' }),
  moduleRule({ id: 'DisableDefCNSTCHK', title: 'SET DISABLE_DEF_CNST_CHK', category: 'issue', what: 'SET DISABLE_DEF_CNST_CHK',
    recommendation: 'The option is discontinued: remove it.' }),
  moduleRule({ id: 'FastFirstRowHint', title: 'FASTFIRSTROW hint', category: 'warning', what: 'the FASTFIRSTROW table hint',
    recommendation: 'Use OPTION (FAST n) instead.' }),
  moduleRule({ id: 'MIHeterogeneousMSDTCTransactSQL', title: 'Distributed transactions with non-SQL servers', category: 'issue', what: 'BEGIN DISTRIBUTED TRANSACTION against a linked server with a non-SQL provider',
    recommendation: 'Distributed transactions work only between Managed Instances (and SQL Server through DTC for MI): move the other participants to Managed Instance, or use SQL Server on an Azure VM.' }),
  moduleRule({ id: 'MIHomogeneousMSDTCTransactSQL', title: 'Distributed transactions', category: 'issue', what: 'BEGIN DISTRIBUTED TRANSACTION',
    recommendation: 'Move the participating databases to Managed Instances (cross-instance distributed transactions are supported), or configure DTC for Managed Instance.' }),
  moduleRule({ id: 'NonANSILeftOuterJoinSyntax', title: 'Non-ANSI left outer join (*=)', category: 'warning', what: 'the non-ANSI *= outer join',
    recommendation: 'Rewrite with LEFT OUTER JOIN; *= is not supported at compatibility level 90 and above.' }),
  moduleRule({ id: 'NonANSIRightOuterJoinSyntax', title: 'Non-ANSI right outer join (=*)', category: 'warning', what: 'the non-ANSI =* outer join',
    recommendation: 'Rewrite with RIGHT OUTER JOIN; =* is not supported at compatibility level 90 and above.' }),
  moduleRule({ id: 'OpenRowsetWithNonBlobDataSourceBulk', title: 'OPENROWSET(BULK) from a file', category: 'issue', what: 'OPENROWSET(BULK ...) without an Azure Blob DATA_SOURCE',
    recommendation: 'Put the files in Azure Blob Storage and read them with OPENROWSET(BULK ..., DATA_SOURCE = ...).' }),
  moduleRule({ id: 'OpenRowsetWithNonSQLProvider', title: 'OPENROWSET/OPENDATASOURCE with a non-SQL provider', category: 'issue', what: 'OPENROWSET or OPENDATASOURCE with a provider other than SQL Server\'s',
    recommendation: 'Only SQL Server providers work (MSOLEDBSQL recommended): move the remote data into a database, or use SQL Server on an Azure VM.' }),
  moduleRule({ id: 'RAISERROR', title: 'Legacy RAISERROR syntax', category: 'warning', what: 'the legacy RAISERROR number \'text\' form',
    recommendation: 'Use RAISERROR(...) with parentheses, or THROW inside TRY...CATCH.' }),
  moduleRule({ id: 'SqlMail', title: 'SQL Mail', category: 'warning', what: 'SQL Mail procedures (xp_sendmail and related)',
    recommendation: 'SQL Mail is discontinued: use Database Mail (sp_send_dbmail).' }),
  moduleRule({ id: 'SystemProcedures110', title: 'Removed system procedures', category: 'warning', what: 'system procedures removed in SQL Server 2012 (sp_dboption, sp_addserver, sp_dropalias, sp_activedirectory_*)',
    recommendation: 'Remove the references; use ALTER DATABASE instead of sp_dboption.' }),
  moduleRule({ id: 'XpCmdshell', title: 'xp_cmdshell', category: 'issue', what: 'xp_cmdshell',
    recommendation: 'Managed Instance has no xp_cmdshell: move the work to Azure Automation or an Azure Function, or use SQL Server on an Azure VM.',
    extra: {
      probes: ['server.configurations'],
      evaluate: (facts) =>
        facts.configurations.get('xp_cmdshell') === 1
          ? [{ message: 'xp_cmdshell is enabled on the server.', objects: [{ type: 'CONFIGURATION', name: 'xp_cmdshell', detail: 'value_in_use = 1' }] }]
          : [],
    } }),
];

const JOB_PATTERNS: Record<string, Matcher> = {
  ...MATCHERS,
  BackupToDisk: firstMatch(/\bBACKUP\s+(DATABASE|LOG)\b[\s\S]{0,400}?\bTO\s+DISK\b/i),
};

/** T-SQL job steps that use anything a module rule would flag, or back up to disk. */
export const TRANSACT_SQL_JOB: Rule = {
  id: 'TransactSqlJob',
  title: 'T-SQL job steps using unsupported features',
  level: 'instance',
  category: 'warning',
  origin: 'managed-instance-rule',
  probes: ['server.jobSteps', 'server.linkedServers'],
  recommendation: 'Rewrite or remove the job steps (Managed Instance backs up automatically; BACKUP TO DISK is not allowed), or use SQL Server on an Azure VM.',
  docs: docFor('TransactSqlJob'),
  evaluate(facts): Finding[] {
    const objects = [];
    for (const s of facts.jobSteps) {
      if (s.subsystem.toUpperCase() !== 'TSQL') continue;
      const hits = Object.entries(JOB_PATTERNS).filter(([, m]) => m(s.code, facts)).map(([id]) => id);
      if (hits.length) objects.push({ type: 'JOB_STEP', name: `${s.job} / step ${s.stepId} (${s.stepName})`, detail: hits.join(', ') });
    }
    return objects.length ? [{ message: `${plural(objects.length, 'T-SQL job step')} ${objects.length === 1 ? 'uses' : 'use'} unsupported commands.`, objects }] : [];
  },
};
