/**
 * SQL Server's own metadata inside the MQCI stream: one SCIN record (the backup set header),
 * one SFGI per filegroup and one SFIN per database file. Each record is `tag[4], u32 length`,
 * with strings as `u16 size, u16 offset-from-record` pairs. Offsets: backup-format.md section 4.
 */
import { BackupFormatError, hex, ZERO_GUID, type Window } from './binary';
import { readLsn, type Lsn } from './lsn';
import { readMtfDate, type LocalDateTime } from './mtfDate';
import { BACKUP_TYPE_BY_CODE, type BackupDatabaseFile, type BackupHeader, type RecoveryModel } from './types';

/** The SCIN fields, before the MTF envelope (position, set GUID, media) is added; dates still server-local. */
export type SetInfo = Pick<
  BackupHeader,
  | 'databaseName' | 'serverName' | 'backupType' | 'softwareVersion' | 'softwareVersionMajor'
  | 'firstLsn' | 'lastLsn' | 'checkpointLsn' | 'databaseBackupLsn' | 'differentialBaseLsn' | 'differentialBaseGuid' | 'beginsLogChain'
  | 'sortOrder' | 'compatibilityLevel' | 'databaseVersion' | 'unicodeLocaleId' | 'bindingId' | 'recoveryForkId' | 'familyGuid'
  | 'firstRecoveryForkId' | 'forkPointLsn' | 'parentRecoveryForkId'
  | 'hasChecksums' | 'files'
> & {
  recoveryModel: RecoveryModel;
  databaseCreationDate?: LocalDateTime;
  backupStartDate?: LocalDateTime;
  backupFinishDate?: LocalDateTime;
  backupSize: bigint;
  compressedBackupSize?: bigint;
  /** Where the raw SCIN record sits (valid while its window is): the trailer is compared to it. */
  scin: { window: Window; at: number; length: number };
};

/** What only the trailer copy holds. */
export interface TrailerInfo {
  backupFinishDate?: LocalDateTime;
  backupSize: bigint;
  compressedBackupSize?: bigint;
  /** Per file id: the differential base a full backup sets on each of its files. */
  fileBases: Map<number, { lsn?: Lsn; guid?: string }>;
}

const SCIN_MIN_LENGTH = 0x120;
const FLAG_HAS_CHECKSUMS = 0x10;
const STATUS_SIMPLE = 0x8;
const STATUS_BULK_LOGGED = 0x4;

function recordString(w: Window, record: number, addr: number, recordEnd: number, what: string): string {
  const size = w.u16(record + addr, what);
  const rel = w.u16(record + addr + 2, what);
  if (size === 0) return '';
  if (record + rel + size > recordEnd) {
    throw new BackupFormatError(`${what} at ${hex(record + rel)} runs past its record`, record + addr);
  }
  return w.utf16(record + rel, size, what);
}

function nonZeroGuid(g: string): string | undefined {
  return g === ZERO_GUID ? undefined : g;
}

/** Decodes the MQCI stream data at [start, start + length). */
/** Calls `visit(tag, at, end)` for each record of the MQCI stream data at [start, start + length). */
function forEachRecord(w: Window, start: number, length: number, visit: (tag: string, at: number, end: number) => void): void {
  const end = start + length;
  for (let at = start; at + 8 <= end; ) {
    const tag = w.tag(at);
    const recordLength = w.u32(at + 4, `the length of the ${tag} record`);
    if (recordLength < 8 || at + recordLength > end) {
      throw new BackupFormatError(`the ${tag} record at ${hex(at)} has an impossible length ${recordLength}`, at);
    }
    visit(tag, at, at + recordLength);
    at += recordLength;
  }
}

