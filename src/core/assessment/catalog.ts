/** Every rule the assessment runs, in report order. */
import type { Rule } from './rule';
import { AGENT_RULES } from './rules/agent';
import { FEATURE_RULES } from './rules/features';
import { ONLINE_RULES } from './rules/online';
import { STORAGE_RULES } from './rules/storage';
import { TEXT_RULES, TRANSACT_SQL_JOB } from './rules/text';

export const ALL_RULES: readonly Rule[] = [
  ...ONLINE_RULES,
  ...STORAGE_RULES,
  ...FEATURE_RULES,
  ...TEXT_RULES,
  ...AGENT_RULES,
  TRANSACT_SQL_JOB,
];

/** The 34 rule ids Microsoft publishes for the Managed Instance target. */
export const MANAGED_INSTANCE_RULE_IDS: readonly string[] = [
  'AnalysisCommandJob', 'AnalysisQueryJob', 'AssemblyFromFile', 'BulkInsert', 'ClrStrictSecurity', 'ComputeClause',
  'CryptographicProvider', 'DatabasePrincipalAlias', 'DbCompatLevelLowerThan100', 'DisableDefCNSTCHK', 'FastFirstRowHint',
  'FileStream', 'LinkedServerWithNonSQLProvider', 'MergeJob', 'MIDatabaseSize', 'MIHeterogeneousMSDTCTransactSQL',
  'MIHomogeneousMSDTCTransactSQL', 'MIInstanceSize', 'MultipleLogFiles', 'NextColumn', 'NonANSILeftOuterJoinSyntax',
  'NonANSIRightOuterJoinSyntax', 'NumDbExceeds100', 'OpenRowsetWithNonBlobDataSourceBulk', 'OpenRowsetWithNonSQLProvider',
  'PowerShellJob', 'QueueReaderJob', 'RAISERROR', 'SqlMail', 'SystemProcedures110', 'TraceFlags', 'TransactSqlJob',
  'WindowsAuthentication', 'XpCmdshell',
];

export function ruleById(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.id.toLowerCase() === id.toLowerCase());
}
