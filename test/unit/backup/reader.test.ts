import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BufferSource, readBackup, type ByteSource } from '../../../src/core/backup';
import { lsn, writeSyntheticBackup, type SyntheticBackup } from '../../../sandbox/backups/syntheticBackup';

const FAMILY = '6F0D6A3B-52C2-4A4E-9C3D-0E1C2B3A4D5E';
const SET = 'A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF';
const MEDIA = '0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9';

const base: SyntheticBackup = {
  databaseName: 'Sales',
  serverName: 'SQLSRC01\\PROD',
  machineName: 'SQLSRC01',
  backupType: 'Database',
  firstLsn: lsn(37, 1200, 1),
  lastLsn: lsn(37, 1400, 1),
  checkpointLsn: lsn(37, 1200, 1),
  databaseBackupLsn: lsn(36, 10, 5),
  backupSetId: SET,
  mediaSetId: MEDIA,
  familyGuid: FAMILY,
  start: new Date('2026-11-01T08:00:00Z'),
  finish: new Date('2026-11-01T08:03:21Z'),
  utcOffsetMinutes: 60,
  hasChecksums: true,
  softwareVersion: [16, 0, 4135],
  databaseVersion: 957,
  compatibilityLevel: 150,
  backupName: 'Sales-Full Database Backup',
};

const read = (bytes: Uint8Array, name = 'test.bak') => readBackup(new BufferSource(bytes, name));

/** A source that counts the bytes asked for, to prove that only header regions are read. */
class CountingSource implements ByteSource {
  bytesRead = 0;
  reads = 0;
  constructor(private readonly inner: ByteSource) {}
  get name() { return this.inner.name; }
  size() { return this.inner.size(); }
  async read(offset: number, length: number) {
    const b = await this.inner.read(offset, length);
    this.bytesRead += b.length;
    this.reads++;
    return b;
  }
  close() { return this.inner.close(); }
}