/** Decodes the head copy: the whole header and file list. */
export function decodeMqci(w: Window, start: number, length: number): SetInfo {
  let scin: Omit<SetInfo, 'files'> | undefined;
  const files: BackupDatabaseFile[] = [];
  const fileGroups = new Map<number, string>();
  forEachRecord(w, start, length, (tag, at, recordEnd) => {
    if (tag === 'SCIN') scin = decodeScin(w, at, recordEnd);
    else if (tag === 'SFGI') fileGroups.set(w.u32(at + 0x0c), recordString(w, at, 0x10, recordEnd, 'a filegroup name'));
    else if (tag === 'SFIN') files.push(decodeSfin(w, at, recordEnd));
  });
  if (!scin) throw new BackupFormatError(`no SCIN backup header in the metadata stream at ${hex(start)}`, start);
  for (const f of files) {
    const name = fileGroups.get(f.fileGroupId);
    if (name !== undefined && f.type !== 'L') f.fileGroupName = name;
  }
  return { ...scin, files };
}

function decodeScin(w: Window, r: number, recordEnd: number): Omit<SetInfo, 'files'> {
  if (recordEnd - r < SCIN_MIN_LENGTH) {
    throw new BackupFormatError(`the SCIN backup header at ${hex(r)} is too short (${recordEnd - r} bytes)`, r);
  }
  const flags = w.u32(r + 0x08);
  const typeCode = String.fromCharCode(w.u8(r + 0x57));
  const backupType = BACKUP_TYPE_BY_CODE[typeCode];
  if (!backupType) {
    throw new BackupFormatError(`unknown backup type code 0x${w.u8(r + 0x57).toString(16)} at ${hex(r + 0x57)}`, r + 0x57);
  }
  const major = w.u8(r + 0x1b);
  const minor = w.u8(r + 0x1a);
  const build = w.u16(r + 0x18);
  const status = w.u16(r + 0xf4);
  const isDiff = backupType.startsWith('Differential');
  const recoveryForkId = w.guid(r + 0x9c);
  // The current fork's origin: zero for a database never restored (backup-format.md section 4.1).
  const forkPointLsn = readLsn(w, r + 0xac);
  const parentFork = nonZeroGuid(w.guid(r + 0xb8));
  const forked = forkPointLsn !== 0n && parentFork !== undefined && parentFork !== recoveryForkId;
  const firstLsn = readLsn(w, r + 0x20);
  const isLog = backupType === 'TransactionLog';
  const has = (offset: number, size: number) => r + offset + size <= recordEnd;

  return {
    scin: { window: w, at: r, length: recordEnd - r },
    databaseName: recordString(w, r, 0x68, recordEnd, 'the database name'),
    serverName: recordString(w, r, 0x6c, recordEnd, 'the server name'),
    backupType,
    softwareVersion: `${major}.${minor}.${build}`,
    softwareVersionMajor: major,
    firstLsn,
    lastLsn: readLsn(w, r + 0x2a),
    checkpointLsn: readLsn(w, r + 0x34),
    databaseBackupLsn: readLsn(w, r + 0x3e),
    databaseCreationDate: readMtfDate(w, r + 0x48),
    backupStartDate: readMtfDate(w, r + 0x4d),
    backupFinishDate: readMtfDate(w, r + 0x52),
    sortOrder: w.u8(r + 0x58),
    compatibilityLevel: w.u8(r + 0x5b),
    databaseVersion: w.u16(r + 0x5e),
    backupSize: w.u64(r + 0x60),
    unicodeLocaleId: w.u32(r + 0x74),
    bindingId: w.guid(r + 0x7c),
    recoveryForkId,
    // A log that starts at or before its fork's fork point began on the parent fork and spans into this one.
    firstRecoveryForkId: forked && backupType === 'TransactionLog' && firstLsn <= forkPointLsn ? parentFork : recoveryForkId,
    ...(forked && { forkPointLsn, parentRecoveryForkId: parentFork }),
    familyGuid: w.guid(r + 0xe0),
    recoveryModel: status & STATUS_SIMPLE ? 'SIMPLE' : status & STATUS_BULK_LOGGED ? 'BULK_LOGGED' : 'FULL',
    hasChecksums: (flags & FLAG_HAS_CHECKSUMS) !== 0,
    ...(isDiff && {
      differentialBaseLsn: readLsn(w, r + 0x104),
      differentialBaseGuid: nonZeroGuid(w.guid(r + 0x110)),
    }),
    ...(isLog && has(0x14c, 10) && { beginsLogChain: readLsn(w, r + 0x14c) === 0n }),
    ...(has(0x158, 8) && { compressedBackupSize: w.u64(r + 0x158) }),
  };
}

