/**
 * Reads what RESTORE HEADERONLY / LABELONLY / FILELISTONLY return, from a handful of byte
 * ranges: the first kilobytes (media label, backup set descriptor, the head copy of SQL
 * Server's header) and the last kilobytes (the trailer copy, which adds the finish date and
 * final size, and the end-of-set blocks). Data pages are never read.
 *
 * When the trailer is not where it should be, a slower walk follows the block chain from the
 * head, reading only block and stream headers, to say exactly where the file is cut or broken,
 * or to list every backup set when several were appended to one file.
 *
 * A compressed backup (an MSSQLBAK container) is read through CompressedSource, which serves the
 * decompressed stream: the same parser reads it, and offsets in verdicts are mapped back to the
 * file as stored.
 */
import { BackupFormatError, hex, type Window } from './binary';
import type { ByteSource } from './byteSource';
import { COMPRESSED_MAGIC, CompressedSource, ContainerError, UnreadableContainerError } from './compressed';
import { DBLK_HEADER_SIZE, describeBytes, isDblkAt, nextStreamOffset, readBlockString, readDblk, readStream, STREAM_HEADER_SIZE, type Dblk, type Stream } from './mtf';
import { readMtfDate, toInstant, type LocalDateTime } from './mtfDate';
import { HEAD_BYTES, RangeReader } from './rangeReader';
import { decodeMqci, decodeTrailer, type SetInfo, type TrailerInfo } from './sqlMetadata';
import type { BackupHeader, BackupReading } from './types';

const MIN_TAIL_BYTES = 16 * 1024;
/** A metadata stream larger than this is not something SQL Server wrote. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;
const MAX_STREAMS_PER_BLOCK = 256;
const SQL_SERVER_VENDOR_ID = 0x1200;

interface Media {
  mediaFamilyId: string;
  mediaSequenceNumber: number;
  hasMediaPassword: boolean;
  blockSize: number;
  mediaSetId: string;
  familyCount: number;
  familySequenceNumber: number;
  /** Offset of the block after the media label. */
  next: number;
}

interface SetDescriptor {
  offset: number;
  position: number;
  attributes: number;
  backupName: string;
  backupDescription: string;
  userName: string;
  hasPassword: boolean;
  writeDate?: LocalDateTime;
  utcOffsetMinutes: number;
  backupSetId: string;
}

interface SetHead {
  sset: SetDescriptor;
  machineName: string;
  info: SetInfo;
  /** Length of the head metadata stream: the trailer copy has about the same. */
  metadataLength: number;
  /** Offset of the block after the head metadata block (MSCI). */
  next: number;
}

interface WalkedBlock {
  dblk: Dblk;
  streams: Stream[];
  next: number;
}

class NotSqlServerBackup extends Error {}

/** Rounds down to a 512-byte boundary; not with `& ~511`, which breaks past 2 GiB. */
function sectorFloor(offset: number): number {
  return offset - (offset % 512);
}

function endsAt(rr: RangeReader, where: string): BackupFormatError {
  return new BackupFormatError(`the file ends at byte ${rr.size}, ${where}`, rr.size, true);
}

