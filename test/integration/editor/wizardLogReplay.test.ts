/**
 * The wizard's Log Replay Service engine through the editor's real services against the sandbox:
 * the core's LRS run (plans, chain checks, the LRS rules, a SAS token made and tried), the real
 * ARM and blob clients, Azurite and the sandbox's managed instance restoring from its container.
 * Nothing of ours is mocked; VS Code is not needed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { parseArmId } from '../../../src/core/azure/armId';
import { LrsClient, restoreRefFromId } from '../../../src/core/azure/lrs/client';
import { listManagedDatabases } from '../../../src/core/azure/managedInstances';
import { readRestore } from '../../../src/core/migration/lrsOperations';
import type { FullBackend } from '../../../src/extension/services';
import { contextFor } from '../../../src/extension/services/azureContext';
import type { LogReplayRequest, SignedInAccount } from '../../../src/extension/services/types';
import { FAST, waitFor } from '../sandbox/support';
import { tempDir } from '../../support/tmp';
import { editorBackend, EditorRecord, sandboxAccount } from './support';

let sb: Sandbox;
let backend: FullBackend;
let account: SignedInAccount;
const record = new EditorRecord();
const signal = new AbortController().signal;

before(async () => {
  sb = await startSandbox({ clockSpeed: 30, timings: { ...FAST, scanIntervalSeconds: 2 }, sourceServer: false });
  account = await sandboxAccount(sb);
  backend = editorBackend(account, record);
});
after(async () => {
  backend?.uploads.dispose();
  await sb?.stop();
});

function request(databases: LogReplayRequest['databases'], mode: LogReplayRequest['mode'] = 'online'): LogReplayRequest {
  return {
    subscriptionId: sb.info.subscriptionId,
    targetInstanceId: sb.info.managedInstanceId,
    mode,
    access: 'sas',
    // The Log Replay Service never logs in to the source: nothing here is used to reach it.
    source: { server: 'SQLSRC01', authentication: 'SqlAuthentication', userName: 'migrator', encrypt: 'mandatory', trustServerCertificate: false },
    databases,
  };
}

const upload = (source: string, folder: string, container: string) => ({ sourceDatabase: source, targetDatabase: source, location: { kind: 'upload' as const, folder, storageAccountId: sb.info.storageAccountId, container } });

async function onInstance(): Promise<string[]> {
  const t = parseArmId(sb.info.managedInstanceId);
  return (await listManagedDatabases(contextFor(account), t.subscriptionId, t.resourceGroup, t.name, signal)).map((d) => d.name);
}

test('the Log Replay Service from a local folder: uploaded, restored by the instance with a SAS token made for it, the next log backup followed by the watch', async () => {
  const dir = tempDir();
  const folder = join(dir, 'Sales');
  const chain = sampleChain({ databaseName: 'Sales', logs: 3, vlf: 91 });
  const last = chain.pop()!;
  await writeChain(folder, chain);
  const messages: string[] = [];
  const [started, ...rest] = await backend.wizard.logReplay!.start(account, request([upload('Sales', folder, 'lrs-wizard')]), {}, signal, (m) => messages.push(m));
  assert.equal(rest.length, 0);
  assert.ok(started?.id, JSON.stringify(started));
  assert.equal(started.id!.toLowerCase(), `${sb.info.managedInstanceId}/databases/Sales`.toLowerCase(), 'the restore is the managed database itself (no migration service)');
  assert.ok(messages.some((m) => /Sales: restore started/.test(m)), messages.join('\n'));
  assert.equal(record.jobs[0]?.migrationId, started.id, 'continuous: the folder stays watched');

  const lrs = new LrsClient(contextFor(account));
  const ref = restoreRefFromId(started.id!);
  const restored = (name: string) => async () => {
    const v = await readRestore(lrs, ref, { signal });
    return v?.files.find((f) => f.fileName === name)?.state === 'Restored' ? v : undefined;
  };
  await waitFor('the chain restored', restored(chain.at(-1)!.fileName), 60_000, 200);
  await writeChain(folder, [last]);
  const view = await waitFor('the next log backup uploaded by the watch and restored', restored(last.fileName), 60_000, 200);
  assert.equal(view.mode, 'continuous');
  assert.equal(view.folder, 'lrs-wizard/Sales');

  // The token and the key never reach the log (the redactor knows both).
  const text = record.lines.join('\n');
  assert.doesNotMatch(text, /sig=|se=\d{4}-/);
  assert.ok(!text.includes(sb.azurite.accounts[0]!.key1));
  assert.match(text, /30 days/, 'the 30-day limit is said (a warning in the log)');
});

test('a problem in any database stops the whole start: nothing uploaded or restored for the others, every problem said with what to do', async () => {
  const dir = tempDir();
  const good = join(dir, 'Ledger');
  await writeChain(good, sampleChain({ databaseName: 'Ledger', logs: 1, vlf: 92 }));
  const simple = join(dir, 'Scratch');
  await writeChain(simple, sampleChain({ databaseName: 'Scratch', recoveryModel: 'SIMPLE', vlf: 93 }));
  const before = await onInstance();
  await assert.rejects(
    backend.wizard.logReplay!.start(account, request([upload('Ledger', good, 'lrs-good'), upload('Scratch', simple, 'lrs-simple')]), {}, signal),
    (e: Error) => {
      assert.match(e.message, /Nothing was uploaded or started/);
      assert.match(e.message, /Scratch: .*(SIMPLE|FULL recovery)/);
      return true;
    },
  );
  assert.deepEqual(await onInstance(), before, 'no restore was created');
  const container = (await backend.wizard.storage.listContainers(account, sb.info.storageAccountId, signal)).includes('lrs-good');
  assert.equal(container, false, 'nothing was uploaded for the database without a problem');
});
