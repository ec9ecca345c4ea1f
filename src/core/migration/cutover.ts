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
import type { DmsClient } from '../azure/dms/client';
import { migrationIdOf, serviceRefFromId, type MigrationRef } from '../azure/dms/refs';
import type { DatabaseMigration, DatabaseMigrationSqlMi } from '../azure/dms/models';
import { backupFiles, type BackupFileView } from './backupFiles';
import { bulkSignal } from './bulkSignal';
import { isFullBackupRestored, isOnline, statusOf, TERMINAL_STATUSES } from './status';
import { sleep } from '../sleep';

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

/**
 * What the guard needs to know of a restore, whichever engine runs it: a migration of the
 * Database Migration Service (dmsCutoverSubject) or a Log Replay Service restore
 * (lrsStatus.ts). One rule for both: nothing of the chain may be left unrestored.
 */
export interface CutoverSubject {
  /** Our status word: ReadyForCutover, InProgress, Completing, Succeeded, Failed, ... */
  status: string;
  /** Ends with a cutover; when false, `endsByItself` says how it ends instead. */
  online: boolean;
  endsByItself: string;
  /** Whether the per-file details were read; `notDetailed` says what was not read. */
  detailed: boolean;
  notDetailed: string;
  fullBackupRestored: boolean;
  blockingReason?: string;
  files: BackupFileView[];
  /** What the service counts as pending beside the files it lists (of `backupType` when given). */
  reportedPending?: { count: number; noun: string; backupType?: string };
  /** The LSN the restore has reached, when the service says; else the last file restored, whose LSN the location tells. */
  restoredLsn?: bigint;
  lastRestoredFile?: string;
  sourceDatabase?: string;
  /** The operation a cutover quotes, for an engine that has one (DMS). */
  operation?: { id?: string };
  /** For messages: "migration" or "restore", and who restores ("the service", "the Log Replay Service"). */
  noun: string;
  service: string;
  /** Said when the status is not ReadyForCutover and nothing else stands in the way. */
  notReady: string;
}

/** The LSN the restore has reached, from the service's details. */
export function restoredLsn(m: DatabaseMigrationSqlMi): bigint | undefined {
  const d = m.properties?.migrationStatusDetails;
  const sets = [d?.lastRestoredBackupSetInfo, d?.fullBackupSetInfo, ...(d?.activeBackupSets ?? [])].filter((s) => s?.isBackupRestored && s.lastLSN && /^\d+$/.test(s.lastLSN));
  let at: bigint | undefined;
  for (const s of sets) if (at === undefined || BigInt(s!.lastLSN!) > at) at = BigInt(s!.lastLSN!);
  return at;
}

/** A DMS migration as the guard sees it. */
export function dmsCutoverSubject(m: DatabaseMigrationSqlMi): CutoverSubject {
  const status = statusOf(m);
  const d = m.properties?.migrationStatusDetails;
  const lsn = restoredLsn(m);
  return {
    status,
    online: isOnline(m),
    endsByItself: 'this is an offline migration: it completes by itself after the last backup is restored',
    detailed: Boolean(d),
    notDetailed: 'the migration details were not read ($expand=MigrationStatusDetails)',
    fullBackupRestored: isFullBackupRestored(m),
    ...(d?.restoreBlockingReason && { blockingReason: d.restoreBlockingReason }),
    files: backupFiles(m),
    reportedPending: { count: d?.pendingLogBackupsCount ?? 0, noun: 'log backup', backupType: 'TransactionLog' },
    ...(lsn !== undefined && { restoredLsn: lsn }),
    ...(m.properties?.sourceDatabaseName && { sourceDatabase: m.properties.sourceDatabaseName }),
    operation: { ...(m.properties?.migrationOperationId && { id: m.properties.migrationOperationId }) },
    noun: 'migration',
    service: 'the service',
    notReady: `the service does not report ReadyForCutover yet (it says ${status})`,
  };
}

const NOT_WAITING = new Set(['Restored', 'Ignored', 'Canceled']);

function kindOf(type: string | undefined): string {
  return type === 'Database' ? 'full backup' : type === 'DifferentialDatabase' ? 'differential backup' : type === 'TransactionLog' ? 'log backup' : 'backup';
}

