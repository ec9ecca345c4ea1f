import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type Azurite } from '../../../sandbox/azurite';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import {
  uploadDatabaseBackups,
  uploadFileAsBlocks,
  UploadRefusedError,
  watchAndUpload,
  type WatchEvent,
} from '../../../src/core/upload';
import { tempDir } from '../../support/tmp';

const KIB = 1024;
let azurite: Azurite;
let service: BlobServiceClient;
const root = tempDir();

const md5Of = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');

async function blobMd5(container: ContainerClient, name: string): Promise<string> {
  return md5Of(await container.getBlockBlobClient(name).downloadToBuffer());
}

async function blobNames(container: ContainerClient): Promise<string[]> {
  const out: string[] = [];
  for await (const b of container.listBlobsFlat()) out.push(b.name);
  return out.sort();
}

describe('direct upload to Azurite', () => {
  before(async () => {
    azurite = await startAzurite({ accounts: [{ name: 'backups1' }] });
    service = BlobServiceClient.fromConnectionString(azurite.connectionString('backups1'));
  });
  after(async () => {
    await azurite?.stop();
  });

  test('only the chain of the chosen database goes up, into its folder, MD5-verified', async () => {
    const dir = join(root, 'mixed');
    const sales = await writeChain(dir, sampleChain({ databaseName: 'Sales', logs: 3, differentialAfterLog: 1, pages: 80 }));
    await writeChain(dir, sampleChain({ databaseName: 'Inventory', logs: 1, vlf: 70 }));
    writeFileSync(join(dir, 'notes.txt'), 'not a backup');
    const container = service.getContainerClient('mixed');
    const events: string[] = [];
    const report = await uploadDatabaseBackups(container, [dir], {
      database: 'Sales',
      blockSize: 64 * KIB,
      concurrency: 3,
      onEvent: (e) => events.push(e.type),
    });
    // Full, differential, then the logs after the differential; LOG_001 is superseded by the differential.
    assert.deepEqual(report.files.map((f) => f.blobName), ['Sales/Sales_FULL.bak', 'Sales/Sales_DIFF_001.bak', 'Sales/Sales_LOG_002.trn', 'Sales/Sales_LOG_003.trn']);
    assert.deepEqual(await blobNames(container), report.files.map((f) => f.blobName).sort());
    assert.ok(report.ignored.some((i) => i.path.endsWith('notes.txt') && i.code === 'not-a-backup'));
    assert.ok(report.ignored.some((i) => i.path.endsWith('Inventory_FULL.bak') && i.code === 'other-database'));
    assert.ok(report.ignored.some((i) => i.path.endsWith('Sales_LOG_001.trn') && i.code === 'superseded'));
    const full = report.files[0]!;
    assert.ok(full.blocksSent > 5, `the full backup went in several blocks (${full.blocksSent})`);
    assert.equal(full.md5, undefined, 'no whole-file pass for a file of several blocks');
    assert.equal(await blobMd5(container, full.blobName), md5Of(readFileSync(sales[0]!)));
    const props = await container.getBlockBlobClient(full.blobName).getProperties();
    assert.equal(props.metadata?.sqlmigdatabase, 'Sales');
    // A file of one block: its MD5 is the file's, and the blob carries it.
    const logPath = sales.find((p) => p.endsWith('Sales_LOG_003.trn'))!;
    const log = await uploadFileAsBlocks(logPath, container.getBlockBlobClient('Single/Sales_LOG_003.trn'));
    assert.equal(log.blocksSent, 1);
    assert.equal(log.md5, md5Of(readFileSync(logPath)));
    const logProps = await container.getBlockBlobClient(log.blobName).getProperties();
    assert.equal(Buffer.from(logProps.contentMD5!).toString('base64'), log.md5);
    await container.getBlockBlobClient(log.blobName).delete();
    assert.equal(events[0], 'plan');
    assert.ok(events.includes('progress') && events.includes('file') && events.includes('ignored'));

    // Run again: the folder's chain is continued, and it already holds everything.
    const again = await uploadDatabaseBackups(container, [dir], { database: 'Sales', blockSize: 64 * KIB });
    assert.deepEqual(again.files, []);
    assert.equal(again.continues?.fullBackupSetId, props.metadata?.sqlmigbackupset);
    assert.ok(again.ignored.some((i) => i.path.endsWith('Sales_LOG_003.trn') && i.code === 'in-chain'));
    // Starting over from the newest full (a folder no migration uses yet) checks each blob block by block.
    const rebased = await uploadDatabaseBackups(container, [dir], { database: 'Sales', blockSize: 64 * KIB, newBase: true });
    assert.deepEqual(rebased.files.map((f) => f.outcome), ['identical', 'identical', 'identical', 'identical']);
    assert.equal(rebased.files.reduce((n, f) => n + f.bytesSent, 0), 0);
  });

  test('a folder holding another database is refused; so is a chain that cannot be restored', async () => {
    const dir = join(root, 'inv');
    await writeChain(dir, sampleChain({ databaseName: 'Inventory', logs: 1, vlf: 70 }));
    const container = service.getContainerClient('mixed');
    await assert.rejects(uploadDatabaseBackups(container, [dir], { database: 'Inventory', folder: 'Sales' }), (e: Error) => {
      assert.ok(e instanceof UploadRefusedError);
      assert.match(e.message, /already holds other backups; each database needs its own folder[\s\S]*Sales_FULL\.bak is a backup of Sales/);
      return true;
    });
    const broken = join(root, 'broken');
    await writeChain(broken, sampleChain({ databaseName: 'Payroll', logs: 2 }).filter((f) => !f.fileName.includes('FULL')));
    await assert.rejects(uploadDatabaseBackups(service.getContainerClient('payroll'), [broken], { database: 'Payroll' }), /do not form a restorable chain|no backup of database Payroll/);
    await assert.rejects(uploadDatabaseBackups(container, [dir], { database: 'Nope' }), /no backup of database Nope was found/);
    assert.equal(await service.getContainerClient('payroll').exists(), false, 'nothing was created for a refused upload');
  });

  test('an upload killed mid-file resumes without resending committed blocks; the blob\'s MD5 equals the file\'s', async () => {
    const file = join(root, 'big.bak');
    const bytes = randomBytes(2 * 1024 * KIB);
    writeFileSync(file, bytes);
    const env = { ...process.env, CONN: azurite.connectionString('backups1'), CONTAINER: 'killed', BLOB: 'Big/big.bak', FILE: file, BLOCK_SIZE: String(64 * KIB), KILL_AFTER: '8' };
    const child = spawnSync(process.execPath, ['--import', 'tsx', resolve(__dirname, 'killedUpload.child.ts')], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.signal, 'SIGKILL', `the child was killed mid-file (status ${child.status}: ${child.stdout}${child.stderr})`);
    const blob = service.getContainerClient('killed').getBlockBlobClient('Big/big.bak');
    const list = await blob.getBlockList('uncommitted');
    assert.ok(list.uncommittedBlocks!.length >= 8, `blocks left behind: ${list.uncommittedBlocks!.length}`);
    assert.equal(await blob.exists(), false, 'nothing committed yet');

    const resumed = await uploadFileAsBlocks(file, blob, { blockSize: 64 * KIB, concurrency: 4 });
    assert.equal(resumed.outcome, 'resumed');
    assert.ok(resumed.blocksReused >= 8);
    assert.equal(resumed.blocksSent + resumed.blocksReused, 32);
    assert.equal(md5Of(await blob.downloadToBuffer()), md5Of(bytes));
    const committed = await blob.getBlockList('committed');
    assert.equal(committed.committedBlocks!.length, 32);
  });

  test('a changed file is never mixed with the blocks of its old content', async () => {
    const file = join(root, 'changing.bak');
    writeFileSync(file, randomBytes(256 * KIB));
    const blob = service.getContainerClient('killed').getBlockBlobClient('Changing/changing.bak');
    await uploadFileAsBlocks(file, blob, { blockSize: 64 * KIB });
    const next = randomBytes(256 * KIB);
    next.set(readFileSync(file).subarray(0, 128 * KIB)); // the first two blocks are unchanged
    writeFileSync(file, next);
    const r = await uploadFileAsBlocks(file, blob, { blockSize: 64 * KIB });
    // The two unchanged blocks are taken from the committed blob; the others are sent.
    assert.equal(r.outcome, 'resumed');
    assert.deepEqual([r.blocksReused, r.blocksSent], [2, 2]);
    assert.equal(md5Of(await blob.downloadToBuffer()), md5Of(next));
    const same = await uploadFileAsBlocks(file, blob, { blockSize: 64 * KIB });
    assert.equal(same.outcome, 'identical');
    // The same content in other block sizes is other blocks: sent again, never mixed.
    const other = await uploadFileAsBlocks(file, blob, { blockSize: 32 * KIB });
    assert.deepEqual([other.outcome, other.blocksSent], ['uploaded', 8]);
    assert.equal(md5Of(await blob.downloadToBuffer()), md5Of(next));
  });

  test('an aborted upload stops and leaves nothing committed', async () => {
    const file = join(root, 'abort.bak');
    writeFileSync(file, randomBytes(1024 * KIB));
    const blob = service.getContainerClient('killed').getBlockBlobClient('Abort/abort.bak');
    const ac = new AbortController();
    await assert.rejects(
      uploadFileAsBlocks(file, blob, { blockSize: 64 * KIB, concurrency: 1, signal: ac.signal, onProgress: (p) => p.blocksSent === 2 && ac.abort() }),
      (e: Error) => e.name === 'AbortError' || /abort/i.test(e.message),
    );
    assert.equal(await blob.exists(), false);
  });

  test('watch mode uploads each new log backup as it appears and reports one that breaks the chain', async () => {
    const dir = join(root, 'watch');
    const chain = sampleChain({ databaseName: 'Orders', logs: 4, vlf: 90 });
    await writeChain(dir, chain.slice(0, 2)); // full + LOG_001
    const container = service.getContainerClient('watch');
    const ac = new AbortController();
    const events: WatchEvent[] = [];
    const waitFor = async (pred: (e: WatchEvent) => boolean, what: string) => {
      for (let i = 0; i < 200; i++) {
        if (events.some(pred)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.fail(`timed out waiting for ${what}: ${events.map((e) => e.type).join(',')}`);
    };
    const fileEvent = (name: string) => (e: WatchEvent) => e.type === 'file' && e.result.blobName === `Orders/${name}`;
    const done = watchAndUpload(container, [dir], { database: 'Orders', intervalMs: 40, signal: ac.signal, onEvent: (e) => events.push(e) });
    await waitFor(fileEvent('Orders_LOG_001.trn'), 'the first log');
    await writeChain(dir, [chain[2]!]); // LOG_002 continues the chain
    await waitFor(fileEvent('Orders_LOG_002.trn'), 'LOG_002');
    await writeChain(dir, [chain[4]!]); // LOG_004 without LOG_003: a gap
    await waitFor((e) => e.type === 'ignored' && e.file.path.endsWith('Orders_LOG_004.trn'), 'the gap');
    const gap = events.find((e) => e.type === 'ignored' && e.file.path.endsWith('Orders_LOG_004.trn'));
    assert.equal(gap?.type === 'ignored' && gap.file.code, 'lsn-gap');
    ac.abort();
    const report = await done;
    assert.deepEqual(report.files.map((f) => f.blobName), ['Orders/Orders_FULL.bak', 'Orders/Orders_LOG_001.trn', 'Orders/Orders_LOG_002.trn']);
    assert.deepEqual(await blobNames(container), report.files.map((f) => f.blobName).sort());
  });

  test('watch mode waits for a full backup before sending anything', async () => {
    const dir = join(root, 'watch-empty');
    await writeChain(dir, sampleChain({ databaseName: 'Late', logs: 1 }).slice(1));
    const ac = new AbortController();
    const events: WatchEvent[] = [];
    const done = watchAndUpload(service.getContainerClient('late'), [dir], { database: 'Late', intervalMs: 30, signal: ac.signal, onEvent: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    assert.equal((await done).files.length, 0);
    assert.ok(events.some((e) => e.type === 'waiting' && /Late/.test(e.reason)));
  });

  test('watch mode flattens subfolders only where names do not collide: two stripes of one name are refused, not overwritten', async () => {
    const dir = join(root, 'watch-clash');
    const [s1, s2, log1a, log1b] = sampleChain({ databaseName: 'Clash', logs: 1, stripes: 2 });
    // Ola Hallengren-style layouts: each stripe in its own folder under the same file name.
    await writeChain(join(dir, 'Stripe1'), [{ ...s1!, fileName: 'Clash_FULL.bak' }, { ...log1a!, fileName: 'Clash_LOG.trn' }]);
    await writeChain(join(dir, 'Stripe2'), [{ ...s2!, fileName: 'Clash_FULL.bak' }, { ...log1b!, fileName: 'Clash_LOG.trn' }]);
    const ac = new AbortController();
    const events: WatchEvent[] = [];
    const container = service.getContainerClient('clash');
    const done = watchAndUpload(container, [dir], { database: 'Clash', intervalMs: 30, signal: ac.signal, onEvent: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    assert.equal((await done).files.length, 0, 'nothing was sent');
    assert.ok(events.some((e) => e.type === 'waiting' && /two files of the chain have the same name and would overwrite each other/.test(e.reason)), JSON.stringify(events));
    assert.equal(await container.exists(), false);
    await assert.rejects(uploadDatabaseBackups(container, [dir], { database: 'Clash' }), /two files of the chain have the same name/);
  });
});
