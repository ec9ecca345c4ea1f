/**
 * What RESTORE HEADERONLY, LABELONLY and FILELISTONLY would say about a backup file, and the
 * verdict the scanner gives every file it is shown.
 */
import type { Lsn } from './lsn';

/** Backup types in the migration service's words (SqlBackupSetInfo.backupType). */
export type BackupType =
  | 'Database'
  | 'DifferentialDatabase'
  | 'TransactionLog'
  | 'File'
  | 'DifferentialFile'
  | 'Partial'
  | 'DifferentialPartial';

/** msdb backupset.type codes, as stored in the header. */
export const BACKUP_TYPE_BY_CODE: Readonly<Record<string, BackupType>> = {
  D: 'Database',
  I: 'DifferentialDatabase',
  L: 'TransactionLog',
  F: 'File',
  G: 'DifferentialFile',
  P: 'Partial',
  Q: 'DifferentialPartial',
};

export type RecoveryModel = 'FULL' | 'BULK_LOGGED' | 'SIMPLE';

/** One FILELISTONLY row. */
export interface BackupDatabaseFile {
  logicalName: string;
  physicalName: string;
  /** D = data, L = log; other values are shown as SQL Server's numeric code. */
  type: string;
  fileId: number;
  fileGroupId: number;
  fileGroupName?: string;
  sizeBytes: bigint;
  maxSizeBytes: bigint;
  uniqueId: string;
  differentialBaseLsn?: Lsn;
  differentialBaseGuid?: string;
}

/** One backup set on one media family, i.e. one HEADERONLY row plus its label and file list. */
export interface BackupHeader {
  databaseName: string;
  serverName: string;
  machineName: string;
  backupName: string;
  backupDescription: string;
  userName: string;
  backupType: BackupType;
  /** Position of the set on the media (1 unless sets were appended). */
  position: number;

  firstLsn: Lsn;
  lastLsn: Lsn;
  checkpointLsn: Lsn;
  databaseBackupLsn: Lsn;
  differentialBaseLsn?: Lsn;
  differentialBaseGuid?: string;
  /** For logs: true when this backup starts a new log chain (no previous log backup). */
  beginsLogChain?: boolean;

  backupSetId: string;
  mediaSetId: string;
  mediaFamilyId: string;
  familyCount: number;
  familySequenceNumber: number;
  mediaSequenceNumber: number;

  /** Instants; the server's local time is these plus `utcOffsetMinutes`. */
  backupStartDate: Date;
  backupFinishDate?: Date;
  databaseCreationDate?: Date;
  utcOffsetMinutes: number;

  softwareVersion: string;
  softwareVersionMajor: number;
  databaseVersion: number;
  compatibilityLevel: number;
  recoveryModel?: RecoveryModel;
  hasChecksums: boolean;
  isCopyOnly?: boolean;
  hasMediaPassword: boolean;

  familyGuid: string;
  /** The recovery fork at the end of the backup (HEADERONLY RecoveryForkID). */
  recoveryForkId: string;
  /**
   * The fork the backup starts on (HEADERONLY FirstRecoveryForkID): the parent fork for a log
   * backup that spans a fork point, the backup's own fork otherwise.
   */
  firstRecoveryForkId: string;
  /** Where the database's current fork began (a restore WITH RECOVERY), when it was ever restored. */
  forkPointLsn?: Lsn;
  /** The fork the current one branched from, at `forkPointLsn`. */
  parentRecoveryForkId?: string;
  bindingId: string;
  /** Sort order id and locale of the database collation. */
  sortOrder: number;
  unicodeLocaleId: number;

  backupSize?: bigint;
  compressedBackupSize?: bigint;
  /** HEADERONLY's Compressed: the backup was written WITH COMPRESSION (an `MSSQLBAK` container). */
  compressed?: boolean;
  /** Logical block size of the media (1024 in every sample). */
  blockSize: number;

  files: BackupDatabaseFile[];
}

export type Verdict =
  /** A backup set readable in full, on one file. */
  | 'backup'
  /** One media family of a striped backup set: restorable only with all its stripes. */
  | 'stripe'
  | 'not-a-backup'
  /** The file ends before the backup set does (a killed copy or upload). */
  | 'truncated'
  /** A checksum or structure check failed. */
  | 'corrupt'
  /**
   * An `MSSQLBAK` container this version cannot read (an older container layout, or an encrypted
   * backup): `reason` says which. Compressed backups it can read get the ordinary verdicts.
   */
  | 'compressed'
  /** Several backup sets appended in one file: the migration service refuses such files. */
  | 'multiple-backup-sets'
  /** The file could not be opened or read at all (permissions, a vanished file). */
  | 'unreadable';

export interface BackupReading {
  path: string;
  sizeBytes: number;
  verdict: Verdict;
  /** Why, in words a DBA understands; absent for a plain readable backup. */
  reason?: string;
  /** Where in the file the problem was found (truncated or corrupt files). */
  offset?: number;
  /** The header of the (first) backup set, when it could be read. */
  header?: BackupHeader;
  /** Every backup set when several were appended in the file. */
  sets?: BackupHeader[];
  /**
   * The file is a compressed backup (an `MSSQLBAK` container); `sizeBytes` and `offset` are then
   * in the file as stored, the header's sizes as SQL Server counts them.
   */
  compressed?: boolean;
  /**
   * The file looks encrypted (BACKUP ... WITH ENCRYPTION): nothing in it can be read locally, and
   * the certificate or asymmetric key that encrypted it must exist on the target before a restore.
   */
  encrypted?: boolean;
}

/** A verdict whose file can take part in a restore (alone, or with its sibling stripes). */
export function isRestorable(r: BackupReading): r is BackupReading & { header: BackupHeader } {
  return (r.verdict === 'backup' || r.verdict === 'stripe') && r.header !== undefined;
}
