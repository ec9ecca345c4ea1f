/**
 * The assessment report: per-database readiness for the Managed Instance target, every finding
 * with its impacted objects, and the rules that ran. The JSON form is the saved file (export and
 * import round-trip it); CSV and HTML are views of it.
 */
import type { ServiceTier } from '../sku/miLimits';
import type { Category, ImpactedObject, MigrationMode, RuleLevel, RuleOrigin } from './rule';

export const REPORT_FORMAT = 'sqlmig-assessment';
export const REPORT_FORMAT_VERSION = 1;

/** ready: nothing to fix (warnings may remain); issues: migrates, but something needs work; blocked: cannot be migrated as it is. */
export type Readiness = 'ready' | 'issues' | 'blocked';

export interface ReportFinding {
  ruleId: string;
  title: string;
  category: Category;
  level: RuleLevel;
  origin: RuleOrigin;
  database?: string;
  message: string;
  objects: ImpactedObject[];
  recommendation: string;
  docs: string;
}

export interface DatabaseReport {
  name: string;
  state: string;
  sizeMb: number;
  recoveryModel: string;
  compatibilityLevel: number;
  readiness: Readiness;
  counts: Record<Category, number>;
  findings: ReportFinding[];
}

export type RuleStatus = 'passed' | 'failed' | 'not-run';

export interface RuleOutcome {
  id: string;
  title: string;
  category: Category;
  level: RuleLevel;
  origin: RuleOrigin;
  status: RuleStatus;
  /** Why a rule did not run (a probe the login may not read). */
  reason?: string;
  docs: string;
}

export interface AssessmentReport {
  format: typeof REPORT_FORMAT;
  formatVersion: typeof REPORT_FORMAT_VERSION;
  createdAt: string;
  durationMs: number;
  /** Queries sent to the source server. */
  roundTrips: number;
  tool: { name: 'sqlmig'; version: string };
  server: {
    name: string;
    address: string;
    productName: string;
    productVersion: string;
    productLevel: string;
    edition: string;
    hostPlatform: string;
  };
  target: { platform: 'AzureSqlManagedInstance'; tier: ServiceTier; tierName: string; mode: MigrationMode; limitsVersion: string };
  summary: { databases: number; ready: number; issues: number; blocked: number; blockers: number; issueCount: number; warnings: number };
  instanceFindings: ReportFinding[];
  databases: DatabaseReport[];
  rules: RuleOutcome[];
}

export function emptyCounts(): Record<Category, number> {
  return { blocker: 0, issue: 0, warning: 0 };
}

export function readinessOf(counts: Record<Category, number>): Readiness {
  return counts.blocker > 0 ? 'blocked' : counts.issue > 0 ? 'issues' : 'ready';
}

export function reportToJson(report: AssessmentReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Reads a saved report, saying exactly what is wrong when it is not one. */
export function reportFromJson(text: string, source = 'the file'): AssessmentReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not JSON: ${(e as Error).message}`);
  }
  const fail = (path: string, want: string): never => {
    throw new Error(`${source} is not a sqlmig assessment report: ${path} should be ${want}`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, 'an object');
  const arr = (v: unknown, path: string): unknown[] => (Array.isArray(v) ? v : fail(path, 'an array'));
  const str = (v: unknown, path: string) => (typeof v === 'string' ? v : fail(path, 'a string'));
  const num = (v: unknown, path: string) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a number'));
  const oneOf = <T extends string>(v: unknown, path: string, values: readonly T[]): T =>
    values.includes(v as T) ? (v as T) : fail(path, `one of ${values.join(', ')}`);
  const root = obj(doc, '(root)');
  if (root.format !== REPORT_FORMAT) fail('format', `"${REPORT_FORMAT}"`);
  if (root.formatVersion !== REPORT_FORMAT_VERSION) {
    throw new Error(`${source} is an assessment report of format version ${String(root.formatVersion)}; this sqlmig reads version ${REPORT_FORMAT_VERSION}.`);
  }
  const categories = ['blocker', 'issue', 'warning'] as const;
  const finding = (v: unknown, path: string) => {
    const f = obj(v, path);
    str(f.ruleId, `${path}.ruleId`);
    str(f.title, `${path}.title`);
    oneOf(f.category, `${path}.category`, categories);
    oneOf(f.level, `${path}.level`, ['instance', 'database'] as const);
    str(f.message, `${path}.message`);
    if (f.database !== undefined) str(f.database, `${path}.database`);
    arr(f.objects, `${path}.objects`).forEach((o, i) => {
      const x = obj(o, `${path}.objects[${i}]`);
      str(x.type, `${path}.objects[${i}].type`);
      str(x.name, `${path}.objects[${i}].name`);
    });
    str(f.recommendation, `${path}.recommendation`);
    str(f.docs, `${path}.docs`);
  };
  str(root.createdAt, 'createdAt');
  num(root.roundTrips, 'roundTrips');
  const server = obj(root.server, 'server');
  str(server.name, 'server.name');
  str(server.productVersion, 'server.productVersion');
  const target = obj(root.target, 'target');
  oneOf(target.tier, 'target.tier', ['general-purpose', 'next-gen-general-purpose', 'business-critical'] as const);
  oneOf(target.mode, 'target.mode', ['online', 'offline'] as const);
  str(target.limitsVersion, 'target.limitsVersion');
  const summary = obj(root.summary, 'summary');
  for (const k of ['databases', 'ready', 'issues', 'blocked']) num(summary[k], `summary.${k}`);
  arr(root.instanceFindings, 'instanceFindings').forEach((f, i) => finding(f, `instanceFindings[${i}]`));
  arr(root.databases, 'databases').forEach((d, i) => {
    const db = obj(d, `databases[${i}]`);
    str(db.name, `databases[${i}].name`);
    oneOf(db.readiness, `databases[${i}].readiness`, ['ready', 'issues', 'blocked'] as const);
    const counts = obj(db.counts, `databases[${i}].counts`);
    for (const c of categories) num(counts[c], `databases[${i}].counts.${c}`);
    arr(db.findings, `databases[${i}].findings`).forEach((f, j) => finding(f, `databases[${i}].findings[${j}]`));
  });
  arr(root.rules, 'rules').forEach((r, i) => {
    const x = obj(r, `rules[${i}]`);
    str(x.id, `rules[${i}].id`);
    oneOf(x.status, `rules[${i}].status`, ['passed', 'failed', 'not-run'] as const);
  });
  return root as unknown as AssessmentReport;
}

// ---- CSV --------------------------------------------------------------------------------------

function csvCell(v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  // A leading =, +, - or @ would be a formula in a spreadsheet: keep it text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One row per finding, and one row for each database without findings, so no database goes missing. */
export function reportToCsv(report: AssessmentReport): string {
  const header = ['Server', 'Database', 'Readiness', 'Rule', 'Category', 'Level', 'Title', 'Message', 'Impacted objects', 'Recommendation', 'Documentation'];
  const rows: (string | number | undefined)[][] = [header];
  const objects = (f: ReportFinding) => f.objects.map((o) => `${o.type} ${o.name}${o.detail ? ` (${o.detail})` : ''}`).join('; ');
  const line = (db: string, readiness: string, f?: ReportFinding) =>
    rows.push([report.server.name, db, readiness, f?.ruleId, f?.category, f?.level, f?.title, f?.message, f ? objects(f) : undefined, f?.recommendation, f?.docs]);
  for (const f of report.instanceFindings) line('', '', f);
  for (const d of report.databases) {
    if (d.findings.length === 0) line(d.name, d.readiness);
    for (const f of d.findings) line(d.name, d.readiness, f);
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
