/**
 * The restore-chain planner: from any set of scanned files, per database lineage, the backups
 * a restore would use (latest complete full -> latest differential on it -> the log backups
 * that continue the LSN chain) and, for every other file, why it is left out.
 *
 * A lineage is the database's family GUID plus its recovery fork: two databases with the same
 * name on different servers, or a database and a restored copy of it, are different lineages.
 */
import { basename, dirname } from 'node:path';
import { formatLsn, type Lsn } from './lsn';
import { formatIsoWithOffset, toInstant, type LocalDateTime } from './mtfDate';
import { isRestorable, type BackupHeader, type BackupReading, type BackupType, type RecoveryModel, type Verdict } from './types';

/** Why a file is not in a plan: a planning reason, or the file's own verdict when it cannot take part. */
export type IgnoreCode =
  | 'superseded'
  | 'other-database'
  | 'lsn-gap'
  | 'missing-stripe'
  | 'duplicate'
  | 'no-base'
  | 'after-stop-at'
  | Exclude<Verdict, 'backup' | 'stripe'>;

export interface IgnoredFile {
  path: string;
  code: IgnoreCode;
  reason: string;
}

export interface PlanStep {
  backupSetId: string;
  backupType: BackupType;
  firstLsn: Lsn;
  lastLsn: Lsn;
  backupStartDate: Date;
  backupFinishDate?: Date;
  /** Every stripe, in family order. */
  files: string[];
  /** A log backup with no log records (first LSN = last LSN): restoring it changes nothing. */
  empty?: boolean;
  hasChecksums: boolean;
}

export interface DatabasePlan {
  name: string;
  serverName: string;
  familyGuid: string;
  recoveryForkId: string;
  recoveryModel?: RecoveryModel;
  utcOffsetMinutes: number;
  ready: boolean;
  plan: PlanStep[];
  ignored: IgnoredFile[];
  /** What keeps the plan from being ready. */
  problems: string[];
  /** What a DBA should know but does not block a restore. */
  warnings: string[];
  /** Where the restore would end: the last LSN of the plan, and the --stop-at point if one was asked. */
  restoresTo?: { lsn: Lsn; date?: Date; stopAt?: Date };
}

export type MigrationMode = 'online' | 'offline';

export interface PlanOptions {
  /** Only plan databases with this name (case-insensitive); files of others are "other database". */
  database?: string;
  /** Restore to this point in time: an instant, or a server-local time (read in each database's zone). */
  stopAt?: StopAt;
  /** Online migrations need a log chain, so a SIMPLE-recovery database is not ready for them. */
  mode?: MigrationMode;
}

export type StopAt = { instant: Date } | { local: LocalDateTime };

