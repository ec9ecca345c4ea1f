/**
 * Cutover: the one step that can lose data. The guard reads the migration fresh (status is read,
 * not remembered) and, because the service finds new backups only when it next polls, also the
 * backup location itself: a tail-log backup uploaded a moment ago, invisible to the service yet,
 * must block the cutover as surely as one the service lists as pending.
 *
 * Three checks can be overridden, each on its own and only with a reason: the service not
 * saying ReadyForCutover yet, backups not restored yet, and a blocked restore. Overriding one
 * never switches off the others. Nothing overrides what the service itself cannot do (offline,
 * finished, no operation, the full backup not restored).
 *
 * A cutover is done when the service says Succeeded: the call returns once the request is
 * accepted, and the migration can still fail while Completing.
 */
import { mapBounded } from '../backup/scan';
import type { DmsClient, MigrationRef } from '../azure/dms/client';
import type { DatabaseMigrationSqlMi } from '../azure/dms/models';
import { backupFiles } from './backupFiles';
import { isFullBackupRestored, isOnline, isTerminal, statusOf } from './status';

/** The checks a DBA may override, each with its own reason. */
export type CutoverOverride = 'not-ready' | 'pending-backups' | 'restore-blocked';
export type CutoverOverrides = Partial<Record<CutoverOverride, string>>;

export const CUTOVER_OVERRIDES: readonly CutoverOverride[] = ['not-ready', 'pending-backups', 'restore-blocked'];

/** A backup in the location the service restores from, as far as the location tells it. */
export interface LocatedBackup {
  name: string;
  database?: string;
  backupType?: string;
  firstLsn?: bigint;
  lastLsn?: bigint;
}

/** What the backup location holds now, beside what the service has listed. */
export interface LocationView {
  /** For messages: "the blob folder migrations/Sales/". */
  where: string;
  backups: LocatedBackup[];
  /** Files still being uploaded there (by our uploader, or staged and not committed). */
  inFlight: string[];
  /** When the location could not be compared (a network share read by the runtime), why. */
  unchecked?: string;
}

export interface CutoverBlocker {
  /** `hard` cannot be overridden. */
  check: CutoverOverride | 'hard';
  message: string;
}

export interface CutoverCheck {
  allowed: boolean;
  /** Every reason the cutover is not safe, overridden or not. */
  blockers: string[];
  details: CutoverBlocker[];
  /** The checks that failed and were overridden. */
  overridden: CutoverOverride[];
  /** True when allowed only because of overrides. */
  forced: boolean;
  /** What could not be checked (a network share is read by the runtime, not from here): the DBA confirms it. */
  warnings: string[];
  migrationOperationId?: string;
}

/** The LSN the restore has reached, from the service's details. */
export function restoredLsn(m: DatabaseMigrationSqlMi): bigint | undefined {
  const d = m.properties?.migrationStatusDetails;
  const sets = [d?.lastRestoredBackupSetInfo, d?.fullBackupSetInfo, ...(d?.activeBackupSets ?? [])].filter((s) => s?.isBackupRestored && s.lastLSN && /^\d+$/.test(s.lastLSN));
  let at: bigint | undefined;
  for (const s of sets) if (at === undefined || BigInt(s!.lastLSN!) > at) at = BigInt(s!.lastLSN!);
  return at;
}

const NOT_WAITING = new Set(['Restored', 'Ignored', 'Canceled']);

function kindOf(type: string | undefined): string {
  return type === 'Database' ? 'full backup' : type === 'DifferentialDatabase' ? 'differential backup' : type === 'TransactionLog' ? 'log backup' : 'backup';
}

