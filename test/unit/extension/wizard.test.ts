import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KNOWN_CLOUDS } from '../../../src/core/azure/cloud';
import { Redactor } from '../../../src/extension/redact';
import { WizardController } from '../../../src/extension/wizard/controller';
import { containerProblem, targetNameProblem, uncPathProblem, shareUserProblem } from '../../../src/extension/wizard/steps/backups';
import { sourcePasswordKey } from '../../../src/extension/wizard/steps/source';
import { initialState, reduce } from '../../../src/extension/wizard/reducer';
import { suggestContainer } from '../../../src/extension/wizard/state';
import { issueTexts } from '../../../src/extension/wizard/validation';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { tempDir } from '../../support/tmp';
import { DMS, MemoryLog, MemorySecrets, MemoryStore, MI_READY, MI_STOPPED, STORAGE, SUB, TestHost, workingServices, type Recorded } from './wizardServices';
import type { WizardServices } from '../../../src/extension/services/types';

function setup(services: WizardServices, store = new MemoryStore(), secretStore = new MemorySecrets()) {
  const host = new TestHost();
  const log = new MemoryLog();
  const redactor = new Redactor();
  const c = new WizardController({ services, host, store, secretStore, log, redactor, clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  return { c, host, log, store, secretStore, send, redactor };
}

function cloudFile(dir: string, token: string): string {
  const path = join(dir, 'sandbox.cloud.json');
  writeFileSync(path, JSON.stringify({ name: 'sandbox', displayName: 'Local sandbox', armEndpoint: 'http://127.0.0.1:9/', accessToken: token }));
  return path;
}

test('field rules: target names, containers, share paths and users', () => {
  assert.equal(targetNameProblem('Sales'), undefined);
  assert.match(targetNameProblem('msdb')!, /system database/);
  assert.match(targetNameProblem(' Sales')!, /spaces/);
  assert.match(targetNameProblem('x'.repeat(129))!, /128/);
  assert.equal(containerProblem('sales-2026'), undefined);
  assert.equal(containerProblem('sales/full'), undefined);
  assert.match(containerProblem('Sales')!, /not a valid container name/);
  assert.match(containerProblem('a--b')!, /not a valid/);
  assert.match(containerProblem('sales/a/b')!, /one folder/);
  assert.match(containerProblem('backup')!, /reserved on SQL Managed Instance/);
  for (const bad of ['Sales/2024', 'Sales.', 'Q&A']) assert.ok(targetNameProblem(bad), `${bad} is refused by the wizard as by the plan check`);
  assert.equal(uncPathProblem('\\\\fs01.contoso.com\\backups\\Sales'), undefined);
  assert.match(uncPathProblem('C:\\backups')!, /not a network path/);
  assert.equal(shareUserProblem('CONTOSO\\svc-backup'), undefined);
  assert.match(shareUserProblem('svc-backup')!, /DOMAIN/);
  assert.equal(suggestContainer('Sales DB_2026'), 'sales-db-2026');
  assert.equal(suggestContainer('X'), 'x-backups');
});

test('Next is refused until the step is valid, Back keeps answers, and later steps cannot be skipped to', () => {
  let s = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud');
  assert.deepEqual(issueTexts(s), ['Sign in to Azure.']);
  assert.equal(reduce(s, { type: 'next' }), s);
  assert.equal(reduce(s, { type: 'goto', step: 'summary' }), s);
  s = reduce(s, { type: 'account.signedIn', label: 'dba' });
  s = reduce(s, { type: 'next' });
  assert.equal(s.step, 'source');
  s = reduce(s, { type: 'source.update', patch: { server: 'sql01', userName: 'sa' } });
  s = reduce(s, { type: 'back' });
  assert.equal(s.step, 'account');
  assert.equal(s.source.server, 'sql01');
  s = reduce(s, { type: 'goto', step: 'source' });
  assert.equal(s.step, 'source');
  assert.match(issueTexts(s).join(' '), /Enter the password/);
});

test('signing in with a cloud file: the token never reaches the webview or the log', async () => {
  const dir = tempDir();
  const token = randomBytes(24).toString('hex');
  const { c, host, send, log } = setup(workingServices({ passwordsSeen: [], started: [] }));
  host.cloudFile = cloudFile(dir, token);
  await send({ type: 'account.selectCloud', name: 'custom' });
  await send({ type: 'account.chooseCloudFile' });
  assert.equal(c.current.account.customCloudFile, host.cloudFile);
  await send({ type: 'account.signIn' });
  assert.equal(c.current.account.signedIn, 'dba@contoso.com');
  await send({ type: 'account.selectCloud', name: 'custom' }); // the same cloud again keeps the sign-in
  assert.equal(c.current.account.signedIn, 'dba@contoso.com');
  await send({ type: 'next' });
  assert.equal(c.current.step, 'source');
  assert.ok(!JSON.stringify(host.posted).includes(token));
  assert.ok(!log.lines.join('\n').includes(token));
});

test('the assessment: runs after choosing databases, with progress; blocked ones leave the selection and cannot come back; the report opens and saves', async () => {
  const rec: Recorded = { passwordsSeen: [], started: [] };
  const { c, host, send } = setup(workingServices(rec));
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'a-throwaway-pw' });
  await send({ type: 'source.connect' });
  await send({ type: 'source.select', names: ['Sales', 'HR', 'Scratch'] });
  assert.deepEqual(issueTexts(c.current), ['Run the assessment for Sales, HR, Scratch.']);
  assert.equal(c.current.source.assessment.reportAvailable, false);
  await send({ type: 'source.assess' });
  assert.deepEqual(rec.assessed, [['Sales', 'HR', 'Scratch']]);
  // After the first whole state, the webview is sent what changed.
  assert.equal(host.posted[0]!.type, 'state');
  assert.ok(host.posted.slice(1).every((m) => m.type === 'patch'));
  assert.deepEqual(host.views[host.views.length - 1], c.current, 'the webview holds the same state');
  const a = c.current.source.assessment;
  assert.deepEqual(a.results.map((r) => [r.database, r.readiness]), [['Sales', 'ready'], ['HR', 'issues'], ['Scratch', 'blocked']]);
  assert.match((a.op as { message: string }).message, /Assessed 3 databases .* 1 blocked/);
  assert.deepEqual(c.current.source.selected, ['Sales', 'HR']);
  await send({ type: 'source.select', names: ['Sales', 'HR', 'Scratch'] });
  assert.deepEqual(c.current.source.selected, ['Sales', 'HR']);
  assert.deepEqual(issueTexts(c.current), []);
  assert.deepEqual(c.current.backups.databases, [], 'the backups list follows the selection once the source step is left');

  await send({ type: 'source.openReport' });
  assert.equal(host.opened[0]!.html, 'html report of Sales,HR,Scratch');
  await send({ type: 'source.saveReport', format: 'csv' });
  assert.deepEqual(host.saved.map((x) => [x.format, x.name, x.content]), [['csv', 'assessment-SQL01.csv', 'csv report of Sales,HR,Scratch']]);
  assert.match(host.infos.join(), /saved to \/tmp\/assessment-SQL01.csv/);

  // A database added later must be assessed before Next.
  await send({ type: 'source.select', names: ['Sales'] });
  assert.deepEqual(issueTexts(c.current), []);

  // The report lives in memory only: a reopened wizard keeps the verdicts, not the report.
  const { toSaved } = await import('../../../src/extension/wizard/persistence');
  assert.equal(toSaved(c.current).source.assessment.reportAvailable, false);
  assert.deepEqual(toSaved(c.current).source.assessment.results.length, 3);
});