describe('backup reader: fields', () => {
  test('a full backup decodes every header field the writer put there', async () => {
    const r = await read(writeSyntheticBackup(base));
    assert.equal(r.verdict, 'backup');
    assert.equal(r.reason, undefined);
    const h = r.header!;
    assert.equal(h.databaseName, 'Sales');
    assert.equal(h.serverName, 'SQLSRC01\\PROD');
    assert.equal(h.machineName, 'SQLSRC01');
    assert.equal(h.backupType, 'Database');
    assert.equal(h.position, 1);
    assert.equal(h.firstLsn, 37000000120000001n);
    assert.equal(h.lastLsn, 37000000140000001n);
    assert.equal(h.checkpointLsn, 37000000120000001n);
    assert.equal(h.databaseBackupLsn, 36000000001000005n);
    assert.equal(h.backupSetId, SET);
    assert.equal(h.mediaSetId, MEDIA);
    assert.equal(h.familyCount, 1);
    assert.equal(h.familySequenceNumber, 1);
    assert.equal(h.backupStartDate.toISOString(), '2026-11-01T08:00:00.000Z');
    assert.equal(h.backupFinishDate?.toISOString(), '2026-11-01T08:03:21.000Z');
    assert.equal(h.utcOffsetMinutes, 60);
    assert.equal(h.softwareVersion, '16.0.4135');
    assert.equal(h.databaseVersion, 957);
    assert.equal(h.compatibilityLevel, 150);
    assert.equal(h.recoveryModel, 'FULL');
    assert.equal(h.hasChecksums, true);
    assert.equal(h.isCopyOnly, false);
    assert.equal(h.hasMediaPassword, false);
    assert.equal(h.familyGuid, FAMILY);
    assert.equal(h.recoveryForkId, FAMILY);
    assert.equal(h.backupName, 'Sales-Full Database Backup');
    assert.equal(h.blockSize, 1024);
    assert.deepEqual(
      h.files.map((f) => [f.logicalName, f.physicalName, f.type, f.fileGroupName, f.sizeBytes]),
      [
        ['Sales', 'C:\\Data\\Sales.mdf', 'D', 'PRIMARY', 8n * 1024n * 1024n],
        ['Sales_log', 'C:\\Data\\Sales_log.ldf', 'L', undefined, 2n * 1024n * 1024n],
      ],
    );
    // The trailer copy of a full sets each file's differential base to the full itself.
    assert.equal(h.files[0]!.differentialBaseGuid, SET);
    assert.equal(h.files[0]!.differentialBaseLsn, h.checkpointLsn);
  });

  test('differential: base LSN and GUID; log: begins-log-chain; SIMPLE and BULK_LOGGED; copy-only', async () => {
    const diff = (await read(writeSyntheticBackup({
      ...base, backupType: 'DifferentialDatabase', differentialBaseLsn: lsn(37, 1200, 1), differentialBaseGuid: MEDIA, recoveryModel: 'BULK_LOGGED', copyOnly: true,
    }))).header!;
    assert.equal(diff.backupType, 'DifferentialDatabase');
    assert.equal(diff.differentialBaseLsn, 37000000120000001n);
    assert.equal(diff.differentialBaseGuid, MEDIA);
    assert.equal(diff.recoveryModel, 'BULK_LOGGED');
    assert.equal(diff.isCopyOnly, true);

    const log = (await read(writeSyntheticBackup({ ...base, backupType: 'TransactionLog', beginsLogChain: true, hasChecksums: false }))).header!;
    assert.equal(log.backupType, 'TransactionLog');
    assert.equal(log.beginsLogChain, true);
    assert.equal(log.hasChecksums, false);
    assert.equal(log.differentialBaseLsn, undefined);

    const simple = (await read(writeSyntheticBackup({ ...base, recoveryModel: 'SIMPLE' }))).header!;
    assert.equal(simple.recoveryModel, 'SIMPLE');
  });

  test('LSNs above 2^53 keep every digit', async () => {
    const big = lsn(4_000_000_000, 4_000_000_000, 65535);
    assert.ok(big > BigInt(Number.MAX_SAFE_INTEGER));
    const h = (await read(writeSyntheticBackup({ ...base, firstLsn: big, lastLsn: big, checkpointLsn: big }))).header!;
    assert.equal(h.firstLsn, big);
    assert.equal(h.firstLsn.toString(), '4000000000400000000065535');
  });

  test('a negative time zone offset turns local times into the right instants', async () => {
    const h = (await read(writeSyntheticBackup({ ...base, utcOffsetMinutes: -300 }))).header!;
    assert.equal(h.utcOffsetMinutes, -300);
    assert.equal(h.backupStartDate.toISOString(), '2026-11-01T08:00:00.000Z');
  });

  test('reads only the header regions: a 40 MB backup costs two small reads', async () => {
    const bytes = writeSyntheticBackup({ ...base, pages: 5000 });
    assert.ok(bytes.length > 40_000_000);
    const src = new CountingSource(new BufferSource(bytes));
    const r = await readBackup(src);
    assert.equal(r.verdict, 'backup');
    assert.ok(src.bytesRead <= 40 * 1024, `read ${src.bytesRead} bytes`);
    assert.ok(src.reads <= 3, `${src.reads} reads`);
  });

  test('the fast trailer lookup and the full block walk agree', async () => {
    for (const spec of [base, { ...base, backupType: 'TransactionLog' as const }, { ...base, familyCount: 3, familySequenceNumber: 2 }]) {
      const bytes = writeSyntheticBackup(spec);
      const fast = await readBackup(new BufferSource(bytes));
      const walked = await readBackup(new BufferSource(bytes), { walk: true });
      assert.deepEqual(walked, fast);
    }
  });
});