/** One block and its stream headers (not the stream data) at `offset`. */
function walkBlock(rr: RangeReader, offset: number, expected?: string): WalkedBlock {
  if (offset + DBLK_HEADER_SIZE > rr.size) throw endsAt(rr, `inside the block expected at ${hex(offset)}${expected ? ` (${expected})` : ''}`);
  const dblk = readDblk(rr.view(offset, DBLK_HEADER_SIZE), offset, expected);
  if (dblk.type === 'SFMB') {
    if (dblk.firstStream > rr.size) throw endsAt(rr, `inside the filemark at ${hex(offset)}`);
    return { dblk, streams: [], next: dblk.firstStream };
  }
  const streams: Stream[] = [];
  let at = dblk.firstStream;
  for (let i = 0; i < MAX_STREAMS_PER_BLOCK; i++) {
    if (at + STREAM_HEADER_SIZE > rr.size) throw endsAt(rr, `inside the ${dblk.type} block at ${hex(offset)} (a stream header was due at ${hex(at)})`);
    const s = readStream(rr.view(at, STREAM_HEADER_SIZE), at, dblk);
    streams.push(s);
    if (s.dataEnd > rr.size) {
      throw endsAt(rr, `inside the ${s.id} stream of the ${dblk.type} block at ${hex(offset)} (the stream needs ${s.dataEnd - rr.size} more bytes)`);
    }
    if (s.id === 'SPAD') return { dblk, streams, next: s.dataEnd };
    at = nextStreamOffset(s);
  }
  throw new BackupFormatError(`the ${dblk.type} block at ${hex(offset)} has no end (no SPAD stream)`, offset);
}

/** The fixed part and strings of a block (everything before its first stream). */
function blockBody(rr: RangeReader, b: WalkedBlock): Window {
  return rr.view(b.dblk.offset, b.dblk.firstStream - b.dblk.offset);
}

function readMedia(rr: RangeReader): Media {
  const tape = walkBlock(rr, 0, 'TAPE');
  const w = blockBody(rr, tape);
  const vendor = w.u16(0x56);
  if (vendor !== SQL_SERVER_VENDOR_ID) {
    const software = readBlockString(w, tape.dblk, 0x50, 'the software name');
    throw new NotSqlServerBackup(
      `MTF media written by other software (${software ? `"${software}", ` : ''}vendor id 0x${vendor.toString(16)}), not by SQL Server`,
    );
  }
  const raid = tape.streams.find((s) => s.id === 'RAID');
  if (!raid || raid.length < 0x1a) throw new BackupFormatError('the media label has no media set (RAID) stream', tape.dblk.firstStream);
  const rw = rr.view(raid.dataOffset, raid.length);
  const familyCount = rw.u16(raid.dataOffset + 0x14);
  const familySequenceNumber = rw.u16(raid.dataOffset + 0x18);
  if (familyCount < 1 || familySequenceNumber < 1 || familySequenceNumber > familyCount) {
    throw new BackupFormatError(`the media set says this is family ${familySequenceNumber} of ${familyCount}, which cannot be`, raid.dataOffset + 0x14);
  }
  const blockSize = w.u16(0x54);
  return {
    mediaFamilyId: `${w.u32(0x34).toString(16).toUpperCase().padStart(8, '0')}-0000-0000-0000-000000000000`,
    mediaSequenceNumber: w.u16(0x3c),
    hasMediaPassword: w.u16(0x3e) !== 0 || w.u16(0x4c) !== 0,
    blockSize: blockSize >= 512 ? blockSize : 1024,
    mediaSetId: rw.guid(raid.dataOffset),
    familyCount,
    familySequenceNumber,
    next: tape.next,
  };
}

function readSetDescriptor(rr: RangeReader, block: WalkedBlock): SetDescriptor {
  const o = block.dblk.offset;
  const w = blockBody(rr, block);
  return {
    offset: o,
    attributes: w.u32(o + 0x34),
    position: w.u16(o + 0x3e),
    backupName: readBlockString(w, block.dblk, 0x40, 'the backup name'),
    backupDescription: readBlockString(w, block.dblk, 0x44, 'the backup description'),
    hasPassword: w.u16(o + 0x38) !== 0 || w.u16(o + 0x48) !== 0,
    userName: readBlockString(w, block.dblk, 0x4c, 'the user name'),
    writeDate: readMtfDate(w, o + 0x58),
    utcOffsetMinutes: w.i8(o + 0x5f) * 15,
    backupSetId: w.guid(o + 0x64),
  };
}

