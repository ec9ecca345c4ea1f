/**
 * What each language model tool does: its input schema (checked again here, whatever the editor
 * checked), and short, factual text out. The tools reach the core through the same services as
 * the views: the migration feed (the core's monitor), the cutover guard and cutoverMany /
 * cancelMany (through MigrationOperations), the backup engine (scanPaths, planRestores) and the
 * assessment report readers. Cutover and cancel always return a confirmation for the editor to
 * show, and refuse unless the core's guard allows at the moment they run.
 * Loaded on the first tool call (register.ts), never at activation.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import * as l10n from '@vscode/l10n';
import * as v from 'valibot';
import { isFleetReport, fleetFromJson, type FleetReport } from '../../core/assessment/fleetReport';
import { reportFromJson, type AssessmentReport } from '../../core/assessment/report';
import { planRestores, scanPaths } from '../../core/backup';
import { migrationProblems } from '../../core/migration/status';
import { targetOf, type DatabaseMigrationJson } from '../dashboard/dmsShape';
import { asCore, groupOf, isOffline, pendingLogBackups, statusOf, type MigrationRules } from '../dashboard/statusRules';
import { ActionableError, describeError, isCancellation } from '../errors';
import type { MigrationFeed, MigrationOperations } from '../services/types';
import type { PreparedToolInvocation } from './lm';

export interface ToolDeps {
  feed: MigrationFeed;
  operations: MigrationOperations;
  rules: MigrationRules;
  log: { info(m: string): void; warn(m: string): void };
  /** After a cutover or cancel: the views read the migrations again. */
  afterChange?: () => void;
}

export interface ToolImpl {
  prepare?(input: unknown, signal: AbortSignal): Promise<PreparedToolInvocation>;
  invoke(input: unknown, signal: AbortSignal): Promise<string>;
}

/** What a tool refuses to do, or could not do: said to the model as is (VS Code passes thrown errors on). */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

const name = (max = 256) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max));
const path = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(4096), v.check(isAbsolute, 'must be an absolute path'));

export const STATUS_FILTERS = ['all', 'ready', 'inProgress', 'completing', 'failed', 'succeeded', 'canceled'] as const;

export const Schemas = {
  sqlmig_list_migrations: v.strictObject({
    status: v.optional(v.picklist(STATUS_FILTERS)),
    database: v.optional(name()),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200))),
  }),
  sqlmig_explain_cutover: v.strictObject({ migration: name(2048), instance: v.optional(name()) }),
  sqlmig_scan_backups: v.strictObject({ folder: path, database: v.optional(name()), offline: v.optional(v.boolean()) }),
  sqlmig_summarize_assessment: v.strictObject({ path }),
  sqlmig_complete_cutover: v.strictObject({ migration: name(2048), instance: v.optional(name()) }),
  sqlmig_cancel_migration: v.strictObject({ migration: name(2048), instance: v.optional(name()) }),
} as const;

export type ToolName = keyof typeof Schemas;

function parse<K extends ToolName>(tool: K, input: unknown): v.InferOutput<(typeof Schemas)[K]> {
  const r = v.safeParse(Schemas[tool], input ?? {});
  if (r.success) return r.output as v.InferOutput<(typeof Schemas)[K]>;
  const issues = r.issues.map((i) => `${v.getDotPath(i) ?? 'input'}: ${i.message}`).join('; ');
  throw new ToolError(l10n.t('Invalid input for {0}: {1}', tool, issues));
}

// ---- migrations -----------------------------------------------------------------------------------

function where(m: DatabaseMigrationJson): string {
  const t = targetOf(m);
  return t.managedInstance ? l10n.t('{0} on {1}', t.database, t.managedInstance) : t.database;
}

function line(m: DatabaseMigrationJson): string {
  const status = statusOf(m);
  const pending = pendingLogBackups(m);
  const parts = [status, isOffline(m) ? l10n.t('offline') : l10n.t('online')];
  if (pending !== undefined && !['Succeeded', 'Canceled', 'Failed'].includes(status)) parts.push(pending === 1 ? l10n.t('1 log backup pending') : l10n.t('{0} log backups pending', pending));
  const problem = migrationProblems(asCore(m))[0];
  if (problem) parts.push(problem.length > 200 ? `${problem.slice(0, 200)}...` : problem);
  return `- ${where(m)}: ${parts.join('; ')}`;
}