/** What the service lists and has not restored, and what the location holds past the restore. */
function pendingBackups(s: CutoverSubject, location?: LocationView): string[] {
  const out: string[] = [];
  const listed = s.files;
  const waiting = listed.filter((f) => !NOT_WAITING.has(f.state));
  for (const f of waiting) out.push(`${f.fileName} (${f.backupType ? kindOf(f.backupType) : 'type not known yet'}) is ${f.state.toLowerCase()}, not restored yet`);
  const reported = s.reportedPending;
  if (reported) {
    const counted = waiting.filter((f) => !reported.backupType || f.backupType === reported.backupType).length;
    if (reported.count > counted) out.push(`${s.service} reports ${reported.count} ${reported.noun}${reported.count === 1 ? '' : 's'} pending restore`);
  }
  if (location) {
    const byName = (name: string | undefined) => (name ? location.backups.find((b) => b.name.toLowerCase() === name.toLowerCase()) : undefined);
    const at = s.restoredLsn ?? byName(s.lastRestoredFile)?.lastLsn;
    const db = s.sourceDatabase?.toLowerCase();
    const restoredNames = new Set(listed.filter((f) => f.state === 'Restored').map((f) => f.fileName.toLowerCase()));
    const named = new Set(waiting.map((f) => f.fileName.toLowerCase()));
    if (at === undefined && s.lastRestoredFile && s.fullBackupRestored) {
      out.push(`${s.lastRestoredFile}, the last file ${s.service} restored, is not in ${location.where}: what it holds past the restore cannot be compared`);
    }
    for (const b of location.backups) {
      if (b.lastLsn === undefined || at === undefined || b.lastLsn <= at) continue;
      if (b.database && db && b.database.toLowerCase() !== db) continue;
      if (restoredNames.has(b.name.toLowerCase()) || named.has(b.name.toLowerCase())) continue;
      out.push(
        b.backupType === 'TransactionLog'
          ? `${b.name} in ${location.where} continues the chain past the last restored LSN ${at} (log backup, LSN ${b.firstLsn ?? '?'} to ${b.lastLsn}); ${s.service} has not picked it up yet`
          : `${b.name} in ${location.where} holds changes past the last restored LSN ${at} (${kindOf(b.backupType)} up to LSN ${b.lastLsn}) that no restored log backup covers: take a log backup into the location and wait until it is restored`,
      );
    }
    for (const f of location.inFlight) out.push(`${f} is still being uploaded to ${location.where}`);
  }
  return out;
}

/** The guard. `location` is what the backup location holds now (see readCutoverLocation). */
export function checkCutover(m: DatabaseMigrationSqlMi, options: { overrides?: CutoverOverrides; location?: LocationView } = {}): CutoverCheck {
  return checkCutoverOf(dmsCutoverSubject(m), options);
}

/** The guard over any engine's restore (a DMS migration, a Log Replay Service restore). */
export function checkCutoverOf(s: CutoverSubject, options: { overrides?: CutoverOverrides; location?: LocationView } = {}): CutoverCheck {
  const overrides = options.overrides ?? {};
  for (const [k, reason] of Object.entries(overrides)) {
    if (!CUTOVER_OVERRIDES.includes(k as CutoverOverride)) throw new Error(`unknown cutover override "${k}"`);
    if (!reason?.trim()) throw new Error(`overriding the "${k}" check needs an explicit reason`);
  }
  const status = s.status;
  const opId = s.operation?.id;
  const details: CutoverBlocker[] = [];
  const add = (check: CutoverBlocker['check'], message: string) => details.push({ check, message });
  if (!s.detailed) add('hard', s.notDetailed);
  if (!s.online) add('hard', s.endsByItself);
  if (TERMINAL_STATUSES.has(status) || status === 'Completing' || status === 'Canceling') add('hard', `the ${s.noun} is ${status}`);
  if (s.operation && !opId) add('hard', 'the service reports no migration operation id');
  if (s.detailed && !s.fullBackupRestored) add('hard', 'the full backup is not restored yet');
  if (s.blockingReason) add('restore-blocked', `the restore is blocked: ${s.blockingReason}`);
  if (s.detailed) for (const p of pendingBackups(s, options.location)) add('pending-backups', p);
  if (status !== 'ReadyForCutover' && !details.some((x) => x.check === 'hard')) add('not-ready', s.notReady);

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
  /**
   * Cutovers at once. By default all of them, up to CUTOVERS_AT_ONCE_PER_INSTANCE on each
   * instance: writes are stopped and the tail-log backups taken before the command runs, so a
   * database cut over later stays down longer; a few at a time would make the last database's
   * downtime grow with the count.
   */
  concurrency?: number;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  onResult?: (r: CutoverResult) => void;
  /** Each status seen while waiting (Completing ...). */
  onStatus?: (ref: MigrationRef, status: string) => void;
}

