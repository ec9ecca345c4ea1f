/**
 * Runs an assessment: the inventory (4 queries), then each probe the rules need exactly once —
 * database probes in batches of databases — then every rule over the same facts. Round trips are
 * 4 + server probes + ceil(databases / batch) per database probe, far below rules + databases.
 * A batch that fails is retried one database at a time, so one unreadable database never hides
 * the others; a probe the login may not read marks its rules "not run" instead of failing all.
 */
import { mapBounded } from '../backup/scan';
import { connectSource, type SourceConnection, type SourceConnectionOptions } from '../source/connection';
import { SourceError } from '../source/errors';
import { readInventory, type DatabaseInfo, type ServerInventory } from '../source/inventory';
import { limitsTable, TIER_NAMES, type ServiceTier } from '../sku/miLimits';
import { ALL_RULES } from './catalog';
import { PROBE_LABELS, PROBES, type ProbeId } from './probes';
import {
  emptyCounts, readinessOf, REPORT_FORMAT, REPORT_FORMAT_VERSION,
  type AssessmentReport, type DatabaseReport, type ReportFinding, type RuleOutcome,
} from './report';
import type { DatabaseObjectRow, EvalContext, Facts, JobStepRow, MigrationMode, ModuleRow, Rule } from './rule';
import { splitCode } from './tsqlText';

declare const SQLMIG_VERSION: string | undefined;

export interface AssessmentProgress {
  phase: 'connecting' | 'inventory' | 'probes' | 'rules' | 'done';
  /** Queries answered so far and planned in all (known once the inventory is in). */
  done: number;
  total: number;
  message: string;
}

export interface AssessmentOptions {
  /** Databases to assess (names, case-insensitive); every user database when absent. */
  databases?: readonly string[];
  tier?: ServiceTier;
  mode?: MigrationMode;
  /** A Managed Instance limits table version; the current one when absent. */
  limitsVersion?: string;
  signal?: AbortSignal;
  onProgress?: (p: AssessmentProgress) => void;
  rules?: readonly Rule[];
  /** Databases per batch for database probes (default 50). */
  databasesPerBatch?: number;
  /** Queries in flight at once (default 2; the connection pool opens that many connections). */
  concurrency?: number;
}

/** The input names something that is not there (a database not on the server). */
export class AssessmentInputError extends Error {}

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

interface ProbeResult {
  rows: Row[];
  error?: SourceError;
}

function selectDatabases(inventory: ServerInventory, names: readonly string[] | undefined): DatabaseInfo[] {
  if (!names?.length) return inventory.databases;
  const byName = new Map(inventory.databases.map((d) => [d.name.toLowerCase(), d]));
  const missing = names.filter((n) => !byName.has(n.toLowerCase()));
  if (missing.length) {
    const known = inventory.databases.map((d) => d.name);
    throw new AssessmentInputError(
      `${inventory.properties.serverName} has no user database named ${missing.map((m) => `"${m}"`).join(', ')}. ` +
        (known.length ? `Its user databases: ${known.slice(0, 30).join(', ')}${known.length > 30 ? `, ... (${known.length} in all)` : ''}.` : 'It has no user databases.'),
    );
  }
  return [...new Set(names.map((n) => byName.get(n.toLowerCase())!))];
}

/** Why a selected database cannot be read, or undefined when it can. */
function unreadable(d: DatabaseInfo): string | undefined {
  if (d.state !== 'ONLINE') return `The database is ${d.state}; only ONLINE databases can be assessed and migrated.`;
  if (!d.hasAccess) return 'The login has no access to the database, so it could not be assessed.';
  if (d.userAccess === 'SINGLE_USER') return 'The database is in SINGLE_USER mode, so it could not be assessed.';
  return undefined;
}

/** Errors that concern one query (permission, a SQL error), not the whole run. */
function recoverable(e: unknown): e is SourceError {
  return e instanceof SourceError && (e.kind === 'permission' || e.kind === 'sql');
}

export async function assessSource(conn: SourceConnection, options: AssessmentOptions = {}): Promise<AssessmentReport> {
  try {
    return await assess(conn, options);
  } catch (e) {
    // However the abort surfaced (our SourceError, a DOMException from a check), it is a cancel.
    if (options.signal?.aborted && !(e instanceof SourceError && e.kind === 'cancelled')) {
      throw new SourceError('cancelled', `The assessment of ${conn.server} was cancelled.`);
    }
    throw e;
  }
}

