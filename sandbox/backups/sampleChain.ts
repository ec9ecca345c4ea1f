/**
 * Sample backup chains for the demo, the sandbox and tests: a full backup, log backups every
 * few minutes with contiguous LSNs, and optionally a differential and striped sets.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCompressedContainer } from './compressedContainer';
import { lsn, writeSyntheticBackup, type SyntheticBackup } from './syntheticBackup';

export interface ChainOptions {
  databaseName: string;
  serverName?: string;
  /** When the full backup starts. */
  start?: Date;
  /** Log backups after the full (default 3). */
  logs?: number;
  /** Take a differential right after this many logs (0 = none). */
  differentialAfterLog?: number;
  /** Stripes per backup set (default 1). */
  stripes?: number;
  minutesBetween?: number;
  hasChecksums?: boolean;
  recoveryModel?: SyntheticBackup['recoveryModel'];
  pages?: number;
  utcOffsetMinutes?: number;
  familyGuid?: string;
  /** First VLF sequence number, so that several databases get different LSNs. */
  vlf?: number;
  /** Written WITH COMPRESSION: each file an MSSQLBAK container. */
  compressed?: boolean;
}

export interface ChainFile {
  fileName: string;
  bytes: Uint8Array;
  spec: SyntheticBackup;
}

export function sampleChain(o: ChainOptions): ChainFile[] {
  const familyGuid = o.familyGuid ?? randomUUID().toUpperCase();
  const stripes = o.stripes ?? 1;
  const step = (o.minutesBetween ?? 5) * 60_000;
  const t0 = (o.start ?? new Date(Date.UTC(2026, 10, 1, 9, 0, 0))).getTime();
  const vlf = o.vlf ?? 40;
  const common = {
    databaseName: o.databaseName,
    serverName: o.serverName ?? 'SQLSRC01',
    familyGuid,
    hasChecksums: o.hasChecksums ?? true,
    recoveryModel: o.recoveryModel ?? 'FULL',
    utcOffsetMinutes: o.utcOffsetMinutes ?? 0,
    ...(o.pages !== undefined && { pages: o.pages }),
  } satisfies Partial<SyntheticBackup>;
  const sets: { base: string; spec: SyntheticBackup }[] = [];

  const fullId = randomUUID().toUpperCase();
  const fullCheckpoint = lsn(vlf, 100, 1);
  const full: SyntheticBackup = {
    ...common,
    backupType: 'Database',
    firstLsn: fullCheckpoint,
    checkpointLsn: fullCheckpoint,
    lastLsn: lsn(vlf, 120, 1),
    databaseBackupLsn: 0n,
    backupSetId: fullId,
    start: new Date(t0),
    finish: new Date(t0 + 20_000),
  };
  sets.push({ base: `${o.databaseName}_FULL`, spec: full });

  let prevLast = full.lastLsn;
  let block = 120;
  const logs = o.recoveryModel === 'SIMPLE' ? 0 : o.logs ?? 3;
  for (let k = 1; k <= logs; k++) {
    const t = t0 + k * step;
    block += 40;
    const log: SyntheticBackup = {
      ...common,
      backupType: 'TransactionLog',
      firstLsn: prevLast,
      lastLsn: lsn(vlf, block, 1),
      checkpointLsn: lsn(vlf, block - 30, 1),
      databaseBackupLsn: fullCheckpoint,
      backupSetId: randomUUID().toUpperCase(),
      beginsLogChain: false,
      start: new Date(t),
      finish: new Date(t + 2_000),
    };
    sets.push({ base: `${o.databaseName}_LOG_${String(k).padStart(3, '0')}`, spec: log });
    prevLast = log.lastLsn;
    if (k === o.differentialAfterLog) {
      const dt = t + step / 2;
      const diff: SyntheticBackup = {
        ...common,
        backupType: 'DifferentialDatabase',
        firstLsn: lsn(vlf, block + 10, 1),
        checkpointLsn: lsn(vlf, block + 10, 1),
        lastLsn: lsn(vlf, block + 15, 1),
        databaseBackupLsn: fullCheckpoint,
        differentialBaseLsn: fullCheckpoint,
        differentialBaseGuid: fullId,
        backupSetId: randomUUID().toUpperCase(),
        start: new Date(dt),
        finish: new Date(dt + 5_000),
      };
      sets.push({ base: `${o.databaseName}_DIFF_${String(k).padStart(3, '0')}`, spec: diff });
    }
  }

  const files: ChainFile[] = [];
  for (const { base, spec } of sets) {
    const ext = spec.backupType === 'TransactionLog' ? 'trn' : 'bak';
    const mediaSetId = randomUUID().toUpperCase();
    for (let f = 1; f <= stripes; f++) {
      const s = { ...spec, mediaSetId, familyCount: stripes, familySequenceNumber: f };
      files.push({ fileName: stripes > 1 ? `${base}_${f}of${stripes}.${ext}` : `${base}.${ext}`, bytes: written(s, o.compressed), spec: s });
    }
  }
  return files;
}