/** Parses `--stop-at`: ISO 8601; without a zone it is the database server's local time. */
export function parseStopAt(text: string): StopAt {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) throw new Error(`--stop-at wants an ISO 8601 date and time such as 2017-06-01T11:20:00 or 2017-06-01T09:20:00Z, not ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, zone] = m;
  const local: LocalDateTime = { year: +y!, month: +mo!, day: +d!, hour: +h!, minute: +mi!, second: s ? +s : 0 };
  if (local.month < 1 || local.month > 12 || local.day < 1 || local.day > 31 || local.hour > 23 || local.minute > 59 || local.second > 59) {
    throw new Error(`--stop-at ${JSON.stringify(text)} is not a valid date and time`);
  }
  if (!zone) return { local };
  const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (+zone.slice(1, 3) * 60 + +zone.slice(-2));
  return { instant: toInstant(local, offset) };
}

/** One backup set: the files holding its stripes. */
interface SetGroup {
  backupSetId: string;
  header: BackupHeader;
  stripes: Map<number, BackupReading & { header: BackupHeader }>;
  familyCount: number;
}

function lineageKey(h: BackupHeader): string {
  return `${h.familyGuid}/${h.recoveryForkId}`;
}

function isComplete(g: SetGroup): boolean {
  return g.stripes.size === g.familyCount;
}

function missingStripes(g: SetGroup): number[] {
  const missing: number[] = [];
  for (let k = 1; k <= g.familyCount; k++) if (!g.stripes.has(k)) missing.push(k);
  return missing;
}

function filesOf(g: SetGroup): string[] {
  return [...g.stripes.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r.path);
}

function kindOf(type: BackupType): string {
  return type === 'Database' ? 'full' : type === 'DifferentialDatabase' ? 'differential' : type === 'TransactionLog' ? 'log' : type;
}

function describeSet(g: SetGroup): string {
  const files = filesOf(g);
  const first = basename(files[0]!);
  return `${kindOf(g.header.backupType)} backup ${files.length === 1 ? first : `${first} (+${files.length - 1} more stripe${files.length > 2 ? 's' : ''})`}`;
}

const byLsn = (a: SetGroup, b: SetGroup) =>
  a.header.firstLsn !== b.header.firstLsn
    ? a.header.firstLsn < b.header.firstLsn ? -1 : 1
    : a.header.lastLsn !== b.header.lastLsn
      ? a.header.lastLsn < b.header.lastLsn ? -1 : 1
      : a.header.backupStartDate.getTime() - b.header.backupStartDate.getTime();

/** Newest first: by the LSN the backup reaches, then by date. */
const newestFirst = (a: SetGroup, b: SetGroup) =>
  a.header.lastLsn !== b.header.lastLsn
    ? a.header.lastLsn > b.header.lastLsn ? -1 : 1
    : b.header.backupStartDate.getTime() - a.header.backupStartDate.getTime();

function finishOf(h: BackupHeader): Date {
  return h.backupFinishDate ?? h.backupStartDate;
}

function step(g: SetGroup): PlanStep {
  const h = g.header;
  const s: PlanStep = {
    backupSetId: g.backupSetId,
    backupType: h.backupType,
    firstLsn: h.firstLsn,
    lastLsn: h.lastLsn,
    backupStartDate: h.backupStartDate,
    files: filesOf(g),
    hasChecksums: h.hasChecksums,
  };
  if (h.backupFinishDate) s.backupFinishDate = h.backupFinishDate;
  if (h.backupType === 'TransactionLog' && h.firstLsn === h.lastLsn) s.empty = true;
  return s;
}

/** The code for a file that cannot take part (a stripe or backup without a header counts as corrupt). */
function verdictCode(r: BackupReading): IgnoreCode {
  return r.verdict === 'backup' || r.verdict === 'stripe' ? 'corrupt' : r.verdict;
}

/** Plans every lineage found in `readings` (or those named by `options.database`). */
export function planRestores(readings: readonly BackupReading[], options: PlanOptions = {}): DatabasePlan[] {
  const mode = options.mode ?? 'online';
  const lineages = new Map<string, BackupReading[]>();
  const unattributed: BackupReading[] = [];
  for (const r of readings) {
    if (r.header) {
      const key = lineageKey(r.header);
      let list = lineages.get(key);
      if (!list) lineages.set(key, (list = []));
      list.push(r);
    } else {
      unattributed.push(r);
    }
  }

  const wanted = options.database?.toLowerCase();
  const plans: DatabasePlan[] = [];
  const planned = new Map<DatabasePlan, BackupReading[]>();
  for (const files of lineages.values()) {
    const name = newestHeader(files).databaseName;
    if (wanted !== undefined && name.toLowerCase() !== wanted) continue;
    const plan = planLineage(files, options.stopAt, mode);
    plans.push(plan);
    planned.set(plan, files);
  }

  if (wanted !== undefined && plans.length === 0) {
    const known = [...new Set([...lineages.values()].map((f) => newestHeader(f).databaseName))].sort();
    plans.push({
      name: options.database!,
      serverName: '',
      familyGuid: '',
      recoveryForkId: '',
      utcOffsetMinutes: 0,
      ready: false,
      plan: [],
      ignored: readings.map((r) => ignoredForeign(r)),
      problems: [
        `no backup of database ${options.database} among the ${readings.length} files scanned` +
          (known.length ? ` (found: ${known.join(', ')})` : ''),
      ],
      warnings: [],
    });
    return plans;
  }

  // Files that belong to no database of this plan are reported where they sit: in the plan of
  // every database that has backups in the same folder (the migration service reads per folder).
  for (const plan of plans) {
    const own = new Set(planned.get(plan)!);
    const dirs = new Set([...own].map((r) => dirname(r.path)));
    const foreignNames = new Set<string>();
    for (const r of readings) {
      if (own.has(r) || !dirs.has(dirname(r.path))) continue;
      const ignored = ignoredForeign(r);
      plan.ignored.push(ignored);
      if (ignored.code === 'other-database') foreignNames.add(r.header!.databaseName);
    }
    if (foreignNames.size) {
      plan.warnings.push(
        `the folder also holds backups of ${[...foreignNames].sort().join(', ')}: the migration service restores one database ` +
          'per folder or container, so give each database its own',
      );
    }
    plan.ignored.sort((a, b) => a.path.localeCompare(b.path));
  }
  return plans.sort((a, b) => a.name.localeCompare(b.name) || a.familyGuid.localeCompare(b.familyGuid));
}

function ignoredForeign(r: BackupReading): IgnoredFile {
  if (r.header) {
    const h = r.header;
    return {
      path: r.path,
      code: 'other-database',
      reason: `other database: a backup of ${h.databaseName} from ${h.serverName} (family ${h.familyGuid})`,
    };
  }
  return { path: r.path, code: verdictCode(r), reason: r.reason ?? r.verdict };
}

function newestHeader(files: BackupReading[]): BackupHeader {
  let best = files[0]!.header!;
  for (const r of files) if (r.header!.backupStartDate > best.backupStartDate) best = r.header!;
  return best;
}

function resolveStopAt(stopAt: StopAt | undefined, utcOffsetMinutes: number): Date | undefined {
  if (!stopAt) return undefined;
  return 'instant' in stopAt ? stopAt.instant : toInstant(stopAt.local, utcOffsetMinutes);
}

function planLineage(files: BackupReading[], stopAt: StopAt | undefined, mode: MigrationMode): DatabasePlan {
  const p = new LineagePlanner(files, stopAt);
  const sets = p.groupSets(files);
  const fulls = sets.filter((g) => g.header.backupType === 'Database').sort(newestFirst);
  const diffs = sets.filter((g) => g.header.backupType === 'DifferentialDatabase').sort(newestFirst);
  const logs = sets.filter((g) => g.header.backupType === 'TransactionLog').sort(byLsn);
  for (const g of sets) {
    if (!['Database', 'DifferentialDatabase', 'TransactionLog'].includes(g.header.backupType)) {
      p.ignoreSet(g, 'superseded', `${g.header.backupType} backups (file or filegroup level) are not used by a database migration`);
    }
  }
  const full = p.chooseFull(fulls);
  if (!full) {
    p.orphan(fulls, [...fulls, ...diffs, ...logs]);
  } else {
    const diff = p.chooseDifferential(diffs, fulls, full);
    p.chainLogs(logs, full, diff ?? full);
  }
  return p.finish(mode);
}

/** Plans one lineage: each step records its choice in `result` and says why for every file it passes over. */
class LineagePlanner {
  readonly result: DatabasePlan;
  private readonly stopAt: Date | undefined;
  /** Sets with a stripe missing, kept to explain why an older full is used. */
  private readonly incomplete: SetGroup[] = [];

  constructor(files: BackupReading[], stopAt: StopAt | undefined) {
    const newest = newestHeader(files);
    this.stopAt = resolveStopAt(stopAt, newest.utcOffsetMinutes);
    this.result = {
      name: newest.databaseName,
      serverName: newest.serverName,
      familyGuid: newest.familyGuid,
      recoveryForkId: newest.recoveryForkId,
      recoveryModel: newest.recoveryModel,
      utcOffsetMinutes: newest.utcOffsetMinutes,
      ready: false,
      plan: [],
      ignored: [],
      problems: [],
      warnings: [],
    };
  }

  private when(d: Date): string {
    return formatIsoWithOffset(d, this.result.utcOffsetMinutes);
  }

  private afterStop(g: SetGroup): boolean {
    return this.stopAt !== undefined && finishOf(g.header) > this.stopAt;
  }

  ignore(path: string, code: IgnoreCode, reason: string): void {
    this.result.ignored.push({ path, code, reason });
  }

  ignoreSet(g: SetGroup, code: IgnoreCode, reason: string): void {
    for (const path of filesOf(g)) this.ignore(path, code, reason);
  }

  /** Groups stripes into backup sets; spots duplicates, incomplete sets and files that cannot take part. */
  groupSets(files: BackupReading[]): SetGroup[] {
    const groups = new Map<string, SetGroup>();
    for (const r of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
      if (!isRestorable(r)) {
        this.ignore(r.path, verdictCode(r), r.reason ?? r.verdict);
        continue;
      }
      const h = r.header;
      let g = groups.get(h.backupSetId);
      if (!g) groups.set(h.backupSetId, (g = { backupSetId: h.backupSetId, header: h, stripes: new Map(), familyCount: h.familyCount }));
      const same = g.stripes.get(h.familySequenceNumber);
      if (same) {
        this.ignore(r.path, 'duplicate', `duplicate: the same backup set and stripe as ${basename(same.path)}`);
      } else if (h.familyCount !== g.familyCount || h.mediaSetId !== g.header.mediaSetId) {
        this.ignore(r.path, 'corrupt', `its media set does not match the other stripes of backup set ${h.backupSetId}`);
      } else {
        g.stripes.set(h.familySequenceNumber, r);
        if (h.familySequenceNumber === 1) g.header = h;
      }
    }
    const complete: SetGroup[] = [];
    for (const g of groups.values()) {
      if (isComplete(g)) {
        complete.push(g);
        continue;
      }
      this.incomplete.push(g);
      const present = filesOf(g).length;
      this.ignoreSet(
        g,
        'missing-stripe',
        `missing stripe ${missingStripes(g).join(', ')} of ${g.familyCount}: this ${kindOf(g.header.backupType)} backup was striped over ` +
          `${g.familyCount} files and only ${present} ${present === 1 ? 'is' : 'are'} here`,
      );
    }
    return complete;
  }

  /** The latest complete full that finished before --stop-at; the others are superseded. */
  chooseFull(fulls: SetGroup[]): SetGroup | undefined {
    const full = fulls.find((g) => !this.afterStop(g));
    // The newest incomplete full tells the DBA why an older one was chosen.
    const newestIncomplete = this.incomplete.filter((g) => g.header.backupType === 'Database').sort(newestFirst)[0];
    if (newestIncomplete && (!full || newestFirst(newestIncomplete, full) < 0)) {
      this.result.problems.push(
        `the newest full backup (${this.when(newestIncomplete.header.backupStartDate)}) is missing stripe ` +
          `${missingStripes(newestIncomplete).join(', ')} of ${newestIncomplete.familyCount}` + (full ? '; planning from an older full backup' : ''),
      );
    }
    if (!full) return undefined;
    for (const g of fulls) {
      if (g === full) continue;
      if (this.afterStop(g)) this.ignoreSet(g, 'after-stop-at', `not needed: finished after --stop-at ${this.when(this.stopAt!)}`);
      else this.ignoreSet(g, 'superseded', `superseded by the later ${describeSet(full)}`);
    }
    this.result.plan.push(step(full));
    return full;
  }

  /** No full to start from: nothing can be restored. */
  orphan(fulls: SetGroup[], all: SetGroup[]): void {
    const tooEarly = fulls.length > 0 && this.stopAt !== undefined;
    this.result.problems.push(
      tooEarly
        ? `no full backup finished before --stop-at ${this.when(this.stopAt!)} (the oldest finished ${this.when(finishOf(fulls[fulls.length - 1]!.header))})`
        : `no complete full backup of ${this.result.name}: a restore has to start from one`,
    );
    for (const g of all) this.ignoreSet(g, tooEarly ? 'after-stop-at' : 'no-base', 'no full backup to restore it onto');
  }

  /** The newest differential taken on `full` (its base GUID names the full) that finished before --stop-at. */
  chooseDifferential(diffs: SetGroup[], fulls: SetGroup[], full: SetGroup): SetGroup | undefined {
    const basedOnFull = (g: SetGroup) =>
      g.header.differentialBaseGuid !== undefined
        ? g.header.differentialBaseGuid === full.backupSetId
        : g.header.databaseBackupLsn === full.header.checkpointLsn;
    const diff = diffs.find((g) => basedOnFull(g) && !this.afterStop(g));
    for (const g of diffs) {
      if (g === diff) continue;
      if (!basedOnFull(g)) {
        const base = fulls.find((f) => f.backupSetId === g.header.differentialBaseGuid);
        if (base) this.ignoreSet(g, 'superseded', `superseded: based on the older ${describeSet(base)}, not on the full backup being restored`);
        else this.ignoreSet(g, 'no-base', `its base full backup (backup set ${g.header.differentialBaseGuid ?? 'unknown'}) is not among these files`);
      } else if (this.afterStop(g)) {
        this.ignoreSet(g, 'after-stop-at', `not needed: finished after --stop-at ${this.when(this.stopAt!)}`);
      } else {
        this.ignoreSet(g, 'superseded', `superseded by the later ${describeSet(diff!)}`);
      }
    }
    if (diff) this.result.plan.push(step(diff));
    return diff;
  }

  /**
   * Log backups that continue the LSN chain from `base`, in order. The first needs
   * FirstLSN <= base.LastLSN < LastLSN, each next one FirstLSN = previous LastLSN; an empty log
   * backup (FirstLSN = LastLSN) at the end of the chain is kept, earlier ones are superseded.
   */
  chainLogs(logs: SetGroup[], full: SetGroup, base: SetGroup): void {
    const stopAt = this.stopAt;
    let at = base.header.lastLsn;
    let lastFinish = finishOf(base.header);
    let reachedStop = stopAt !== undefined && lastFinish >= stopAt;
    let gap: { from: Lsn; to: Lsn; before: SetGroup } | undefined;
    for (const g of logs) {
      const h = g.header;
      const isEmptyAtEnd = h.firstLsn === h.lastLsn && h.firstLsn === at;
      if (h.lastLsn < at || (h.lastLsn === at && !isEmptyAtEnd)) {
        const coveredBy = h.lastLsn <= full.header.lastLsn ? full : base;
        this.ignoreSet(g, 'superseded', `superseded: its log records are already in the ${describeSet(coveredBy)}`);
      } else if (gap) {
        this.ignoreSet(g, 'lsn-gap', `after an LSN gap: no usable log backup covers LSN ${formatLsn(gap.from)} to ${formatLsn(gap.to)}`);
      } else if (reachedStop) {
        this.ignoreSet(g, 'after-stop-at', `not needed: --stop-at ${this.when(stopAt!)} is reached by an earlier log backup`);
      } else if (h.firstLsn > at) {
        gap = { from: at, to: h.firstLsn, before: g };
        this.ignoreSet(g, 'lsn-gap', `LSN gap: it starts at LSN ${formatLsn(h.firstLsn)} but the chain ends at ${formatLsn(at)}; ` +
          `no usable log backup covers ${formatLsn(at)} to ${formatLsn(h.firstLsn)}`);
      } else {
        this.result.plan.push(step(g));
        at = h.lastLsn;
        lastFinish = finishOf(h);
        if (stopAt && lastFinish >= stopAt) reachedStop = true;
      }
    }
    if (gap) {
      this.result.problems.push(
        `LSN gap: no usable log backup covers LSN ${formatLsn(gap.from)} to ${formatLsn(gap.to)} ` +
          `(before ${basename(filesOf(gap.before)[0]!)}), so the log backups after it cannot be restored`,
      );
    }
    if (stopAt && !reachedStop) {
      this.result.problems.push(`--stop-at ${this.when(stopAt)} is after the newest restorable backup, which ends at ${this.when(lastFinish)}`);
    }
    this.result.restoresTo = { lsn: at, date: lastFinish, ...(stopAt && { stopAt }) };
  }

  /** Warnings that do not block, the recovery-model check, and the verdict. */
  finish(mode: MigrationMode): DatabasePlan {
    const result = this.result;
    const noChecksum = result.plan.filter((s) => !s.hasChecksums).length;
    if (noChecksum) {
      const total = result.plan.length;
      const which = noChecksum === total ? (total === 1 ? 'the backup' : `all ${total} backups`) : `${noChecksum} of the ${total} backups`;
      result.warnings.push(
        `no checksum: ${which} in the plan ${noChecksum === 1 ? 'was' : 'were'} taken without WITH CHECKSUM, ` +
          'so damage is found only when the restore reads it',
      );
    }
    if (result.recoveryModel === 'SIMPLE') {
      if (mode === 'online') {
        result.problems.push(
          'SIMPLE recovery model: the database makes no log backups, so an online migration is impossible; ' +
            'migrate it offline, or switch it to FULL recovery and take a new full backup',
        );
      } else {
        result.warnings.push('SIMPLE recovery model: no log backups; only an offline migration restores it');
      }
    }
    result.ready = result.plan.length > 0 && result.problems.length === 0;
    return result;
  }
}