async function assess(conn: SourceConnection, options: AssessmentOptions): Promise<AssessmentReport> {
  const started = performance.now();
  const startTrips = conn.roundTrips;
  const signal = options.signal;
  const rules = options.rules ?? ALL_RULES;
  const tier = options.tier ?? 'general-purpose';
  const mode = options.mode ?? 'online';
  const table = limitsTable(options.limitsVersion);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const perBatch = Math.max(1, options.databasesPerBatch ?? 50);
  let done = 0;
  let total = 4;
  const progress = (phase: AssessmentProgress['phase'], message: string) => options.onProgress?.({ phase, done, total, message });

  progress('inventory', `Reading the inventory of ${conn.server}`);
  const inventory = await readInventory(conn, { ...(signal && { signal }) });
  done = 4;
  const selected = selectDatabases(inventory, options.databases);
  const skipped = selected.flatMap((d) => {
    const reason = unreadable(d);
    return reason ? [{ database: d, reason }] : [];
  });
  const assessed = selected.filter((d) => !unreadable(d));
  const major = inventory.properties.majorVersion;

  const needed = new Set<ProbeId>(rules.flatMap((r) => r.probes));
  const serverProbes = [...needed].filter((id) => PROBES[id].scope === 'server');
  const databaseProbes = [...needed].filter((id) => PROBES[id].scope === 'database');
  const batches: string[][] = [];
  for (let i = 0; i < assessed.length; i += perBatch) batches.push(assessed.slice(i, i + perBatch).map((d) => d.name));
  type Job = { probe: ProbeId; databases: string[] };
  const jobs: Job[] = [
    ...serverProbes.map((probe) => ({ probe, databases: [] })),
    ...databaseProbes.flatMap((probe) => batches.map((databases) => ({ probe, databases }))),
  ];
  total = done + jobs.length;
  progress('probes', `Assessing ${assessed.length} of ${selected.length} databases with ${rules.length} rules`);

  const results = new Map<ProbeId, ProbeResult>();
  const failedDatabases = new Map<string, string>();
  const run = async (job: Job): Promise<Row[]> => {
    const q = PROBES[job.probe].build({ majorVersion: major, databases: job.databases });
    return conn.query<Row>(q, { ...(signal && { signal }) });
  };
  await mapBounded(
    jobs,
    concurrency,
    async (job) => {
      let rows: Row[] = [];
      let error: SourceError | undefined;
      try {
        rows = await run(job);
      } catch (e) {
        if (!recoverable(e)) throw e;
        if (job.databases.length > 1) {
          // Find the database(s) that broke the batch; keep the rest.
          for (const db of job.databases) {
            signal?.throwIfAborted();
            try {
              rows.push(...(await run({ probe: job.probe, databases: [db] })));
            } catch (inner) {
              if (!recoverable(inner)) throw inner;
              failedDatabases.set(db, inner.message);
            }
          }
        } else if (job.databases.length === 1) failedDatabases.set(job.databases[0]!, e.message);
        else error = e;
      }
      const prior = results.get(job.probe);
      results.set(job.probe, { rows: [...(prior?.rows ?? []), ...rows], ...((error ?? prior?.error) && { error: error ?? prior?.error }) });
      done++;
      progress('probes', `${PROBE_LABELS[job.probe]}${job.databases.length ? ` (${job.databases.length === 1 ? '1 database' : `${job.databases.length} databases`})` : ''}`);
    },
    signal,
  );
  signal?.throwIfAborted();

  for (const [db, reason] of failedDatabases) {
    const info = assessed.find((d) => d.name === db)!;
    skipped.push({ database: info, reason: `The database could not be read: ${reason}` });
  }
  const readable = assessed.filter((d) => !failedDatabases.has(d.name));
  progress('rules', `Evaluating ${rules.length} rules`);
  const facts = buildFacts(inventory, readable, skipped, results);
  const ctx: EvalContext = { tier, limits: table.tiers[tier], table, mode };

  const instanceFindings: ReportFinding[] = [];
  const byDatabase = new Map<string, ReportFinding[]>(selected.map((d) => [d.name, []]));
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    const base = { id: rule.id, title: rule.title, category: rule.category, level: rule.level, origin: rule.origin, docs: rule.docs };
    const missing = rule.probes.map((p) => results.get(p)?.error).find(Boolean);
    if (missing) {
      outcomes.push({ ...base, status: 'not-run', reason: missing.message });
      continue;
    }
    const findings = rule.evaluate(facts, ctx);
    outcomes.push({ ...base, status: findings.length ? 'failed' : 'passed' });
    for (const f of findings) {
      const rf: ReportFinding = {
        ruleId: rule.id,
        title: rule.title,
        category: f.category ?? rule.category,
        level: rule.level,
        origin: rule.origin,
        ...(f.database !== undefined && { database: f.database }),
        message: f.message,
        objects: f.objects,
        recommendation: rule.recommendation,
        docs: rule.docs,
      };
      if (f.database !== undefined && byDatabase.has(f.database)) byDatabase.get(f.database)!.push(rf);
      else instanceFindings.push({ ...rf, ...(f.database === undefined ? {} : { database: f.database }) });
    }
  }

  // An instance-level blocker (an unsupported source version) blocks every database.
  const instanceBlockers = instanceFindings.filter((f) => f.category === 'blocker');
  const databases: DatabaseReport[] = selected.map((d) => {
    const findings = byDatabase.get(d.name)!;
    const counts = emptyCounts();
    for (const f of [...findings, ...instanceBlockers]) counts[f.category]++;
    return {
      name: d.name,
      state: d.state,
      sizeMb: Math.round((d.dataSizeMb + d.logSizeMb) * 100) / 100,
      recoveryModel: d.recoveryModel,
      compatibilityLevel: d.compatibilityLevel,
      readiness: readinessOf(counts),
      counts,
      findings,
    };
  });
  const all = [...instanceFindings, ...databases.flatMap((d) => d.findings)];
  const p = inventory.properties;
  const report: AssessmentReport = {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    roundTrips: conn.roundTrips - startTrips,
    tool: { name: 'sqlmig', version: typeof SQLMIG_VERSION === 'string' ? SQLMIG_VERSION : 'dev' },
    server: {
      name: p.serverName, address: conn.server, productName: p.productName, productVersion: p.productVersion,
      productLevel: p.productLevel, edition: p.edition, hostPlatform: p.hostPlatform,
    },
    target: { platform: 'AzureSqlManagedInstance', tier, tierName: TIER_NAMES[tier], mode, limitsVersion: table.version },
    summary: {
      databases: databases.length,
      ready: databases.filter((d) => d.readiness === 'ready').length,
      issues: databases.filter((d) => d.readiness === 'issues').length,
      blocked: databases.filter((d) => d.readiness === 'blocked').length,
      blockers: all.filter((f) => f.category === 'blocker').length,
      issueCount: all.filter((f) => f.category === 'issue').length,
      warnings: all.filter((f) => f.category === 'warning').length,
    },
    instanceFindings,
    databases,
    rules: outcomes,
  };
  done = total;
  progress('done', `${report.summary.ready} ready, ${report.summary.issues} with issues, ${report.summary.blocked} blocked`);
  return report;
}

