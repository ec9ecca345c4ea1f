/** The engine choice after the target: the Log Replay Service skips the migration-service step, reads no share, starts through its own service, and resumes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KNOWN_CLOUDS } from '../../../src/core/azure/cloud';
import { Redactor } from '../../../src/extension/redact';
import type { LogReplayRequest, MigrationSecrets, WizardServices } from '../../../src/extension/services/types';
import { WizardController } from '../../../src/extension/wizard/controller';
import { initialState } from '../../../src/extension/wizard/reducer';
import { buildRequest } from '../../../src/extension/wizard/request';
import { issueTexts } from '../../../src/extension/wizard/validation';
import { readsBlobContainer } from '../../../src/protocol/wizard';
import { DMS, MemoryLog, MemorySecrets, MemoryStore, MI_READY, STORAGE, SUB, TestHost, workingServices, type Recorded } from './wizardServices';

interface LrsRecorded extends Recorded {
  lrs: { request: LogReplayRequest; secrets: MigrationSecrets }[];
}

function services(rec: LrsRecorded, withLrs = true): WizardServices {
  const base = workingServices(rec);
  if (!withLrs) return base;
  return {
    ...base,
    logReplay: {
      availability: { available: true },
      start: async (_a, request, secrets) => {
        rec.lrs.push({ request, secrets });
        return request.databases.map((d) => ({ sourceDatabase: d.sourceDatabase, targetDatabase: d.targetDatabase, id: `${d.targetInstanceId ?? request.targetInstanceId}/databases/${d.targetDatabase}` }));
      },
    },
  };
}

function setup(s: WizardServices, store = new MemoryStore()) {
  const host = new TestHost();
  const c = new WizardController({ services: s, host, store, secretStore: new MemorySecrets(), log: new MemoryLog(), redactor: new Redactor(), clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  return { c, host, store, send };
}

/** Signed in, Sales selected and assessed, the ready instance chosen: on the backups step. */
async function toBackups(send: (m: unknown) => Promise<void>) {
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'pw-engine-test' });
  await send({ type: 'source.connect' });
  await send({ type: 'source.select', names: ['Sales'] });
  await send({ type: 'source.assess' });
  await send({ type: 'next' });
  await send({ type: 'target.selectSubscription', id: SUB });
  await send({ type: 'target.selectInstance', id: MI_READY });
  await send({ type: 'next' });
  await send({ type: 'next' }); // past the Server objects step: nothing chosen
}

test('the Log Replay Service skips the migration-service step, never reads a network share, and starts through its own service', async () => {
  const rec: LrsRecorded = { passwordsSeen: [], started: [], lrs: [] };
  const { c, host, send } = setup(services(rec));
  await toBackups(send);
  assert.equal(c.current.step, 'backups');
  assert.equal(c.current.engine.kind, 'dms', 'the migration service until the user chooses');

  // A share chosen with the migration service goes when the Log Replay Service is chosen; it cannot come back.
  await send({ type: 'backups.update', patch: { location: 'share' } });
  assert.equal(c.current.backups.location, 'share');
  await send({ type: 'engine.update', patch: { kind: 'lrs' } });
  assert.equal(c.current.backups.location, 'upload');
  await send({ type: 'backups.update', patch: { location: 'share' } });
  assert.equal(c.current.backups.location, 'upload', 'the reducer refuses a share for the Log Replay Service');

  await send({ type: 'backups.update', patch: { location: 'blob', mode: 'offline', storageAccountId: STORAGE } });
  // Autocomplete from a container: the last file comes from the chain at Start (the migration service would need it named).
  assert.deepEqual(issueTexts(c.current), []);
  await send({ type: 'engine.update', patch: { access: 'managedIdentity' } });
  await send({ type: 'next' });
  assert.equal(c.current.step, 'summary', 'no migration-service step');
  await send({ type: 'goto', step: 'service' });
  assert.equal(c.current.step, 'summary', 'a skipped step cannot be opened');
  await send({ type: 'back' });
  assert.equal(c.current.step, 'backups', 'back passes over it too');
  await send({ type: 'next' });

  await send({ type: 'start' });
  assert.equal(rec.started.length, 0, 'nothing went to the migration service');
  assert.equal(rec.lrs.length, 1);
  const { request } = rec.lrs[0]!;
  assert.equal(request.access, 'managedIdentity');
  assert.equal('migrationServiceId' in request, false);
  assert.deepEqual(request.databases.map((d) => [d.sourceDatabase, d.location.kind, (d.location as { container: string }).container]), [['Sales', 'blob', 'sales']]);
  assert.deepEqual(c.current.start.results.map((r) => r.id), [`${MI_READY}/databases/Sales`]);
  assert.equal(host.shownMigrations, 1);
});

