/**
 * Before a migration starts, each database's backup chain is checked as the service will see
 * it: local backups planned against what the blob folder already holds (upload), or the blob
 * folder itself (blob). Every problem of every database is reported at once, and nothing is
 * uploaded or created while one stands that the DBA has not explicitly accepted with a reason.
 *
 * An offline migration ends on the last backup file: it is taken from the chain, and a name
 * the DBA gave is checked against it (a stale name would bring the database online early, or
 * leave the service waiting for a file that never comes).
 */
import { basename } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import type { PlanProblem, PlanProblemCode } from '../backup';
import { mapBounded } from '../backup/scan';
import { checkFolder, folderRules, folderState, preflight, UploadRefusedError, type Preflight } from '../upload/databaseUpload';
import { lastFileInLocation, type LocationEntry } from '../upload/location';
import type { MigrationPlan, PlannedDatabase } from './plan';
import type { TdeProblemCode } from './tdeCheck';

/** What the chain checks need of a plan, whichever engine runs it (DMS or the Log Replay Service). */
export type ChainPlan = Pick<MigrationPlan, 'planned' | 'mode'>;

/** Problems a DBA may accept with a reason: the chain is still restorable as far as it goes. */
export const ACCEPTABLE_PROBLEMS: ReadonlySet<PlanProblemCode> = new Set(['lsn-gap', 'missing-stripe']);

export interface Acceptance {
  /** A chain's problems (ACCEPTABLE_PROBLEMS) and the TDE check's (ACCEPTABLE_TDE_PROBLEMS). */
  codes: readonly (PlanProblemCode | TdeProblemCode)[];
  /** Why; required, and shown with the result. */
  reason: string;
}

export interface ChainReport {
  source: string;
  folder: string;
  /** The chain to send (upload mode). */
  preflight?: Preflight;
  /** Why the chain cannot be used at all (no backups, two databases, a clash in the folder ...). */
  refusal?: string[];
  problems: PlanProblem[];
  warnings: string[];
  /** Offline: the last backup file of the chain, as the service is to be told. */
  lastBackupName?: string;
  /** What the blob folder held when it was checked (for the rules of one engine, e.g. the Log Replay Service's). */
  entries?: LocationEntry[];
}

export interface ChainCheckOptions {
  /** Plan from the newest full even where a folder holds a chain (no migration restores from it yet). */
  newBase?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
}

function refusalOf(e: unknown): string[] {
  if (!(e instanceof UploadRefusedError)) throw e;
  return [e.message.split('\n')[0]!, ...e.problems];
}

/** Plans every database's local chain against its blob folder; reads, never writes. */
export async function checkLocalChains(container: ContainerClient, plan: ChainPlan, options: ChainCheckOptions = {}): Promise<ChainReport[]> {
  const signal = options.signal;
  return mapBounded(
    plan.planned,
    options.concurrency ?? 4,
    async (db: PlannedDatabase): Promise<ChainReport> => {
      const folder = db.folder ?? db.source;
      const report: ChainReport = { source: db.source, folder, problems: [], warnings: [] };
      try {
        const state = await folderState(container, folder, db.source, { ...(options.newBase && { newBase: true }), ...(signal && { signal }) });
        report.entries = state.entries;
        const pre = await preflight([db.localFolder!], db.source, plan.mode, signal, state.anchor);
        report.warnings.push(...pre.plan.warnings, ...checkFolder(state.entries, container, folder, pre));
        report.problems.push(...pre.problems);
        report.preflight = pre;
        if (plan.mode === 'offline') {
          const last = pre.plan.plan.at(-1);
          const name = last ? basename(last.files.at(-1)!) : state.anchor && lastFileInLocation(state.entries, state.anchor);
          if (name) report.lastBackupName = name;
        }
      } catch (e) {
        report.refusal = refusalOf(e);
      }
      return lastBackupChecked(report, db);
    },
    signal,
  );
}

