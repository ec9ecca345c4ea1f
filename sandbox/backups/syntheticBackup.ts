/**
 * Writes synthetic SQL Server backup files: the same MTF blocks, streams, checksums and SQL
 * Server metadata records that real backups carry (laid out as in the real samples), with zeroed
 * data pages. The project's tests, the demo and the sandbox use them so nothing external is
 * needed; they are not restorable by a real SQL Server, only readable by header readers.
 */
import { randomUUID } from 'node:crypto';
import { encodeMtfDate, toLocal } from '../../src/core/backup/mtfDate';
import type { BackupType, RecoveryModel } from '../../src/core/backup/types';

export interface SyntheticFile {
  logicalName: string;
  physicalName: string;
  type: 'D' | 'L';
  sizeBytes: bigint;
}

export interface SyntheticBackup {
  databaseName: string;
  serverName?: string;
  machineName?: string;
  backupType: Extract<BackupType, 'Database' | 'DifferentialDatabase' | 'TransactionLog'>;
  firstLsn: bigint;
  lastLsn: bigint;
  checkpointLsn?: bigint;
  databaseBackupLsn?: bigint;
  /** For differentials: the base full's checkpoint LSN and backup set GUID. */
  differentialBaseLsn?: bigint;
  differentialBaseGuid?: string;
  backupSetId?: string;
  mediaSetId?: string;
  familyCount?: number;
  familySequenceNumber?: number;
  familyGuid: string;
  /** The fork the database is on when the backup ends (default: the family GUID, never restored). */
  recoveryForkId?: string;
  /**
   * A database restored WITH RECOVERY is on a new fork: where it began and the fork it left. A log
   * backup with `firstLsn <= forkPointLsn` spans the fork point.
   */
  forkPointLsn?: bigint;
  parentRecoveryForkId?: string;
  bindingId?: string;
  start: Date;
  finish?: Date;
  utcOffsetMinutes?: number;
  recoveryModel?: RecoveryModel;
  hasChecksums?: boolean;
  copyOnly?: boolean;
  /** For logs: false when a previous log backup exists (the chain continues). */
  beginsLogChain?: boolean;
  softwareVersion?: [major: number, minor: number, build: number];
  databaseVersion?: number;
  compatibilityLevel?: number;
  /** Data pages carried in the data stream (default 2); each adds 8 KiB to the file. */
  pages?: number;
  files?: SyntheticFile[];
  backupName?: string;
  userName?: string;
}

const BLOCK = 1024;
const PAGE = 8192;
const TYPE_CODE = { Database: 'D', DifferentialDatabase: 'I', TransactionLog: 'L' } as const;

/** A growable little-endian buffer. */
class Bytes {
  buf = new Uint8Array(64 * 1024);
  length = 0;

