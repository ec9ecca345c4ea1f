/**
 * A Log Replay Service restore in the editor's Migrations view, against the sandbox: the real
 * feed (the core's monitors, LrsClient on the sandbox's Microsoft.Sql) lists the restore of an
 * instance the user works with, with its backup files in the dashboard's states; an early
 * completion (the tail-log backup in the folder, not restored yet) is refused by the guard
 * before anything is asked; once restored, the confirmed completion brings the database online.
 * Nothing of ours is mocked; VS Code is not needed (only the modal is a scripted UI).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import type { LrsRestoreView } from '../../../src/core/migration/lrsStatus';
import { restoreRow } from '../../../src/extension/dashboard/lrsRows';
import type { ViewNode } from '../../../src/extension/dashboard/model';
import { runRestoreAction, type RestoreFlowUi } from '../../../src/extension/dashboard/restoreFlow';
import type { FullBackend } from '../../../src/extension/services';
import type { SignedInAccount } from '../../../src/extension/services/types';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { lrsStartArgs, restoreId } from '../migration/lrsSupport';
import { azure, cliSandbox, waitFor } from '../migration/support';
import { editorBackend, EditorRecord, sandboxAccount } from './support';

let sb: Sandbox;
let backend: FullBackend;
let account: SignedInAccount;
const record = new EditorRecord();
const signal = new AbortController().signal;
const root = tempDir();

before(async () => {
  sb = await cliSandbox();
  account = await sandboxAccount(sb);
  backend = editorBackend(account, record, { instances: { list: () => [sb.info.managedInstanceId] } });
});
after(async () => {
  backend?.feed.dispose();
  backend?.uploads.dispose();
  await sb?.stop();
});

/** Refreshes the feed until the restore is as wanted; the restore as the view got it. */
async function restoreWhen(id: string, ok: (v: LrsRestoreView) => boolean, what: string): Promise<LrsRestoreView> {
  let last: LrsRestoreView | undefined;
  const off = backend.feed.onUpdate((u) => {
    if (u.kind === 'migrations') last = u.restores?.find((v) => v.id.toLowerCase() === id.toLowerCase());
  });
  try {
    return await waitFor(what, async () => {
      await backend.feed.refresh();
      return last && ok(last) ? last : undefined;
    }, 30_000, 100);
  } finally {
    off();
  }
}

function scriptedUi(confirm: boolean) {
  const said: string[] = [];
  const ui: RestoreFlowUi = {
    pickRestores: async (items) => items.map((i) => i.restore),
    confirm: async (message, detail) => (said.push(`confirm: ${message}\n${detail}`), confirm),
    progress: (_title, task) => task(() => undefined, signal),
    info: (m) => void said.push(`info: ${m}`),
    error: (m) => void said.push(`error: ${m}`),
    log: (m) => void record.lines.push(`flow ${m}`),
  };
  return { ui, said };
}

test('an LRS restore is listed with its files, an early completion is refused naming the tail log, and the guarded completion brings it online', async () => {
  const dir = join(root, 'orders');
  const chain = sampleChain({ databaseName: 'Orders', logs: 2, vlf: 81, compressed: true });
  await writeChain(dir, chain.slice(0, 2));
  const start = await sqlmig(lrsStartArgs(sb, 'lrs-editor', ['Orders'], ['--local', `Orders=${dir}`]));
  assert.equal(start.code, 0, start.stdout + start.stderr);
  const id = restoreId(sb, 'Orders');

  // Listed beside the migrations (the instance is one the user works with), its files read once expanded.
  backend.feed.setActive(false);
  backend.feed.setWatched('expanded', [id]);
  const ready = await restoreWhen(id, (v) => v.status === 'ReadyForCutover', 'the restore ready to complete');
  const row = restoreRow(ready).node();
  assert.equal(row.label, 'Orders');
  assert.equal(row.contextValue, 'lrsRestore;canComplete;canStop');
  const files = (row.children ?? []).flatMap((set: ViewNode) => set.children ?? []);
  assert.deepEqual(files.map((f) => `${f.label}: ${f.description?.split(' · ')[0]}`), [`${chain[0]!.fileName}: Restored`, `${chain[1]!.fileName}: Restored`]);

  // The tail-log backup is in the folder and the service has not picked it up (its clock nearly stopped).
  sb.setClockSpeed(0.01);
  writeFileSync(join(dir, chain[2]!.fileName), chain[2]!.bytes);
  const up = await sqlmig(['backups', 'upload', dir, '--database', 'Orders', '--container', 'lrs-editor', '--storage-account-id', sb.info.storageAccountId, ...azure(sb)]);
  assert.equal(up.code, 0, up.stderr);
  const early = scriptedUi(true);
  assert.deepEqual(await runRestoreAction('complete', [ready], () => [], backend.restores, early.ui), []);
  assert.equal(early.said.length, 1, early.said.join('\n'));
  assert.match(early.said[0]!, /^error: Nothing was done\. Orders \(sqlmi-sandbox\): .*Orders_LOG_002\.trn in the blob folder lrs-editor\/Orders\/ continues the chain past the last restored LSN/);
  assert.ok(!early.said.some((s) => s.startsWith('confirm')), 'nothing is asked when the guard refuses');

  // Restored: completed after the confirmation, and the view shows it online.
  sb.setClockSpeed(40);
  const tail = await restoreWhen(id, (v) => v.files.some((f) => f.fileName === chain[2]!.fileName && f.state === 'Restored'), 'the tail log restored');
  const done = scriptedUi(true);
  const outcomes = await runRestoreAction('complete', [tail], () => [], backend.restores, done.ui);
  assert.deepEqual(outcomes.map((o) => o.ok), [true], done.said.join('\n'));
  assert.match(done.said[0]!, /^confirm: Complete the restore of 1 database \(cutover\)\?\nOrders \(sqlmi-sandbox\): last restored Orders_LOG_002\.trn/);
  assert.match(done.said.at(-1)!, /^info: Restore completed: Orders \(sqlmi-sandbox\)/);
  const online = await restoreWhen(id, (v) => v.status === 'Succeeded', 'the database online');
  assert.equal(online.databaseStatus, 'Online');
  assert.equal(restoreRow(online).node().contextValue, 'lrsRestore;canValidate', 'an online database is neither completed nor stopped again; it can be validated');
  assert.ok(!record.lines.some((l) => /sig=|se=\d{4}-/.test(l)), 'no SAS token in the log');
});
