/**
 * Completing and stopping Log Replay Service restores, for one or many, with the rules and words
 * of the migration service's cutover and cancel (cutover.ts, operations.ts): each restore is read
 * fresh, a completion goes through the same guard as a cutover (nothing of the chain left
 * unrestored: the service's files and the backup location both), quotes the last file restored,
 * and is reported done when the database is online; a stop (which deletes the database being
 * restored) is refused for anything but a restore in progress.
 */
import { mapBounded } from '../backup/scan';
import type { LrsClient, RestoreRef } from '../azure/lrs/client';
import { checkCutoverOf, cutoverBulk, type CutoverOptions, type CutoverResult, type LocationView } from './cutover';
import { lrsCutoverSubject, lrsRestoreView, stopRefusal, type LrsRestoreView } from './lrsStatus';
import type { OperationOptions, OperationResult } from './operations';
import { sleep } from '../sleep';

type Reader = Pick<LrsClient, 'readDatabase' | 'getRestoreDetails'>;

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

/**
 * A restore as it is now: the database and, while it restores, its restore details. Undefined
 * when there is no such database. An online database's details may have expired: it shows without.
 */
export async function readRestore(lrs: Reader, ref: RestoreRef, o: { signal?: AbortSignal; now?: Date } = {}): Promise<LrsRestoreView | undefined> {
  const call = o.signal ? { signal: o.signal } : {};
  const db = await lrs.readDatabase(ref, call);
  if (!db) return undefined;
  let details;
  try {
    details = await lrs.getRestoreDetails(ref, call);
  } catch (e) {
    if ((e as Error).name === 'AbortError' || lower(db.properties?.status) !== 'online') throw e;
  }
  return lrsRestoreView(ref, db, details, o.now);
}

export interface LrsCompleteOptions extends Omit<CutoverOptions, 'location' | 'onResult'> {
  /** Reads the backup location of a restore (readRestoreLocation); without it only the service's list is checked. */
  location?: (v: LrsRestoreView, signal?: AbortSignal) => Promise<LocationView | undefined>;
  onResult?: (r: CutoverResult) => void;
}

/** Reads the restore until the database is online or the restore fails. */
async function waitForEnd(lrs: Reader, ref: RestoreRef, o: LrsCompleteOptions): Promise<Pick<CutoverResult, 'outcome' | 'status' | 'error'>> {
  const deadline = Date.now() + (o.waitTimeoutMs ?? 2 * 3600_000);
  const interval = o.pollIntervalMs ?? 5000;
  for (let delay = Math.min(250, interval); ; delay = Math.min(interval, delay * 2)) {
    await sleep(delay, o.signal);
    const v = await readRestore(lrs, ref, o.signal ? { signal: o.signal } : {});
    if (!v) return { outcome: 'failed', status: 'Removed', error: `database ${ref.targetDatabase} is gone: the restore was stopped while completing` };
    o.onStatus?.(ref, v.status);
    if (v.status === 'Succeeded') return { outcome: 'completed', status: v.status };
    if (v.status === 'Failed') return { outcome: 'failed', status: v.status, error: `the completion ended Failed: ${v.problems.join('; ') || 'the service gives no reason'}` };
    if (Date.now() > deadline) return { outcome: 'started', status: v.status };
  }
}

/**
 * Completes many continuous restores: each is read fresh, checked by the cutover guard, completed
 * with its last restored file, and followed until the database is online.
 */
export function completeRestores(lrs: Reader & Pick<LrsClient, 'completeRestore'>, refs: readonly RestoreRef[], options: LrsCompleteOptions = {}): Promise<CutoverResult[]> {
  // As a cutover: all at once, within what an instance restores at once (cutoverBulk).
  return cutoverBulk(refs, options, (signal) => {
    options = { ...options, signal };
    return async (ref): Promise<CutoverResult> => {
      let result: CutoverResult;
      const v = await readRestore(lrs, ref, options.signal ? { signal: options.signal } : {});
      if (!v) {
        result = { ref, outcome: 'refused', blockers: [`there is no database ${ref.targetDatabase} on ${ref.managedInstance}: nothing to complete`], overridden: [], forced: false, warnings: [] };
      } else {
        const location = options.location ? await options.location(v, options.signal) : undefined;
        const check = checkCutoverOf(lrsCutoverSubject(v), { ...(options.overrides && { overrides: options.overrides }), ...(location && { location }) });
        const base = { ref, blockers: check.blockers, overridden: check.overridden, forced: check.forced, warnings: check.warnings };
        if (check.allowed && !v.lastRestoredFile) {
          result = { ...base, outcome: 'refused', blockers: [...base.blockers, 'the service names no restored file: there is nothing to complete the restore with'], status: v.status };
        } else if (!check.allowed) {
          result = { ...base, outcome: 'refused', status: v.status };
        } else {
          await lrs.completeRestore(ref, v.lastRestoredFile!, {
            ...(options.signal && { signal: options.signal }),
            ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
          });
          const end = options.wait === false ? { outcome: 'started' as const, status: 'Completing' } : await waitForEnd(lrs, ref, options);
          result = { ...base, ...end };
        }
      }
      return result;
    };
  });
}

/** Stops many restores (each database being restored is deleted); anything but a restore in progress is refused. */
export function stopRestores(lrs: Reader & Pick<LrsClient, 'stopRestore'>, refs: readonly RestoreRef[], options: OperationOptions = {}): Promise<OperationResult[]> {
  return mapBounded(
    refs,
    options.concurrency ?? 4,
    async (ref): Promise<OperationResult> => {
      let result: OperationResult;
      try {
        const v = await readRestore(lrs, ref, options.signal ? { signal: options.signal } : {});
        const why = v ? stopRefusal(v) : `there is no database ${ref.targetDatabase} on ${ref.managedInstance}: nothing to stop`;
        if (why) result = { ref, outcome: 'refused', reason: why, ...(v && { status: v.status }) };
        else {
          await lrs.stopRestore(ref, { ...(options.signal && { signal: options.signal }), ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }) });
          result = { ref, outcome: 'done', status: v!.status };
        }
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        result = { ref, outcome: 'failed', reason: (e as Error).message };
      }
      options.onResult?.(result);
      return result;
    },
    options.signal,
  );
}
