/**
 * The editor's services (what the wizard and the Migrations view call) against the sandbox:
 * the real core clients, a static-token account from the sandbox's cloud file, the TDS source
 * server, Azurite, the simulated migration service and integration runtime. Nothing of ours is
 * mocked; VS Code is not needed (the services never import it).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import type { FullBackend } from '../../../src/extension/services';
import type { MigrationRequest, SignedInAccount, SourceConnectionInfo } from '../../../src/extension/services/types';
import { suggestServerObjects } from '../../../src/core/serverObjects/suggested';
import type { DatabaseMigrationJson } from '../../../src/extension/dashboard/dmsShape';
import { FAST, waitFor } from '../sandbox/support';
import { tempDir } from '../../support/tmp';
import { editorBackend, EditorRecord, sandboxAccount } from './support';

let sb: Sandbox;
let backend: FullBackend;
let account: SignedInAccount;
const record = new EditorRecord();
const registry = new Map<string, string[]>();
const signal = new AbortController().signal;

before(async () => {
  sb = await startSandbox({ clockSpeed: 30, timings: { ...FAST, scanIntervalSeconds: 2 }, pageSize: 2, runtimeHeartbeatMs: 300 });
  account = await sandboxAccount(sb);
  // The migration services a start adds, as the editor remembers them.
  backend = editorBackend(account, record, {
    registry: { list: (c) => registry.get(c.armEndpoint) ?? [], add: async (c, id) => void registry.set(c.armEndpoint, [...(registry.get(c.armEndpoint) ?? []), id]) },
  });
});
after(async () => {
  backend?.uploads.dispose();
  await sb?.stop();
});

function source(): SourceConnectionInfo {
  const s = sb.info.sourceServer!;
  return { server: `${s.host},${s.port}`, authentication: 'SqlAuthentication', userName: s.user, encrypt: 'mandatory', trustServerCertificate: true };
}

test('the wizard pickers list the sandbox: subscriptions, instances with state and databases, storage, migration services', async () => {
  const w = backend.wizard;
  const subs = await w.subscriptions.list(account, signal);
  assert.ok(subs.some((s) => s.id === sb.info.subscriptionId), JSON.stringify(subs));
  const instances = await w.targets.listManagedInstances(account, sb.info.subscriptionId, signal);
  const mi = instances.find((i) => i.id.toLowerCase() === sb.info.managedInstanceId.toLowerCase());
  assert.equal(mi?.state, 'Ready');
  assert.ok(Array.isArray(await w.targets.listDatabases(account, sb.info.managedInstanceId, signal)));
  const accounts = await w.storage.listAccounts(account, sb.info.subscriptionId, signal);
  assert.ok(accounts.some((a) => a.id.toLowerCase() === sb.info.storageAccountId.toLowerCase()));
  assert.ok(Array.isArray(await w.storage.listContainers(account, sb.info.storageAccountId, signal)));
  const services = await w.migrationServices.list(account, sb.info.subscriptionId, signal);
  assert.ok(services.some((s) => s.id.toLowerCase() === sb.info.migrationServiceId.toLowerCase() && s.provisioningState === 'Succeeded'));
});

test('migration service: keys, regenerate, runtime nodes once the runtime registers, and a new service', async () => {
  const svc = backend.wizard.migrationServices;
  const keys = await svc.authKeys(account, sb.info.migrationServiceId, signal);
  assert.match(keys.authKey1, /^IR@/);
  assert.deepEqual(await svc.nodes(account, sb.info.migrationServiceId, signal), []);
  await sb.startIntegrationRuntime();
  const nodes = await waitFor('a runtime node', async () => {
    const n = await svc.nodes(account, sb.info.migrationServiceId, signal);
    return n.length ? n : undefined;
  });
  assert.equal(nodes[0]!.nodeName, 'SANDBOX-IR-1');
  const fresh = await svc.regenerateKey(account, sb.info.migrationServiceId, 'authKey2', signal);
  assert.equal(fresh.authKey1, keys.authKey1);
  assert.notEqual(fresh.authKey2, keys.authKey2);
  const created = await svc.create(account, sb.info.subscriptionId, 'rg-new-dms', 'dms-created', 'westeurope', signal);
  assert.equal(created.name, 'dms-created');
  assert.equal(created.resourceGroup, 'rg-new-dms');
});

test('source: connects with the SQL login, says what to do on a wrong password, assesses with progress and a report', async () => {
  const src = backend.wizard.source;
  const { server, databases } = await src.connect(source(), sb.info.sourceServer!.password, signal);
  assert.ok(server.version.length > 0);
  assert.ok(databases.some((d) => d.name === 'Sales'));
  await assert.rejects(src.connect(source(), 'not-the-password', signal), (e: Error & { kind?: string }) => e.kind === 'login-failed' && /password|login/i.test(e.message));
  const progress: number[] = [];
  const names = databases.map((d) => d.name);
  const result = await src.assess(source(), sb.info.sourceServer!.password, names, 'online', signal, (_m, f) => progress.push(f));
  assert.equal(result.summaries.length, names.length);
  assert.ok(result.summaries.some((s) => s.readiness === 'blocked'), 'the default profile blocks some databases');
  assert.ok(progress.length > 2 && progress.at(-1)! <= 1);
  assert.match(result.render('html'), /<html/);
  assert.equal(JSON.parse(result.render('json')).format, 'sqlmig-assessment');
  // The rule ids behind the findings (what the Server objects step preselects from), with the findings they name.
  assert.ok(result.instanceRules?.includes('WindowsAuthentication'), `instance rules: ${result.instanceRules?.join(', ')}`);
  assert.equal(result.instanceRules!.length, new Set(result.instanceRules).size);
  assert.ok(result.summaries.every((s) => Array.isArray(s.rules)));
  assert.ok(result.summaries.some((s) => s.rules!.length > 0 && s.readiness !== 'ready'));
  const suggested = suggestServerObjects(result.summaries.flatMap((s) => s.rules ?? []), result.instanceRules ?? []);
  assert.equal(suggested.logins, true, 'the default profile has Windows logins');
  // A cancelled assessment stops.
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(src.assess(source(), sb.info.sourceServer!.password, names, 'online', abort.signal, () => undefined), (e: Error & { kind?: string }) => e.kind === 'cancelled' || e.name === 'AbortError');
});

test('online from a local folder: upload, start, Restored in the feed, the next log backup uploaded by the watch, cutover through the guard, Succeeded', async () => {
  const dir = tempDir();
  const folder = join(dir, 'Sales');
  const chain = sampleChain({ databaseName: 'Sales', logs: 3 });
  const last = chain.pop()!;
  await writeChain(folder, chain);
  const request: MigrationRequest = {
    subscriptionId: sb.info.subscriptionId,
    targetInstanceId: sb.info.managedInstanceId,
    migrationServiceId: sb.info.migrationServiceId,
    mode: 'online',
    source: source(),
    databases: [{ sourceDatabase: 'Sales', targetDatabase: 'Sales', location: { kind: 'upload', folder, storageAccountId: sb.info.storageAccountId, container: 'migrations' } }],
  };
  const secrets = { sqlPassword: sb.info.sourceServer!.password };
  const test = await backend.wizard.migrationServices.testConnection(account, request, secrets, signal);
  assert.ok(test.ok, JSON.stringify(test.checks));

  const messages: string[] = [];
  const [started] = await backend.wizard.starter.start(account, request, secrets, signal, (m) => messages.push(m));
  assert.ok(started?.id, JSON.stringify(started));
  assert.ok(messages.some((m) => /uploaded Sales_FULL.bak/.test(m)), messages.join('\n'));
  assert.deepEqual(registry.get(account.cloud.armEndpoint), [sb.info.migrationServiceId]);
  assert.equal(record.jobs[0]?.migrationId, started.id);

  const fileStatus = (m: DatabaseMigrationJson | undefined, name: string) =>
    [m?.properties?.migrationStatusDetails?.fullBackupSetInfo, ...(m?.properties?.migrationStatusDetails?.activeBackupSets ?? [])]
      .flatMap((s) => s?.listOfBackupFiles ?? []).find((f) => f.fileName === name)?.status;
  // Shown in detail (expanded in the view): its files are read every refresh.
  backend.feed.setWatched('test', [started.id!]);
  const find = async () => (await backend.feed.list(signal)).find((m) => m.id.toLowerCase() === started.id!.toLowerCase());
  await waitFor('the chain restored', async () => {
    const m = await find();
    return chain.every((f) => fileStatus(m, f.fileName) === 'Restored') ? m : undefined;
  }, 60_000, 200);

  // The last log backup lands in the folder: the watch uploads it, the service restores it.
  await writeChain(folder, [last]);
  const ready = await waitFor('ready for cutover with the last log restored', async () => {
    const m = await find();
    return m?.properties?.migrationStatus === 'ReadyForCutover' && fileStatus(m, last.fileName) === 'Restored' ? m : undefined;
  }, 60_000, 200);
  assert.equal(backend.rules.canCutover(ready).ok, true);
  assert.equal(backend.rules.canDelete(ready).ok, false);
  const guarded = await backend.operations.guardCutover(ready, signal);
  assert.equal(guarded.migration.properties?.migrationStatusDetails?.pendingLogBackupsCount, 0);
  assert.equal(guarded.notReadyOnly, undefined);
  const seen: string[] = [];
  await backend.operations.cutover(ready, signal, { onStatus: (s) => seen.push(s) });
  assert.equal(seen.at(-1), 'Succeeded', 'the cutover resolves once the service says Succeeded');
  const done = await waitFor('Succeeded', async () => {
    const m = await find();
    return m?.properties?.migrationStatus === 'Succeeded' ? m : undefined;
  }, 60_000, 200);
  assert.equal(record.jobs.length, 0, 'the watch ends with the migration');
  assert.deepEqual(backend.uploads.watching(), []);
  assert.equal(backend.rules.canDelete(done).ok, true);
  await backend.operations.delete(done, signal);
  await waitFor('deleted', async () => ((await find()) ? undefined : true), 30_000, 200);
  // No key or password reached the log.
  const text = record.lines.join('\n');
  for (const secret of [secrets.sqlPassword, sb.azurite.accounts[0]!.key1, account.cloud.accessToken!]) assert.ok(!text.includes(secret));
});

test('the feed rides out throttling, and a refused start says why without starting anything', async () => {
  sb.faults.add({ kind: 'throttle', path: '/listMigrations', times: 1, retryAfterSeconds: 1 });
  await backend.feed.list(signal);
  sb.faults.clear();
  const dir = tempDir();
  const folder = join(dir, 'HR');
  mkdirSync(folder);
  await assert.rejects(
    backend.wizard.starter.start(account, {
      subscriptionId: sb.info.subscriptionId,
      targetInstanceId: sb.info.managedInstanceId,
      migrationServiceId: sb.info.migrationServiceId,
      mode: 'online',
      source: source(),
      databases: [{ sourceDatabase: 'HR', targetDatabase: 'master', location: { kind: 'upload', folder, storageAccountId: sb.info.storageAccountId, container: 'backup' } }],
    }, { sqlPassword: sb.info.sourceServer!.password }, signal),
    /system database.*reserved|reserved.*system database/s,
  );
});
