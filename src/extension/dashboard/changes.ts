/**
 * What changed between two polls: migrations that became ready for cutover or failed (the
 * notifications), the counts the status bar shows, and, per file, when each status was first
 * seen (the details view's timeline; the service reports states, not their history).
 */
import type { DatabaseMigrationJson } from './dmsShape';
import { backupSetsOf } from './model';
import { groupOf, statusOf, type StatusGroup } from './statusRules';

export interface Transition {
  migration: DatabaseMigrationJson;
  to: 'ready' | 'failed' | 'succeeded';
}

/**
 * Transitions since the previous poll. The first poll (no previous snapshot) reports nothing:
 * a migration that was already ready when VS Code started is not news.
 */
export function transitions(previous: ReadonlyMap<string, StatusGroup> | undefined, current: readonly DatabaseMigrationJson[]): Transition[] {
  if (!previous) return [];
  const out: Transition[] = [];
  for (const m of current) {
    const g = groupOf(statusOf(m));
    const before = previous.get(m.id);
    if (before === g) continue;
    if (g === 'ready' || g === 'failed' || g === 'succeeded') out.push({ migration: m, to: g });
  }
  return out;
}

export function snapshot(current: readonly DatabaseMigrationJson[]): Map<string, StatusGroup> {
  return new Map(current.map((m) => [m.id, groupOf(statusOf(m))]));
}

export interface Counts {
  ready: number;
  running: number;
  failed: number;
}

export function counts(current: readonly DatabaseMigrationJson[]): Counts {
  const c: Counts = { ready: 0, running: 0, failed: 0 };
  for (const m of current) {
    const g = groupOf(statusOf(m));
    if (g === 'ready') c.ready++;
    else if (g === 'inProgress' || g === 'completing') c.running++;
    else if (g === 'failed') c.failed++;
  }
  return c;
}

export interface FileHistory {
  fileName: string;
  backupType?: string;
  firstLsn?: string;
  /** When the backup was taken (from the backup header, as the service reports it). */
  backupFinished?: Date;
  /** Status -> the first time a poll saw it. */
  seen: Map<string, Date>;
}

/** Per migration, per file: when each status was first observed. Lives in memory only. */
export class ObservationLog {
  private readonly byMigration = new Map<string, Map<string, FileHistory>>();

  constructor(private readonly maxMigrations = 200) {}

  record(migrations: readonly DatabaseMigrationJson[], at: Date): void {
    for (const m of migrations) {
      let files = this.byMigration.get(m.id);
      if (!files) {
        if (this.byMigration.size >= this.maxMigrations) this.byMigration.delete(this.byMigration.keys().next().value!);
        files = new Map();
        this.byMigration.set(m.id, files);
      }
      for (const set of backupSetsOf(m)) {
        for (const f of set.listOfBackupFiles ?? []) {
          if (!f.fileName) continue;
          let h = files.get(f.fileName);
          if (!h) {
            h = { fileName: f.fileName, seen: new Map() };
            if (set.backupType) h.backupType = set.backupType;
            if (set.firstLSN) h.firstLsn = set.firstLSN;
            const finished = set.backupFinishDate ? new Date(set.backupFinishDate) : undefined;
            if (finished && !Number.isNaN(finished.getTime())) h.backupFinished = finished;
            files.set(f.fileName, h);
          }
          const status = f.status ?? (set.isBackupRestored ? 'Restored' : undefined);
          if (status && !h.seen.has(status)) h.seen.set(status, at);
        }
      }
    }
  }

  history(migrationId: string): FileHistory[] {
    return [...(this.byMigration.get(migrationId)?.values() ?? [])];
  }
}
