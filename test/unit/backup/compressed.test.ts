import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Window } from '../../../src/core/backup/binary';
import { BufferSource, CompressedSource, FileSource, readBackup, type BackupReading, type ByteSource } from '../../../src/core/backup';
import { nextStreamOffset, readDblk, readStream } from '../../../src/core/backup/mtf';
import { containerRecords, layOutContainer, writeCompressedContainer } from '../../../sandbox/backups/compressedContainer';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import { lsn, writeSyntheticBackup, type SyntheticBackup } from '../../../sandbox/backups/syntheticBackup';
import { real } from '../../support/realBackups';

const TUTORIAL = real('compressed', 'TutorialDB.bak');
const tutorialOnly = existsSync(TUTORIAL)
  ? {}
  : { skip: `the real compressed backup is not at ${TUTORIAL} (it ships in ../shared/data/backups beside the project)` };

/** Counts the file bytes a reading asks for. */
class CountingSource implements ByteSource {
  bytesRead = 0;
  reads = 0;
  constructor(private readonly inner: ByteSource) {}
  get name() {
    return this.inner.name;
  }
  size() {
    return this.inner.size();
  }
  async read(offset: number, length: number) {
    const b = await this.inner.read(offset, length);
    this.bytesRead += b.length;
    this.reads++;
    return b;
  }
  close() {
    return this.inner.close();
  }
}

const read = (bytes: Uint8Array, options: { walk?: boolean } = {}) => readBackup(new BufferSource(bytes, 'test.bak'), options);

/** A reading without what compression changes: the flags, the file size and the compressed size. */
function withoutCompression(r: BackupReading): BackupReading {
  const copy = structuredClone(r);
  delete copy.compressed;
  delete (copy as Partial<BackupReading>).sizeBytes;
  for (const h of [copy.header, ...(copy.sets ?? [])]) {
    if (!h) continue;
    delete h.compressed;
    delete h.compressedBackupSize;
  }
  return copy;
}

/** Walks every block of a decompressed stream; readDblk and readStream verify each header checksum. */
function checkEveryHeader(logical: Uint8Array): { blocks: string[]; streams: number; pages: { ok: number; bad: number } } {
  const w = new Window(logical, 0, logical.length);
  const blocks: string[] = [];
  let streams = 0;
  const pages = { ok: 0, bad: 0 };
  for (let at = 0; at < logical.length; ) {
    const dblk = readDblk(w, at);
    blocks.push(dblk.type);
    if (dblk.type === 'SFMB') {
      at = dblk.firstStream;
      continue;
    }
    let s = readStream(w, dblk.firstStream, dblk);
    streams++;
    while (s.id !== 'SPAD') {
      if (s.id === 'MQDA' && s.length > 2) countPageChecksums(logical, s.dataOffset + 2, s.dataEnd, pages);
      s = readStream(w, nextStreamOffset(s), dblk);
      streams++;
    }
    at = s.dataEnd;
  }
  return { blocks, streams, pages };
}

/**
 * SQL Server's page checksum (pages whose header flags 0x200): per 512-byte sector the XOR of its
 * 32-bit words (the checksum field at +0x3C counted as zero), rotated left by 15 - sector, XORed.
 */
function countPageChecksums(b: Uint8Array, from: number, to: number, tally: { ok: number; bad: number }): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = from; p + 8192 <= to; p += 8192) {
    if (!(dv.getUint16(p + 4, true) & 0x200)) continue;
    let sum = 0;
    for (let sector = 0; sector < 16; sector++) {
      let x = 0;
      for (let j = 0; j < 128; j++) {
        const o = p + sector * 512 + j * 4;
        if (o !== p + 0x3c) x ^= dv.getUint32(o, true);
      }
      const r = 15 - sector;
      sum ^= (x << r) | (x >>> (32 - r));
    }
    if (sum >>> 0 === dv.getUint32(p + 0x3c, true)) tally.ok++;
    else tally.bad++;
  }
}

