/**
 * The JSON form of a scan (`sqlmig backups scan --json`): LSNs as SQL Server's decimal strings,
 * dates as ISO 8601 in the server's local time with its offset.
 */
import { formatLsn } from './lsn';
import { formatIsoWithOffset } from './mtfDate';
import type { DatabasePlan } from './planner';
import type { BackupHeader, BackupReading } from './types';

export interface ScanReportJson {
  files: FileJson[];
  databases: DatabaseJson[];
}

export interface FileJson {
  path: string;
  sizeBytes: number;
  verdict: BackupReading['verdict'];
  reason?: string;
  offset?: number;
  header?: HeaderJson;
  sets?: HeaderJson[];
}

export type HeaderJson = ReturnType<typeof headerToJson>;
export type DatabaseJson = ReturnType<typeof planToJson>;

export function headerToJson(h: BackupHeader) {
  const date = (d: Date) => formatIsoWithOffset(d, h.utcOffsetMinutes);
  return {
    databaseName: h.databaseName,
    serverName: h.serverName,
    machineName: h.machineName,
    backupType: h.backupType,
    position: h.position,
    firstLsn: formatLsn(h.firstLsn),
    lastLsn: formatLsn(h.lastLsn),
    checkpointLsn: formatLsn(h.checkpointLsn),
    databaseBackupLsn: formatLsn(h.databaseBackupLsn),
    ...(h.differentialBaseLsn !== undefined && { differentialBaseLsn: formatLsn(h.differentialBaseLsn) }),
    ...(h.differentialBaseGuid !== undefined && { differentialBaseGuid: h.differentialBaseGuid }),
    ...(h.beginsLogChain !== undefined && { beginsLogChain: h.beginsLogChain }),
    backupSetId: h.backupSetId,
    mediaSetId: h.mediaSetId,
    mediaFamilyId: h.mediaFamilyId,
    familyCount: h.familyCount,
    familySequenceNumber: h.familySequenceNumber,
    backupStartDate: date(h.backupStartDate),
    ...(h.backupFinishDate && { backupFinishDate: date(h.backupFinishDate) }),
    ...(h.databaseCreationDate && { databaseCreationDate: date(h.databaseCreationDate) }),
    hasChecksums: h.hasChecksums,
    ...(h.isCopyOnly !== undefined && { isCopyOnly: h.isCopyOnly }),
    hasMediaPassword: h.hasMediaPassword,
    softwareVersion: h.softwareVersion,
    databaseVersion: h.databaseVersion,
    compatibilityLevel: h.compatibilityLevel,
    ...(h.recoveryModel && { recoveryModel: h.recoveryModel }),
    familyGuid: h.familyGuid,
    recoveryForkId: h.recoveryForkId,
    firstRecoveryForkId: h.firstRecoveryForkId,
    ...(h.forkPointLsn !== undefined && { forkPointLsn: formatLsn(h.forkPointLsn) }),
    ...(h.parentRecoveryForkId !== undefined && { parentRecoveryForkId: h.parentRecoveryForkId }),
    bindingId: h.bindingId,
    ...(h.backupSize !== undefined && { backupSize: h.backupSize.toString() }),
    ...(h.compressed && { compressed: true }),
    ...(h.compressedBackupSize !== undefined && { compressedBackupSize: h.compressedBackupSize.toString() }),
    backupName: h.backupName,
    userName: h.userName,
    files: h.files.map((f) => ({
      logicalName: f.logicalName,
      physicalName: f.physicalName,
      type: f.type,
      fileId: f.fileId,
      fileGroupName: f.fileGroupName ?? null,
      sizeBytes: f.sizeBytes.toString(),
      maxSizeBytes: f.maxSizeBytes.toString(),
      uniqueId: f.uniqueId,
    })),
  };
}

export function readingToJson(r: BackupReading): FileJson {
  return {
    path: r.path,
    sizeBytes: r.sizeBytes,
    verdict: r.verdict,
    ...(r.reason !== undefined && { reason: r.reason }),
    ...(r.offset !== undefined && { offset: r.offset }),
    ...(r.compressed && { compressed: true }),
    ...(r.encrypted && { encrypted: true }),
    ...(r.header && { header: headerToJson(r.header) }),
    ...(r.sets && { sets: r.sets.map(headerToJson) }),
  };
}

export function planToJson(p: DatabasePlan) {
  const date = (d: Date) => formatIsoWithOffset(d, p.utcOffsetMinutes);
  return {
    name: p.name,
    serverName: p.serverName,
    familyGuid: p.familyGuid,
    recoveryForkId: p.recoveryForkId,
    ...(p.recoveryModel && { recoveryModel: p.recoveryModel }),
    ready: p.ready,
    plan: p.plan.map((s) => ({
      backupSetId: s.backupSetId,
      backupType: s.backupType,
      firstLsn: formatLsn(s.firstLsn),
      lastLsn: formatLsn(s.lastLsn),
      backupStartDate: date(s.backupStartDate),
      ...(s.backupFinishDate && { backupFinishDate: date(s.backupFinishDate) }),
      ...(s.empty && { empty: true }),
      ...(s.compressed && { compressed: true }),
      hasChecksums: s.hasChecksums,
      files: s.files,
    })),
    ...(p.restoresTo && {
      restoresTo: {
        lsn: formatLsn(p.restoresTo.lsn),
        ...(p.restoresTo.date && { date: date(p.restoresTo.date) }),
        ...(p.restoresTo.stopAt && { stopAt: date(p.restoresTo.stopAt) }),
      },
    }),
    ignored: p.ignored.map((i) => ({ path: i.path, code: i.code, reason: i.reason })),
    problems: p.problems,
    problemCodes: p.problemDetails.map((d) => d.code),
    warnings: p.warnings,
  };
}

export function scanReportToJson(readings: readonly BackupReading[], plans: readonly DatabasePlan[]): ScanReportJson {
  return { files: readings.map(readingToJson), databases: plans.map(planToJson) };
}
