/**
 * Recovery forks of one database (one family GUID). A restore WITH RECOVERY starts a new fork at
 * a fork point LSN; every later backup names its fork, the fork it branched from and that point.
 * A restore follows one branch: the forks from the oldest to the newest, using each older fork
 * only up to the point where the next one branched off. Log records of an older fork past that
 * point belong to a history the database abandoned.
 */
import type { Lsn } from './lsn';
import type { BackupHeader } from './types';

export interface Branch {
  /** The newest fork of the branch. */
  tip: string;
  /** Each fork of the branch, with the last LSN of it the branch uses (none for the tip). */
  forks: Map<string, Lsn | undefined>;
  /** For each older fork: the fork that branched off it. */
  next: Map<string, string>;
}

interface Fork {
  parent?: string;
  forkPoint?: Lsn;
  backups: BackupHeader[];
}

/** The forks from `id` back to the oldest known, newest first. */
function lineOf(forks: Map<string, Fork>, id: string): string[] {
  const line = [id];
  for (let at = forks.get(id)?.parent; at !== undefined && !line.includes(at); at = forks.get(at)?.parent) line.push(at);
  return line;
}

/**
 * The branches the backups of one database allow. Usually one. Two when an older fork kept being
 * backed up after a newer one began: the database was restored as a copy elsewhere while the
 * original went on, and each is a database of its own.
 */
export function branchesOf(headers: readonly BackupHeader[]): Branch[] {
  const forks = new Map<string, Fork>();
  const fork = (id: string) => {
    let f = forks.get(id);
    if (!f) forks.set(id, (f = { backups: [] }));
    return f;
  };
  for (const h of headers) {
    const f = fork(h.recoveryForkId);
    f.backups.push(h);
    if (h.parentRecoveryForkId !== undefined && h.forkPointLsn !== undefined && f.parent === undefined) {
      f.parent = h.parentRecoveryForkId;
      f.forkPoint = h.forkPointLsn;
      fork(h.parentRecoveryForkId);
    }
  }
  const withBackups = [...forks.entries()].filter(([, f]) => f.backups.length > 0).map(([id]) => id);
  const lines = new Map(withBackups.map((id) => [id, lineOf(forks, id)]));
  const latestStart = (id: string) => Math.max(...forks.get(id)!.backups.map((b) => b.backupStartDate.getTime()));
  const earliestStart = (id: string) => Math.min(...forks.get(id)!.backups.map((b) => b.backupStartDate.getTime()));

  const tips = withBackups.filter((id) => {
    const descendants = withBackups.filter((other) => other !== id && lines.get(other)!.includes(id));
    if (descendants.length === 0) return true;
    // Backed up after a newer fork began: this fork went on living somewhere.
    return latestStart(id) > Math.min(...descendants.map(earliestStart));
  });

  return tips.sort().map((tip) => {
    const line = lines.get(tip)!;
    const branch: Branch = { tip, forks: new Map([[tip, undefined]]), next: new Map() };
    for (let i = 1; i < line.length; i++) {
      branch.forks.set(line[i]!, forks.get(line[i - 1]!)!.forkPoint);
      branch.next.set(line[i]!, line[i - 1]!);
    }
    return branch;
  });
}

/** True when the backup lies on the branch: on one of its forks, before that fork was left. */
export function onBranch(h: BackupHeader, b: Branch): boolean {
  if (!b.forks.has(h.recoveryForkId)) return false;
  const limit = b.forks.get(h.recoveryForkId);
  return limit === undefined || h.lastLsn <= limit;
}