/** Checks the chain already in each database's blob folder (backups the DBA put there). */
export async function checkBlobChains(container: ContainerClient, plan: ChainPlan, options: ChainCheckOptions = {}): Promise<ChainReport[]> {
  const signal = options.signal;
  return mapBounded(
    plan.planned,
    options.concurrency ?? 4,
    async (db: PlannedDatabase): Promise<ChainReport> => {
      const folder = db.folder ?? db.source;
      const report: ChainReport = { source: db.source, folder, problems: [], warnings: [] };
      const state = await folderState(container, folder, db.source, signal ? { signal } : {});
      report.entries = state.entries;
      // One flat folder per database: what the service would trip over is refused here, named.
      const rules = folderRules(state.entries, folder, db.source, state.anchor?.familyGuid);
      report.warnings.push(...rules.warnings);
      if (rules.foreign.length) report.refusal = [`the folder ${container.containerName}/${folder} holds more than ${db.source}'s backups; each database needs its own flat folder`, ...rules.foreign];
      if (!state.anchor) {
        report.warnings.push(`${container.containerName}/${folder}/ holds no full backup of ${db.source} yet: the service waits until one arrives`);
      } else if (plan.mode === 'offline') {
        const name = lastFileInLocation(state.entries, state.anchor);
        if (name) report.lastBackupName = name;
      }
      return lastBackupChecked(report, db);
    },
    signal,
  );
}

/**
 * A last backup name the DBA gave: in upload mode it must be a file of the chain, which then
 * ends there (nothing after it is sent, and the DBA is told what is left out); in blob mode a
 * name that is not the end of the folder's chain is worth a warning.
 */
function lastBackupChecked(report: ChainReport, db: PlannedDatabase): ChainReport {
  const given = db.lastBackupName;
  if (!given) return report;
  const pre = report.preflight;
  if (pre) {
    const k = pre.plan.plan.findIndex((s) => s.files.some((f) => basename(f).toLowerCase() === given.toLowerCase()));
    if (k < 0) {
      const files = pre.plan.plan.flatMap((s) => s.files.map((f) => basename(f)));
      report.refusal = [
        ...(report.refusal ?? []),
        `the last backup file named for ${db.source}, ${given}, is not a file of its backup chain` +
          (files.length ? ` (${files.join(', ')})` : '') + ': name one of them, or leave the name out to take the last one',
      ];
      return report;
    }
    const after = pre.plan.plan.slice(k + 1);
    if (after.length) {
      report.warnings.push(`the migration ends at ${given}, as named: ${after.flatMap((s) => s.files.map((f) => basename(f))).join(', ')} ${after.length === 1 ? 'is' : 'are'} not uploaded or restored`);
      const kept = pre.plan.plan.slice(0, k + 1);
      report.preflight = { ...pre, plan: { ...pre.plan, plan: kept }, files: kept.flatMap((s) => s.files) };
    }
    report.lastBackupName = given;
    return report;
  }
  if (report.lastBackupName && report.lastBackupName.toLowerCase() !== given.toLowerCase()) {
    report.warnings.push(`the chain in ${report.folder}/ ends at ${report.lastBackupName}, not at ${given}: the service restores up to ${given} only, once it is there`);
  }
  report.lastBackupName = given;
  return report;
}

/** Every problem that keeps the plan from starting: refusals, and problems not accepted. */
export function blockingProblems(reports: readonly ChainReport[], accept?: Acceptance): string[] {
  if (accept && !accept.reason.trim()) throw new Error('accepting a backup chain problem needs an explicit reason');
  const out: string[] = [];
  for (const r of reports) {
    for (const line of r.refusal ?? []) out.push(`${r.source}: ${line}`);
    for (const p of r.problems) {
      if (accept?.codes.includes(p.code) && ACCEPTABLE_PROBLEMS.has(p.code)) continue;
      out.push(`${r.source}: ${p.message}${ACCEPTABLE_PROBLEMS.has(p.code) ? ` [${p.code}: can be accepted with a reason]` : ''}`);
    }
  }
  return out;
}
