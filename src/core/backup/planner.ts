/**
 * The restore-chain planner: from any set of scanned files, per database lineage, the backups
 * a restore would use (latest complete full -> latest differential on it -> the log backups
 * that continue the LSN chain) and, for every other file, why it is left out.
 *
 * A database is known by its family GUID, not its name. A restore WITH RECOVERY starts a new
 * recovery fork: backups taken afterwards still chain to the ones before the fork point (SQL
 * Server follows a log chain across it), while log records of the old fork past that point were
 * abandoned. The planner follows the forks to the newest one; a database whose old fork kept
 * being backed up after the fork (a restored copy living elsewhere) has two branches, each
 * planned on its own.
 */
import { basename, dirname } from 'node:path';
import { branchesOf, onBranch, type Branch } from './forks';
import { formatLsn, type Lsn } from './lsn';
import { formatIsoWithOffset, toInstant, type LocalDateTime } from './mtfDate';
import { isRestorable, type BackupHeader, type BackupReading, type BackupType, type RecoveryModel, type Verdict } from './types';
import type { MigrationMode } from '../migrationMode';

/** Why a file is not in a plan: a planning reason, or the file's own verdict when it cannot take part. */
export type IgnoreCode =
  | 'superseded'
  | 'other-database'
  | 'lsn-gap'
  | 'missing-stripe'
  | 'duplicate'
  | 'no-base'
  | 'after-stop-at'
  /** On a recovery fork this plan does not follow (abandoned at a fork point, or another branch). */
  | 'other-fork'
  /** Continuing a chain: already in the backup location (or already restored). */
  | 'in-chain'
  /** Continuing a chain: a newer full backup that the restore under way will never use. */
  | 'newer-full'
  | Exclude<Verdict, 'backup' | 'stripe'>;

/** What keeps a plan from being ready, by kind: some can be accepted with an explicit reason. */
export type PlanProblemCode =
  | 'no-backup'
  | 'no-full'
  | 'lsn-gap'
  | 'missing-stripe'
  | 'stop-at'
  | 'simple-recovery';

export interface PlanProblem {
  code: PlanProblemCode;
  message: string;
}

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
  /** Written WITH COMPRESSION (an MSSQLBAK container). */
  compressed?: boolean;
  hasChecksums: boolean;
  /** The major version of the SQL Server that wrote it (10 = 2008, 16 = 2022). */
  softwareVersionMajor?: number;
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
  /** What keeps the plan from being ready (the messages of `problemDetails`). */
  problems: string[];
  problemDetails: PlanProblem[];
  /** What a DBA should know but does not block a restore. */
  warnings: string[];
  /** Where the restore would end: the last LSN of the plan, and the --stop-at point if one was asked. */
  restoresTo?: { lsn: Lsn; date?: Date; stopAt?: Date };
}

export type { MigrationMode };

export interface PlanOptions {
  /** Only plan databases with this name (case-insensitive); files of others are "other database". */
  database?: string;
  /** Restore to this point in time: an instant, or a server-local time (read in each database's zone). */
  stopAt?: StopAt;
  /** Online migrations need a log chain, so a SIMPLE-recovery database is not ready for them. */
  mode?: MigrationMode;
  /**
   * Continue a chain already under way instead of planning from the newest full backup: the
   * backup location holds it (or the service has begun restoring it). Once restoring has begun
   * the service never changes its base, so a newer full is left out and every log that
   * continues the chain is kept, also those a newer full would make unnecessary.
   */
  continueChain?: ChainAnchor;
}

export interface ChainAnchor {
  familyGuid: string;
  /** The full backup the chain starts from (its backup set GUID). */
  fullBackupSetId: string;
  /** How far the chain already reaches: logs ending at or before it are not needed again. */
  reachedLsn: Lsn;
  /** Where the chain is, for messages: "the blob folder Sales/", "the restore". */
  where: string;
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
  if (h.compressed) s.compressed = true;
  if (h.softwareVersionMajor) s.softwareVersionMajor = h.softwareVersionMajor;
  return s;
}

/** The code for a file that cannot take part (a stripe or backup without a header counts as corrupt). */
function verdictCode(r: BackupReading): IgnoreCode {
  return r.verdict === 'backup' || r.verdict === 'stripe' ? 'corrupt' : r.verdict;
}

