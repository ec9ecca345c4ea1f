/**
 * Completing (the cutover) and stopping Log Replay Service restores, on the core: each restore is
 * read fresh; a completion goes through the same guard as a migration's cutover (the service's
 * files and the blob folder: nothing of the chain left unrestored), a stop is refused for
 * anything but a restore in progress. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import { restoreRefFromId } from '../../core/azure/lrs/models';
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import { ActionableError } from '../errors';
import { contextFor } from './azureContext';
import { loadCore } from './loadCore';
import type { LocalUploads } from './localUploads';
import type { AccountSource } from './types';

export interface RestoreGuard {
  /** The restore as read now. */
  restore: LrsRestoreView;
  /** What could not be checked from here: the confirmation says it. */
  warnings: string[];
}

export interface RestoreOperations {
  /** Reads the restore and its backup folder again; rejects naming what is not restored when completing is not safe now. */
  guardComplete(v: LrsRestoreView, signal: AbortSignal): Promise<RestoreGuard>;
  /** Completes with the last restored file (guarded again) and resolves once the database is online. */
  complete(v: LrsRestoreView, signal: AbortSignal, onStatus?: (status: string) => void): Promise<void>;
  /** Stops the restore: the database being restored is deleted. */
  stop(v: LrsRestoreView, signal: AbortSignal): Promise<void>;
}

export interface RestoreOperationDeps {
  accounts: AccountSource;
  uploads: Pick<LocalUploads, 'inFlight' | 'stop'>;
  /** How often a completing restore is read (default: the core's). */
  pollIntervalMs?: number;
}

const NEXT = () => l10n.t('Wait until every backup is restored (the tail-log backup too) and the restore is ready to complete, then retry.');

export function restoreOperations(deps: RestoreOperationDeps): RestoreOperations {
  const session = async (signal: AbortSignal) => {
    const core = await loadCore();
    const ctx = contextFor(await deps.accounts.current(signal));
    return { core, ctx, lrs: new core.LrsClient(ctx) };
  };
  const location = (core: Awaited<ReturnType<typeof loadCore>>, ctx: ReturnType<typeof contextFor>, id: string) => (v: LrsRestoreView, signal?: AbortSignal) =>
    core.readRestoreLocation(ctx, v, { ...(signal && { signal }), inFlight: deps.uploads.inFlight(id) });
  return {
    async guardComplete(v, signal) {
      const { core, ctx, lrs } = await session(signal);
      const fresh = await core.readRestore(lrs, v.ref, { signal });
      if (!fresh) throw new ActionableError(l10n.t('There is no database {0} on {1} any more.', v.ref.targetDatabase, v.ref.managedInstance), l10n.t('Refresh the Migrations view.'));
      const check = core.checkCutoverOf(core.lrsCutoverSubject(fresh), { location: await location(core, ctx, v.id)(fresh, signal) });
      if (!check.allowed) throw new ActionableError(check.blockers.join('; '), NEXT());
      if (!fresh.lastRestoredFile) throw new ActionableError(l10n.t('the service names no restored file: there is nothing to complete the restore with'), NEXT());
      return { restore: fresh, warnings: check.warnings };
    },

    async complete(v, signal, onStatus) {
      const { core, ctx, lrs } = await session(signal);
      const [r] = await core.completeRestores(lrs, [restoreRefFromId(v.id)], {
        signal,
        location: location(core, ctx, v.id),
        ...(deps.pollIntervalMs !== undefined && { pollIntervalMs: deps.pollIntervalMs }),
        ...(onStatus && { onStatus: (_ref: unknown, status: string) => onStatus(status) }),
      });
      if (r?.outcome === 'refused') throw new ActionableError(r.blockers.join('; '), NEXT());
      if (r?.outcome === 'started') throw new ActionableError(l10n.t('The completion was accepted but has not finished: the restore is {0}.', r.status ?? ''), l10n.t('Follow it in the Migrations view.'));
      if (r?.outcome !== 'completed') throw new Error(r?.error ?? l10n.t('the restore was not completed'));
      await deps.uploads.stop(v.id);
    },

    async stop(v, signal) {
      const { core, lrs } = await session(signal);
      const [r] = await core.stopRestores(lrs, [restoreRefFromId(v.id)], { signal, ...(deps.pollIntervalMs !== undefined && { pollIntervalMs: deps.pollIntervalMs }) });
      if (r?.outcome === 'refused') throw new ActionableError(`${v.ref.targetDatabase}: ${r.reason}`, l10n.t('Refresh the Migrations view.'));
      if (r?.outcome !== 'done') throw new Error(r?.reason ?? l10n.t('the restore was not stopped'));
      await deps.uploads.stop(v.id);
    },
  };
}