test('a running assessment can be cancelled, and says so', async () => {
  const rec: Recorded = { passwordsSeen: [], started: [], holdAssessment: true };
  const { c, host, send } = setup(workingServices(rec));
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'a-throwaway-pw' });
  await send({ type: 'source.connect' });
  await send({ type: 'source.select', names: ['Sales'] });
  c.receive({ type: 'source.assess' });
  await new Promise((r) => setImmediate(r));
  assert.equal(c.current.source.assessment.op.status, 'busy');
  // Progress reaches the webview while it runs (changes that come fast are sent together, a tenth of a second apart at most).
  await new Promise((r) => setTimeout(r, 150));
  const shown = host.views[host.views.length - 1]!.source.assessment;
  assert.deepEqual([shown.op.status, shown.progress], ['busy', 0.25]);
  assert.match(issueTexts(c.current).join(), /Wait for the assessment/);
  await send({ type: 'source.cancelAssessment' });
  assert.deepEqual(c.current.source.assessment.op, { status: 'done', message: 'The assessment was cancelled.' });
  assert.deepEqual(c.current.source.assessment.results, []);
});

test('a whole migration through the wizard: every step validated, the real backup check, secrets kept out of state', async () => {
  const dir = tempDir();
  for (const name of ['Sales', 'HR']) await writeChain(join(dir, name), sampleChain({ databaseName: name, logs: 3 }));
  const mixed = join(dir, 'mixed');
  mkdirSync(mixed);
  await writeChain(mixed, [...sampleChain({ databaseName: 'Sales', logs: 1 }), ...sampleChain({ databaseName: 'Other', logs: 1 })]);

  const rec: Recorded = { passwordsSeen: [], started: [] };
  const { c, host, store, send, log } = setup(workingServices(rec));
  const password = `Pw-${randomBytes(12).toString('hex')}`;

  await send({ type: 'account.signIn' });
  await send({ type: 'account.selectCloud', name: 'AzureCloud' }); // already chosen: still signed in
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01.contoso.com', userName: 'migrator' } });
  await send({ type: 'source.connect' });
  assert.match((c.current.source.op as { message: string }).message, /Login failed/);
  await send({ type: 'source.password', value: password });
  await send({ type: 'source.connect' });
  assert.equal(c.current.source.connected?.serverName, 'SQL01');
  assert.deepEqual(rec.passwordsSeen, [undefined, password]);
  assert.deepEqual(issueTexts(c.current), ['Select at least one database.']);
  await send({ type: 'source.select', names: ['Sales', 'HR', 'NotThere'] });
  assert.deepEqual(c.current.source.selected, ['Sales', 'HR']);
  await send({ type: 'source.assess' });
  await send({ type: 'next' });

  assert.equal(c.current.step, 'target');
  assert.equal(c.current.target.subscriptions.length, 1);
  await send({ type: 'target.selectSubscription', id: SUB });
  await send({ type: 'target.selectInstance', id: MI_STOPPED });
  assert.match(issueTexts(c.current).join(), /mi-stopped is Stopped/);
  await send({ type: 'target.selectInstance', id: MI_READY });
  assert.deepEqual(c.current.target.existing, [{ instanceId: MI_READY, names: ['HR'] }]);
  await send({ type: 'next' });
  // The Server objects step: optional, nothing chosen (the assessment found nothing it acts on).
  assert.equal(c.current.step, 'serverObjects');
  assert.deepEqual(issueTexts(c.current), []);
  await send({ type: 'next' });

  assert.equal(c.current.step, 'backups');
  assert.match(issueTexts(c.current).join('\n'), /HR: HR already exists on the managed instance/);
  await send({ type: 'backups.updateDatabase', source: 'HR', patch: { target: 'HR_2026' } });
  await send({ type: 'backups.update', patch: { storageAccountId: STORAGE } });
  assert.deepEqual(c.current.backups.containers, ['sales', 'archive']);
  // Sales first points at a folder that also holds another database: a problem, not a warning.
  host.folders.push(mixed);
  await send({ type: 'backups.browse', source: 'Sales' });
  const mixedCheck = c.current.backups.databases.find((d) => d.source === 'Sales')!.check!;
  assert.equal(mixedCheck.ready, false);
  assert.match(mixedCheck.problems[0]!, /also holds backups of Other/);
  host.folders.push(join(dir, 'Sales'));
  await send({ type: 'backups.browse', source: 'Sales' });
  const sales = c.current.backups.databases.find((d) => d.source === 'Sales')!;
  assert.equal(sales.check!.ready, true);
  assert.deepEqual(sales.check!.steps.map((s) => s.backupType), ['Database', 'TransactionLog', 'TransactionLog', 'TransactionLog']);
  await send({ type: 'backups.updateDatabase', source: 'HR', patch: { folder: join(dir, 'Sales') } });
  assert.match(issueTexts(c.current).join('\n'), /HR: Sales uses the same folder/);
  await send({ type: 'backups.updateDatabase', source: 'HR', patch: { folder: join(dir, 'missing') } });
  await send({ type: 'backups.check', source: 'HR' });
  assert.match((c.current.backups.databases[1]!.checkOp as { message: string }).message, /does not exist.*Choose a folder/);
  await send({ type: 'backups.updateDatabase', source: 'HR', patch: { folder: join(dir, 'HR') } });
  await send({ type: 'backups.check', source: 'HR' });
  assert.deepEqual(issueTexts(c.current), []);
  await send({ type: 'next' });

  assert.equal(c.current.step, 'service');
  await send({ type: 'service.select', id: DMS });
  assert.equal(c.current.service.nodes[0]!.nodeName, 'IR-NODE-1');
  await send({ type: 'service.copyKey', key: 'authKey2' });
  assert.match(host.clipboard, /secondKEYvalue/);
  await send({ type: 'next' });
  assert.equal(c.current.step, 'summary');
  await send({ type: 'start' });
  assert.equal(host.shownMigrations, 1);
  assert.equal(c.current.start.results.length, 2);

  const [{ request, secrets }] = rec.started;
  assert.equal(secrets.sqlPassword, password);
  assert.deepEqual(request.databases.map((d) => [d.sourceDatabase, d.targetDatabase, d.location.kind]), [['Sales', 'Sales', 'upload'], ['HR', 'HR_2026', 'upload']]);
  assert.ok(!JSON.stringify(request).includes(password));

  // No secret anywhere the wizard writes: saved state, messages to the webview, the log.
  for (const secret of [password, 'secondKEYvalue', 'firstKEYvalue']) {
    assert.ok(!store.writes.join('\n').includes(secret), `${secret} saved`);
    assert.ok(!JSON.stringify(host.posted).includes(secret), `${secret} sent to the webview`);
    assert.ok(!log.lines.join('\n').includes(secret), `${secret} logged`);
  }
});