test('back to the migration service: its step and the share return, and Next stops there again', async () => {
  const rec: LrsRecorded = { passwordsSeen: [], started: [], lrs: [] };
  const { c, send } = setup(services(rec));
  await toBackups(send);
  await send({ type: 'engine.update', patch: { kind: 'lrs' } });
  await send({ type: 'backups.update', patch: { location: 'blob', storageAccountId: STORAGE } });
  await send({ type: 'next' });
  assert.equal(c.current.step, 'summary');
  await send({ type: 'back' });
  await send({ type: 'engine.update', patch: { kind: 'dms' } });
  await send({ type: 'next' });
  assert.equal(c.current.step, 'service');
  assert.match(issueTexts(c.current).join(), /Choose or create a Database Migration Service/);
  await send({ type: 'service.select', id: DMS });
  await send({ type: 'next' });
  await send({ type: 'start' });
  assert.equal(rec.lrs.length, 0);
  assert.equal(rec.started[0]!.request.migrationServiceId, DMS);
});

test('a build without the Log Replay Service says so where the engine is chosen, and Next waits', async () => {
  const rec: LrsRecorded = { passwordsSeen: [], started: [], lrs: [] };
  const { c, send } = setup(services(rec, false));
  await toBackups(send);
  assert.equal(c.current.capabilities.logReplay.available, false);
  await send({ type: 'engine.update', patch: { kind: 'lrs' } });
  await send({ type: 'backups.update', patch: { location: 'blob', storageAccountId: STORAGE } });
  assert.match(issueTexts(c.current).join(), /Log Replay Service is not available/);
  await send({ type: 'next' });
  assert.equal(c.current.step, 'backups');
});

test('resume: a state saved before the engine choice loads as the migration service; a saved Log Replay choice comes back', async () => {
  const older = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud') as Record<string, unknown>;
  const { engine: _engine, ...withoutEngine } = older;
  const caps = { ...(older.capabilities as Record<string, unknown>) };
  delete caps.logReplay;
  const store = new MemoryStore();
  store.saved = { ...withoutEngine, capabilities: caps, source: { ...(older.source as object), server: 'sql-old', userName: 'kept' } };
  const old = setup(services({ passwordsSeen: [], started: [], lrs: [] }), store);
  await old.c.settled();
  assert.equal(old.c.current.source.server, 'sql-old', 'resumed, not dropped as invalid');
  assert.deepEqual(old.c.current.engine, { kind: 'dms', access: 'key' });
  assert.equal(old.c.current.capabilities.logReplay.available, true, 'recomputed from the services on load');
  old.c.dispose();

  const rec: LrsRecorded = { passwordsSeen: [], started: [], lrs: [] };
  const saved = new MemoryStore();
  const first = setup(services(rec), saved);
  await toBackups(first.send);
  await first.send({ type: 'engine.update', patch: { kind: 'lrs', access: 'managedIdentity' } });
  await first.send({ type: 'backups.update', patch: { location: 'blob', storageAccountId: STORAGE } });
  await first.send({ type: 'next' });
  assert.equal(first.c.current.step, 'summary');
  first.c.dispose();
  const second = setup(services(rec), saved);
  await second.c.settled();
  assert.deepEqual(second.c.current.engine, { kind: 'lrs', access: 'managedIdentity' });
  // The source password was only in memory: the wizard reopens there, the engine kept.
  assert.equal(second.c.current.step, 'source');
  assert.ok(!saved.writes.join().includes('pw-engine-test'));
});

test('a state saved when the access was called sas (a SAS for the Log Replay Service) loads as the key', async () => {
  const saved = { ...initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud'), engine: { kind: 'lrs', access: 'sas' } };
  const store = new MemoryStore();
  store.saved = saved;
  const { c } = setup(services({ passwordsSeen: [], started: [], lrs: [] }), store);
  await c.settled();
  assert.deepEqual(c.current.engine, { kind: 'lrs', access: 'key' });
  c.dispose();
});

test("the migration service reads a blob container with the instance's managed identity when chosen, the account key otherwise; a share is read by the runtime either way", async () => {
  const rec: LrsRecorded = { passwordsSeen: [], started: [], lrs: [] };
  const { c, send } = setup(services(rec));
  await toBackups(send);
  assert.equal(c.current.engine.access, 'key', 'the key until the user chooses');
  await send({ type: 'backups.update', patch: { location: 'blob', storageAccountId: STORAGE } });
  await send({ type: 'engine.update', patch: { access: 'managedIdentity' } });
  assert.equal(readsBlobContainer(c.current), true);
  await send({ type: 'backups.update', patch: { location: 'share' } });
  assert.equal(readsBlobContainer(c.current), false, 'no container access for a share');
  await send({ type: 'backups.update', patch: { location: 'blob' } });
  await send({ type: 'next' });
  assert.equal(c.current.step, 'service');
  await send({ type: 'service.select', id: DMS });
  await send({ type: 'next' });
  assert.equal(c.current.step, 'summary');
  assert.equal(buildRequest(c.current).blobAuth, 'ManagedIdentity');
  await send({ type: 'engine.update', patch: { access: 'key' } });
  assert.equal(buildRequest(c.current).blobAuth, undefined, 'the account key: nothing to say');
  await send({ type: 'engine.update', patch: { access: 'managedIdentity' } });
  await send({ type: 'start' });
  assert.equal(rec.started.length, 1);
  assert.equal(rec.started[0]!.request.blobAuth, 'ManagedIdentity');
  c.dispose();
});