/** The one migration the input names: by resource id, by target database or migration name (and instance). */
function findMigration(all: readonly DatabaseMigrationJson[], text: string, instance?: string): DatabaseMigrationJson {
  const want = text.toLowerCase();
  let hits = all.filter((m) => m.id.toLowerCase() === want);
  if (hits.length === 0) hits = all.filter((m) => targetOf(m).database.toLowerCase() === want || m.name?.toLowerCase() === want || m.properties?.sourceDatabaseName?.toLowerCase() === want);
  if (instance) hits = hits.filter((m) => targetOf(m).managedInstance?.toLowerCase() === instance.toLowerCase());
  // A finished run and a current one of the same database: the current one.
  if (hits.length > 1) {
    const live = hits.filter((m) => !['Succeeded', 'Canceled', 'Failed'].includes(statusOf(m)));
    if (live.length === 1) hits = live;
  }
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) {
    const known = all.slice(0, 20).map(where).join(', ');
    throw new ToolError(all.length ? l10n.t('No migration matches "{0}". Migrations: {1}.', text, known) : l10n.t('No migrations are listed: none has been started from this editor, or the account sees none.'));
  }
  throw new ToolError(l10n.t('"{0}" matches {1} migrations ({2}): give the managed instance, or the migration\'s resource id.', text, hits.length, hits.map(where).join(', ')));
}

async function listAll(deps: ToolDeps, signal: AbortSignal): Promise<DatabaseMigrationJson[]> {
  if (!deps.feed.availability.available) throw new ToolError(deps.feed.availability.reason);
  return deps.feed.list(signal);
}

// ---- backups and reports ----------------------------------------------------------------------------

function lsnText(lsn: unknown): string {
  return String(lsn);
}

async function scanFolder(folder: string, database: string | undefined, offline: boolean, signal: AbortSignal): Promise<string> {
  try {
    await stat(folder);
  } catch (e) {
    throw new ToolError(l10n.t('Cannot read {0}: {1}', folder, (e as NodeJS.ErrnoException).code === 'ENOENT' ? l10n.t('no such file or folder') : (e as Error).message));
  }
  const readings = await scanPaths([folder], { signal });
  const plans = planRestores(readings, { mode: offline ? 'offline' : 'online', ...(database && { database }) });
  const notBackups = readings.filter((r) => !r.header).length;
  const out = [l10n.t('{0} files read under {1} ({2} not backups).', readings.length, folder, notBackups)];
  if (plans.length === 0) out.push(database ? l10n.t('No backups of a database named {0}.', database) : l10n.t('No database backups found.'));
  for (const p of plans.slice(0, 30)) {
    const counts = ['Database', 'DifferentialDatabase', 'TransactionLog'].map((t) => p.plan.filter((s) => s.backupType === t).length);
    const end = p.restoresTo ? l10n.t(', restores to LSN {0}', lsnText(p.restoresTo.lsn)) : '';
    out.push(`- ${p.name}: ${p.ready ? l10n.t('READY') : l10n.t('NOT READY')}; ${l10n.t('{0} full, {1} differential, {2} log backups in the chain{3}; {4} files left out', counts[0]!, counts[1]!, counts[2]!, end, p.ignored.length)}`);
    for (const problem of p.problems.slice(0, 5)) out.push(`  ${l10n.t('problem')}: ${problem}`);
    for (const w of p.warnings.slice(0, 3)) out.push(`  ${l10n.t('warning')}: ${w}`);
  }
  if (plans.length > 30) out.push(l10n.t('... and {0} more databases.', plans.length - 30));
  return out.join('\n');
}

function summarizeSingle(r: AssessmentReport, indent = ''): string[] {
  const s = r.summary;
  const out = [
    `${indent}${r.server.name} (${r.server.productName} ${r.server.productVersion}, ${r.server.edition}) -> ${r.target.tierName}, ${r.target.mode}: ${l10n.t('{0} databases: {1} ready, {2} with issues, {3} blocked', s.databases, s.ready, s.issues, s.blocked)}`,
  ];
  const instanceBlockers = r.instanceFindings.filter((f) => f.category === 'blocker');
  for (const f of instanceBlockers.slice(0, 3)) out.push(`${indent}  ${l10n.t('server blocker')} ${f.ruleId}: ${f.message}`);
  for (const d of r.databases.filter((x) => x.readiness !== 'ready').slice(0, 15)) {
    const top = d.findings.filter((f) => f.category !== 'warning').slice(0, 2).map((f) => `${f.ruleId} (${f.category})`).join(', ');
    out.push(`${indent}  ${d.name}: ${d.readiness.toUpperCase()}${top ? ` - ${top}` : ''}`);
  }
  const shown = Math.min(15, r.databases.filter((x) => x.readiness !== 'ready').length);
  const rest = r.databases.filter((x) => x.readiness !== 'ready').length - shown;
  if (rest > 0) out.push(`${indent}  ${l10n.t('... and {0} more not ready.', rest)}`);
  return out;
}