/** What the service lists and has not restored, and what the location holds past the restore. */
function pendingBackups(m: DatabaseMigrationSqlMi, location?: LocationView): string[] {
  const out: string[] = [];
  const listed = backupFiles(m);
  const waiting = listed.filter((f) => !NOT_WAITING.has(f.state));
  for (const f of waiting) out.push(`${f.fileName} (${f.backupType ? kindOf(f.backupType) : 'type not known yet'}) is ${f.state.toLowerCase()}, not restored yet`);
  const reported = m.properties?.migrationStatusDetails?.pendingLogBackupsCount ?? 0;
  const waitingLogs = waiting.filter((f) => f.backupType === 'TransactionLog').length;
  if (reported > waitingLogs) out.push(`the service reports ${reported} log backup${reported === 1 ? '' : 's'} pending restore`);
  if (location) {
    const at = restoredLsn(m);
    const db = m.properties?.sourceDatabaseName?.toLowerCase();
    const restoredNames = new Set(listed.filter((f) => f.state === 'Restored').map((f) => f.fileName.toLowerCase()));
    const named = new Set(waiting.map((f) => f.fileName.toLowerCase()));
    for (const b of location.backups) {
      if (b.lastLsn === undefined || at === undefined || b.lastLsn <= at) continue;
      if (b.database && db && b.database.toLowerCase() !== db) continue;
      if (restoredNames.has(b.name.toLowerCase()) || named.has(b.name.toLowerCase())) continue;
      out.push(
        b.backupType === 'TransactionLog'
          ? `${b.name} in ${location.where} continues the chain past the last restored LSN ${at} (log backup, LSN ${b.firstLsn ?? '?'} to ${b.lastLsn}); the service has not picked it up yet`
          : `${b.name} in ${location.where} holds changes past the last restored LSN ${at} (${kindOf(b.backupType)} up to LSN ${b.lastLsn}) that no restored log backup covers: take a log backup into the location and wait until it is restored`,
      );
    }
    for (const f of location.inFlight) out.push(`${f} is still being uploaded to ${location.where}`);
  }
  return out;
}

/** The guard. `location` is what the backup location holds now (see readCutoverLocation). */
export function checkCutover(m: DatabaseMigrationSqlMi, options: { overrides?: CutoverOverrides; location?: LocationView } = {}): CutoverCheck {
  const overrides = options.overrides ?? {};
  for (const [k, reason] of Object.entries(overrides)) {
    if (!CUTOVER_OVERRIDES.includes(k as CutoverOverride)) throw new Error(`unknown cutover override "${k}"`);
    if (!reason?.trim()) throw new Error(`overriding the "${k}" check needs an explicit reason`);
  }
  const status = statusOf(m);
  const opId = m.properties?.migrationOperationId;
  const details: CutoverBlocker[] = [];
  const add = (check: CutoverBlocker['check'], message: string) => details.push({ check, message });
  const d = m.properties?.migrationStatusDetails;
  if (!d) add('hard', 'the migration details were not read ($expand=MigrationStatusDetails)');
  if (!isOnline(m)) add('hard', 'this is an offline migration: it completes by itself after the last backup is restored');
  if (isTerminal(m) || status === 'Completing' || status === 'Canceling') add('hard', `the migration is ${status}`);
  if (!opId) add('hard', 'the service reports no migration operation id');
  if (d && !isFullBackupRestored(m)) add('hard', 'the full backup is not restored yet');
  if (d?.restoreBlockingReason) add('restore-blocked', `the restore is blocked: ${d.restoreBlockingReason}`);
  if (d) for (const p of pendingBackups(m, options.location)) add('pending-backups', p);
  if (status !== 'ReadyForCutover' && !details.some((x) => x.check === 'hard')) add('not-ready', `the service does not report ReadyForCutover yet (it says ${status})`);

  const failed = [...new Set(details.filter((x) => x.check !== 'hard').map((x) => x.check as CutoverOverride))];
  const overridden = failed.filter((c) => overrides[c] !== undefined);
  const allowed = !details.some((x) => x.check === 'hard') && overridden.length === failed.length;
  return {
    allowed,
    blockers: details.map((x) => x.message),
    details,
    overridden,
    forced: allowed && overridden.length > 0,
    warnings: options.location?.unchecked ? [`the backup location was not compared: ${options.location.unchecked}`] : [],
    ...(opId && { migrationOperationId: opId }),
  };
}

