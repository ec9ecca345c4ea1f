/**
 * Migrations through the CLI while the sandbox misbehaves: throttling storms, server errors,
 * dropped connections, a refused permission and a failed restore. Nothing may be lost, nothing
 * reported early, and every failure must say what happened and what to do.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { azure, fileState, Background, cliSandbox, migrationId, secrets, startArgs, status, waitFor } from './support';

let sb: Sandbox;
const root = tempDir();
before(async () => {
  sb = await cliSandbox();
});
after(() => sb?.stop());

/** Local chains for these databases, and the --local options that upload them in migrate start. */
async function chains(names: string[], vlf: number): Promise<string[]> {
  const locals: string[] = [];
  for (const [i, name] of names.entries()) {
    const dir = join(root, name);
    await writeChain(dir, sampleChain({ databaseName: name, logs: 2, vlf: vlf + i }));
    locals.push('--local', `${name}=${dir}`);
  }
  return locals;
}

const watchArgs = (names: string[]) => ['migrate', 'status', ...azure(sb), ...names.flatMap((n) => ['--migration', migrationId(sb, n)]), '--watch', '--interval', '0.1'];

test('a 429 storm while starting and while watching: every request waits as asked and nothing is lost', async () => {
  const names = ['Storm1', 'Storm2', 'Storm3'];
  const locals = await chains(names, 200);
  sb.faults.add({ kind: 'throttle', method: 'PUT', path: '/databaseMigrations/', times: 6, retryAfterSeconds: 0.1 });
  const start = await sqlmig(startArgs(sb, 'storm', names, [...locals, '--concurrency', '3']), secrets());
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /3 of 3 started/);
  assert.deepEqual(sb.faults.list(), [], 'every throttled start was retried');

  // Every detail read throttled for a while: more than one read's retries can absorb.
  sb.faults.add({ kind: 'throttle', method: 'GET', path: '/databaseMigrations/', times: 15, retryAfterSeconds: 0.1 });
  const watch = new Background(watchArgs(names));
  await watch.line(/^! warning: Could not read the migration of Storm\d: TooManyRequests \(HTTP 429\)/, 'a throttling warning');
  for (const n of names) await watch.line(new RegExp(`${n} .*ReadyForCutover`), `${n} ready`);
  assert.ok(!watch.lines.some((l) => /Succeeded/.test(l)), 'no success before the cutover');
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), ...names.flatMap((n) => ['--migration', migrationId(sb, n)])]);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  const done = await watch.done;
  assert.equal(done.code, 0, watch.lines.join('\n'));
  assert.deepEqual(sb.faults.list(), []);
});

test('500s and dropped connections: reads are retried, a cutover whose answer was lost is read again; listing, watching and cutting over still succeed', async () => {
  const locals = await chains(['Flaky'], 210);
  const start = await sqlmig(startArgs(sb, 'flaky', ['Flaky'], locals), secrets());
  assert.equal(start.code, 0, start.stdout + start.stderr);

  sb.faults.add({ kind: 'error', method: 'GET', path: '/listMigrations', times: 1, status: 500, code: 'InternalServerError', message: 'Something went wrong.' });
  sb.faults.add({ kind: 'drop', method: 'GET', path: '/listMigrations', times: 1 });
  const listed = await sqlmig(['migrate', 'status', ...azure(sb), '--service', sb.info.migrationServiceId]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /Flaky +Flaky +(InProgress|ReadyForCutover)/);

  const watch = new Background(watchArgs(['Flaky']));
  sb.faults.add({ kind: 'drop', method: 'GET', path: '/databaseMigrations/Flaky', times: 1 });
  await watch.line(/Flaky .*ReadyForCutover/, 'ready');
  // A cutover is never sent twice blindly: its lost answer is found out by reading the migration again.
  sb.faults.add({ kind: 'dropAfterAccept', method: 'POST', path: '/cutover', times: 1 });
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Flaky')]);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  assert.equal((await watch.done).code, 0, watch.lines.join('\n'));
  assert.deepEqual(sb.faults.list(), [], 'every fault was met and got over');
});

test('a refused permission fails at once with the service\'s words and what to do', async () => {
  sb.faults.add({ kind: 'error', path: '/listMigrations', times: 1, status: 403, code: 'AuthorizationFailed', message: "The client does not have authorization to perform action 'Microsoft.DataMigration/sqlMigrationServices/listMigrations/read'." });
  const t0 = Date.now();
  const r = await sqlmig(['migrate', 'status', ...azure(sb), '--service', sb.info.migrationServiceId]);
  assert.equal(r.code, 1);
  assert.ok(Date.now() - t0 < 5000, 'not retried');
  assert.match(r.stderr, /Could not list the migrations of migration service dms-sandbox: AuthorizationFailed \(HTTP 403\): The client does not have authorization[^\n]*\nYour account lacks permission on this scope: ask for the Contributor role/);
});

test('a restore failure ends the watch with the service\'s reason; the failed migration can be deleted, not canceled', async () => {
  const chain = sampleChain({ databaseName: 'Broken', logs: 2, vlf: 220 });
  const dir = join(root, 'Broken');
  await writeChain(dir, chain);
  sb.faults.failRestore({ fileName: 'Broken_LOG_002.trn', message: 'the log backup is damaged (checksum mismatch on page 1:4711)' });
  const start = await sqlmig(startArgs(sb, 'broken', ['Broken'], ['--local', `Broken=${dir}`]), secrets());
  assert.equal(start.code, 0, start.stdout + start.stderr);
  const watch = await sqlmig(watchArgs(['Broken']));
  assert.equal(watch.code, 1, 'a failed migration is a failure');
  assert.match(watch.stdout, /Broken +(InProgress -> )?Failed/);
  assert.match(watch.stdout, /Broken +! RestoreFailed: Restoring backup file 'Broken_LOG_002\.trn' failed: the log backup is damaged \(checksum mismatch on page 1:4711\)/);
  const s = await status(sb, 'Broken');
  assert.equal(s.status, 'Failed');
  assert.deepEqual(s.problems, ["RestoreFailed: Restoring backup file 'Broken_LOG_002.trn' failed: the log backup is damaged (checksum mismatch on page 1:4711)."]);
  // Nothing is being restored any more: the failed file is not left Restoring.
  assert.equal(fileState(s, 'Broken_LOG_002.trn'), 'Arrived');
  assert.equal(s.properties.migrationStatusDetails.currentRestoringFilename, undefined);

  const id = migrationId(sb, 'Broken');
  const cancel = await sqlmig(['migrate', 'cancel', ...azure(sb), '--migration', id]);
  assert.equal(cancel.code, 1);
  assert.match(cancel.stdout, /REFUSED Broken\n {2}it is Failed: only a migration in progress can be canceled/);
  const del = await sqlmig(['migrate', 'delete', ...azure(sb), '--migration', id]);
  assert.equal(del.code, 0, del.stdout + del.stderr);
  await waitFor('deleted', async () => ((await sqlmig(['migrate', 'status', ...azure(sb), '--migration', id])).code === 1 ? true : undefined));
  sb.faults.clear();
});