function summarizeFleet(r: FleetReport): string {
  const s = r.summary;
  const out = [l10n.t('{0} servers ({1} assessed, {2} not), {3} databases: {4} ready, {5} with issues, {6} blocked.', s.servers, s.assessed, s.failed, s.databases, s.ready, s.issues, s.blocked)];
  for (const x of r.servers.slice(0, 20)) {
    if (x.report) out.push(...summarizeSingle(x.report, '- ').slice(0, 6));
    else out.push(`- ${x.address}: ${l10n.t('not assessed')} (${x.error?.message ?? ''})`);
  }
  if (r.servers.length > 20) out.push(l10n.t('... and {0} more servers.', r.servers.length - 20));
  return out.join('\n');
}

async function summarizeReport(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ToolError(l10n.t('Cannot read {0}: {1}', file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? l10n.t('no such file') : (e as Error).message));
  }
  try {
    let fleet = false;
    try {
      fleet = isFleetReport(JSON.parse(text));
    } catch {
      // reportFromJson says what is wrong
    }
    return fleet ? summarizeFleet(fleetFromJson(text, file)) : summarizeSingle(reportFromJson(text, file)).join('\n');
  } catch (e) {
    throw new ToolError((e as Error).message);
  }
}

// ---- the tools --------------------------------------------------------------------------------------

/** What a cutover confirmation said about a migration, so the run honours only what the user saw. */
interface Shown {
  notReadyOnly?: string;
}