/** The metadata stream (MQCI) of a head or trailer block. */
function metadataStream(block: WalkedBlock): Stream {
  const mqci = block.streams.find((s) => s.id === 'MQCI');
  if (!mqci) throw new BackupFormatError(`the ${block.dblk.type} block at ${hex(block.dblk.offset)} has no metadata stream`, block.dblk.offset);
  if (mqci.length > MAX_METADATA_BYTES) throw new BackupFormatError(`the metadata stream at ${hex(mqci.offset)} claims ${mqci.length} bytes`, mqci.offset);
  return mqci;
}

function readTrailer(rr: RangeReader, block: WalkedBlock, head: SetHead): TrailerInfo {
  const mqci = metadataStream(block);
  return decodeTrailer(rr.view(mqci.dataOffset, mqci.length), mqci.dataOffset, mqci.length, head.info);
}

/** From an SSET (after any filemarks) through the head metadata block. */
function readSetHead(rr: RangeReader, offset: number): SetHead {
  let block = walkBlock(rr, offset);
  while (block.dblk.type === 'SFMB') block = walkBlock(rr, block.next);
  if (block.dblk.type !== 'SSET') {
    throw new BackupFormatError(`expected a backup set descriptor (SSET) at ${hex(block.dblk.offset)} but found ${block.dblk.type}`, block.dblk.offset);
  }
  const sset = readSetDescriptor(rr, block);
  let machineName = '';
  block = walkBlock(rr, block.next);
  if (block.dblk.type === 'VOLB') {
    machineName = readBlockString(blockBody(rr, block), block.dblk, 0x40, 'the machine name');
    block = walkBlock(rr, block.next);
  }
  if (block.dblk.type !== 'MSCI') {
    throw new BackupFormatError(`expected SQL Server's header block (MSCI) at ${hex(block.dblk.offset)} but found ${block.dblk.type}`, block.dblk.offset);
  }
  const mqci = metadataStream(block);
  const info = decodeMqci(rr.view(mqci.dataOffset, mqci.length), mqci.dataOffset, mqci.length);
  return { sset, machineName, info, metadataLength: mqci.length, next: block.next };
}

function buildHeader(media: Media, head: SetHead, trailer: TrailerInfo | undefined): BackupHeader {
  const { sset, info } = head;
  const tz = sset.utcOffsetMinutes;
  const startLocal = info.backupStartDate ?? sset.writeDate;
  if (!startLocal) throw new BackupFormatError('the backup set has no start date', sset.offset + 0x58);
  const h: BackupHeader = {
    databaseName: info.databaseName,
    serverName: info.serverName,
    machineName: head.machineName,
    backupName: sset.backupName,
    backupDescription: sset.backupDescription,
    userName: sset.userName,
    backupType: info.backupType,
    position: sset.position,
    firstLsn: info.firstLsn,
    lastLsn: info.lastLsn,
    checkpointLsn: info.checkpointLsn,
    databaseBackupLsn: info.databaseBackupLsn,
    backupSetId: sset.backupSetId,
    mediaSetId: media.mediaSetId,
    mediaFamilyId: media.mediaFamilyId,
    familyCount: media.familyCount,
    familySequenceNumber: media.familySequenceNumber,
    mediaSequenceNumber: media.mediaSequenceNumber,
    backupStartDate: toInstant(startLocal, tz),
    utcOffsetMinutes: tz,
    softwareVersion: info.softwareVersion,
    softwareVersionMajor: info.softwareVersionMajor,
    databaseVersion: info.databaseVersion,
    compatibilityLevel: info.compatibilityLevel,
    recoveryModel: info.recoveryModel,
    hasChecksums: info.hasChecksums,
    // MTF's SSET "copy" attribute; no sample has a copy-only backup, so this is the spec's word.
    isCopyOnly: (sset.attributes & 0x2) !== 0,
    hasMediaPassword: media.hasMediaPassword || sset.hasPassword,
    familyGuid: info.familyGuid,
    recoveryForkId: info.recoveryForkId,
    firstRecoveryForkId: info.firstRecoveryForkId,
    bindingId: info.bindingId,
    sortOrder: info.sortOrder,
    unicodeLocaleId: info.unicodeLocaleId,
    blockSize: media.blockSize,
    files: info.files,
  };
  if (info.differentialBaseLsn !== undefined) h.differentialBaseLsn = info.differentialBaseLsn;
  if (info.differentialBaseGuid !== undefined) h.differentialBaseGuid = info.differentialBaseGuid;
  if (info.beginsLogChain !== undefined) h.beginsLogChain = info.beginsLogChain;
  if (info.forkPointLsn !== undefined) h.forkPointLsn = info.forkPointLsn;
  if (info.parentRecoveryForkId !== undefined) h.parentRecoveryForkId = info.parentRecoveryForkId;
  if (info.databaseCreationDate) h.databaseCreationDate = toInstant(info.databaseCreationDate, tz);
  if (trailer) {
    if (trailer.backupFinishDate) h.backupFinishDate = toInstant(trailer.backupFinishDate, tz);
    h.backupSize = trailer.backupSize;
    if (trailer.compressedBackupSize !== undefined) h.compressedBackupSize = trailer.compressedBackupSize;
    // Per-file differential bases are filled in only in the trailer copy.
    for (const f of h.files) {
      const base = trailer.fileBases.get(f.fileId);
      if (base?.lsn !== undefined) f.differentialBaseLsn = base.lsn;
      if (base?.guid !== undefined) f.differentialBaseGuid = base.guid;
    }
  }
  return h;
}

