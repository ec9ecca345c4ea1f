/**
 * What a rule is: data (id, level, category, the probes it reads, recommendation, documentation)
 * plus a small evaluator from facts to findings. Rules never query; the runner asks each probe
 * once and hands every rule the same facts.
 */
import type { DatabaseInfo, ServerInventory } from '../source/inventory';
import type { MiLimitsTable, ServiceTier, TierLimits } from '../sku/miLimits';
import type { ProbeId } from './probes';
import type { CodeText } from './tsqlText';
import type { MigrationMode } from '../migrationMode';

/** blocker: the restore fails or the database cannot be chosen; issue: migrates but something breaks; warning: review. */
export type Category = 'blocker' | 'issue' | 'warning';
export type RuleLevel = 'instance' | 'database';
export type { MigrationMode };
/** Where a rule comes from: Microsoft's public Managed Instance rule ids, the online-migration prerequisites, or MI limits and T-SQL differences. */
export type RuleOrigin = 'managed-instance-rule' | 'online-prerequisite' | 'managed-instance-limit';

export interface ImpactedObject {
  /** e.g. SQL_STORED_PROCEDURE, JOB_STEP, FILEGROUP, LINKED_SERVER, DATABASE, FILE, LOGIN */
  type: string;
  name: string;
  detail?: string;
}

export interface Finding {
  /** Absent for findings about the instance as a whole. */
  database?: string;
  /** What exactly was found, in one sentence. */
  message: string;
  objects: ImpactedObject[];
  /** Overrides the rule's category for this finding (e.g. a version that is merely old, not unsupported). */
  category?: Category;
}

export interface ModuleRow {
  database: string;
  schema: string;
  name: string;
  type: string;
  definition: string;
  code: CodeText;
}

export interface JobStepRow {
  job: string;
  enabled: boolean;
  stepId: number;
  stepName: string;
  subsystem: string;
  database: string | null;
  command: string;
  code: CodeText;
}

export interface DatabaseObjectRow {
  database: string;
  kind: string;
  schema: string | null;
  name: string;
  detail: string | null;
}

export interface LinkedServerRow {
  name: string;
  provider: string;
  product: string;
  dataSource: string;
}

export interface Facts {
  inventory: ServerInventory;
  /** The databases being assessed (selected, ONLINE and accessible). */
  databases: DatabaseInfo[];
  /** Selected databases that could not be assessed, with the reason. */
  skipped: { database: DatabaseInfo; reason: string }[];
  configurations: Map<string, number>;
  linkedServers: LinkedServerRow[];
  jobSteps: JobStepRow[];
  traceFlags: { flag: number; global: boolean }[];
  windowsLogins: { name: string; type: string; disabled: boolean }[];
  encryption: { database: string; state: number; certificate: string | null; thumbprint: string | null; encryptorType: string }[];
  serverObjects: { kind: string; name: string; detail: string | null }[];
  modules: ModuleRow[];
  objects: DatabaseObjectRow[];
}

export interface EvalContext {
  tier: ServiceTier;
  limits: TierLimits;
  table: MiLimitsTable;
  mode: MigrationMode;
}

export interface Rule {
  id: string;
  title: string;
  level: RuleLevel;
  category: Category;
  origin: RuleOrigin;
  /** Probes the rule reads (the inventory is always there). */
  probes: readonly ProbeId[];
  recommendation: string;
  docs: string;
  evaluate(facts: Facts, ctx: EvalContext): Finding[];
}

export const RULES_DOC = 'https://learn.microsoft.com/data-migration/sql-server/managed-instance/assessment-rules';
export const docFor = (ruleId: string) => `${RULES_DOC}#${ruleId.toLowerCase()}`;
export const TSQL_DIFFERENCES_DOC = 'https://learn.microsoft.com/azure/azure-sql/managed-instance/transact-sql-tsql-differences-sql-server';
export const RESOURCE_LIMITS_DOC = 'https://learn.microsoft.com/azure/azure-sql/managed-instance/resource-limits';
export const LRS_DOC = 'https://learn.microsoft.com/azure/azure-sql/managed-instance/log-replay-service-migrate';
export const DMS_DOC = 'https://learn.microsoft.com/data-migration/sql-server/managed-instance/database-migration-service';
export const TDE_DOC = 'https://learn.microsoft.com/azure/azure-sql/managed-instance/tde-certificate-migrate';

/** Groups per-database items into one finding per database. */
export function perDatabaseFindings<T extends { database: string }>(
  items: readonly T[],
  toObject: (item: T) => ImpactedObject,
  message: (count: number, database: string) => string,
): Finding[] {
  const byDb = new Map<string, T[]>();
  for (const item of items) {
    const list = byDb.get(item.database) ?? [];
    list.push(item);
    byDb.set(item.database, list);
  }
  return [...byDb].map(([database, list]) => ({ database, message: message(list.length, database), objects: list.map(toObject) }));
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