/** Plans every database (each branch of its recovery forks) found in `readings`, or the one `options.database` names. */
export function planRestores(readings: readonly BackupReading[], options: PlanOptions = {}): DatabasePlan[] {
  const mode = options.mode ?? 'online';
  const families = new Map<string, BackupReading[]>();
  for (const r of readings) {
    if (!r.header) continue;
    let list = families.get(r.header.familyGuid);
    if (!list) families.set(r.header.familyGuid, (list = []));
    list.push(r);
  }
  const lineages: { branch: Branch; files: BackupReading[] }[] = [];
  for (const files of families.values()) {
    for (const branch of branchesOf(files.map((r) => r.header!))) {
      lineages.push({ branch, files: files.filter((r) => branch.forks.has(r.header!.recoveryForkId)) });
    }
  }

  const wanted = options.database?.toLowerCase();
  const plans: DatabasePlan[] = [];
  const planned = new Map<DatabasePlan, BackupReading[]>();
  for (const { branch, files } of lineages) {
    const name = newestHeader(files).databaseName;
    if (wanted !== undefined && name.toLowerCase() !== wanted) continue;
    const plan = planLineage(files, branch, options, mode);
    plans.push(plan);
    planned.set(plan, files);
  }

  if (wanted !== undefined && plans.length === 0) {
    const known = [...new Set(lineages.map((l) => newestHeader(l.files).databaseName))].sort();
    plans.push({
      name: options.database!,
      serverName: '',
      familyGuid: '',
      recoveryForkId: '',
      utcOffsetMinutes: 0,
      ready: false,
      plan: [],
      ignored: readings.map((r) => ignoredForeign(r)),
      ...problemsOf({
        code: 'no-backup',
        message: `no backup of database ${options.database} among the ${readings.length} files scanned` + (known.length ? ` (found: ${known.join(', ')})` : ''),
      }),
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
      const ignored = ignoredForeign(r, plan);
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

function problemsOf(...details: PlanProblem[]): Pick<DatabasePlan, 'problems' | 'problemDetails'> {
  return { problems: details.map((d) => d.message), problemDetails: details };
}

function ignoredForeign(r: BackupReading, plan?: DatabasePlan): IgnoredFile {
  if (r.header && plan && r.header.familyGuid === plan.familyGuid) {
    return {
      path: r.path,
      code: 'other-fork',
      reason:
        `another branch of this database: recovery fork ${r.header.recoveryForkId} went on being backed up after ` +
        `the database was restored as fork ${plan.recoveryForkId} (a restored copy?); each branch is a database of its own`,
    };
  }
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

function planLineage(files: BackupReading[], branch: Branch, options: PlanOptions, mode: MigrationMode): DatabasePlan {
  const p = new LineagePlanner(files, branch, options.stopAt);
  const usable = files.filter((r) => {
    if (!r.header || onBranch(r.header, branch)) return true;
    const h = r.header;
    const child = branch.next.get(h.recoveryForkId)!;
    p.ignore(
      r.path,
      'other-fork',
      `on recovery fork ${h.recoveryForkId} past LSN ${formatLsn(branch.forks.get(h.recoveryForkId)!)}, where the database was restored ` +
        `WITH RECOVERY and went on as fork ${child}: its log records after that point are not in the database's history`,
    );
    return false;
  });
  const sets = p.groupSets(usable);
  const fulls = sets.filter((g) => g.header.backupType === 'Database').sort(newestFirst);
  const diffs = sets.filter((g) => g.header.backupType === 'DifferentialDatabase').sort(newestFirst);
  const logs = sets.filter((g) => g.header.backupType === 'TransactionLog').sort(byLsn);
  for (const g of sets) {
    if (!['Database', 'DifferentialDatabase', 'TransactionLog'].includes(g.header.backupType)) {
      p.ignoreSet(g, 'superseded', `${g.header.backupType} backups (file or filegroup level) are not used by a database migration`);
    }
  }
  const anchor = options.continueChain?.familyGuid === p.result.familyGuid ? options.continueChain : undefined;
  if (anchor) {
    p.continueChain(anchor, fulls, diffs, logs);
    return p.finish(mode);
  }
  const full = p.chooseFull(fulls);
  if (!full) {
    p.orphan(fulls, [...fulls, ...diffs, ...logs]);
  } else {
    const diff = p.chooseDifferential(diffs, fulls, full);
    const base = diff ?? full;
    p.chainLogs(logs, { lsn: base.header.lastLsn, finish: finishOf(base.header), coveredBy: (g) => describeSet(g.header.lastLsn <= full.header.lastLsn ? full : base) });
  }
  return p.finish(mode);
}

/** How far the log backups alone carry a chain that has reached `from` (empty logs and gaps end it). */
function logChainEnd(logs: readonly SetGroup[], from: Lsn): Lsn {
  let at = from;
  for (const g of logs) if (g.header.firstLsn <= at && g.header.lastLsn > at) at = g.header.lastLsn;
  return at;
}

/** Where a log chain starts: the LSN reached so far, and what already holds logs up to there. */
interface ChainStart {
  lsn: Lsn;
  /** When the backup that reached `lsn` finished, where known. */
  finish?: Date;
  /** Names what already holds the records of a log that ends before the chain start. */
  coveredBy: (g: SetGroup) => string;
  /** For a continued chain: the code and reason for logs already there (ending at or before `upTo`). */
  alreadyThere?: { code: IgnoreCode; reason: string; upTo: Lsn };
}

/** Plans one lineage: each step records its choice in `result` and says why for every file it passes over. */
class LineagePlanner {
  readonly result: DatabasePlan;
  private readonly stopAt: Date | undefined;
  /** Sets with a stripe missing, kept to explain why an older full is used. */
  private readonly incomplete: SetGroup[] = [];

  /** A continued chain need not send anything new to be ready. */
  private continued = false;

  constructor(files: BackupReading[], branch: Branch, stopAt: StopAt | undefined) {
    const newest = newestHeader(files);
    this.stopAt = resolveStopAt(stopAt, newest.utcOffsetMinutes);
    this.result = {
      name: newest.databaseName,
      serverName: newest.serverName,
      familyGuid: newest.familyGuid,
      recoveryForkId: branch.tip,
      recoveryModel: newest.recoveryModel,
      utcOffsetMinutes: newest.utcOffsetMinutes,
      ready: false,
      plan: [],
      ignored: [],
      problems: [],
      problemDetails: [],
      warnings: [],
    };
  }

  problem(code: PlanProblemCode, message: string): void {
    this.result.problems.push(message);
    this.result.problemDetails.push({ code, message });
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
      this.problem(
        'missing-stripe',
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
    this.problem(
      tooEarly ? 'stop-at' : 'no-full',
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
  chainLogs(logs: SetGroup[], start: ChainStart): void {
    const stopAt = this.stopAt;
    let at = start.lsn;
    let lastFinish = start.finish;
    let reachedStop = stopAt !== undefined && lastFinish !== undefined && lastFinish >= stopAt;
    let gap: { from: Lsn; to: Lsn; before: SetGroup } | undefined;
    for (const g of logs) {
      const h = g.header;
      const isEmptyAtEnd = h.firstLsn === h.lastLsn && h.firstLsn === at;
      const there = start.alreadyThere && h.lastLsn <= start.alreadyThere.upTo;
      if (h.lastLsn < at || (h.lastLsn === at && !isEmptyAtEnd) || there) {
        if (there) this.ignoreSet(g, start.alreadyThere!.code, start.alreadyThere!.reason);
        else this.ignoreSet(g, 'superseded', `superseded: its log records are already in the ${start.coveredBy(g)}`);
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
      this.problem(
        'lsn-gap',
        `LSN gap: no usable log backup covers LSN ${formatLsn(gap.from)} to ${formatLsn(gap.to)} ` +
          `(before ${basename(filesOf(gap.before)[0]!)}), so the log backups after it cannot be restored`,
      );
    }
    if (stopAt && !reachedStop) {
      this.problem('stop-at', `--stop-at ${this.when(stopAt)} is after the newest restorable backup` + (lastFinish ? `, which ends at ${this.when(lastFinish)}` : ''));
    }
    this.result.restoresTo = { lsn: at, ...(lastFinish && { date: lastFinish }), ...(stopAt && { stopAt }) };
  }

  /**
   * Continues the chain `anchor` names: its full stays the base whatever newer fulls appear, and
   * every log that continues from where the chain has reached is kept, in order.
   */
  continueChain(anchor: ChainAnchor, fulls: SetGroup[], diffs: SetGroup[], logs: SetGroup[]): void {
    this.continued = true;
    const full = fulls.find((g) => g.backupSetId === anchor.fullBackupSetId);
    const reached = `LSN ${formatLsn(anchor.reachedLsn)}`;
    for (const g of fulls) {
      if (g === full) {
        this.ignoreSet(g, 'in-chain', `the full backup the chain starts from: already in ${anchor.where}`);
      } else if (g.header.lastLsn > (full?.header.lastLsn ?? 0n)) {
        this.ignoreSet(
          g,
          'newer-full',
          `a newer full backup, left out: ${anchor.where} continues the chain of full backup set ${anchor.fullBackupSetId}, and a restore ` +
            'under way never changes its base; start a new migration to restore from this one',
        );
      } else {
        this.ignoreSet(g, 'superseded', `an older full backup than the one the chain in ${anchor.where} starts from`);
      }
    }
    // A differential on the chain's full is restored only where the logs alone do not reach as far.
    const logsReach = logChainEnd(logs, anchor.reachedLsn);
    const diff = diffs.find(
      (g) => g.header.differentialBaseGuid === anchor.fullBackupSetId && !this.afterStop(g) && g.header.lastLsn > logsReach,
    );
    for (const g of diffs) {
      if (g === diff) continue;
      this.ignoreSet(g, 'superseded', `not needed: ${anchor.where} continues the log chain of full backup set ${anchor.fullBackupSetId} from ${reached}`);
    }
    if (diff) this.result.plan.push(step(diff));
    this.chainLogs(logs, {
      lsn: diff ? diff.header.lastLsn : anchor.reachedLsn,
      ...((diff ?? full) && { finish: finishOf((diff ?? full)!.header) }),
      coveredBy: () => (diff ? describeSet(diff) : `chain in ${anchor.where}`),
      alreadyThere: { code: 'in-chain', reason: `not needed again: the chain in ${anchor.where} already reaches ${reached}`, upTo: anchor.reachedLsn },
    });
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
        this.problem(
          'simple-recovery',
          'SIMPLE recovery model: the database makes no log backups, so an online migration is impossible; ' +
            'migrate it offline, or switch it to FULL recovery and take a new full backup',
        );
      } else {
        result.warnings.push('SIMPLE recovery model: no log backups; only an offline migration restores it');
      }
    }
    result.ready = (result.plan.length > 0 || this.continued) && result.problems.length === 0;
    return result;
  }
}