function decodeSfin(w: Window, r: number, recordEnd: number): BackupDatabaseFile {
  if (recordEnd - r < 0xca) {
    throw new BackupFormatError(`the SFIN file record at ${hex(r)} is too short (${recordEnd - r} bytes)`, r);
  }
  const typeCode = w.u32(r + 0x1c);
  const diffBaseLsn = readLsn(w, r + 0x9e);
  const diffBaseGuid = nonZeroGuid(w.guid(r + 0xaa));
  return {
    logicalName: recordString(w, r, 0x30, recordEnd, 'a logical file name'),
    physicalName: recordString(w, r, 0x34, recordEnd, 'a physical file name'),
    type: typeCode === 1 ? 'D' : typeCode === 2 ? 'L' : String(typeCode),
    fileId: w.u32(r + 0x14),
    fileGroupId: w.u32(r + 0x24),
    sizeBytes: w.u64(r + 0x28),
    maxSizeBytes: w.u64(r + 0x56),
    uniqueId: w.guid(r + 0xba),
    ...(diffBaseLsn !== 0n && { differentialBaseLsn: diffBaseLsn }),
    ...(diffBaseGuid && { differentialBaseGuid: diffBaseGuid }),
  };
}

/** SCIN bytes that differ between the head and trailer copies: finish date, sizes. */
const TRAILER_ONLY: [number, number][] = [
  [0x52, 0x57],
  [0x60, 0x68],
  [0x158, 0x160],
];

/**
 * Decodes the trailer copy against the head: its SCIN must equal the head's byte for byte,
 * except the fields only the trailer fills in. Returns those fields and the per-file bases.
 */
export function decodeTrailer(w: Window, start: number, length: number, head: SetInfo): TrailerInfo {
  let trailer: TrailerInfo | undefined;
  const fileBases: TrailerInfo['fileBases'] = new Map();
  forEachRecord(w, start, length, (tag, r, recordEnd) => {
    if (tag === 'SCIN') {
      if (!sameScin(head.scin, w, r, recordEnd - r)) {
        const t = decodeScin(w, r, recordEnd);
        throw new BackupFormatError(
          `the head and trailer copies of the backup header disagree (LSNs ${head.firstLsn}..${head.lastLsn} ` +
            `vs ${t.firstLsn}..${t.lastLsn}, database ${head.databaseName} vs ${t.databaseName})`,
          r,
        );
      }
      trailer = {
        backupFinishDate: readMtfDate(w, r + 0x52),
        backupSize: w.u64(r + 0x60),
        ...(r + 0x160 <= recordEnd && { compressedBackupSize: w.u64(r + 0x158) }),
        fileBases,
      };
    } else if (tag === 'SFIN' && recordEnd - r >= 0xca) {
      const lsn = readLsn(w, r + 0x9e);
      const guid = nonZeroGuid(w.guid(r + 0xaa));
      if (lsn !== 0n || guid) fileBases.set(w.u32(r + 0x14), { ...(lsn !== 0n && { lsn }), ...(guid && { guid }) });
    }
  });
  if (!trailer) throw new BackupFormatError(`no SCIN backup header in the trailer metadata at ${hex(start)}`, start);
  return trailer;
}

function sameScin(head: SetInfo['scin'], w: Window, at: number, length: number): boolean {
  if (length !== head.length) return false;
  const a = head.window.slice(head.at, length);
  const b = w.slice(at, length);
  let skip = 0;
  for (let i = 0; i < length; i++) {
    if (skip < TRAILER_ONLY.length && i >= TRAILER_ONLY[skip]![0]) {
      i = TRAILER_ONLY[skip++]![1] - 1;
      continue;
    }
    if (a[i] !== b[i]) return false;
  }
  return true;
}