/**
 * The default rule: every cutover at once, up to this many on one managed instance. Writes are
 * stopped and tail-log backups taken before the command runs, so each database is down from
 * then until its cutover ends; running them a few at a time (the old default of 4) made the
 * last one's downtime grow with the count (50 at a minute each: about 13 minutes). A cutover
 * completes a restore, and an instance runs at most 100 restores at once (the Log Replay
 * Service's documented limit), so more than that would only queue on the instance. The
 * requests themselves still keep within ARM's limits (the session's request budget paces the
 * cutover POSTs: 200 at once, then 10 a second), a wait of seconds beside a cutover's minute.
 */
export const CUTOVERS_AT_ONCE_PER_INSTANCE = 100;

type End = { outcome: CutoverOutcome; status: string; error?: string };

function endOf(m: DatabaseMigration | DatabaseMigrationSqlMi): End | undefined {
  const status = statusOf(m);
  if (status === 'Succeeded') return { outcome: 'completed', status };
  if (status === 'Failed' || status === 'Canceled') {
    const f = m.properties?.migrationFailureError;
    return { outcome: 'failed', status, error: f ? `the cutover ended ${status}: ${f.code ? `${f.code}: ` : ''}${f.message ?? ''}` : `the cutover ended ${status}` };
  }
  return undefined;
}

interface Waiter {
  ref: MigrationRef;
  deadline: number;
  resolve: (end: End) => void;
  reject: (e: unknown) => void;
}

/**
 * Follows many cutovers to their end with the fewest reads: per migration service, one
 * listMigrations (all its pages) per poll covers every migration waiting there, or one GET
 * each when that is cheaper (no more waiting than the list has pages). A migration whose
 * service is not known is read on its own.
 */
class EndWatch {
  private readonly byService = new Map<string, Set<Waiter>>();
  private readonly alone = new Set<Waiter>();
  /** Pages of each service's list the last time it was read (before that: a service of about a thousand). */
  private readonly pages = new Map<string, number>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly dms: Pick<DmsClient, 'getMigration'> & Partial<Pick<DmsClient, 'listMigrations'>>,
    private readonly options: CutoverOptions,
  ) {}

  wait(ref: MigrationRef, serviceId: string | undefined): Promise<End> {
    return new Promise<End>((resolve, reject) => {
      const w: Waiter = { ref, deadline: Date.now() + (this.options.waitTimeoutMs ?? 2 * 3600_000), resolve, reject };
      if (serviceId && this.dms.listMigrations) {
        const k = serviceId.toLowerCase();
        const set = this.byService.get(k) ?? new Set<Waiter>();
        set.add(w);
        this.byService.set(k, set);
      } else this.alone.add(w);
      this.running ??= this.loop().finally(() => (this.running = undefined));
    });
  }

  private async loop(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 5000;
    const signal = this.options.signal;
    try {
      for (let delay = Math.min(250, interval); this.byService.size || this.alone.size; delay = Math.min(interval, delay * 2)) {
        await sleep(delay, signal);
        for (const [serviceId, waiters] of [...this.byService]) {
          const list = waiters.size > (this.pages.get(serviceId) ?? 10) ? await this.list(serviceId) : undefined;
          for (const w of [...waiters]) {
            const m = list?.get(migrationIdOf(w.ref).toLowerCase());
            // Failed: the list may not carry why; the migration's own read does.
            if (m && !(endOf(m)?.outcome === 'failed' && !m.properties?.migrationFailureError)) this.report(w, m, () => waiters.delete(w));
            // No more waiting than the list has pages (a GET each is as cheap), or not in a list that lags behind.
            else await this.readOne(w, () => waiters.delete(w));
          }
          if (!waiters.size) this.byService.delete(serviceId);
        }
        for (const w of [...this.alone]) await this.readOne(w, () => this.alone.delete(w));
      }
    } catch (e) {
      for (const w of [...this.alone, ...[...this.byService.values()].flatMap((set) => [...set])]) w.reject(e);
      this.alone.clear();
      this.byService.clear();
    }
  }

  /** The service's migrations by id, or undefined when the list failed (this round reads each instead). */
  private async list(serviceId: string): Promise<Map<string, DatabaseMigration> | undefined> {
    let pages = 0;
    try {
      const list = await this.dms.listMigrations!(serviceRefFromId(serviceId), { ...(this.options.signal && { signal: this.options.signal }), onPage: () => pages++ });
      this.pages.set(serviceId, Math.max(1, pages));
      return new Map(list.filter((m) => m.id).map((m) => [m.id!.toLowerCase(), m]));
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      return undefined;
    }
  }

  /** One migration's own read; its failure is that migration's (the others keep waiting). */
  private async readOne(w: Waiter, done: () => void): Promise<void> {
    let m: DatabaseMigrationSqlMi;
    try {
      m = await this.dms.getMigration(w.ref, this.options.signal ? { signal: this.options.signal } : {});
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      done();
      w.reject(e);
      return;
    }
    this.report(w, m, done);
  }

  private report(w: Waiter, m: DatabaseMigration | DatabaseMigrationSqlMi, done: () => void): void {
    const status = statusOf(m);
    this.options.onStatus?.(w.ref, status);
    const end = endOf(m) ?? (Date.now() > w.deadline ? { outcome: 'started' as const, status } : undefined);
    if (!end) return;
    done();
    w.resolve(end);
  }
}

