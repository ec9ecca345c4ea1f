/**
 * Whole migrations through the sqlmig CLI against the sandbox (fast clock), as a DBA would run
 * them: upload, start, watch, the last log backup, cutover. The CLI runs in-process with the
 * real Azure and storage clients; only the endpoint is local.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { real, realOnly } from '../../support/realBackups';
import { tempDir } from '../../support/tmp';
import { azure, Background, cliSandbox, fileState, migrationId, secrets, startArgs, status, waitFor } from './support';

let sb: Sandbox;
const root = tempDir();
before(async () => {
  sb = await cliSandbox();
});
after(() => sb?.stop());

const storage = () => ['--storage-account-id', sb.info.storageAccountId, ...azure(sb)];

test('online migration of a real SQL Server chain through the CLI: full, start, logs in watch mode, cutover refused while a log is pending, cutover, Succeeded', realOnly, async () => {
  const env = secrets();
  const dir = join(root, 'rtc');
  mkdirSync(dir);
  const add = (...names: string[]) => names.forEach((n) => copyFileSync(real('RestoreTimeClean', n), join(dir, n)));
  add('RestoreTimeClean.bak');
  const id = migrationId(sb, 'RtcMI');

  const full = await sqlmig(['backups', 'upload', dir, '--database', 'RestoreTimeClean', '--container', 'migrations', ...storage()]);
  assert.equal(full.code, 0, full.stderr);
  assert.match(full.stdout, /upload {2}RestoreTimeClean\/RestoreTimeClean\.bak/);

  const start = await sqlmig(startArgs(sb, 'migrations', ['RestoreTimeClean=RtcMI']), env);
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /started {2}RestoreTimeClean -> RtcMI/);

  const watch = new Background(['migrate', 'status', ...azure(sb), '--migration', id, '--watch', '--interval', '0.1']);
  await watch.line(/RtcMI .*RestoreTimeClean\.bak .*Restored/, 'the full backup restored');

  const uploader = new Background(['backups', 'upload', dir, '--watch', '--interval', '0.1', '--database', 'RestoreTimeClean', '--container', 'migrations', ...storage()]);
  add('RestoreTimeClean_1.trn', 'RestoreTimeClean_2.trn');
  await watch.line(/RestoreTimeClean_2\.trn .*Restored/, 'the second log backup restored');
  // As a change, or as the first status the watch printed (it may start after the change, on a slow machine).
  await watch.line(/RtcMI +(?:\w+ -> )?ReadyForCutover/, 'ReadyForCutover');

  // The last log backup. The clock runs at real speed while it is taken up, and nearly stops
  // once the service lists it, so the cutover below meets it pending on any machine.
  sb.setClockSpeed(1);
  add('RestoreTimeClean_3.trn');
  await waitFor('the last log backup listed', async () => {
    const s = await status(sb, 'RtcMI');
    const state = fileState(s, 'RestoreTimeClean_3.trn');
    return state && state !== 'Restored' ? state : undefined;
  });
  sb.setClockSpeed(0.01);
  const early = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', id]);
  assert.equal(early.code, 1, early.stdout + early.stderr);
  assert.match(early.stdout, /REFUSED RtcMI\n {2}- RestoreTimeClean_3\.trn \(log backup\) is \w+, not restored yet/);
  sb.setClockSpeed(40);

  await watch.line(/RestoreTimeClean_3\.trn .*Restored/, 'the last log backup restored');
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', id]);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  assert.match(cut.stdout, /^cut over RtcMI: Succeeded$/m);

  const watched = await watch.done;
  assert.equal(watched.code, 0, watch.lines.join('\n'));
  assert.match(watched.stdout, /RtcMI +Completing -> Succeeded|RtcMI +ReadyForCutover -> Succeeded/);
  assert.match(watched.stdout, /RtcMI: Succeeded/);
  const sent = await uploader.stop();
  assert.equal(sent.code, 0, sent.stderr);
  for (const n of ['RestoreTimeClean_1.trn', 'RestoreTimeClean_2.trn', 'RestoreTimeClean_3.trn']) assert.match(sent.stdout, new RegExp(`upload {2}RestoreTimeClean/${n.replace('.', '\\.')}`));

  const final = await status(sb, 'RtcMI');
  assert.equal(final.status, 'Succeeded');
  assert.deepEqual(final.files.map((f) => `${f.fileName}:${f.state}`).sort(), ['RestoreTimeClean.bak', 'RestoreTimeClean_1.trn', 'RestoreTimeClean_2.trn', 'RestoreTimeClean_3.trn'].map((n) => `${n}:Restored`));
  const targets = await sqlmig(['targets', 'list', ...azure(sb), '--databases', '--json']);
  assert.ok(JSON.parse(targets.stdout).subscriptions[0].managedInstances[0].databases.includes('RtcMI'), 'the database is online on the instance');
  for (const out of [full, start, early, cut, watched, sent]) {
    assert.ok(!(out.stdout + out.stderr).includes(env.SQLMIG_SOURCE_PASSWORD!), 'the SQL password is never printed');
    assert.ok(!(out.stdout + out.stderr).includes(sb.azurite.accounts[0]!.key1), 'the account key is never printed');
  }
});

test('offline migration with a last backup name: uploaded by migrate start, restored up to that file, completes by itself', async () => {
  const dir = join(root, 'offline');
  const chain = sampleChain({ databaseName: 'Ledger', logs: 3, vlf: 61 });
  await writeChain(dir, chain);
  const start = await sqlmig(startArgs(sb, 'offline', ['Ledger'], ['--mode', 'offline', '--local', `Ledger=${dir}`, '--last-backup', 'Ledger=Ledger_LOG_002.trn']), secrets());
  assert.equal(start.code, 0, start.stderr);
  // The chain ends where the DBA said: what comes after is neither sent nor restored, and that is said.
  assert.match(start.stdout, /Ledger: 3 backup file\(s\) uploaded to offline\/Ledger\//);
  assert.match(start.stderr, /ends at Ledger_LOG_002\.trn, as named: Ledger_LOG_003\.trn is not uploaded or restored/);
  const watch = await sqlmig(['migrate', 'status', ...azure(sb), '--migration', migrationId(sb, 'Ledger'), '--watch', '--interval', '0.1', '--json']);
  assert.equal(watch.code, 0, watch.stdout + watch.stderr);
  const events = watch.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; status?: string; file?: string; state?: string });
  assert.ok(events.some((e) => e.event === 'File' && e.file === 'Ledger_LOG_002.trn' && e.state === 'Restored'), 'one JSON object per change, files included');
  assert.equal(events.at(-1)?.event, 'Succeeded');
  assert.ok(!events.some((e) => e.status === 'ReadyForCutover'), 'an offline migration never waits for a cutover');
  const s = await status(sb, 'Ledger');
  assert.equal(s.status, 'Succeeded');
  assert.equal(s.properties.migrationStatusDetails.lastRestoredFilename, 'Ledger_LOG_002.trn');
  assert.equal(fileState(s, 'Ledger_LOG_002.trn'), 'Restored');
  assert.notEqual(fileState(s, 'Ledger_LOG_003.trn'), 'Restored', 'nothing after the last backup is restored');
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Ledger')]);
  assert.equal(cut.code, 1);
  assert.match(cut.stdout, /offline migration/);
  const noLast = await sqlmig(startArgs(sb, 'offline', ['Ledger2'], ['--mode', 'offline']), secrets());
  assert.equal(noLast.code, 2, 'an offline migration from blobs needs its last backup name');
  assert.match(noLast.stderr, /needs the last backup file name/);
});

test('ten databases at once: uploaded and started together, watched together, cut over together', async () => {
  const names = Array.from({ length: 10 }, (_, i) => `Shop${String(i + 1).padStart(2, '0')}`);
  const locals: string[] = [];
  for (const [i, name] of names.entries()) {
    const dir = join(root, 'ten', name);
    await writeChain(dir, sampleChain({ databaseName: name, logs: 2, vlf: 100 + i }));
    locals.push('--local', `${name}=${dir}`);
  }
  const start = await sqlmig(startArgs(sb, 'ten', names, [...locals, '--concurrency', '10']), secrets());
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /10 of 10 started/);

  const ids = names.map((n) => migrationId(sb, n));
  const watch = new Background(['migrate', 'status', ...azure(sb), '--service', sb.info.migrationServiceId, ...ids.flatMap((id) => ['--migration', id]), '--watch', '--interval', '0.1']);
  for (const n of names) await watch.line(new RegExp(`^\\S+ {2}${n} .*ReadyForCutover`), `${n} ReadyForCutover`);
  const listed = await sqlmig(['migrate', 'status', ...azure(sb), '--service', sb.info.migrationServiceId, '--json']);
  const all = JSON.parse(listed.stdout).services[0].migrations.map((m: { name: string }) => m.name);
  for (const n of names) assert.ok(all.includes(n), `${n} listed by its service`);

  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--target', sb.info.managedInstanceId, ...names.flatMap((n) => ['--database', n]), '--concurrency', '10', '--json']);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  assert.deepEqual(JSON.parse(cut.stdout).results.map((r: { outcome: string }) => r.outcome), names.map(() => 'completed'));
  const done = await watch.done;
  assert.equal(done.code, 0, watch.lines.join('\n'));
  for (const n of names) assert.match(done.stdout, new RegExp(`${n}: Succeeded`));
});
