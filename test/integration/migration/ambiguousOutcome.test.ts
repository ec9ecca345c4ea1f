/**
 * Answers lost after the service acted (the sandbox's `dropAfterAccept` fault: the request is
 * carried out, then the connection is destroyed instead of answering). sqlmig must not send the
 * change again (the service would refuse a second cutover as already in progress, and a success
 * would be reported as a failure): it reads the migration back and reports what happened.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { upload } from '../sandbox/support';
import { azure, cliSandbox, migrationId, secrets, startArgs, status, waitFor } from './support';

let sb: Sandbox;
before(async () => {
  sb = await cliSandbox();
});
after(() => sb?.stop());

const CONTAINER = 'lost-answers';

/** A database's chain in its own blob folder of the sandbox's storage account. */
async function backups(name: string, vlf: number): Promise<void> {
  const chain = sampleChain({ databaseName: name, logs: 2, vlf });
  await upload(sb, CONTAINER, chain.map((f) => ({ fileName: `${name}/${f.fileName}`, bytes: f.bytes })));
}

async function startedAndReady(name: string, vlf: number): Promise<void> {
  await backups(name, vlf);
  const start = await sqlmig(startArgs(sb, CONTAINER, [name]), secrets());
  assert.equal(start.code, 0, start.stdout + start.stderr);
  await waitFor(`${name} ReadyForCutover`, async () => ((await status(sb, name)).status === 'ReadyForCutover' ? true : undefined), 30_000);
}

test('a cutover whose answer is lost after the service accepted it is reported done (exit 0), and the migration ends Succeeded', async () => {
  await startedAndReady('Lost1', 300);
  sb.faults.add({ kind: 'dropAfterAccept', method: 'POST', path: '/databaseMigrations/Lost1/cutover', times: 1 });
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Lost1')]);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  assert.match(cut.stdout, /^cut over Lost1: Succeeded$/m);
  assert.deepEqual(sb.faults.list(), [], 'the answer was dropped');
  assert.equal((await status(sb, 'Lost1')).status, 'Succeeded');
});

test('a cancel whose answer is lost is reported done (exit 0); so is a delete', async () => {
  await startedAndReady('Lost2', 310);
  const id = migrationId(sb, 'Lost2');
  sb.faults.add({ kind: 'dropAfterAccept', method: 'POST', path: '/databaseMigrations/Lost2/cancel', times: 1 });
  const cancel = await sqlmig(['migrate', 'cancel', ...azure(sb), '--migration', id]);
  assert.equal(cancel.code, 0, cancel.stdout + cancel.stderr);
  assert.match(cancel.stdout, /^canceled Lost2$/m);
  assert.deepEqual(sb.faults.list(), []);
  assert.equal((await status(sb, 'Lost2')).status, 'Canceled');

  sb.faults.add({ kind: 'dropAfterAccept', method: 'DELETE', path: '/databaseMigrations/Lost2', times: 1 });
  const del = await sqlmig(['migrate', 'delete', ...azure(sb), '--migration', id]);
  assert.equal(del.code, 0, del.stdout + del.stderr);
  assert.match(del.stdout, /^deleted Lost2$/m);
  assert.deepEqual(sb.faults.list(), []);
  const gone = await sqlmig(['migrate', 'status', ...azure(sb), '--migration', id]);
  assert.equal(gone.code, 1, 'no such migration any more');
});

test('a start whose answer is lost is reported started, with the migration read back', async () => {
  await backups('Lost3', 320);
  sb.faults.add({ kind: 'dropAfterAccept', method: 'PUT', path: '/databaseMigrations/Lost3', times: 1 });
  const start = await sqlmig(startArgs(sb, CONTAINER, ['Lost3']), secrets());
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /1 of 1 started/);
  assert.deepEqual(sb.faults.list(), []);
  assert.notEqual((await status(sb, 'Lost3')).status, 'Failed');
});

test('a cutover that failed before the service saw it (a 503) is FAILED with the service\'s words: nothing was cut over', async () => {
  await startedAndReady('Lost4', 330);
  sb.faults.add({ kind: 'error', method: 'POST', path: '/databaseMigrations/Lost4/cutover', times: 1, status: 503, code: 'ServiceUnavailable', message: 'The service is busy.' });
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Lost4')]);
  assert.equal(cut.code, 1, cut.stdout + cut.stderr);
  assert.match(cut.stdout, /FAILED Lost4\n {2}Could not complete the cutover of Lost4: ServiceUnavailable \(HTTP 503\): The service is busy\.\n[\s\S]*Read again, the migration of Lost4 is still ReadyForCutover: the cutover did not take effect\./);
  assert.equal((await status(sb, 'Lost4')).status, 'ReadyForCutover');
});

test('a key regeneration whose answer is lost says the key may or may not have changed, and to list the keys again', async () => {
  const service = ['--service', sb.info.migrationServiceId];
  const before = await sqlmig(['dms', 'keys', ...azure(sb), ...service, '--json']);
  assert.equal(before.code, 0, before.stderr);
  sb.faults.add({ kind: 'dropAfterAccept', method: 'POST', path: '/regenerateAuthKeys', times: 1 });
  const regen = await sqlmig(['dms', 'regenerate-key', ...azure(sb), ...service, '--key', 'authKey2']);
  assert.equal(regen.code, 1, regen.stdout + regen.stderr);
  assert.match(regen.stderr, /Could not regenerate authKey2 of migration service dms-sandbox: OutcomeUnknown: the answer was lost \([^)]*\), so authKey2 may or may not have been regenerated\n.*List the keys again/);
  assert.deepEqual(sb.faults.list(), [], 'sent once');
  // Here it was regenerated: only listing the keys again tells.
  const after = await sqlmig(['dms', 'keys', ...azure(sb), ...service, '--json']);
  assert.equal(JSON.parse(after.stdout).authKey1, JSON.parse(before.stdout).authKey1);
  assert.notEqual(JSON.parse(after.stdout).authKey2, JSON.parse(before.stdout).authKey2);
});