describe('compressed backups: the real file written by SQL Server 2016', () => {
  test('TutorialDB.bak reads as a full backup with the header HEADERONLY shows', tutorialOnly, async () => {
    const source = new CountingSource(await FileSource.open(TUTORIAL));
    const r = await readBackup(source);
    await source.close();
    assert.equal(r.verdict, 'backup', r.reason);
    assert.equal(r.compressed, true);
    assert.equal(r.sizeBytes, 431104);
    const h = r.header!;
    assert.equal(h.databaseName, 'TutorialDB');
    assert.equal(h.serverName, 'NELLIELAPTOP');
    assert.equal(h.backupType, 'Database');
    assert.equal(h.firstLsn, 34000000054200037n);
    assert.equal(h.lastLsn, 34000000055900001n);
    assert.equal(h.checkpointLsn, 34000000054200037n);
    assert.equal(h.databaseBackupLsn, 34000000043900205n);
    assert.equal(h.backupSetId, '41A43D77-6A7A-4403-983F-5AB7E68A087B');
    assert.equal(h.familyGuid, 'CF1B3AAC-78F1-44DD-962A-00602DA16878');
    assert.equal(h.softwareVersion, '13.0.1708');
    assert.equal(h.backupSize, 2897920n);
    assert.equal(h.compressedBackupSize, 429328n);
    assert.equal(h.compressed, true);
    assert.ok(h.backupFinishDate, 'the trailer copy was read');
    assert.deepEqual(
      h.files.map((f) => [f.logicalName, f.type]),
      [['TutorialDB', 'D'], ['TutorialDB_log', 'L']],
    );
    // Head and tail only: a small part of the file (the rest is data pages).
    assert.ok(source.bytesRead <= 40 * 1024, `${source.bytesRead} bytes read of 431104`);
    assert.ok(source.reads <= 4, `${source.reads} reads`);
  });

  test('the block walk agrees with the fast path', tutorialOnly, async () => {
    const source = await FileSource.open(TUTORIAL);
    const fast = await readBackup(source);
    const walked = await readBackup(source, { walk: true });
    await source.close();
    assert.deepEqual(walked, fast);
  });

  test('every block, stream and page checksum of the decompressed stream verifies', tutorialOnly, async () => {
    const file = await FileSource.open(TUTORIAL);
    const c = await CompressedSource.open(file, await file.size());
    const logical = await c.read(0, c.logicalSize);
    await file.close();
    assert.equal(logical.length, 2906624);
    const { blocks, streams, pages } = checkEveryHeader(logical);
    assert.deepEqual(blocks, ['TAPE', 'SFMB', 'SSET', 'VOLB', 'MSCI', 'MSDA', 'MSTL', 'MSTL', 'MSTL', 'MSTL', 'MSLS', 'SFMB', 'ESET', 'ESET', 'SFMB']);
    assert.equal(streams, 22);
    assert.equal(pages.bad, 0);
    assert.ok(pages.ok >= 200, `${pages.ok} pages with checksums`);
  });

  test('cut at every record boundary (and inside records): truncated, at a place in the file', tutorialOnly, async () => {
    const bytes = readFileSync(TUTORIAL);
    const records = containerRecords(bytes);
    assert.equal(records.at(-1)!.end, bytes.length, 'the walk of the records reaches the end of the file');
    for (const rec of records) {
      for (const cut of [rec.at, rec.at + 1, Math.floor((rec.at + rec.end) / 2)]) {
        const r = await read(bytes.subarray(0, cut));
        assert.equal(r.verdict, 'truncated', `cut at ${cut}: ${r.verdict} ${r.reason}`);
        assert.ok(r.offset !== undefined && r.offset <= cut && r.offset >= rec.at - 512, `cut at ${cut}: offset ${r.offset}`);
      }
    }
  });
});

const FAMILY = '6F0D6A3B-52C2-4A4E-9C3D-0E1C2B3A4D5E';
const full: SyntheticBackup = {
  databaseName: 'Sales',
  backupType: 'Database',
  firstLsn: lsn(37, 1200, 1),
  lastLsn: lsn(37, 1400, 1),
  familyGuid: FAMILY,
  start: new Date('2026-11-01T08:00:00Z'),
  finish: new Date('2026-11-01T08:03:21Z'),
  pages: 24,
};

