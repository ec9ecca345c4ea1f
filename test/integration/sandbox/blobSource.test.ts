/**
 * BlobSource: the backup reader over ranged blob reads in Azurite gives the same reading as
 * over the file, reads a few kilobytes of a large backup, and fails clearly on a missing or
 * replaced blob.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAzurite, type Azurite } from '../../../sandbox/azurite';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import { BlobSource, blobDisplayName } from '../../../src/core/azure/blobSource';
import { BufferSource, readBackup } from '../../../src/core/backup';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

let azurite: Azurite;
let service: BlobServiceClient;
before(async () => {
  azurite = await startAzurite({ accounts: [{ name: 'blobsrc' }] });
  const a = azurite.accounts[0]!;
  service = new BlobServiceClient(azurite.blobEndpoint('blobsrc').replace(/\/$/, ''), new StorageSharedKeyCredential(a.name, a.key1));
  await service.getContainerClient('backups').create();
});
after(() => azurite?.stop());

test('reads a backup header with a few ranged GETs, the same as from memory', async () => {
  const [full] = sampleChain({ databaseName: 'Ranged', logs: 0, pages: 2000 }); // about 16 MB
  const blob = service.getContainerClient('backups').getBlockBlobClient(full!.fileName);
  await blob.uploadData(full!.bytes);
  const source = await BlobSource.open(blob);
  let requested = 0;
  const counting = { name: source.name, size: () => source.size(), close: () => source.close(), read: (o: number, l: number, into?: Uint8Array) => ((requested += l), source.read(o, l, into)) };
  const fromBlob = await readBackup(counting);
  const fromMemory = await readBackup(new BufferSource(full!.bytes, source.name));
  assert.equal(fromBlob.verdict, 'backup');
  assert.deepEqual(fromBlob, fromMemory);
  assert.ok(requested < 256 * 1024, `read ${requested} of ${full!.bytes.length} bytes`);
  assert.equal(source.name, blobDisplayName(`${blob.url}?sv=secret`));
});

test('a missing blob and a blob replaced while being read fail with clear errors', async () => {
  const container = service.getContainerClient('backups');
  await assert.rejects(BlobSource.open(container.getBlobClient('nope.bak')), /blob not found: .*nope\.bak/);
  const blob = container.getBlockBlobClient('changing.bak');
  await blob.uploadData(Buffer.from('first version of the file'));
  const source = await BlobSource.open(blob);
  assert.equal((await source.read(0, 5)).toString(), 'first');
  await blob.uploadData(Buffer.from('second version'));
  await assert.rejects(source.read(0, 5), (e: { code?: string; message: string }) => e.code === 'BlobChanged' && /changed while it was being read/.test(e.message));
  // The backup reader reports such a failure as unreadable, not as a corrupt backup.
  const reading = await readBackup(source);
  assert.equal(reading.verdict, 'unreadable');
});
