/**
 * Cancel and delete, for one migration or many, with one set of rules and words for every face
 * (the CLI and the editor present these results; they decide nothing). Each migration is read
 * fresh first: a stale view never cancels the wrong operation or deletes one still running.
 * Cutover lives in cutover.ts, with its guard.
 */
import { mapBounded } from '../backup/scan';
import type { DmsClient, MigrationRef } from '../azure/dms/client';
import type { DatabaseMigrationSqlMi } from '../azure/dms/models';
import { bulkSignal } from './bulkSignal';
import { canCancel, canDelete, statusOf } from './status';

export type OperationOutcome = 'done' | 'refused' | 'failed';

export interface OperationResult {
  ref: MigrationRef;
  outcome: OperationOutcome;
  /** Why it was refused (nothing was asked of the service), or why it failed. */
  reason?: string;
  /** The migration's status when it was read. */
  status?: string;
}

export interface OperationOptions {
  /** Migrations handled at once (default 4: ARM throttles bursts). */
  concurrency?: number;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  onResult?: (r: OperationResult) => void;
}

/** Why a migration cannot be canceled now, or undefined when it can. */
export function cancelRefusal(m: DatabaseMigrationSqlMi): string | undefined {
  if (canCancel(m)) return undefined;
  const status = statusOf(m);
  return m.properties?.migrationOperationId
    ? `it is ${status}: only a migration in progress can be canceled`
    : `it is ${status} and the service reports no operation to cancel`;
}

/** Why a migration cannot be deleted now, or undefined when it can. */
export function deleteRefusal(m: DatabaseMigrationSqlMi): string | undefined {
  return canDelete(m) ? undefined : `it is ${statusOf(m)}: only a finished, failed or canceled migration can be deleted; cancel it (or complete its cutover) first`;
}

async function eachFresh(
  dms: Pick<DmsClient, 'getMigration'>,
  refs: readonly MigrationRef[],
  options: OperationOptions,
  refusal: (m: DatabaseMigrationSqlMi) => string | undefined,
  /** `o`: the options with the operation's own signal. */
  act: (ref: MigrationRef, m: DatabaseMigrationSqlMi, o: OperationOptions) => Promise<void>,
): Promise<OperationResult[]> {
  const workers = options.concurrency ?? 4;
  // One signal for the operation's requests, not a listener each on the caller's (bulkSignal.ts).
  const bulk = bulkSignal(options.signal, Math.min(workers, refs.length));
  options = { ...options, signal: bulk.signal };
  return mapBounded(
    refs,
    workers,
    async (ref) => {
      let result: OperationResult;
      try {
        const m = await dms.getMigration(ref, options.signal ? { signal: options.signal } : {});
        const why = refusal(m);
        if (why) result = { ref, outcome: 'refused', reason: why, status: statusOf(m) };
        else {
          await act(ref, m, options);
          result = { ref, outcome: 'done', status: statusOf(m) };
        }
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        result = { ref, outcome: 'failed', reason: (e as Error).message };
      }
      options.onResult?.(result);
      return result;
    },
    options.signal,
  ).finally(() => bulk.done());
}

const lro = (o: OperationOptions) => ({ ...(o.signal && { signal: o.signal }), ...(o.pollIntervalMs !== undefined && { pollIntervalMs: o.pollIntervalMs }) });

/** Cancels each migration's current operation (the target database is left unfinished). */
export function cancelMany(dms: Pick<DmsClient, 'getMigration' | 'cancelMigration'>, refs: readonly MigrationRef[], options: OperationOptions = {}): Promise<OperationResult[]> {
  return eachFresh(dms, refs, options, cancelRefusal, (ref, m, o) => dms.cancelMigration(ref, m.properties!.migrationOperationId!, lro(o)));
}

/**
 * Deletes finished migration records (databases on the target and backups are not touched).
 * `force` deletes one still in progress too: the service stops it first.
 */
export function deleteMany(
  dms: Pick<DmsClient, 'getMigration' | 'deleteMigration'>,
  refs: readonly MigrationRef[],
  options: OperationOptions & { force?: boolean } = {},
): Promise<OperationResult[]> {
  return eachFresh(dms, refs, options, options.force ? () => undefined : deleteRefusal, (ref, _m, o) => dms.deleteMigration(ref, { ...lro(o), ...(options.force && { force: true }) }));
}