function buildFacts(inventory: ServerInventory, databases: DatabaseInfo[], skipped: Facts['skipped'], results: Map<ProbeId, ProbeResult>): Facts {
  const rows = (id: ProbeId) => results.get(id)?.rows ?? [];
  const names = new Set(databases.map((d) => d.name));
  const modules: ModuleRow[] = rows('database.modules')
    .filter((r) => names.has(str(r.database_name)))
    .map((r) => ({
      database: str(r.database_name),
      schema: str(r.schema_name),
      name: str(r.object_name),
      type: str(r.object_type),
      definition: str(r.definition),
      code: splitCode(str(r.definition)),
    }));
  const jobSteps: JobStepRow[] = rows('server.jobSteps').map((r) => ({
    job: str(r.job_name),
    enabled: Number(r.job_enabled) === 1,
    stepId: Number(r.step_id),
    stepName: str(r.step_name),
    subsystem: str(r.subsystem),
    database: r.database_name == null ? null : str(r.database_name),
    command: str(r.command),
    code: splitCode(str(r.command)),
  }));
  const objects: DatabaseObjectRow[] = rows('database.objects')
    .filter((r) => names.has(str(r.database_name)))
    .map((r) => ({
      database: str(r.database_name),
      kind: str(r.kind),
      schema: r.schema_name == null ? null : str(r.schema_name),
      name: str(r.object_name),
      detail: r.detail == null ? null : str(r.detail),
    }));
  return {
    inventory,
    databases,
    skipped,
    configurations: new Map(rows('server.configurations').map((r) => [str(r.name).toLowerCase(), Number(r.value_in_use)])),
    linkedServers: rows('server.linkedServers').map((r) => ({ name: str(r.name), provider: str(r.provider), product: str(r.product), dataSource: str(r.data_source) })),
    jobSteps,
    traceFlags: rows('server.traceFlags').map((r) => ({ flag: Number(r.TraceFlag), global: Number(r.Global) === 1 })),
    windowsLogins: rows('server.logins').map((r) => ({ name: str(r.name), type: str(r.type_desc), disabled: Number(r.is_disabled) === 1 })),
    encryption: rows('server.encryption').map((r) => ({
      database: str(r.database_name),
      state: Number(r.encryption_state),
      certificate: r.certificate_name == null ? null : str(r.certificate_name),
      thumbprint: r.thumbprint == null ? null : str(r.thumbprint),
      encryptorType: str(r.encryptor_type),
    })),
    serverObjects: rows('server.objects').map((r) => ({ kind: str(r.kind), name: str(r.name), detail: r.detail == null ? null : str(r.detail) })),
    modules,
    objects,
  };
}

/** Connects, assesses and closes: what the CLI and the wizard call. */
export async function assessServer(connection: SourceConnectionOptions, options: AssessmentOptions = {}): Promise<AssessmentReport> {
  options.onProgress?.({ phase: 'connecting', done: 0, total: 4, message: `Connecting to ${connection.server}` });
  const conn = await connectSource({ ...connection, maxConnections: options.concurrency ?? 2 }, { ...(options.signal && { signal: options.signal }) });
  try {
    return await assessSource(conn, options);
  } finally {
    await conn.close();
  }
}
