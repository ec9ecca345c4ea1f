/**
 * Running a Log Replay Service plan, the way runMigrationPlan runs a migration plan and with the
 * same steps (runPlanWith): check every chain as the service will see it, add the LRS rules
 * (lrsChecks.ts) and try the SAS token the way the service will use it, refuse while a problem
 * stands, upload local chains (autocomplete: the whole chain, its last file then named), then
 * start one restore per database. A database whose upload fails is not started; the others go on.
 */
import { mapBounded } from '../backup/scan';
import type { LrsClient, RestoreRequest } from '../azure/lrs/client';
import { probeContainerSas } from '../azure/sas';
import { vetLrsPlan, type LrsVetInput } from './lrsChecks';
import { lrsTags, storageContainerUriOf, storageIdentityOf, type LrsPlan } from './lrsPlan';
import type { ChainReport } from './chainCheck';
import type { PlannedDatabase } from './plan';
import { runPlanWith, type PlanRun, type PlanRunOptions } from './runPlan';
import type { StartResult } from './start';

export interface LrsRunOptions extends PlanRunOptions, Omit<LrsVetInput, 'plan'> {
  /** The storage account's blob endpoint: each restore reads ENDPOINT/CONTAINER/FOLDER. */
  blobEndpoint: string;
  /** The plan's warnings (the instance's identity, the 30-day limit, restores at once) as they are found. */
  onWarning?: (warning: string) => void;
}

/** One restore request per database (the SAS token, a secret, rides in it and in `secrets`). */
export function toRestoreRequest(plan: LrsPlan, db: PlannedDatabase, o: { blobEndpoint: string; sasToken?: string }): RestoreRequest {
  return {
    location: plan.targetLocation,
    collation: plan.collation,
    storageContainerUri: storageContainerUriOf(o.blobEndpoint, plan, db),
    identity: storageIdentityOf(plan.access),
    ...(plan.access === 'sas' && o.sasToken && { sasToken: o.sasToken }),
    ...(plan.lrsMode === 'autocomplete' && db.lastBackupName && { lastBackupName: db.lastBackupName }),
    tags: lrsTags(plan, db),
  };
}

/** Starts a restore per planned database, a few at a time; each gets its own result. */
export function startRestores(
  lrs: Pick<LrsClient, 'startRestore'>,
  plan: LrsPlan,
  planned: readonly PlannedDatabase[],
  o: { blobEndpoint: string; sasToken?: string; concurrency?: number; signal?: AbortSignal; pollIntervalMs?: number; onResult?: (r: StartResult) => void },
): Promise<StartResult[]> {
  return mapBounded(
    planned,
    o.concurrency ?? 4,
    async (db): Promise<StartResult> => {
      const base = { source: db.source, target: db.target, migrationId: db.migrationId };
      let result: StartResult;
      try {
        const created = await lrs.startRestore(db.ref, toRestoreRequest(plan, db, o), {
          ...(o.signal && { signal: o.signal }),
          ...(o.pollIntervalMs !== undefined && { pollIntervalMs: o.pollIntervalMs }),
        });
        result = { ...base, ok: true, status: created?.properties?.status ?? 'Restoring' };
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        result = { ...base, ok: false, error: (e as Error).message };
      }
      o.onResult?.(result);
      return result;
    },
    o.signal,
  );
}

export async function runLrsPlan(lrs: Pick<LrsClient, 'startRestore'>, plan: LrsPlan, options: LrsRunOptions): Promise<PlanRun & { warnings: string[] }> {
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    options.onWarning?.(w);
  };
  const run = await runPlanWith(
    plan,
    (planned, onResult) =>
      startRestores(lrs, plan, planned, {
        blobEndpoint: options.blobEndpoint,
        ...(options.sasToken && { sasToken: options.sasToken }),
        ...(options.concurrency && { concurrency: options.concurrency }),
        ...(options.signal && { signal: options.signal }),
        ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
        onResult,
      }),
    { ...options, vet: (chains) => vetLrsRun(plan, chains, options, warn) },
  );
  return { ...run, warnings };
}

/**
 * The LRS rules over checked chains (added to each report's refusal) and the plan's own problems,
 * with the SAS token tried as the service will use it. runLrsPlan runs it; a face that starts
 * several plans together runs it on each first, so that nothing starts while any is refused.
 */
export async function vetLrsRun(plan: LrsPlan, chains: ChainReport[], options: Omit<LrsRunOptions, 'plan'>, warn: (w: string) => void = () => undefined): Promise<string[]> {
  const found: string[] = [];
  const problems = vetLrsPlan(chains, { ...options, plan }, found);
  found.forEach(warn);
  // A token that reads well on paper is tried as the service will use it: list, then read.
  const first = plan.planned[0];
  if (!problems.length && plan.access === 'sas' && options.sasToken && first) {
    const failed = await probeContainerSas({
      blobEndpoint: options.blobEndpoint,
      container: plan.backup.container,
      folder: first.folder ?? first.source,
      sasToken: options.sasToken,
      ...(options.signal && { signal: options.signal }),
    });
    if (failed) problems.push(failed);
  }
  return problems;
}