describe('backup reader: verdicts', () => {
  test('an empty file is not a backup', async () => {
    const r = await read(new Uint8Array(0));
    assert.equal(r.verdict, 'not-a-backup');
    assert.match(r.reason!, /empty/);
  });

  test('text and random bytes are not backups, and say what they start with', async () => {
    const r = await read(new TextEncoder().encode('hello, this is a text file'));
    assert.equal(r.verdict, 'not-a-backup');
    assert.match(r.reason!, /starts with bytes "hello, t"/);
    const noise = await read(Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
    assert.equal(noise.verdict, 'not-a-backup');
  });

  test('a compressed backup is recognised and explained', async () => {
    const bytes = new Uint8Array(4096);
    bytes.set(new TextEncoder().encode('MSSQLBAK'));
    const r = await read(bytes);
    assert.equal(r.verdict, 'compressed');
    assert.match(r.reason!, /compressed.*cannot be read locally/);
  });

  test('MTF media written by other software is not a SQL Server backup', async () => {
    const bytes = writeSyntheticBackup(base);
    bytes[0x56] = 0x34; // vendor id
    // re-seal the TAPE header checksum so only the vendor differs
    let x = 0;
    for (let k = 0; k < 25; k++) x ^= bytes[2 * k]! | (bytes[2 * k + 1]! << 8);
    bytes[0x32] = x & 0xff;
    bytes[0x33] = x >> 8;
    const r = await read(bytes);
    assert.equal(r.verdict, 'not-a-backup');
    assert.match(r.reason!, /other software/);
  });

  test('a stripe of a striped set says which stripe it is', async () => {
    const r = await read(writeSyntheticBackup({ ...base, familyCount: 4, familySequenceNumber: 3 }));
    assert.equal(r.verdict, 'stripe');
    assert.match(r.reason!, /stripe 3 of 4/);
    assert.equal(r.header!.familyCount, 4);
  });

  test('appended backup sets are listed and refused', async () => {
    const bytes = writeSyntheticBackup([
      base,
      { ...base, backupType: 'TransactionLog', firstLsn: base.lastLsn, lastLsn: lsn(37, 1600, 1), backupSetId: MEDIA },
      { ...base, backupType: 'TransactionLog', firstLsn: lsn(37, 1600, 1), lastLsn: lsn(37, 1700, 1), backupSetId: FAMILY },
    ]);
    const r = await read(bytes);
    assert.equal(r.verdict, 'multiple-backup-sets');
    assert.match(r.reason!, /3 backup sets appended in one file \(positions 1, 2, 3\)/);
    assert.deepEqual(r.sets!.map((s) => [s.position, s.backupType, s.lastLsn]), [
      [1, 'Database', base.lastLsn],
      [2, 'TransactionLog', lsn(37, 1600, 1)],
      [3, 'TransactionLog', lsn(37, 1700, 1)],
    ]);
  });

  test('a file cut anywhere is truncated (or, inside the first block, corrupt), with the offset', async () => {
    const bytes = writeSyntheticBackup({ ...base, pages: 3 });
    for (let cut = 1; cut < bytes.length; cut += 97) {
      const r = await read(bytes.subarray(0, cut));
      assert.ok(['truncated', 'corrupt', 'not-a-backup'].includes(r.verdict), `cut at ${cut}: ${r.verdict}`);
      if (cut >= 1024) {
        assert.equal(r.verdict, 'truncated', `cut at ${cut}: ${r.reason}`);
        assert.ok(r.offset !== undefined && r.offset <= cut, `cut at ${cut}: offset ${r.offset}`);
        assert.match(r.reason!, /^truncated: /);
      }
      if (cut >= 0x1a00) assert.equal(r.header?.databaseName, 'Sales', `cut at ${cut}: the head copy still names the database`);
    }
  });

  test('a flipped bit in a block header is corrupt at that block', async () => {
    const bytes = writeSyntheticBackup(base);
    const sset = 0x600;
    bytes[sset + 0x14] ^= 0x10; // inside the 50 checksummed header bytes
    const r = await read(bytes);
    assert.equal(r.verdict, 'corrupt');
    assert.equal(r.offset, sset);
    assert.match(r.reason!, /checksum mismatch in the SSET block header at 0x600/);
  });

  test('head and trailer copies that disagree are corrupt', async () => {
    const good = writeSyntheticBackup(base);
    const other = writeSyntheticBackup({ ...base, lastLsn: lsn(37, 1500, 1) });
    const mixed = new Uint8Array(good);
    mixed.set(other.subarray(other.length - 8192), good.length - 8192);
    const r = await read(mixed);
    assert.equal(r.verdict, 'corrupt');
    assert.match(r.reason!, /head and trailer copies of the backup header disagree/);
  });

  test('a source that delivers fewer bytes than it promised is a short read', async () => {
    const bytes = writeSyntheticBackup(base);
    const shrinking: ByteSource = {
      name: 'shrinking.bak',
      size: async () => bytes.length,
      read: async (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length - 4000)),
      close: async () => undefined,
    };
    const r = await readBackup(shrinking);
    assert.equal(r.verdict, 'truncated');
    assert.match(r.reason!, /short read/);
  });

  test('an I/O error is unreadable, not a crash', async () => {
    const failing: ByteSource = {
      name: 'gone.bak',
      size: async () => 100_000,
      read: async () => { throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }); },
      close: async () => undefined,
    };
    const r = await readBackup(failing);
    assert.equal(r.verdict, 'unreadable');
    assert.match(r.reason!, /EIO/);
  });
});