test('closing and reopening resumes where the user was, asking again only for the password', async () => {
  const rec: Recorded = { passwordsSeen: [], started: [] };
  const store = new MemoryStore();
  const first = setup(workingServices(rec), store);
  await first.send({ type: 'account.signIn' });
  await first.send({ type: 'next' });
  await first.send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await first.send({ type: 'source.password', value: 'first-secret-value' });
  await first.send({ type: 'source.connect' });
  await first.send({ type: 'source.select', names: ['Sales'] });
  await first.send({ type: 'source.assess' });
  await first.send({ type: 'next' });
  await first.send({ type: 'target.selectSubscription', id: SUB });
  assert.equal(first.c.current.step, 'target');
  first.c.dispose();

  const second = setup(workingServices(rec), store);
  await second.c.settled();
  // The password was only in memory: back to the source step, everything else kept.
  assert.equal(second.c.current.step, 'source');
  assert.equal(second.c.current.source.server, 'sql01');
  assert.deepEqual(second.c.current.source.selected, ['Sales']);
  assert.equal(second.c.current.target.subscriptionId, SUB);
  assert.equal(second.c.current.account.signedIn, 'dba@contoso.com');
  assert.match(issueTexts(second.c.current).join(), /Enter the password/);

  // Remembered in the secret storage (only there): resuming goes straight back to the target step.
  const secrets = new MemorySecrets();
  const third = setup(workingServices(rec), store, secrets);
  await third.c.settled();
  await third.send({ type: 'source.update', patch: { rememberPassword: true } });
  await third.send({ type: 'source.password', value: 'kept-secret-value' });
  assert.equal(secrets.data.get(sourcePasswordKey('sql01', 'migrator')), 'kept-secret-value');
  await third.send({ type: 'next' });
  third.c.dispose();
  const fourth = setup(workingServices(rec), store, secrets);
  await fourth.c.settled();
  assert.equal(fourth.c.current.step, 'target');
  assert.equal(fourth.c.current.source.passwordEntered, true);
  assert.ok(!store.writes.join().includes('kept-secret-value'));
  // Unticking forgets it.
  await fourth.send({ type: 'source.update', patch: { rememberPassword: false } });
  assert.equal(secrets.data.size, 0);
});