/**
 * The fast path: the trailer copy (MSLS) and the end-of-set blocks in the last bytes of the
 * file. Undefined when they are not where SQL Server puts them; the caller then walks.
 */
function readTrailerFromTail(rr: RangeReader, start: number, head: SetHead): TrailerInfo | undefined {
  const w = rr.view(start, rr.size - start);
  for (let at = sectorFloor(rr.size - DBLK_HEADER_SIZE); at >= start; at -= 512) {
    if (!isDblkAt(w, at, 'MSLS')) continue;
    let msls: WalkedBlock;
    try {
      msls = walkBlock(rr, at, 'MSLS');
      if (readEndOfSet(rr, msls.next) !== head.sset.position) return undefined;
    } catch (e) {
      if (e instanceof BackupFormatError) return undefined; // the walk will say precisely what is wrong
      throw e;
    }
    // A trailer that disagrees with the head is corruption whichever way it is found.
    return readTrailer(rr, msls, head);
  }
  return undefined;
}

/**
 * Follows the filemarks and end-of-set blocks after a trailer to the end of the file; returns
 * the ESET's data-set number, or undefined when the file does not end as SQL Server ends it.
 */
function readEndOfSet(rr: RangeReader, offset: number): number | undefined {
  let position: number | undefined;
  let at = offset;
  let last = '';
  while (at < rr.size) {
    const b = walkBlock(rr, at);
    if (b.dblk.type === 'ESET') position ??= blockBody(rr, b).u16(at + 0x4e);
    else if (b.dblk.type !== 'SFMB') return undefined;
    last = b.dblk.type;
    at = b.next;
  }
  return last === 'SFMB' ? position : undefined;
}

/**
 * The slow path: walk every block from the end of the first head to the end of the file, one
 * read step per block. Collects each set's trailer and the heads of appended sets; throws a
 * BackupFormatError at the first break.
 */