/** A full backup whose pages hold some noise, so that its compressed file has some size. */
function noisyBackup(pages: number): Uint8Array {
  const logical = writeSyntheticBackup({ ...full, pages });
  let seed = 1;
  for (let i = 0x4000; i < logical.length - 0x8000; i += 8192) {
    for (let k = 96; k < 1600; k++) logical[i + k] = (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  }
  return logical;
}

describe('compressed backups: synthetic files read exactly like their uncompressed twins', () => {
  const chain = sampleChain({ databaseName: 'Twin', logs: 2, differentialAfterLog: 1, pages: 12 });
  const striped = sampleChain({ databaseName: 'Striped', logs: 1, stripes: 2 });
  const appended = writeSyntheticBackup([chain[0]!.spec, chain[1]!.spec]);
  const twins = [
    ...chain.map((f) => ({ name: f.fileName, bytes: f.bytes })),
    ...striped.map((f) => ({ name: f.fileName, bytes: f.bytes })),
    { name: 'appended.bak', bytes: appended },
    { name: 'empty-log.trn', bytes: writeSyntheticBackup({ ...full, backupType: 'TransactionLog', firstLsn: full.lastLsn, pages: 0 }) },
  ];

  test('full, differential, log, striped and appended sets: same verdicts and headers', async () => {
    const seen = new Set<string>();
    for (const twin of twins) {
      const plain = await read(twin.bytes);
      const packed = writeCompressedContainer(twin.bytes);
      assert.ok(packed.length < twin.bytes.length, twin.name);
      const r = await read(packed);
      assert.equal(r.compressed, true, twin.name);
      assert.equal(r.sizeBytes, packed.length);
      for (const h of r.sets ?? [r.header!]) assert.equal(h.compressed, true, twin.name);
      assert.deepEqual(withoutCompression(r), withoutCompression(plain), twin.name);
      seen.add(`${r.verdict}:${r.header?.backupType}`);
    }
    assert.deepEqual([...seen].sort(), [
      'backup:Database',
      'backup:DifferentialDatabase',
      'backup:TransactionLog',
      'multiple-backup-sets:Database',
      'stripe:Database',
      'stripe:TransactionLog',
    ]);
  });

  test('the block walk agrees with the fast path', async () => {
    for (const twin of twins) {
      const packed = writeCompressedContainer(twin.bytes);
      assert.deepEqual(await read(packed, { walk: true }), await read(packed), twin.name);
    }
  });

  test('a large backup: head and tail are read, the data between is not', async () => {
    const noisy = noisyBackup(400); // 3.2 MB of pages, 50+ records
    const packed = writeCompressedContainer(noisy);
    const source = new CountingSource(new BufferSource(packed, 'large.bak'));
    const r = await readBackup(source);
    assert.equal(r.verdict, 'backup', r.reason);
    assert.ok(source.bytesRead < packed.length / 10, `${source.bytesRead} of ${packed.length} bytes read`);
    const walked = new CountingSource(new BufferSource(packed, 'large.bak'));
    assert.deepEqual(await readBackup(walked, { walk: true }), r);
    assert.ok(walked.bytesRead < packed.length / 2, `walk: ${walked.bytesRead} of ${packed.length} bytes read`);
  });

  test('a range in the middle: record headers are walked, only the record holding it is decompressed', async () => {
    const logical = noisyBackup(400);
    const packed = writeCompressedContainer(logical);
    const source = new CountingSource(new BufferSource(packed, 'large.bak'));
    const c = await CompressedSource.open(source, packed.length);
    assert.equal(c.logicalSize, logical.length);
    const opened = source.bytesRead;
    const middle = Math.floor(logical.length / 2);
    const got = await c.read(middle, 4096);
    assert.ok(Buffer.from(got).equals(Buffer.from(logical.subarray(middle, middle + 4096))));
    const walked = source.bytesRead - opened;
    assert.ok(walked < packed.length / 4, `${walked} bytes read for a range in the middle of ${packed.length}`);
    // The file offset of the record that holds it, for messages.
    const holder = containerRecords(packed).filter((r) => r.at <= c.physicalOffset(middle)).at(-1)!;
    assert.equal(holder.at, c.physicalOffset(middle));
    assert.equal(holder.kind, 'compressed');
    // And the whole stream, read through, is the stream that was written.
    assert.ok(Buffer.from(await c.read(0, c.logicalSize)).equals(Buffer.from(logical)));
  });

  test('cut at every record boundary: truncated, with the offset of the cut', async () => {
    const packed = writeCompressedContainer(writeSyntheticBackup(full));
    const records = containerRecords(packed);
    assert.equal(records.at(-1)!.end, packed.length);
    for (const rec of records) {
      const r = await read(packed.subarray(0, rec.at));
      assert.equal(r.verdict, 'truncated', `cut at ${rec.at}: ${r.reason}`);
      assert.equal(r.offset, rec.at, `cut at ${rec.at}: ${r.reason}`);
      const inside = await read(packed.subarray(0, rec.at + 1));
      assert.equal(inside.verdict, 'truncated', `cut at ${rec.at + 1}: ${inside.reason}`);
      assert.equal(inside.offset, rec.at, `cut at ${rec.at + 1}: ${inside.reason}`);
    }
  });
});

describe('compressed backups: damage inside the decompressed stream', () => {
  /** The uncompressed twin's verdict and reason, and the file offset of the record holding its offset. */
  async function sameAsTwin(logical: Uint8Array, label: string): Promise<BackupReading> {
    const plain = await read(logical);
    const { bytes, layout } = layOutContainer(logical);
    const r = await read(bytes);
    assert.equal(r.verdict, plain.verdict, `${label}: ${r.reason}`);
    assert.ok(r.reason!.startsWith(plain.reason!), `${label}: "${r.reason}" does not start with "${plain.reason}"`);
    const holder = layout.records.find((rec) => plain.offset! >= rec.logical && plain.offset! < rec.logical + rec.size);
    assert.equal(r.offset, holder ? holder.phys + (holder.raw ? plain.offset! - holder.logical : 0) : bytes.length, label);
    assert.deepEqual(withoutCompression(r).header, withoutCompression(plain).header, label);
    return r;
  }

  test('the verdicts, reasons and headers the uncompressed twin gets, offsets in the file', async () => {
    const good = writeSyntheticBackup(full);
    const other = writeSyntheticBackup({ ...full, lastLsn: lsn(37, 1500, 1) });
    const mixed = good.slice();
    mixed.set(other.subarray(other.length - 8192), good.length - 8192);
    assert.match((await sameAsTwin(mixed, 'trailer')).reason!, /head and trailer copies of the backup header disagree/);

    const sset = good.slice();
    sset[0x600 + 0x14]! ^= 0x10;
    assert.match((await sameAsTwin(sset, 'SSET')).reason!, /checksum mismatch in the SSET block header/);

    const stream = good.slice();
    stream[0xe38 + 8]! ^= 0x01; // the length in the MSCI's metadata stream header
    assert.match((await sameAsTwin(stream, 'stream')).reason!, /checksum mismatch in a stream header/);

    const cut = good.subarray(0, good.length - 1536);
    assert.equal((await sameAsTwin(cut, 'cut')).verdict, 'truncated');
  });

  test('an I/O error is unreadable; a source that delivers less than it promised is a short read', async () => {
    const bytes = writeCompressedContainer(noisyBackup(200));
    const failing: ByteSource = {
      name: 'gone.bak',
      size: async () => bytes.length,
      read: async (offset, length) => {
        if (offset >= 16384) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        return bytes.subarray(offset, offset + length);
      },
      close: async () => undefined,
    };
    const r = await readBackup(failing);
    assert.equal(r.verdict, 'unreadable', r.reason);
    assert.match(r.reason!, /EIO/);
    const shrinking: ByteSource = {
      name: 'shrinking.bak',
      size: async () => bytes.length,
      read: async (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length - 1000)),
      close: async () => undefined,
    };
    const s = await readBackup(shrinking);
    assert.equal(s.verdict, 'truncated', s.reason);
    assert.match(s.reason!, /short read/);
  });
});

