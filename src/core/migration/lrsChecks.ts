/**
 * The Log Replay Service's rules, checked before anything is uploaded or started (LRS itself
 * finds most of them late, after the database is created and the restore has begun):
 *
 *   - one flat folder per database, never two databases (checked with every engine: chainCheck.ts);
 *   - FULL recovery; backups written by SQL Server 2008 or later;
 *   - autocomplete: the whole chain in the folder, its last file named from the chain;
 *   - the container read with a SAS token granting exactly Read and List, with no stored access
 *     policy and an expiry beyond the restore's expected end (and the token is tried, as the
 *     service will use it), or with the instance's managed identity;
 *   - surfaced as warnings: a restore runs at most 30 days, and an instance runs at most 100
 *     restores at once.
 *
 * Each problem says what to do. Pure: what needs reading (the folders, the instance, the token's
 * probe) is read by the caller (chainCheck.ts, lrsRun.ts).
 */
import { lrsSasProblems } from '../azure/sasToken';
import type { ChainReport } from './chainCheck';
import type { LrsPlan } from './lrsPlan';
import { managedIdentityAccess } from './storageAccess';

/** A restore runs at most this long; then the service stops it. */
export const LRS_MAX_RESTORE_DAYS = 30;
/** An instance runs at most this many Log Replay Service restores at once. */
export const LRS_MAX_CONCURRENT_RESTORES = 100;
/** SQL Server 2008 (10.0) is the oldest version whose backups LRS restores. */
export const LRS_MIN_SQL_VERSION = 10;

const SQL_NAMES: Record<number, string> = { 8: 'SQL Server 2000', 9: 'SQL Server 2005', 10: 'SQL Server 2008', 11: 'SQL Server 2012' };

export interface LrsVetInput {
  plan: LrsPlan;
  /** The target instance: its name and managed identity, as ARM reports them. */
  instance: { name: string; identity?: { type: string; principalId?: string } };
  /** Databases already restoring on the instance (other restores running there). */
  restoringOnInstance?: number;
  /** Access `sas`: the token the restores will use. */
  sasToken?: string;
  /** How long the restores are expected to take, in days (default: 30 continuous, 7 autocomplete). */
  expectedDays?: number;
  now?: Date;
}

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

/** The expected duration when none is given: a continuous restore may run its whole 30 days. */
export function defaultExpectedDays(plan: Pick<LrsPlan, 'lrsMode'>): number {
  return plan.lrsMode === 'continuous' ? LRS_MAX_RESTORE_DAYS : 7;
}