/** At most `limit` at once for each key (a managed instance). */
function perKeyLimit<T>(keyOf: (item: T) => string, limit: number): (item: T, work: () => Promise<void>) => Promise<void> {
  const running = new Map<string, number>();
  const queued = new Map<string, (() => void)[]>();
  return async (item, work) => {
    const k = keyOf(item);
    if ((running.get(k) ?? 0) >= limit) await new Promise<void>((r) => queued.set(k, [...(queued.get(k) ?? []), r]));
    running.set(k, (running.get(k) ?? 0) + 1);
    try {
      await work();
    } finally {
      running.set(k, running.get(k)! - 1);
      queued.get(k)?.shift()?.();
    }
  };
}

/** Cuts over many databases: each is read fresh, checked, cut over, and followed to its end. */
export async function cutoverMany(
  dms: Pick<DmsClient, 'getMigration' | 'cutoverMigration'> & Partial<Pick<DmsClient, 'listMigrations'>>,
  refs: readonly MigrationRef[],
  options: CutoverOptions = {},
): Promise<CutoverResult[]> {
  return cutoverBulk(refs, options, (signal) => {
    options = { ...options, signal };
    const ends = new EndWatch(dms, options);
    return async (ref) => {
      let result: CutoverResult;
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
        const end = options.wait === false ? { outcome: 'started' as const } : await ends.wait(ref, m.properties?.migrationService);
        result = { ...base, ...end };
      }
      return result;
    };
  });
}

/**
 * Runs a bulk cutover's work (the migration service's cutovers, the Log Replay Service's
 * completions): all at once by default, at most CUTOVERS_AT_ONCE_PER_INSTANCE on each instance,
 * or `concurrency` in all and on each instance. `start` is given the operation's own signal
 * (bulkSignal.ts: its listener limit is what may run at once) and returns the work per ref; a
 * piece of work that throws is that database's failure, and each result is reported as it comes.
 */
export async function cutoverBulk(
  refs: readonly MigrationRef[],
  options: { concurrency?: number; signal?: AbortSignal; onResult?: (r: CutoverResult) => void },
  start: (signal: AbortSignal) => (ref: MigrationRef) => Promise<CutoverResult>,
): Promise<CutoverResult[]> {
  const instanceOf = (ref: MigrationRef) => `${ref.subscriptionId}/${ref.resourceGroup}/${ref.managedInstance}`.toLowerCase();
  const perInstance = options.concurrency ?? CUTOVERS_AT_ONCE_PER_INSTANCE;
  const onInstance = perKeyLimit(instanceOf, perInstance);
  const workers = options.concurrency ?? Math.max(1, refs.length);
  const counts = new Map<string, number>();
  for (const ref of refs) counts.set(instanceOf(ref), (counts.get(instanceOf(ref)) ?? 0) + 1);
  const atOnce = Math.min(workers, [...counts.values()].reduce((n, c) => n + Math.min(c, perInstance), 0));
  const bulk = bulkSignal(options.signal, atOnce);
  const work = start(bulk.signal);
  return mapBounded(
    refs,
    workers,
    async (ref) => {
      let result!: CutoverResult;
      await onInstance(ref, async () => {
        try {
          result = await work(ref);
        } catch (e) {
          if ((e as Error).name === 'AbortError') throw e;
          result = { ref, outcome: 'failed', blockers: [], overridden: [], forced: false, warnings: [], error: (e as Error).message };
        }
      });
      options.onResult?.(result);
      return result;
    },
    bulk.signal,
  ).finally(() => bulk.done());
}
