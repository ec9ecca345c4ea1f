/**
 * Nothing lost, through the editor's services against the sandbox: the watch resumed after a
 * window reload continues the chain under way; an offline start is told the last file of the
 * chain it uploads, not a name remembered from an earlier folder; a plan with a problem starts
 * nothing.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain, type ChainFile } from '../../../sandbox/backups/sampleChain';
import { writeSyntheticBackup } from '../../../sandbox/backups/syntheticBackup';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import type { FullBackend } from '../../../src/extension/services';
import type { DatabaseMigrationJson } from '../../../src/extension/dashboard/dmsShape';
import type { MigrationRequest, SignedInAccount } from '../../../src/extension/services/types';
import { blobNames, FAST, waitFor } from '../sandbox/support';
import { tempDir } from '../../support/tmp';
import { editorBackend, EditorRecord, sandboxAccount } from './support';

let sb: Sandbox;
let account: SignedInAccount;
/** One log and one set of saved upload jobs for every backend: a second one is the editor after a reload. */
const record = new EditorRecord();
const backends: FullBackend[] = [];
const signal = new AbortController().signal;

function backend(): FullBackend {
  const b = editorBackend(account, record, { uploadWatchIntervalMs: 100 });
  backends.push(b);
  return b;
}

before(async () => {
  sb = await startSandbox({ clockSpeed: 30, timings: { ...FAST, scanIntervalSeconds: 2 }, sourceServer: false });
  account = await sandboxAccount(sb);
});
after(async () => {
  for (const b of backends) b.uploads.dispose();
  await sb?.stop();
});

const request = (mode: 'online' | 'offline', db: string, folder: string, container: string, lastBackupName?: string): MigrationRequest => ({
  subscriptionId: sb.info.subscriptionId,
  targetInstanceId: sb.info.managedInstanceId,
  migrationServiceId: sb.info.migrationServiceId,
  mode,
  source: { server: 'SQLSRC01', authentication: 'SqlAuthentication', userName: 'migrator', encrypt: 'mandatory', trustServerCertificate: false },
  databases: [{ sourceDatabase: db, targetDatabase: db, location: { kind: 'upload', folder, storageAccountId: sb.info.storageAccountId, container }, ...(lastBackupName && { lastBackupName }) }],
});
const secrets = { sqlPassword: 'any' };
const blobs = async (container: string, folder: string) => (await blobNames(sb, container, `${folder}/`)).map((n) => n.slice(folder.length + 1));
const files = (m: DatabaseMigrationJson | undefined) =>
  [m?.properties?.migrationStatusDetails?.fullBackupSetInfo, ...(m?.properties?.migrationStatusDetails?.activeBackupSets ?? [])].flatMap((s) => s?.listOfBackupFiles ?? []);
const fileStatus = (m: DatabaseMigrationJson | undefined, name: string) => files(m).find((f) => f.fileName === name)?.status;

