/**
 * A Log Replay Service (LRS) plan: databases restored by the managed instance itself from their
 * own flat folders of one blob container, with no migration service and no integration
 * runtime. Checked as a whole before anything is sent, with the same naming rules as a
 * migration plan (src/core/naming.ts), then turned into one restore request per database.
 *
 * Two modes: continuous (the instance restores each backup as it arrives and waits for
 * `completeRestore`, the cutover) and autocomplete (the whole chain is in the folder first; the
 * restore ends by itself after `lastBackupName`, which is taken from the chain). For the chain
 * checks they are an online and an offline migration (chainCheck.ts, runPlan.ts).
 */
import { LRS_TAGS, managedDatabaseIdOf, type RestoreRef, type StorageContainerIdentity } from '../azure/lrs/models';
import type { MigrationMode } from '../migrationMode';
import type { ArmId } from '../azure/armId';
import { containerNameProblem } from '../naming';
import type { ServiceTier } from '../sku/miLimits';
import { armIdInto, DatabaseChecks } from './databaseChecks';
import { PlanError, type DatabaseChoice, type PlannedDatabase } from './plan';

export const LRS_MODES = ['continuous', 'autocomplete'] as const;
export type LrsMode = (typeof LRS_MODES)[number];

/** How the instance reads the container: a SAS token (Read + List) or its own managed identity. */
export const LRS_ACCESS = ['sas', 'managedIdentity'] as const;
export type LrsAccess = (typeof LRS_ACCESS)[number];

/** The chain checks' word for a mode: continuous ends with a cutover, autocomplete by itself. */
export const chainModeOf = (mode: LrsMode): MigrationMode => (mode === 'continuous' ? 'online' : 'offline');

export interface LrsPlanInput {
  targetInstanceId: string;
  /** The instance's region (the restore request names it). */
  targetLocation: string;
  /** The collation the restore request names (LRS requires one); default: the instance's. */
  collation: string;
  mode: LrsMode;
  /** blob: the backups are in the container's folders already; upload: local folders go up first. */
  backup: { kind: 'blob' | 'upload'; storageAccountId: string; container: string };
  access: LrsAccess;
  databases: DatabaseChoice[];
  /** Databases already on the target instance: a target name among them is refused. */
  existingTargetDatabases?: readonly string[];
  /** The target instance's service tier: how many databases it holds. */
  targetTier?: ServiceTier;
  /** Databases other plans of the same start put on the same instance: they count toward its limit. */
  alsoPlannedOnTarget?: number;
}

export interface LrsPlan extends Omit<LrsPlanInput, 'mode'> {
  lrsMode: LrsMode;
  /** online (continuous) or offline (autocomplete), for the chain checks. */
  mode: MigrationMode;
  target: ArmId;
  planned: PlannedDatabase[];
  warnings: string[];
}

/** A last backup name the service takes: a file name in ASCII, on one line (LastBackupNameHasNonAsciiCharacter, ...HasNewline). */
export function lastBackupNameProblem(name: string): string | undefined {
  if (/[/\\]/.test(name)) return `the last backup name is a file name, not a path: "${name}"`;
  if (/[\r\n]/.test(name)) return 'the last backup name must be on one line';
  // eslint-disable-next-line no-control-regex
  if (/[^\x20-\x7e]/.test(name)) return `the last backup name "${name}" has characters other than printable ASCII, which the Log Replay Service refuses: rename the file`;
  return undefined;
}

/** Checks everything at once and reports every problem, or returns the plan ready to run. */
export function validateLrsPlan(input: LrsPlanInput): LrsPlan {
  const problems: string[] = [];
  const tryId = (id: string, provider: string, type: string, what: string) => armIdInto(problems, id, provider, type, what);
  const target = tryId(input.targetInstanceId, 'Microsoft.Sql', 'managedInstances', 'the target managed instance');
  const b = input.backup;
  tryId(b.storageAccountId, 'Microsoft.Storage', 'storageAccounts', 'the storage account');
  if (!LRS_MODES.includes(input.mode)) problems.push(`the mode must be continuous or autocomplete, not "${String(input.mode)}"`);
  if (!LRS_ACCESS.includes(input.access)) problems.push(`the instance reads the container with a SAS token (sas) or its managed identity (managedIdentity), not "${String(input.access)}"`);
  if (b.kind !== 'blob' && b.kind !== 'upload') problems.push(`the Log Replay Service reads blob storage only: backups in a blob container (blob) or local folders uploaded first (upload), not "${String(b.kind)}"`);
  const cp = containerNameProblem(b.container);
  if (cp) problems.push(cp);
  if (!input.collation?.trim()) problems.push('the restore needs a collation (the instance\'s, by default)');
  if (!input.targetLocation?.trim()) problems.push('the target instance\'s region is not known');

  const checks = DatabaseChecks.forPlan(problems, input);
  const planned: PlannedDatabase[] = [];
  for (const d of input.databases) {
    if (!checks.source(d.source)) continue;
    const targetName = d.target ?? d.source;
    checks.target(d.source, targetName);
    const folder = d.folder ?? d.source;
    // LRS restores everything in the folder it is given: one flat folder per database, never shared.
    checks.folder(d.source, folder, 'the Log Replay Service needs one folder per database');
    if (b.kind === 'upload' && !d.localFolder) problems.push(`${d.source}: upload mode needs the local folder holding its backups`);
    if (d.lastBackupName) {
      if (input.mode === 'continuous') problems.push(`${d.source}: a last backup file is only for autocomplete restores (continuous ones end with "log-replay complete")`);
      const lp = lastBackupNameProblem(d.lastBackupName);
      if (lp) problems.push(`${d.source}: ${lp}`);
    }
    if (target) {
      const ref: RestoreRef = { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, managedInstance: target.name, targetDatabase: targetName };
      planned.push({
        source: d.source,
        target: targetName,
        folder,
        ...(d.lastBackupName && { lastBackupName: d.lastBackupName }),
        ...(d.localFolder && { localFolder: d.localFolder }),
        ref,
        migrationId: managedDatabaseIdOf(ref),
      });
    }
  }
  if (problems.length) throw new PlanError(problems);
  const { mode, ...rest } = input;
  return { ...rest, lrsMode: mode, mode: chainModeOf(mode), target: target!, planned, warnings: [] };
}

/** The tags a restore carries (see LRS_TAGS): where it reads and how it ends. */
export function lrsTags(plan: LrsPlan, db: PlannedDatabase): Record<string, string> {
  return {
    [LRS_TAGS.source]: db.source,
    [LRS_TAGS.storageAccount]: plan.backup.storageAccountId,
    [LRS_TAGS.folder]: `${plan.backup.container}/${db.folder ?? db.source}`,
    [LRS_TAGS.mode]: plan.lrsMode,
    [LRS_TAGS.access]: storageIdentityOf(plan.access),
    ...(plan.lrsMode === 'autocomplete' && db.lastBackupName && { [LRS_TAGS.lastBackup]: db.lastBackupName }),
  };
}

export function storageIdentityOf(access: LrsAccess): StorageContainerIdentity {
  return access === 'managedIdentity' ? 'ManagedIdentity' : 'SharedAccessSignature';
}

/** The container URL the restore reads, with the database's folder (no token). */
export function storageContainerUriOf(blobEndpoint: string, plan: LrsPlan, db: PlannedDatabase): string {
  return `${blobEndpoint.replace(/\/?$/, '/')}${plan.backup.container}/${db.folder ?? db.source}`;
}