  ensure(end: number): void {
    if (end <= this.buf.length) return;
    let size = this.buf.length;
    while (size < end) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  grow(end: number): void {
    this.ensure(end);
    if (end > this.length) this.length = end;
  }
  u8(o: number, v: number) { this.grow(o + 1); this.buf[o] = v & 0xff; }
  u16(o: number, v: number) { this.u8(o, v); this.u8(o + 1, v >>> 8); }
  u32(o: number, v: number) { this.u16(o, v & 0xffff); this.u16(o + 2, Math.floor(v / 0x10000) & 0xffff); }
  u64(o: number, v: bigint) { this.u32(o, Number(v & 0xffffffffn)); this.u32(o + 4, Number(v >> 32n)); }
  bytes(o: number, b: Uint8Array) { this.grow(o + b.length); this.buf.set(b, o); }
  ascii(o: number, s: string) { for (let i = 0; i < s.length; i++) this.u8(o + i, s.charCodeAt(i)); }
  utf16(o: number, s: string): number { for (let i = 0; i < s.length; i++) this.u16(o + 2 * i, s.charCodeAt(i)); return s.length * 2; }
  guid(o: number, g: string) {
    const h = g.replace(/-/g, '');
    const b = (i: number) => parseInt(h.slice(2 * i, 2 * i + 2), 16);
    const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    order.forEach((src, dst) => this.u8(o + dst, b(src)));
  }
  lsn(o: number, lsn: bigint) {
    this.u32(o, Number(lsn / 1_000_000_000_000_000n));
    this.u32(o + 4, Number((lsn / 100_000n) % 10_000_000_000n));
    this.u16(o + 8, Number(lsn % 100_000n));
  }
  xor16(o: number, words: number): number {
    let x = 0;
    for (let k = 0; k < words; k++) x ^= this.buf[o + 2 * k]! | (this.buf[o + 2 * k + 1]! << 8);
    return x;
  }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

interface Ctx {
  out: Bytes;
  /** Offset of the current set's SSET: logical addresses count from it. */
  setStart: number;
  controlBlockId: number;
}

function dblkHeader(c: Ctx, at: number, type: string, firstStreamRel: number, stringType: number, attributes = 0): void {
  const o = c.out;
  o.grow(at + firstStreamRel);
  o.buf.fill(0, at, at + firstStreamRel);
  o.ascii(at, type);
  o.u32(at + 4, attributes);
  o.u16(at + 8, firstStreamRel);
  o.u8(at + 0x0a, 14);
  o.u8(at + 0x0b, 1);
  if (type !== 'TAPE' && type !== 'SFMB' && type !== 'ESET' && type !== 'SSET') {
    o.u64(at + 0x14, BigInt(Math.floor((at - c.setStart) / BLOCK)));
    o.u32(at + 0x24, c.controlBlockId++);
  }
  o.u8(at + 0x30, stringType);
}

function sealDblk(c: Ctx, at: number): void {
  c.out.u16(at + 0x32, c.out.xor16(at, 25));
}

/** Writes a stream header and its data; returns the 4-byte-aligned offset after it. */
function stream(c: Ctx, at: number, id: string, data: Uint8Array | number, mediaAttr = 0): number {
  const o = c.out;
  const length = typeof data === 'number' ? data : data.length;
  o.grow(at + 22 + length);
  o.buf.fill(0, at, at + 22);
  o.ascii(at, id);
  o.u16(at + 6, mediaAttr);
  o.u64(at + 8, BigInt(length));
  o.u16(at + 20, o.xor16(at, 10));
  if (typeof data === 'number') o.buf.fill(0, at + 22, at + 22 + length);
  else o.bytes(at + 22, data);
  return (at + 22 + length + 3) & ~3;
}

/** SPAD pads the DBLK that starts at `block` to a whole number of blocks; returns where the next one starts. */
function spad(c: Ctx, at: number, block: number): number {
  const end = block + Math.ceil((at + 22 - block) / BLOCK) * BLOCK;
  stream(c, at, 'SPAD', end - at - 22);
  return end;
}

function sfmb(c: Ctx, at: number): number {
  dblkHeader(c, at, 'SFMB', 0x200, 0, 0x80000000);
  sealDblk(c, at);
  return at + 0x200;
}

/** Writes `s` into a DBLK at `strAt`, storing its `size, offset` pair at `addrAt`; returns the end. */
function blockString(c: Ctx, block: number, addrAt: number, strAt: number, s: string): number {
  if (!s) return strAt;
  const size = c.out.utf16(strAt, s);
  c.out.u16(block + addrAt, size);
  c.out.u16(block + addrAt + 2, strAt - block);
  return strAt + size;
}

function mediaLabel(c: Ctx, spec: Required<Pick<SyntheticBackup, 'mediaSetId' | 'familyCount' | 'familySequenceNumber'>>, start: Date, tz: number): number {
  const o = c.out;
  dblkHeader(c, 0, 'TAPE', 0x8c, 2, 0x30000);
  o.u32(0x34, parseInt(spec.mediaSetId.slice(0, 8), 16) ^ spec.familySequenceNumber);
  o.u32(0x38, 5);
  o.u16(0x3c, 1);
  o.u16(0x40, 1);
  o.u16(0x42, 3);
  o.u16(0x54, BLOCK);
  o.u16(0x56, 0x1200);
  o.bytes(0x58, encodeMtfDate(toLocal(start, tz)));
  o.u8(0x5d, 1);
  blockString(c, 0, 0x50, 0x5e, 'Microsoft SQL Server');
  sealDblk(c, 0);
  const raid = new Bytes();
  raid.guid(0, spec.mediaSetId);
  raid.u32(0x10, 0xf00000ad);
  raid.u16(0x14, spec.familyCount);
  raid.u16(0x16, 1);
  raid.u16(0x18, spec.familySequenceNumber);
  raid.grow(32);
  return spad(c, stream(c, 0x8c, 'RAID', raid.result()), 0);
}

interface Resolved extends Required<Omit<SyntheticBackup, 'differentialBaseLsn' | 'differentialBaseGuid' | 'finish' | 'copyOnly' | 'forkPointLsn' | 'parentRecoveryForkId'>> {
  differentialBaseLsn?: bigint;
  differentialBaseGuid?: string;
  forkPointLsn?: bigint;
  parentRecoveryForkId?: string;
  finish: Date;
  copyOnly: boolean;
  position: number;
}

function resolve(s: SyntheticBackup, position: number): Resolved {
  const files = s.files ?? [
    { logicalName: s.databaseName, physicalName: `C:\\Data\\${s.databaseName}.mdf`, type: 'D' as const, sizeBytes: 8n * 1024n * 1024n },
    { logicalName: `${s.databaseName}_log`, physicalName: `C:\\Data\\${s.databaseName}_log.ldf`, type: 'L' as const, sizeBytes: 2n * 1024n * 1024n },
  ];
  return {
    serverName: 'SQLSRC01',
    machineName: (s.serverName ?? 'SQLSRC01').split('\\')[0]!,
    checkpointLsn: s.firstLsn,
    databaseBackupLsn: 0n,
    backupSetId: randomUUID().toUpperCase(),
    mediaSetId: randomUUID().toUpperCase(),
    familyCount: 1,
    familySequenceNumber: 1,
    recoveryForkId: s.familyGuid,
    bindingId: s.familyGuid,
    utcOffsetMinutes: 0,
    recoveryModel: 'FULL',
    hasChecksums: true,
    beginsLogChain: false,
    softwareVersion: [16, 0, 1000],
    databaseVersion: 957,
    compatibilityLevel: 160,
    pages: 2,
    backupName: '',
    userName: 'CONTOSO\\dba',
    // Explicit `undefined`s mean "the default", not "none".
    ...(Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as SyntheticBackup),
    files,
    finish: s.finish ?? s.start,
    copyOnly: s.copyOnly ?? false,
    position,
  };
}

/** The SQL Server metadata stream (SCIN + SFGI + SFIN records). */
function metadata(s: Resolved, trailer: boolean, backupSize: bigint): Uint8Array {
  const m = new Bytes();
  const tz = s.utcOffsetMinutes;
  const isDiff = s.backupType === 'DifferentialDatabase';
  const isLog = s.backupType === 'TransactionLog';
  // SCIN: fixed part then strings.
  const fixed = 0x190;
  let str = fixed;
  m.grow(fixed);
  m.ascii(0, 'SCIN');
  m.u32(0x08, 0x200 | (s.hasChecksums ? 0x10 : 0) | (isDiff ? 0x800 : 0));
  m.u32(0x0c, s.files.filter((f) => f.type === 'D').length);
  m.u32(0x10, s.files.filter((f) => f.type === 'L').length);
  m.u16(0x18, s.softwareVersion[2]);
  m.u8(0x1a, s.softwareVersion[1]);
  m.u8(0x1b, s.softwareVersion[0]);
  m.u32(0x1c, 9);
  m.lsn(0x20, s.firstLsn);
  m.lsn(0x2a, s.lastLsn);
  m.lsn(0x34, s.checkpointLsn);
  m.lsn(0x3e, s.databaseBackupLsn);
  m.bytes(0x48, encodeMtfDate(toLocal(new Date(s.start.getTime() - 86_400_000), tz)));
  m.bytes(0x4d, encodeMtfDate(toLocal(s.start, tz)));
  if (trailer) m.bytes(0x52, encodeMtfDate(toLocal(s.finish, tz)));
  m.u8(0x57, TYPE_CODE[s.backupType].charCodeAt(0));
  m.u8(0x58, 52);
  m.u8(0x59, 1);
  m.u8(0x5b, s.compatibilityLevel);
  m.u16(0x5c, 5);
  m.u16(0x5e, s.databaseVersion);
  m.u64(0x60, backupSize);
  const put = (addr: number, text: string) => {
    if (!text) return;
    m.u16(addr, m.utf16(str, text));
    m.u16(addr + 2, str);
    str += text.length * 2;
  };
  put(0x68, s.databaseName);
  put(0x6c, s.serverName);
  m.u32(0x74, 1033);
  m.u32(0x78, 196609);
  m.guid(0x7c, s.bindingId);
  m.lsn(0x90, s.lastLsn);
  m.guid(0x9c, s.recoveryForkId);
  // The current fork's origin, twice, as SQL Server writes it; zero for a database never restored.
  if (s.forkPointLsn !== undefined && s.parentRecoveryForkId) {
    for (const [lsnAt, guidAt] of [[0xac, 0xb8], [0x130, 0x13c]] as const) {
      m.lsn(lsnAt, s.forkPointLsn);
      m.guid(guidAt, s.parentRecoveryForkId);
    }
  }
  m.bytes(0xd8, Uint8Array.of(0x09, 0x04, 0xd0, 0x00, 0x34));
  m.guid(0xe0, s.familyGuid);
  m.u16(0xf4, s.recoveryModel === 'SIMPLE' ? 0x8 : s.recoveryModel === 'BULK_LOGGED' ? 0x4 : 0);
  if (s.recoveryModel !== 'SIMPLE') m.lsn(0xf8, s.firstLsn);
  if (isDiff) {
    m.lsn(0x104, s.differentialBaseLsn ?? s.databaseBackupLsn);
    if (s.differentialBaseGuid) m.guid(0x110, s.differentialBaseGuid);
  }
  if (isLog && !s.beginsLogChain) m.lsn(0x14c, s.firstLsn);
  m.u64(0x158, backupSize);
  m.u32(0x174, 1);
  m.u32(0x04, str);

  // One filegroup, PRIMARY.
  let at = str;
  m.ascii(at, 'SFGI');
  m.u32(at + 0x08, 0x10);
  m.u32(at + 0x0c, 1);
  m.u16(at + 0x10, m.utf16(at + 0x30, 'PRIMARY'));
  m.u16(at + 0x12, 0x30);
  m.u32(at + 0x14, 1);
  m.u32(at + 4, 0x30 + 14);
  at += 0x30 + 14;

  s.files.forEach((f, i) => {
    const r = at;
    m.grow(r + 0x400);
    m.ascii(r, 'SFIN');
    m.u32(r + 0x08, 4);
    m.u32(r + 0x10, PAGE);
    m.u32(r + 0x14, i + 1);
    m.u32(r + 0x18, f.type === 'D' ? s.pages : 0);
    m.u32(r + 0x1c, f.type === 'D' ? 1 : 2);
    m.u32(r + 0x20, 512);
    m.u32(r + 0x24, f.type === 'D' ? 1 : 0);
    m.u64(r + 0x28, f.sizeBytes);
    let p = r + 0x400;
    m.u16(r + 0x30, m.utf16(p, f.logicalName));
    m.u16(r + 0x32, p - r);
    p += f.logicalName.length * 2;
    m.u16(r + 0x34, m.utf16(p, f.physicalName));
    m.u16(r + 0x36, p - r);
    p += f.physicalName.length * 2;
    m.u64(r + 0x56, f.type === 'D' ? 35184372080640n : 2199023255552n);
    if (trailer && s.backupType === 'Database') {
      m.lsn(r + 0x9e, s.checkpointLsn);
      m.guid(r + 0xaa, s.backupSetId);
    }
    m.guid(r + 0xba, syntheticFileGuid(s.familyGuid, i));
    m.u32(r + 4, p - r);
    at = p;
  });
  return m.result();
}

/** Stable per-database file GUIDs, as real file GUIDs survive across backups. */
function syntheticFileGuid(familyGuid: string, index: number): string {
  const tail = (parseInt(familyGuid.slice(-8), 16) ^ (index + 1)).toString(16).padStart(8, '0').toUpperCase();
  return `${familyGuid.slice(0, -8)}${tail}`;
}

function backupSet(c: Ctx, at: number, s: Resolved): number {
  const o = c.out;
  const tz = s.utcOffsetMinutes;
  c.setStart = at;
  c.controlBlockId = 0;

  // SSET: the backup set descriptor.
  const sset = at;
  dblkHeader(c, sset, 'SSET', 0x200, 2);
  o.u32(sset + 0x34, (s.backupType === 'DifferentialDatabase' ? 0x8 : 0x4) | (s.copyOnly ? 0x2 : 0));
  o.u16(sset + 0x3c, 0x1200);
  o.u16(sset + 0x3e, s.position);
  o.u64(sset + 0x50, BigInt(sset));
  o.bytes(sset + 0x58, encodeMtfDate(toLocal(s.start, tz)));
  o.u8(sset + 0x5d, s.softwareVersion[0]);
  o.u8(sset + 0x5e, s.softwareVersion[1]);
  o.u8(sset + 0x5f, (tz / 15) & 0xff);
  o.u8(sset + 0x61, 2);
  o.guid(sset + 0x64, s.backupSetId);
  let str = blockString(c, sset, 0x40, sset + 0x7a, s.backupName);
  str = blockString(c, sset, 0x4c, str, s.userName);
  const ssetFirst = ((str + 3) & ~3) - sset;
  o.u16(sset + 8, ssetFirst);
  sealDblk(c, sset);
  at = spad(c, sset + ssetFirst, sset);

  // VOLB: the volume, with the machine name.
  const volb = at;
  dblkHeader(c, volb, 'VOLB', 0x200, 2);
  o.u32(volb + 0x34, 2);
  str = blockString(c, volb, 0x38, volb + 0x49, 'C:');
  str = blockString(c, volb, 0x40, str, s.machineName);
  o.bytes(volb + 0x44, encodeMtfDate(toLocal(s.start, tz)));
  const volbFirst = ((str + 3) & ~3) - volb;
  o.u16(volb + 8, volbFirst);
  sealDblk(c, volb);
  at = spad(c, volb + volbFirst, volb);

  // The data section: pages for full/diff, log blocks for logs.
  const dataBytes = 2 + s.pages * PAGE;
  const headerSize = BigInt(at + 4 * BLOCK + dataBytes); // about where the trailer will sit
  const msci = at;
  dblkHeader(c, msci, 'MSCI', 0x38, 2);
  sealDblk(c, msci);
  at = spad(c, stream(c, msci + 0x38, 'MQCI', metadata(s, false, headerSize)), msci);

  const checksumAttr = s.hasChecksums ? 0x100 : 0;
  if (s.backupType !== 'TransactionLog') {
    const msda = at;
    dblkHeader(c, msda, 'MSDA', 0x3c, 0);
    sealDblk(c, msda);
    // APAD aligns the pages (after the 2-byte lead of MQDA) on a block boundary.
    const apad = msda + 0x3c;
    const pagesAt = msda + Math.ceil((apad + 22 + 22 + 2 - msda) / BLOCK) * BLOCK;
    let next = stream(c, apad, 'APAD', pagesAt - 2 - 22 - (apad + 22), 0x80);
    next = stream(c, next, 'MQDA', dataBytes, 0x2 | checksumAttr);
    if (s.hasChecksums) next = stream(c, next, 'CSUM', Uint8Array.of(0x5a, 0xa5, 0x5a, 0xa5));
    next = stream(c, next, 'MQDA', 0, 0x6);
    at = spad(c, next, msda);
  }
  if (s.backupType === 'TransactionLog' && s.firstLsn !== s.lastLsn) {
    const mstl = at;
    dblkHeader(c, mstl, 'MSTL', 0x250, 0);
    sealDblk(c, mstl);
    const apad = mstl + 0x250;
    const logAt = mstl + Math.ceil((apad + 22 + 22 + 2 - mstl) / BLOCK) * BLOCK;
    let next = stream(c, apad, 'APAD', logAt - 2 - 22 - (apad + 22), 0x80);
    next = stream(c, next, 'MQTL', dataBytes, checksumAttr);
    if (s.hasChecksums) next = stream(c, next, 'CSUM', Uint8Array.of(0x5a, 0xa5, 0x5a, 0xa5));
    at = spad(c, next, mstl);
  }
  const mstl = at;
  dblkHeader(c, mstl, 'MSTL', 0x250, 0);
  sealDblk(c, mstl);
  at = spad(c, mstl + 0x250, mstl);

  // MSLS: the trailer copy, with the finish date and the final size.
  const msls = at;
  dblkHeader(c, msls, 'MSLS', 0x38, 2);
  sealDblk(c, msls);
  at = spad(c, stream(c, msls + 0x38, 'MQCI', metadata(s, true, BigInt(msls - 512))), msls);

  // End of set: filemark, ESET (with the catalogue streams), ESET, filemark.
  at = sfmb(c, at);
  for (const withCatalog of [true, false]) {
    const eset = at;
    dblkHeader(c, eset, 'ESET', 0x58, 0);
    o.u32(eset + 0x34, s.backupType === 'DifferentialDatabase' ? 0x8 : 0x4);
    o.u16(eset + 0x4e, s.position);
    o.bytes(eset + 0x50, encodeMtfDate(toLocal(s.finish, tz)));
    sealDblk(c, eset);
    let next = eset + 0x58;
    if (withCatalog) next = stream(c, stream(c, next, 'OTCP', 914), 'TSMP', 202);
    at = spad(c, next, eset);
  }
  return sfmb(c, at);
}

/**
 * One backup file. Several specs make one file with appended backup sets (positions 1..n);
 * the media label (family, media set) comes from the first.
 */
export function writeSyntheticBackup(spec: SyntheticBackup | SyntheticBackup[]): Uint8Array {
  const specs = (Array.isArray(spec) ? spec : [spec]).map((s, i) => resolve(s, i + 1));
  const first = specs[0]!;
  const c: Ctx = { out: new Bytes(), setStart: 0, controlBlockId: 0 };
  let at = mediaLabel(c, first, first.start, first.utcOffsetMinutes);
  at = sfmb(c, at);
  for (const s of specs) at = backupSet(c, at, { ...s, mediaSetId: first.mediaSetId, familyCount: first.familyCount, familySequenceNumber: first.familySequenceNumber });
  return c.out.result();
}

/** LSN helper: the decimal LSN of (vlf, block, slot). */
export function lsn(vlf: number, block: number, slot: number): bigint {
  return BigInt(vlf) * 1_000_000_000_000_000n + BigInt(block) * 100_000n + BigInt(slot);
}