export function createTools(deps: ToolDeps): Record<ToolName, ToolImpl> {
  const shownCutover = new Map<string, Shown>();
  return {
    sqlmig_list_migrations: {
      prepare: async () => ({ invocationMessage: l10n.t('Reading the migrations') }),
      async invoke(input, signal) {
        const q = parse('sqlmig_list_migrations', input);
        let all = await listAll(deps, signal);
        if (q.status && q.status !== 'all') all = all.filter((m) => groupOf(statusOf(m)) === q.status);
        if (q.database) all = all.filter((m) => targetOf(m).database.toLowerCase().includes(q.database!.toLowerCase()));
        const limit = q.limit ?? 50;
        if (all.length === 0) return l10n.t('No migrations match.');
        const ready = all.filter((m) => deps.rules.canCutover(m).ok).length;
        const head = l10n.t('{0} migrations ({1} can be cut over now):', all.length, ready);
        const more = all.length > limit ? [l10n.t('... and {0} more (raise limit, or filter by status or database).', all.length - limit)] : [];
        return [head, ...all.slice(0, limit).map(line), ...more].join('\n');
      },
    },

    sqlmig_explain_cutover: {
      prepare: async () => ({ invocationMessage: l10n.t('Checking the migration for cutover') }),
      async invoke(input, signal) {
        const q = parse('sqlmig_explain_cutover', input);
        const m = findMigration(await listAll(deps, signal), q.migration, q.instance);
        const head = `${where(m)}: ${statusOf(m)}`;
        try {
          const guard = await deps.operations.guardCutover(m, signal);
          const out = [guard.notReadyOnly ? l10n.t('{0}. Can be cut over: {1}.', head, guard.notReadyOnly) : l10n.t('{0}. Ready for cutover: every backup is restored and none is pending.', head)];
          for (const w of guard.warnings ?? []) out.push(l10n.t('Not checked from here: {0}', w));
          out.push(l10n.t('Before cutover: stop writes to the source, take the tail-log backup into the backup location and wait until it is restored.'));
          return out.join('\n');
        } catch (e) {
          if (isCancellation(e)) throw e;
          if (e instanceof ActionableError) return l10n.t('{0}. Not ready for cutover: {1}', head, e.message);
          // The fresh read failed: what the last listing says, and why it is not fresh.
          const listed = deps.rules.canCutover(m);
          const why = describeError(e, l10n.t('Reading the migration')).message;
          return l10n.t('{0}. Could not read it fresh ({1}); the last listing says: {2}', head, why, listed.ok ? l10n.t('nothing blocks a cutover') : listed.reason);
        }
      },
    },

    sqlmig_scan_backups: {
      prepare: async () => ({ invocationMessage: l10n.t('Reading the backup headers') }),
      async invoke(input, signal) {
        const q = parse('sqlmig_scan_backups', input);
        return scanFolder(q.folder, q.database, q.offline ?? false, signal);
      },
    },

    sqlmig_summarize_assessment: {
      prepare: async () => ({ invocationMessage: l10n.t('Reading the assessment report') }),
      async invoke(input) {
        const q = parse('sqlmig_summarize_assessment', input);
        return summarizeReport(q.path);
      },
    },

    sqlmig_complete_cutover: {
      async prepare(input, signal) {
        const q = parse('sqlmig_complete_cutover', input);
        const m = findMigration(await listAll(deps, signal), q.migration, q.instance);
        let verdict: string;
        try {
          const guard = await deps.operations.guardCutover(m, signal);
          shownCutover.set(m.id, guard.notReadyOnly ? { notReadyOnly: guard.notReadyOnly } : {});
          const pending = pendingLogBackups(guard.migration);
          verdict = [
            guard.notReadyOnly ?? l10n.t('Every backup is restored; {0} log backups pending.', pending ?? 0),
            ...(guard.warnings ?? []).map((w) => l10n.t('Not checked from here: {0}', w)),
          ].join(' ');
        } catch (e) {
          if (isCancellation(e)) throw e;
          shownCutover.delete(m.id);
          verdict = l10n.t('The cutover guard refuses now ({0}); it will be refused unless that changes.', (e as Error).message);
        }
        return {
          invocationMessage: l10n.t('Completing the cutover of {0}', where(m)),
          confirmationMessages: {
            title: l10n.t('Complete the cutover of {0}?', where(m)),
            message: [
              verdict,
              l10n.t('Confirm only when writes to the source are stopped and the tail-log backup is in the backup location and restored.'),
              l10n.t('The database then comes online on the managed instance and the migration ends. Completing without restoring all the backups may result in data loss.'),
            ].join('\n\n'),
          },
        };
      },
      async invoke(input, signal) {
        const q = parse('sqlmig_complete_cutover', input);
        const m = findMigration(await listAll(deps, signal), q.migration, q.instance);
        const shown = shownCutover.get(m.id);
        shownCutover.delete(m.id);
        if (!shown) throw new ToolError(l10n.t('The cutover of {0} was not confirmed with its current state: ask again.', where(m)));
        // The guard again, fresh: it may have changed since the confirmation.
        let guard;
        try {
          guard = await deps.operations.guardCutover(m, signal);
        } catch (e) {
          if (e instanceof ActionableError) throw new ToolError(l10n.t('Refused: {0}', e.message));
          throw e;
        }
        if (guard.notReadyOnly && !shown.notReadyOnly) throw new ToolError(l10n.t('Refused: {0}. The confirmation did not say so: ask again.', guard.notReadyOnly));
        let last = '';
        await deps.operations.cutover(guard.migration, signal, {
          ...(guard.notReadyOnly && { acceptNotReady: l10n.t('confirmed in chat: {0}', guard.notReadyOnly) }),
          onStatus: (s) => (last = s),
        });
        deps.log.info(`chat tool: cutover of ${m.id} completed`);
        deps.afterChange?.();
        return l10n.t('Cutover of {0} completed: the service says {1}. The database is online on the target.', where(m), last || 'Succeeded');
      },
    },

    sqlmig_cancel_migration: {
      async prepare(input, signal) {
        const q = parse('sqlmig_cancel_migration', input);
        const m = findMigration(await listAll(deps, signal), q.migration, q.instance);
        const allowed = deps.rules.canCancel(m);
        return {
          invocationMessage: l10n.t('Canceling the migration of {0}', where(m)),
          confirmationMessages: {
            title: l10n.t('Cancel the migration of {0}?', where(m)),
            message: [
              allowed.ok ? l10n.t('It is {0}.', statusOf(m)) : l10n.t('It cannot be canceled now ({0}); it will be refused unless that changes.', allowed.reason),
              l10n.t('The restore stops and the partly restored database is removed from the target. The source is not changed.'),
            ].join('\n\n'),
          },
        };
      },
      async invoke(input, signal) {
        const q = parse('sqlmig_cancel_migration', input);
        const m = findMigration(await listAll(deps, signal), q.migration, q.instance);
        const allowed = deps.rules.canCancel(m);
        if (!allowed.ok) throw new ToolError(l10n.t('Refused: {0} cannot be canceled: {1}', where(m), allowed.reason));
        try {
          await deps.operations.cancel(m, signal);
        } catch (e) {
          if (e instanceof ActionableError) throw new ToolError(l10n.t('Refused: {0}', e.message));
          throw e;
        }
        deps.log.info(`chat tool: migration ${m.id} canceled`);
        deps.afterChange?.();
        return l10n.t('The migration of {0} is canceled.', where(m));
      },
    },
  };
}
