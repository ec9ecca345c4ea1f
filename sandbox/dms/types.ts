/**
 * What the simulated migration service's engine (migration.ts, migrationJson.ts) shares with the
 * ARM front that drives it (arm/databaseMigrations.ts, arm/emulator.ts). The engine depends on
 * these and on the world's records only, never on the emulator itself: arm/ builds on dms/, not
 * the other way round.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import type { BackupReading } from '../../src/core/backup';
import type { SimClock } from '../clock';
import type { LongRunningOperations } from '../arm/longRunning';
import type { ManagedInstanceRec, StorageAccountRec } from '../arm/world';
import type { TdeBackupRegistry } from './tdeRestoreCheck';

/** How long a migration's steps take, in simulated seconds. */
export interface MigrationTimings {
  /** From a migration's PUT to InProgress (validating the source and target). */
  migrationProvisionSeconds: number;
  /** How often the migration service lists the backup container or folder. */
  scanIntervalSeconds: number;
  /** Restoring a backup set: a fixed part plus its size at this throughput. */
  restoreBaseSeconds: number;
  restoreMBps: number;
  /** From cutover to Succeeded, and from cancel to Canceled. */
  cutoverSeconds: number;
  cancelSeconds: number;
}

/** A restore failure to inject: the restore of the set holding this file fails. */
export interface RestoreFailure {
  fileName: string;
  code?: string;
  message?: string;
}

/** What a migration needs of the emulator that runs it (arm/emulator.ts's Emulator is one). */
export interface MigrationHost {
  clock: SimClock;
  timings: MigrationTimings;
  /** Stopped with the sandbox: every sleep of a migration listens to it. */
  signal: AbortSignal;
  /** Injected slowness: every long-running operation takes this much longer. */
  faults: { readonly slowOperationsMs: number };
  /** Injected restore failures. */
  restoreFailures: readonly RestoreFailure[];
  /** TDE: which backups are encrypted with which certificate, and which certificates an instance holds. */
  tde: { backups: TdeBackupRegistry; holds(mi: ManagedInstanceRec, thumbprint: string): boolean };
  longRunning: Pick<LongRunningOperations, 'succeed' | 'fail'>;
  /** Blob service of a sandbox storage account, with its key. */
  blobService(account: StorageAccountRec): BlobServiceClient;
}

export type SourceKind = 'AzureBlob' | 'FileShare';

/** The secrets of a migration request: kept apart from the request, which responses echo. */
export interface MigrationSecrets {
  sourceAccountKey?: string;
  targetAccountKey?: string;
  sharePassword?: string;
  sqlPassword?: string;
}

export type FileStatus = 'Arrived' | 'Uploading' | 'Uploaded' | 'Restoring' | 'Restored' | 'Ignored' | 'Canceled';

/** A backup file the migration has seen in its backup location. */
export interface BackupFile {
  name: string;
  size: number;
  etag?: string;
  status: FileStatus;
  /** Its header, once read. */
  reading?: BackupReading;
  ignoreReason?: string;
  /** When the service first saw it, and when its restore finished (simulated time). */
  detectedAt?: string;
  restoredAt?: string;
  dataRead: number;
  dataWritten: number;
  copyThroughput: number;
  copyDuration: number;
}