test("the editor's watch, resumed after a window reload, continues the chain: the later logs go up, the newer full stays out", async () => {
  const dir = join(tempDir(), 'Orders');
  const [full1, log1, log2, log3] = sampleChain({ databaseName: 'Orders', logs: 3, vlf: 81 });
  const spec = { ...full1!.spec, backupSetId: undefined, firstLsn: log2!.spec.lastLsn, checkpointLsn: log2!.spec.lastLsn, lastLsn: log2!.spec.lastLsn + 500n, start: new Date(log2!.spec.start.getTime() + 60_000), finish: undefined };
  const full2: ChainFile = { fileName: 'Orders_FULL2.bak', bytes: writeSyntheticBackup(spec), spec };
  await writeChain(dir, [full1!, log1!]);
  const first = backend();
  const [started] = await first.wizard.starter.start(account, request('online', 'Orders', dir, 'reload'), secrets, signal);
  assert.ok(started?.id, JSON.stringify(started));
  const find = async (b: FullBackend) => {
    // Shown in detail (expanded in the view): its files are read every refresh.
    b.feed.setWatched('test', [started.id!]);
    return (await b.feed.list(signal)).find((m) => m.id.toLowerCase() === started.id!.toLowerCase());
  };
  await waitFor('log1 restored', async () => (fileStatus(await find(first), log1!.fileName) === 'Restored' ? true : undefined), 60_000, 200);

  // The window reloads: the watch stops; its job is saved (no key, no password).
  first.uploads.dispose();
  assert.equal(record.jobs.length, 1);
  for (const f of [log2!, full2, log3!]) writeFileSync(join(dir, f.fileName), f.bytes);
  const second = backend();
  await find(second); // the view's first refresh resumes the saved watches
  await waitFor('log2 and log3 uploaded', async () => ((await blobs('reload', 'Orders')).includes(log3!.fileName) ? true : undefined), 30_000, 100);
  assert.deepEqual(await blobs('reload', 'Orders'), ['Orders_FULL.bak', 'Orders_LOG_001.trn', 'Orders_LOG_002.trn', 'Orders_LOG_003.trn']);
  assert.ok(record.lines.some((l) => /watching .* again for Orders/.test(l)), record.lines.join('\n'));
  const m = await waitFor('restored through log3', async () => {
    const x = await find(second);
    return x?.properties?.migrationStatus === 'ReadyForCutover' && fileStatus(x, log3!.fileName) === 'Restored' ? x : undefined;
  }, 60_000, 200);
  await second.operations.cutover(m, signal);
  const done = await find(second);
  assert.equal(done?.properties?.migrationStatus, 'Succeeded');
  for (const f of [full1!, log1!, log2!, log3!]) assert.equal(fileStatus(done, f.fileName), 'Restored', f.fileName);
});

test('offline from a local folder: a last backup remembered from folder A is not what the service is told; it restores all of folder B', async () => {
  const root = tempDir();
  const a = join(root, 'A');
  const b = join(root, 'B');
  const chainB = sampleChain({ databaseName: 'Ledger', logs: 4, vlf: 83 });
  await writeChain(a, chainB.slice(0, 3));
  await writeChain(b, chainB);
  const svc = backend();
  const checkA = await svc.wizard.backupCheck.checkFolder(a, 'Ledger', 'offline', signal);
  assert.equal(checkA.lastBackupName, 'Ledger_LOG_002.trn');
  // The stale name of folder A goes along with folder B: the start takes B's chain.
  const [started] = await svc.wizard.starter.start(account, request('offline', 'Ledger', b, 'offline-b', checkA.lastBackupName), secrets, signal);
  assert.ok(started?.id, JSON.stringify(started));
  const done = await waitFor('Succeeded', async () => {
    const m = (await svc.feed.list(signal)).find((x) => x.id.toLowerCase() === started.id!.toLowerCase());
    return m?.properties?.migrationStatus === 'Succeeded' ? m : undefined;
  }, 60_000, 200);
  assert.equal(done.properties?.offlineConfiguration?.lastBackupName, 'Ledger_LOG_004.trn');
  for (const f of chainB) assert.equal(fileStatus(done, f.fileName), 'Restored', f.fileName);
});

test('the wizard start refuses a plan with problems: nothing uploaded, nothing created, every problem said', async () => {
  const root = tempDir();
  const simple = join(root, 'Simple');
  await writeChain(simple, sampleChain({ databaseName: 'SimpleDb', recoveryModel: 'SIMPLE', vlf: 85 }));
  const svc = backend();
  await assert.rejects(svc.wizard.starter.start(account, request('online', 'SimpleDb', simple, 'refused-ed'), secrets, signal), (e: Error) => {
    assert.match(e.message, /Nothing was uploaded or started: the migration plan has 1 problem\(s\): SimpleDb: SIMPLE recovery model/);
    return true;
  });
  assert.deepEqual(await blobs('refused-ed', 'SimpleDb'), []);
  assert.ok(!(await svc.feed.list(signal)).some((m) => m.name === 'SimpleDb'), 'no migration was created');
});