test('invalid or unknown messages from the webview are ignored and logged without their content', async () => {
  const { c, send, log } = setup(workingServices({ passwordsSeen: [], started: [] }));
  const before = c.current;
  await send({ type: 'goto', step: 'nowhere' });
  await send({ type: 'source.password', value: 42 });
  await send({ type: 'source.update', patch: { server: 'x', password: 'leak-me-not' } });
  await send({ type: 'eval', code: 'alert(1)' });
  await send('next');
  await send(null);
  assert.equal(c.current, before);
  assert.equal(log.lines.filter((l) => l.startsWith('warn wizard: ignored an invalid message')).length, 6);
  assert.ok(!log.lines.join().includes('leak-me-not'));
});

test('a saved state that no longer validates is dropped, not trusted', () => {
  const store = new MemoryStore();
  store.saved = { version: 3, step: 'summary', junk: true };
  const { c } = setup(workingServices({ passwordsSeen: [], started: [] }), store);
  assert.equal(c.current.step, 'account');
});

test('a state saved before the folder to upload was called `upload` (it was `local`) still resumes', () => {
  const store = new MemoryStore();
  const older = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud');
  store.saved = { ...older, backups: { ...older.backups, location: 'local', databases: [{ source: 'Sales', target: 'Sales', folder: '/backups/Sales', container: 'sales', lastBackupName: '', checkOp: { status: 'idle' } }] } };
  const { c } = setup(workingServices({ passwordsSeen: [], started: [] }), store);
  assert.equal(c.current.backups.location, 'upload');
  assert.equal(c.current.backups.databases[0]!.folder, '/backups/Sales');
});

