import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { KNOWN_CLOUDS } from '../../../src/core/azure/cloud';
import { Redactor } from '../../../src/extension/redact';
import { WizardController } from '../../../src/extension/wizard/controller';
import type { Op } from '../../../src/protocol/wizard';
import { DMS, MemoryLog, MemorySecrets, MemoryStore, MI_READY, STORAGE, TestHost, workingServices } from './wizardServices';

/** An error whose message and stack quote the secret, as a driver or a service error body might. */
function leaking(what: string, secret: string): Error {
  return Object.assign(new Error(`${what}: the request carried password=${secret} and "${secret}"`), { code: 'Leaky' });
}

const message = (op: Op) => (op.status === 'error' ? op.message : assert.fail(`expected an error, got ${JSON.stringify(op)}`));

test('a failure quoting a secret the user typed reaches neither the webview nor the log unredacted: from a step\'s loading, an action, an unhandled throw, and the start', async () => {
  const secret = `Pw-${randomBytes(12).toString('hex')}`;
  const services = workingServices({ passwordsSeen: [], started: [] });
  let connects = 0;
  const connect = services.source.connect;
  services.source.connect = async (...args) => {
    if (connects++ === 0) throw leaking('Login refused', secret);
    return connect(...args);
  };
  let lists = 0;
  const list = services.subscriptions.list;
  services.subscriptions.list = async (...args) => {
    if (lists++ === 0) throw leaking('Subscriptions unreadable', secret);
    return list(...args);
  };
  services.backupCheck = { availability: { available: true }, checkFolder: async () => Promise.reject(leaking('Folder unreadable', secret)) };
  services.starter = { availability: { available: true }, start: async () => Promise.reject(leaking('Start refused', secret)) };

  const host = new TestHost();
  host.pickFolder = async () => Promise.reject(leaking('Dialog broke', secret));
  const log = new MemoryLog();
  const c = new WizardController({ services, host, store: new MemoryStore(), secretStore: new MemorySecrets(), log, redactor: new Redactor(), clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };

  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  // From here on the secret is registered: the user typed it.
  await send({ type: 'source.password', value: secret });

  // An action.
  await send({ type: 'source.connect' });
  assert.match(message(c.current.source.op), /^Connecting to sql01 failed: Login refused: the request carried password=\*\*\* and "\*\*\*" \(Leaky\)/);
  await send({ type: 'source.connect' });
  await send({ type: 'source.select', names: ['Sales'] });
  await send({ type: 'source.assess' });
  await send({ type: 'next' });

  // A step's loading, on entering it.
  assert.equal(c.current.step, 'target');
  assert.match(message(c.current.target.op), /^Listing subscriptions failed: Subscriptions unreadable: .*\*\*\*/);
  await send({ type: 'back' });
  await send({ type: 'next' });
  assert.deepEqual(c.current.target.op, { status: 'idle' });
  await send({ type: 'target.selectInstance', id: MI_READY });
  await send({ type: 'next' });
  await send({ type: 'next' }); // past the Server objects step: nothing chosen

  // The backup check: an action whose error once skipped the redactor.
  assert.equal(c.current.step, 'backups');
  await send({ type: 'backups.update', patch: { storageAccountId: STORAGE } });
  await send({ type: 'backups.updateDatabase', source: 'Sales', patch: { folder: '/backups/Sales' } });
  await send({ type: 'backups.check', source: 'Sales' });
  assert.match(message(c.current.backups.databases[0]!.checkOp), /^Checking the backups of Sales failed: Folder unreadable: .*\*\*\*/);

  // A throw no handler caught (the folder dialog): shown on the current step all the same.
  await send({ type: 'backups.browse', source: 'Sales' });
  assert.match(message(c.current.backups.op), /failed: Dialog broke: .*\*\*\*/);

  await send({ type: 'backups.update', patch: { location: 'blob' } });
  await send({ type: 'next' });
  await send({ type: 'service.select', id: DMS });
  await send({ type: 'next' });

  // The start.
  assert.equal(c.current.step, 'summary');
  await send({ type: 'start' });
  assert.match(message(c.current.start.op), /^Starting the migrations failed: Start refused: .*\*\*\*/);

  const errors = log.lines.filter((l) => l.startsWith('error '));
  assert.equal(errors.length, 5, errors.join('\n'));
  for (const what of ['Login refused', 'Subscriptions unreadable', 'Folder unreadable', 'Dialog broke', 'Start refused']) {
    assert.ok(errors.some((l) => l.includes(what) && l.includes('password=***')), `${what} logged, redacted`);
  }
  assert.ok(!JSON.stringify(host.posted).includes(secret), 'a state sent to the webview carried the secret');
  assert.ok(!log.lines.join('\n').includes(secret), 'the log carried the secret');
});

test('error text inside results (a start that failed for one database, a connection check) is redacted too', async () => {
  const secret = `Pw-${randomBytes(12).toString('hex')}`;
  const services = workingServices({ passwordsSeen: [], started: [] });
  services.migrationServices.testConnection = async () => ({ ok: false, checks: [{ name: 'source', ok: false, message: `login with ${secret} refused` }] });
  services.starter.start = async (_a, request) => request.databases.map((d) => ({ sourceDatabase: d.sourceDatabase, targetDatabase: d.targetDatabase, error: `refused: password=${secret}` }));
  const host = new TestHost();
  const c = new WizardController({ services, host, store: new MemoryStore(), secretStore: new MemorySecrets(), log: new MemoryLog(), redactor: new Redactor(), clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  for (const m of [
    { type: 'account.signIn' }, { type: 'next' },
    { type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } }, { type: 'source.password', value: secret }, { type: 'source.connect' },
    { type: 'source.select', names: ['Sales'] }, { type: 'source.assess' }, { type: 'next' },
    { type: 'target.selectInstance', id: MI_READY }, { type: 'next' }, { type: 'next' },
    { type: 'backups.update', patch: { location: 'blob', storageAccountId: STORAGE } }, { type: 'next' },
    { type: 'service.select', id: DMS }, { type: 'service.test' }, { type: 'next' }, { type: 'start' },
  ]) await send(m);
  assert.equal(c.current.service.test?.checks[0]?.message, 'login with *** refused');
  assert.equal(c.current.start.results[0]?.error, 'refused: password=***');
  assert.ok(!JSON.stringify(host.posted).includes(secret));
});