describe('compressed backups: damage and layouts this version does not read', () => {
  const { bytes, layout } = layOutContainer(writeSyntheticBackup(full));
  const compressed = layout.records.filter((r) => !r.raw);

  test('a broken record header among the data is not read, like a damaged page of an uncompressed file', async () => {
    const target = compressed[Math.floor(compressed.length / 2)]!;
    const bad = bytes.slice();
    bad[target.phys] = 0x77;
    assert.equal((await read(bad)).verdict, 'backup');
    assert.equal((await read(bad, { walk: true })).verdict, 'backup');
  });

  test('without a usable index the records are walked, and a broken one is corrupt, at that record', async () => {
    const target = compressed[Math.floor(compressed.length / 2)]!;
    const bad = bytes.slice();
    bad[target.phys] = 0x77;
    for (const at of layout.indexes) bad[at + 24] = 9; // the index header
    const r = await read(bad);
    assert.equal(r.verdict, 'corrupt', r.reason);
    assert.equal(r.offset, target.phys);
    assert.match(r.reason!, /unknown record type 0x77/);
    assert.ok(r.header, 'the head was readable');
    assert.equal(r.header.compressed, true);
  });

  test('a broken record header near the end is corrupt, at that record', async () => {
    const target = compressed.at(-1)!; // the end-of-set blocks
    const bad = bytes.slice();
    bad[target.phys + 1] = 0; // no decompressed bytes
    const r = await read(bad);
    assert.equal(r.verdict, 'corrupt', r.reason);
    assert.equal(r.offset, target.phys);
    assert.match(r.reason!, /claims 0 decompressed bytes/);
  });

  test('a broken Huffman table is corrupt, inside that record', async () => {
    const target = compressed[1]!; // SSET, VOLB and the head metadata
    const bad = bytes.slice();
    bad.fill(0x11, target.phys + 28, target.phys + 28 + 256);
    const r = await read(bad);
    assert.equal(r.verdict, 'corrupt', r.reason);
    assert.match(r.reason!, /does not decompress: invalid Huffman table/);
    assert.ok(r.offset! >= target.phys && r.offset! < target.phys + 300, `offset ${r.offset}`);
  });

  test('a damaged index is not needed: the records are walked instead', async () => {
    const bad = bytes.slice();
    for (const at of layout.indexes) bad.fill(0xee, at + 24 + 16, at + 24 + 48); // the entries
    assert.deepEqual(await read(bad), await read(bytes));
  });

  test('an index that disagrees with the records: the walk, which meets both, says corrupt', async () => {
    const bad = bytes.slice();
    const entry = layout.indexes[0]! + 24 + 16;
    bad[entry + 1]! += 2; // the logical offset of the entry, 512 bytes off
    const r = await read(bad, { walk: true });
    assert.equal(r.verdict, 'corrupt', r.reason);
    assert.match(r.reason!, /index places the record/);
    // The fast path reads only the head and the records the index points at: their contents are right.
    assert.deepEqual(withoutCompression(await read(bad)), withoutCompression(await read(bytes)));
  });

  test('an older container version (SQL Server 2008-2012) is named, not guessed at', async () => {
    const older = bytes.slice();
    older[8] = 1;
    const r = await read(older);
    assert.equal(r.verdict, 'compressed');
    assert.match(r.reason!, /container layout this version does not read \(SQL Server 2008-2012\?\)/);
    assert.equal(r.header, undefined);
  });

  test('8-byte record headers before a Huffman table: the older layout', async () => {
    const older = bytes.slice();
    const first = compressed[0]!.phys;
    older.copyWithin(first + 8, first + 28, first + 28 + 256);
    older.fill(0, first, first + 8);
    const r = await read(older);
    assert.equal(r.verdict, 'compressed');
    assert.match(r.reason!, /SQL Server 2008-2012\?\): 8-byte record headers/);
  });

  test('records with an encrypted payload length: encrypted, and what the target needs', async () => {
    const enc = bytes.slice();
    const first = compressed[0]!.phys;
    enc[first + 20] = 0x70; // a ciphertext length, a multiple of 16
    enc[first + 21] = 0x01;
    for (let i = first + 28; i < first + 28 + 256; i++) enc[i] = (i * 151) & 0xff; // ciphertext, not a table
    const r = await read(enc);
    assert.equal(r.verdict, 'compressed');
    assert.equal(r.encrypted, true);
    assert.match(r.reason!, /WITH ENCRYPTION/);
    assert.match(r.reason!, /certificate or asymmetric key/);
  });

  test('a short or cut container header is truncated', async () => {
    for (const cut of [8, 15, 100, 490]) {
      const r = await read(bytes.subarray(0, cut));
      assert.equal(r.verdict, 'truncated', `${cut}: ${r.reason}`);
    }
  });
});
