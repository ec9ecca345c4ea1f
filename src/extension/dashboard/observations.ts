/**
 * When this window first saw each backup file in each state: the details view's timeline (the
 * service reports states, not their history). The states are the core's (backupFiles.ts).
 * Lives in memory only.
 */
import { backupSetsOf, fileStatusText } from './backupSets';
import type { DatabaseMigrationJson } from './dmsShape';

export interface FileHistory {
  fileName: string;
  backupType?: string;
  firstLsn?: string;
  /** When the backup was taken (from the backup header, as the service reports it). */
  backupFinished?: Date;
  /** State -> the first time a refresh saw it. */
  seen: Map<string, Date>;
}

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
      for (const f of backupSetsOf(m).flatMap((s) => s.files)) {
        let h = files.get(f.fileName);
        if (!h) {
          h = { fileName: f.fileName, seen: new Map() };
          if (f.backupType) h.backupType = f.backupType;
          if (f.firstLsn) h.firstLsn = f.firstLsn;
          const finished = f.backupFinishDate ? new Date(f.backupFinishDate) : undefined;
          if (finished && !Number.isNaN(finished.getTime())) h.backupFinished = finished;
          files.set(f.fileName, h);
        }
        const state = fileStatusText(f);
        if (!h.seen.has(state)) h.seen.set(state, at);
      }
    }
  }

  /** The files of a migration in LSN order (the order backups restore in). */
  history(migrationId: string): FileHistory[] {
    return [...(this.byMigration.get(migrationId)?.values() ?? [])].sort(byFirstLsn);
  }
}

/** LSNs are decimal strings that exceed 2^53: compared as bigints. */
export function byFirstLsn(a: FileHistory, b: FileHistory): number {
  const x = a.firstLsn && /^\d+$/.test(a.firstLsn) ? BigInt(a.firstLsn) : -1n;
  const y = b.firstLsn && /^\d+$/.test(b.firstLsn) ? BigInt(b.firstLsn) : -1n;
  return x === y ? a.fileName.localeCompare(b.fileName) : x < y ? -1 : 1;
}