function written(spec: SyntheticBackup, compressed = false): Uint8Array {
  const mtf = writeSyntheticBackup(spec);
  return compressed ? writeCompressedContainer(mtf) : mtf;
}

export async function writeChain(dir: string, files: ChainFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const f of files) {
    const p = join(dir, f.fileName);
    await writeFile(p, f.bytes);
    paths.push(p);
  }
  return paths;
}

export interface ForkedChainOptions {
  databaseName: string;
  /** Log backups on the new fork after the restore (default 2); the first spans the fork point. */
  logs?: number;
  /** A differential on the new fork before its logs (default true). */
  differential?: boolean;
  /** A log backup of the old fork taken before the restore: its records past the fork point were abandoned. */
  abandonedLog?: boolean;
  /** Backups of the old fork after the restore: the database went on elsewhere (a restored copy). */
  oldForkContinues?: boolean;
  vlf?: number;
  start?: Date;
  compressed?: boolean;
}

/**
 * A database restored WITH RECOVERY from its own full backup, then backed up again: the full on
 * fork A; the restore starts fork B at the full's last LSN; a differential (still based on that
 * full) and logs on fork B, the first log spanning the fork point as SQL Server writes it.
 */
export function forkedChain(o: ForkedChainOptions): ChainFile[] {
  const vlf = o.vlf ?? 40;
  const t0 = (o.start ?? new Date(Date.UTC(2026, 10, 1, 9, 0, 0))).getTime();
  const minute = 60_000;
  const familyGuid = randomUUID().toUpperCase();
  const forkA = familyGuid;
  const forkB = randomUUID().toUpperCase();
  const common = { databaseName: o.databaseName, serverName: 'SQLSRC01', familyGuid, hasChecksums: true, recoveryModel: 'FULL' as const };
  const onB = { recoveryForkId: forkB, parentRecoveryForkId: forkA };
  const fullId = randomUUID().toUpperCase();
  const checkpoint = lsn(vlf, 100, 1);
  const forkPoint = lsn(vlf, 120, 1);
  const sets: { base: string; spec: SyntheticBackup }[] = [];
  const add = (base: string, spec: Omit<SyntheticBackup, 'backupSetId' | 'finish'> & { backupSetId?: string }) =>
    sets.push({ base, spec: { backupSetId: randomUUID().toUpperCase(), finish: new Date(spec.start.getTime() + 2_000), ...spec } });

  add(`${o.databaseName}_FULL`, { ...common, backupType: 'Database', firstLsn: checkpoint, checkpointLsn: checkpoint, lastLsn: forkPoint, backupSetId: fullId, start: new Date(t0) });
  if (o.abandonedLog) {
    add(`${o.databaseName}_LOG_A1`, { ...common, backupType: 'TransactionLog', firstLsn: forkPoint, lastLsn: lsn(vlf, 160, 1), databaseBackupLsn: checkpoint, start: new Date(t0 + 5 * minute) });
  }
  // Restored WITH RECOVERY at t0 + 10 min: fork B begins at the full's last LSN.
  const forked = { ...common, ...onB, forkPointLsn: forkPoint };
  if (o.differential ?? true) {
    add(`${o.databaseName}_DIFF_B`, {
      ...forked,
      backupType: 'DifferentialDatabase',
      firstLsn: lsn(vlf, 130, 1),
      checkpointLsn: lsn(vlf, 130, 1),
      lastLsn: lsn(vlf, 135, 1),
      databaseBackupLsn: checkpoint,
      differentialBaseLsn: checkpoint,
      differentialBaseGuid: fullId,
      start: new Date(t0 + 15 * minute),
    });
  }
  let prev = forkPoint;
  for (let k = 1; k <= (o.logs ?? 2); k++) {
    const last = lsn(vlf, 130 + 40 * k, 1);
    add(`${o.databaseName}_LOG_B${k}`, { ...forked, backupType: 'TransactionLog', firstLsn: prev, lastLsn: last, databaseBackupLsn: checkpoint, start: new Date(t0 + (15 + 5 * k) * minute) });
    prev = last;
  }
  if (o.oldForkContinues) {
    add(`${o.databaseName}_LOG_A2`, { ...common, backupType: 'TransactionLog', firstLsn: forkPoint, lastLsn: lsn(vlf, 300, 1), databaseBackupLsn: checkpoint, start: new Date(t0 + 60 * minute) });
  }
  return sets.map(({ base, spec }) => ({
    fileName: `${base}.${spec.backupType === 'TransactionLog' ? 'trn' : 'bak'}`,
    bytes: written(spec, o.compressed),
    spec,
  }));
}