test('Start Over asks first, then forgets every answer and the passwords in memory', async () => {
  const rec: Recorded = { passwordsSeen: [], started: [] };
  const { c, host, send } = setup(workingServices(rec));
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'forget-me' });
  host.confirmAnswer = false;
  await send({ type: 'startOver' });
  assert.equal(c.current.source.server, 'sql01');
  host.confirmAnswer = true;
  await send({ type: 'startOver' });
  assert.equal(c.current.step, 'account');
  assert.equal(c.current.source.server, '');
  assert.equal(c.current.account.signedIn, undefined);
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await send({ type: 'source.connect' });
  assert.deepEqual(rec.passwordsSeen, [undefined]);
});

test('the last backup name never outlives its folder or mode: checked from A, then B, then another mode', () => {
  let s = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud');
  s = { ...s, backups: { ...s.backups, mode: 'offline', databases: [{ source: 'Ledger', target: 'Ledger', folder: '', container: 'ledger', lastBackupName: '', checkOp: { status: 'idle' } }] } };
  const checked = (folder: string, last: string) => ({ type: 'backups.checked' as const, source: 'Ledger', result: { database: 'Ledger', folder, ready: true, steps: [], problems: [], warnings: [], ignored: [], lastBackupName: last } });
  s = reduce(s, { type: 'backups.folderChosen', source: 'Ledger', folder: '/a' });
  s = reduce(s, checked('/a', 'Ledger_LOG_002.trn'));
  assert.equal(s.backups.databases[0]!.lastBackupName, 'Ledger_LOG_002.trn');
  s = reduce(s, { type: 'backups.folderChosen', source: 'Ledger', folder: '/b' });
  assert.equal(s.backups.databases[0]!.lastBackupName, '', 'a new folder clears the name of the old one');
  s = reduce(s, checked('/b', 'Ledger_LOG_004.trn'));
  assert.equal(s.backups.databases[0]!.lastBackupName, 'Ledger_LOG_004.trn', 'the check of B names B\'s last file');
  s = reduce(s, checked('/b', 'Ledger_LOG_005.trn'));
  assert.equal(s.backups.databases[0]!.lastBackupName, 'Ledger_LOG_005.trn', 'a re-check of a folder that gained logs takes the new last file');
  s = reduce(s, { type: 'backups.update', patch: { mode: 'online' } });
  assert.equal(s.backups.databases[0]!.lastBackupName, '');
});

test('a state too long for the webview\'s messages is shortened on the host, never refused by the webview', async () => {
  const { fitHostMessage, parseHostMessage } = await import('../../../src/protocol/wizard');
  let s = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud');
  const hundred = Array.from({ length: 100 }, (_, i) => `Shop${i}: SIMPLE recovery model: the database makes no log backups, so an online migration is impossible`).join('; ');
  s = { ...s, start: { ...s.start, op: { status: 'error', message: hundred } } };
  const message = { type: 'state' as const, state: s };
  assert.ok(hundred.length > 8192);
  assert.equal(parseHostMessage(message).ok, false, 'as it was, the webview would refuse it');
  const fitted = fitHostMessage(message);
  assert.equal(parseHostMessage(fitted.message).ok, true);
  assert.deepEqual(fitted.clipped, ['state.start.op.message']);
  assert.equal(fitted.message.type, 'state');
  const op = (fitted.message as { state: typeof s }).state.start.op as { message: string };
  assert.ok(op.message.endsWith('…') && op.message.length === 8192);
});