/** The LRS rules for one database's checked chain: added to the report's refusal and warnings. */
function vetChain(r: ChainReport, plan: LrsPlan): void {
  const refusal: string[] = [];
  const mine = (r.entries ?? []).filter((e) => !e.nested && e.database?.toLowerCase() === r.source.toLowerCase());
  const pre = r.preflight?.plan;
  // Recovery model: the chain's own (upload), or what the folder's backups say (blob).
  const models = new Set([...(pre?.recoveryModel ? [pre.recoveryModel] : []), ...mine.flatMap((e) => (e.recoveryModel ? [e.recoveryModel] : []))]);
  const notFull = [...models].filter((m) => m !== 'FULL');
  if (notFull.length && !r.problems.some((p) => p.code === 'simple-recovery')) {
    refusal.push(
      `the database is in the ${notFull.join(' and ')} recovery model: the Log Replay Service restores databases in the FULL recovery model only; ` +
        `run ALTER DATABASE [${r.source}] SET RECOVERY FULL on the source, then take a new full backup and log backups`,
    );
  }
  const versions = [...(pre?.plan ?? []).flatMap((s) => (s.softwareVersionMajor ? [s.softwareVersionMajor] : [])), ...mine.flatMap((e) => (e.softwareVersionMajor ? [e.softwareVersionMajor] : []))];
  const oldest = versions.length ? Math.min(...versions) : undefined;
  if (oldest !== undefined && oldest < LRS_MIN_SQL_VERSION) {
    refusal.push(
      `the backups were written by ${SQL_NAMES[oldest] ?? `SQL Server version ${oldest}`}: the Log Replay Service restores backups of SQL Server 2008 or later; ` +
        'upgrade the source (or restore it on SQL Server 2008 or later) and take new backups there, or migrate it with the migration service',
    );
  }
  // Autocomplete ends at its last backup, and LRS fails on any later backup of the database in the folder.
  const last = r.lastBackupName && mine.find((e) => e.name.toLowerCase() === r.lastBackupName!.toLowerCase());
  if (plan.lrsMode === 'autocomplete' && last && last.lastLsn !== undefined) {
    const later = mine.filter((e) => e !== last && e.lastLsn !== undefined && e.lastLsn > last.lastLsn! && (!last.familyGuid || e.familyGuid === last.familyGuid));
    if (later.length) {
      refusal.push(
        `${later.map((e) => e.name).join(', ')} in ${r.folder}/ ${later.length === 1 ? 'continues' : 'continue'} the database past ${last.name}, the last backup of this autocomplete restore, ` +
          'and the Log Replay Service fails an autocomplete restore on a later backup: name the last file of the chain as the last backup, move the later files out, or use the continuous mode',
      );
    }
  }
  if (plan.lrsMode === 'autocomplete' && !r.lastBackupName) {
    refusal.push(
      `an autocomplete restore needs the whole chain in ${r.folder}/ before it starts, and the folder holds no restorable chain of ${r.source} yet: ` +
        'upload the chain first (or start with --local), or use the continuous mode',
    );
  }
  if (refusal.length) r.refusal = [...(r.refusal ?? []), ...refusal];
}

/**
 * Adds the LRS rules to every checked chain and returns what stands in the way of the plan as a
 * whole (access to the container, the instance). Warnings of the plan go to `warnings`.
 */
export function vetLrsPlan(chains: ChainReport[], input: LrsVetInput, warnings: string[]): string[] {
  const { plan } = input;
  const now = input.now ?? new Date();
  for (const r of chains) vetChain(r, plan);
  const problems: string[] = [];
  if (plan.access === 'sas') {
    const lastsUntil = new Date(now.getTime() + (input.expectedDays ?? defaultExpectedDays(plan)) * DAY);
    if (input.sasToken === undefined) problems.push('no SAS token to read the container with: set SQLMIG_LRS_SAS, or let sqlmig create one');
    else {
      const sas = lrsSasProblems(input.sasToken, { now, lastsUntil });
      problems.push(...sas.problems);
      warnings.push(...sas.warnings);
    }
  } else {
    const access = managedIdentityAccess({ ...input.instance, resourceGroup: plan.target.resourceGroup }, plan.backup.storageAccountId, 'or read the container with a SAS token');
    if (access.problem) problems.push(access.problem);
    if (access.warning) warnings.push(access.warning);
  }
  const restoring = input.restoringOnInstance ?? 0;
  const total = restoring + plan.planned.length;
  if (total > LRS_MAX_CONCURRENT_RESTORES) {
    warnings.push(
      `${plan.planned.length} restore${plan.planned.length === 1 ? '' : 's'} beside the ${restoring} already running on ${input.instance.name} make ${total}: ` +
        `an instance runs at most ${LRS_MAX_CONCURRENT_RESTORES} Log Replay Service restores at once; start the rest when some have completed`,
    );
  }
  const deadline = new Date(now.getTime() + LRS_MAX_RESTORE_DAYS * DAY);
  warnings.push(
    plan.lrsMode === 'continuous'
      ? `a Log Replay Service restore runs at most ${LRS_MAX_RESTORE_DAYS} days: complete these by ${day(deadline)} (sqlmig log-replay complete), or the service stops them`
      : `a Log Replay Service restore runs at most ${LRS_MAX_RESTORE_DAYS} days (until ${day(deadline)}): the autocomplete restores must reach their last backup before then`,
  );
  return problems;
}
