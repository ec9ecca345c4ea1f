import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type Azurite } from '../../../sandbox/azurite';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { sqlmig } from '../../support/cli';
import { real, realOnly } from '../../support/realBackups';
import { tempDir } from '../../support/tmp';

let azurite: Azurite;
const root = tempDir();

describe('sqlmig backups upload (Azurite)', () => {
  before(async () => {
    azurite = await startAzurite({ accounts: [{ name: 'clistore' }] });
  });
  after(async () => {
    await azurite?.stop();
  });

  const env = () => ({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString('clistore') });

  test('uploads the chain, says what it skipped, never prints the key; a second run sends nothing', async () => {
    const dir = join(root, 'sales');
    await writeChain(dir, sampleChain({ databaseName: 'Sales', logs: 2 }));
    await writeChain(dir, sampleChain({ databaseName: 'Other', logs: 0, vlf: 77 }));
    const r = await sqlmig(['backups', 'upload', dir, '--database', 'Sales', '--container', 'migration'], env(), root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Sales: 3 file\(s\) in the restore chain -> migration\/Sales\//);
    assert.match(r.stdout, /skip {4}sales\/Other_FULL\.bak: .*other database/i);
    assert.match(r.stdout, /upload {2}Sales\/Sales_FULL\.bak/);
    const key = azurite.accounts[0]!.key1;
    assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key));
    const again = await sqlmig(['backups', 'upload', dir, '--database', 'Sales', '--container', 'migration', '--json'], env(), root);
    const doc = JSON.parse(again.stdout);
    // The folder's chain is continued: it already holds every file.
    assert.deepEqual(doc.files, []);
    assert.equal(doc.folder, 'Sales');
    assert.ok(doc.continues.fullBackupSetId);
    const rebased = await sqlmig(['backups', 'upload', dir, '--database', 'Sales', '--container', 'migration', '--json', '--new-base'], env(), root);
    assert.deepEqual(JSON.parse(rebased.stdout).files.map((f: { outcome: string }) => f.outcome), ['identical', 'identical', 'identical']);
  });

  test('refusals exit 1 with the reason; usage errors exit 2', async () => {
    const dir = join(root, 'logs-only');
    await writeChain(dir, sampleChain({ databaseName: 'Logs', logs: 2 }).slice(1));
    const refused = await sqlmig(['backups', 'upload', dir, '--database', 'Logs', '--container', 'migration'], env(), root);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /do not form a restorable chain/);
    assert.equal((await sqlmig(['backups', 'upload', dir, '--database', 'Logs', '--container', 'backup'], env())).code, 2);
    const nowhere = await sqlmig(['backups', 'upload', dir, '--database', 'Logs', '--container', 'migration'], {});
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /say where to upload/);
    const remote = await sqlmig(['backups', 'upload', dir, '--database', 'Logs', '--container', 'migration', '--account', 'x', '--blob-endpoint', 'http://10.0.0.5/x/'], { AZURE_STORAGE_KEY: 'a2V5' });
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /only https \(or this machine's loopback\)/);
  });

  test('sqlmig killed mid-file (SIGKILL), run again: it resumes without resending blocks; the blob\'s MD5 equals the file\'s', async () => {
    const dir = join(root, 'big');
    const [full] = await writeChain(dir, sampleChain({ databaseName: 'Big', logs: 0, pages: 4096 })); // 32 MiB
    const args = ['backups', 'upload', dir, '--database', 'Big', '--container', 'killed', '--block-size', '0.25', '--concurrency', '1'];
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../../src/cli/main.ts'), ...args], { env: { ...process.env, ...env() }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((ok) => child.once('exit', (_code, signal) => ok(signal)));
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString('clistore')).getContainerClient('killed').getBlockBlobClient('Big/Big_FULL.bak');
    let staged = 0;
    for (let i = 0; i < 3000 && staged < 8 && child.exitCode === null; i++) {
      staged = (await blob.getBlockList('uncommitted').catch(() => ({ uncommittedBlocks: [] }))).uncommittedBlocks?.length ?? 0;
      if (staged < 8) await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', 'killed before it finished');
    assert.ok(staged >= 8, `blocks staged before the kill: ${staged}`);
    assert.equal(await blob.exists(), false, 'nothing committed yet');

    const again = await sqlmig([...args, '--json'], env(), root);
    assert.equal(again.code, 0, again.stderr);
    const [file] = JSON.parse(again.stdout).files;
    assert.equal(file.outcome, 'resumed');
    assert.ok(file.blocksReused >= 8, `blocks not sent again: ${file.blocksReused}`);
    assert.equal(file.blocksSent + file.blocksReused, Math.ceil(file.size / (256 * 1024)));
    const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('base64');
    assert.equal(md5(await blob.downloadToBuffer()), md5(readFileSync(full!)));
  });

  test('a real SQL Server chain: RestoreTimeClean goes up whole and verified', realOnly, async () => {
    const r = await sqlmig(['backups', 'upload', real('RestoreTimeClean'), '--database', 'RestoreTimeClean', '--container', 'real', '--json'], env());
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.files.length >= 2);
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString('clistore')).getContainerClient('real');
    for (const f of doc.files) {
      const props = await container.getBlockBlobClient(f.blob).getProperties();
      assert.equal(Buffer.from(props.contentMD5!).toString('base64'), f.md5);
      assert.equal(props.contentLength, f.size);
    }
  });
});