async function walkToEnd(rr: RangeReader, media: Media, first: SetHead): Promise<BackupHeader[]> {
  const sets: BackupHeader[] = [];
  let head: SetHead | undefined = first;
  let trailer: TrailerInfo | undefined;
  let at = first.next;
  let closed = false;
  let last = '';
  while (at < rr.size) {
    const b = await rr.step(() => walkBlock(rr, at));
    last = b.dblk.type;
    if (b.dblk.type === 'MSLS') {
      const owner = head;
      if (!owner) throw new BackupFormatError(`a trailer block at ${hex(at)} with no backup set before it`, at);
      trailer = await rr.step(() => readTrailer(rr, b, owner));
    } else if (b.dblk.type === 'ESET') {
      // SQL Server writes two ESETs per set; the first closes it.
      if (head) {
        if (!trailer) throw new BackupFormatError(`the backup set ends at ${hex(at)} without its trailer (MSLS)`, at);
        sets.push(buildHeader(media, head, trailer));
        head = trailer = undefined;
        closed = true;
      } else if (!closed) {
        throw new BackupFormatError(`an end-of-set block at ${hex(at)} with no backup set before it`, at);
      }
    } else if (b.dblk.type === 'SSET') {
      if (head) throw new BackupFormatError(`a new backup set starts at ${hex(at)} before the previous one ended`, at);
      const start = at;
      head = await rr.step(() => readSetHead(rr, start));
      closed = false;
      at = head.next;
      continue;
    }
    at = b.next;
  }
  if (head) throw endsAt(rr, `before the backup set does (no ${trailer ? 'end-of-set block' : 'trailer'} after the data)`);
  if (last !== 'SFMB') throw endsAt(rr, 'without the closing filemark that ends every backup file');
  return sets;
}

function verdictFor(path: string, size: number, sets: BackupHeader[]): BackupReading {
  const header = sets[0]!;
  if (sets.length > 1) {
    return {
      path,
      sizeBytes: size,
      verdict: 'multiple-backup-sets',
      reason:
        `${sets.length} backup sets appended in one file (positions ${sets.map((s) => s.position).join(', ')}): ` +
        'the migration service accepts one backup set per file; back up each to its own file',
      header,
      sets,
    };
  }
  if (header.familyCount > 1) {
    return {
      path,
      sizeBytes: size,
      verdict: 'stripe',
      reason: `stripe ${header.familySequenceNumber} of ${header.familyCount} of a striped backup set: restorable only with all ${header.familyCount} stripes`,
      header,
    };
  }
  return { path, sizeBytes: size, verdict: 'backup', header };
}

export interface ReadOptions {
  /** Skip the fast trailer lookup and walk every block (used by tests to cross-check). */
  walk?: boolean;
}

/** Reads one backup file, compressed or not. Never throws: every outcome is a verdict. */
export async function readBackup(source: ByteSource, options: ReadOptions = {}): Promise<BackupReading> {
  const path = source.name;
  let size = 0;
  let media: Media | undefined;
  let head: SetHead | undefined;
  let rr: RangeReader | undefined;
  let container: CompressedSource | undefined;
  try {
    size = await source.size();
    if (size === 0) return { path, sizeBytes: 0, verdict: 'not-a-backup', reason: 'empty file (0 bytes)' };
    rr = new RangeReader(source, size);
    await rr.fetch(0, HEAD_BYTES);
    const first = rr.view(0, 8);
    if (first.has(0, 8) && String.fromCharCode(...first.slice(0, 8)) === COMPRESSED_MAGIC) {
      // From here on the decompressed stream is read exactly as an uncompressed file is.
      container = await CompressedSource.open(source, size, first.slice(0, Math.min(size, HEAD_BYTES)));
      rr.release();
      rr = new RangeReader(container, container.logicalSize);
      await rr.fetch(0, HEAD_BYTES);
      const label = rr.view(0, 8);
      if (!label.isTag(0, 'TAPE')) throw new BackupFormatError(`the decompressed backup starts with ${describeBytes(label, 0)}, not with a media label (TAPE)`, 0);
    } else if (!first.isTag(0, 'TAPE')) {
      return { path, sizeBytes: size, verdict: 'not-a-backup', reason: `not a SQL Server backup: it starts with ${describeBytes(first, 0)}` };
    }
    const reader = rr;
    const parsed = await reader.step(() => {
      const m = readMedia(reader);
      return { m, h: readSetHead(reader, m.next) };
    });
    media = parsed.m;
    head = parsed.h;
    const m = media;
    const h = head;
    let sets: BackupHeader[] | undefined;
    if (!options.walk) {
      const tailBytes = Math.max(MIN_TAIL_BYTES, h.metadataLength + 8 * m.blockSize + 4096);
      let start = sectorFloor(Math.max(h.next, reader.size - tailBytes));
      // In a compressed file, start where the records near the end are mapped: the trailer is there.
      if (container) start = container.mappedFrom(start);
      await reader.fetch(start, reader.size - start);
      const trailer = await reader.step(() => readTrailerFromTail(reader, start, h));
      if (trailer) sets = [buildHeader(m, h, trailer)];
    }
    sets ??= await walkToEnd(reader, m, h);
    if (sets.length === 0) throw new BackupFormatError('no complete backup set in the file', h.next);
    return markCompressed(verdictFor(path, size, sets), container);
  } catch (e) {
    if (e instanceof UnreadableContainerError) {
      return {
        path,
        sizeBytes: size,
        verdict: 'compressed',
        reason: `${e.message}; its header cannot be read locally: the migration service can restore it, but its database, type and LSNs are checked only after upload`,
        ...(e.encrypted && { encrypted: true }),
      };
    }
    const header = media && head ? partialHeader(media, head) : undefined;
    return markCompressed(failed(path, size, container ? inFileTerms(e, container) : e, header), container);
  } finally {
    rr?.release();
    container?.release();
  }
}