/**
 * Only a not-ready status stands in the way: everything is restored and nothing is pending, so
 * the service accepts a cutover. The editor may offer to go ahead with an explanation.
 */
export function onlyNotReady(check: CutoverCheck): boolean {
  return !check.allowed && check.details.length > 0 && check.details.every((x) => x.check === 'not-ready');
}

export type CutoverOutcome =
  /** The service says Succeeded: the database is online on the target. */
  | 'completed'
  /** The service accepted the cutover; it had not finished when we stopped waiting. */
  | 'started'
  | 'refused'
  | 'failed';

export interface CutoverResult {
  ref: MigrationRef;
  outcome: CutoverOutcome;
  blockers: string[];
  overridden: CutoverOverride[];
  forced: boolean;
  warnings: string[];
  /** The migration's status when we last read it. */
  status?: string;
  error?: string;
}

export interface CutoverOptions {
  overrides?: CutoverOverrides;
  /** Reads the backup location of a migration (readCutoverLocation); without it only the service's list is checked. */
  location?: (m: DatabaseMigrationSqlMi, signal?: AbortSignal) => Promise<LocationView | undefined>;
  /** Wait until the service says Succeeded or Failed (default true). */
  wait?: boolean;
  /** How long to wait for the end (default 2 hours). */
  waitTimeoutMs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  onResult?: (r: CutoverResult) => void;
  /** Each status seen while waiting (Completing ...). */
  onStatus?: (ref: MigrationRef, status: string) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

/** Reads the migration until the service ends the cutover. */
async function waitForEnd(
  dms: Pick<DmsClient, 'getMigration'>,
  ref: MigrationRef,
  options: CutoverOptions,
): Promise<{ outcome: CutoverOutcome; status: string; error?: string }> {
  const deadline = Date.now() + (options.waitTimeoutMs ?? 2 * 3600_000);
  const interval = options.pollIntervalMs ?? 5000;
  for (let delay = Math.min(250, interval); ; delay = Math.min(interval, delay * 2)) {
    const m = await dms.getMigration(ref, options.signal ? { signal: options.signal } : {});
    const status = statusOf(m);
    options.onStatus?.(ref, status);
    if (status === 'Succeeded') return { outcome: 'completed', status };
    if (status === 'Failed' || status === 'Canceled') {
      const f = m.properties?.migrationFailureError;
      return { outcome: 'failed', status, error: f ? `the cutover ended ${status}: ${f.code ? `${f.code}: ` : ''}${f.message ?? ''}` : `the cutover ended ${status}` };
    }
    if (Date.now() > deadline) return { outcome: 'started', status };
    await sleep(delay, options.signal);
  }
}

/** Cuts over many databases: each is read fresh, checked, cut over, and followed to its end. */
export async function cutoverMany(
  dms: Pick<DmsClient, 'getMigration' | 'cutoverMigration'>,
  refs: readonly MigrationRef[],
  options: CutoverOptions = {},
): Promise<CutoverResult[]> {
  return mapBounded(
    refs,
    options.concurrency ?? 4,
    async (ref) => {
      let result: CutoverResult;
      try {
        const m = await dms.getMigration(ref, { expand: true, ...(options.signal && { signal: options.signal }) });
        const location = options.location ? await options.location(m, options.signal) : undefined;
        const check = checkCutover(m, { ...(options.overrides && { overrides: options.overrides }), ...(location && { location }) });
        const base = { ref, blockers: check.blockers, overridden: check.overridden, forced: check.forced, warnings: check.warnings };
        if (!check.allowed) {
          result = { ...base, outcome: 'refused', status: statusOf(m) };
        } else {
          await dms.cutoverMigration(ref, check.migrationOperationId!, {
            ...(options.signal && { signal: options.signal }),
            ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
          });
          const end = options.wait === false ? { outcome: 'started' as const } : await waitForEnd(dms, ref, options);
          result = { ...base, ...end };
        }
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        result = { ref, outcome: 'failed', blockers: [], overridden: [], forced: false, warnings: [], error: (e as Error).message };
      }
      options.onResult?.(result);
      return result;
    },
    options.signal,
  );
}