/** Marks a reading of a compressed file, and its headers (HEADERONLY's Compressed column). */
function markCompressed(r: BackupReading, container: CompressedSource | undefined): BackupReading {
  if (!container) return r;
  r.compressed = true;
  if (r.header) r.header.compressed = true;
  for (const s of r.sets ?? []) s.compressed = true;
  return r;
}

/**
 * A problem the MTF parser found in the decompressed stream, told in terms of the real file:
 * the offset becomes the file offset of the record that holds it, and a stream that ends early
 * because a record is cut or broken is reported as that record.
 */
function inFileTerms(e: unknown, container: CompressedSource): unknown {
  if (!(e instanceof BackupFormatError) || e instanceof ContainerError) return e;
  if (e.truncated && container.damage) return container.damage;
  const at = container.physicalOffset(e.offset);
  const where = e.truncated
    ? `in the decompressed backup; the compressed file ends after its last complete record, at byte ${container.fileSize}`
    : `at ${hex(e.offset)} in the decompressed backup, in the compressed record at byte ${hex(at)} of the file`;
  return new BackupFormatError(`${e.message} (${where})`, at, e.truncated);
}

/** The header as far as the head copy tells it, for a file whose end is missing or broken. */
function partialHeader(media: Media, head: SetHead): BackupHeader | undefined {
  try {
    return buildHeader(media, head, undefined);
  } catch {
    return undefined;
  }
}

function failed(path: string, size: number, e: unknown, header: BackupHeader | undefined): BackupReading {
  const withHeader = header ? { header } : {};
  if (e instanceof NotSqlServerBackup) return { path, sizeBytes: size, verdict: 'not-a-backup', reason: e.message };
  if (e instanceof BackupFormatError) {
    const kind = e.truncated ? 'truncated' : 'corrupt';
    return { path, sizeBytes: size, verdict: kind, reason: `${kind}: ${e.message}`, offset: e.offset, ...withHeader };
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    return { path, sizeBytes: size, verdict: 'unreadable', reason: `cannot read the file: ${err.message}` };
  }
  // A decoding bug must not hide the file: report it, marked as ours.
  return {
    path,
    sizeBytes: size,
    verdict: 'corrupt',
    reason: `could not be decoded (internal error: ${err instanceof Error ? err.message : String(e)})`,
    ...withHeader,
  };
}
