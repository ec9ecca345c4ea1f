import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runMigrationAction, type FlowUi, type PickItem } from '../../../src/extension/cutover/flow';
import { ActionableError } from '../../../src/extension/errors';
import { coreRules } from '../../../src/extension/dashboard/statusRules';
import type { DatabaseMigrationJson } from '../../../src/extension/dashboard/dmsShape';
import type { MigrationOperations } from '../../../src/extension/services/types';
import { migration, readySales } from './fixtures';

class ScriptedUi implements FlowUi {
  picks: PickItem[][] = [];
  confirms: { message: string; detail: string; button: string }[] = [];
  infos: string[] = [];
  errors: string[] = [];
  progressTitles: string[] = [];
  constructor(private readonly pickAnswer: (items: PickItem[]) => DatabaseMigrationJson[] | undefined, private readonly confirmAnswer = true) {}
  async pickMany(items: PickItem[]) {
    this.picks.push(items);
    return this.pickAnswer(items);
  }
  async confirm(message: string, detail: string, button: string) {
    this.confirms.push({ message, detail, button });
    return this.confirmAnswer;
  }
  progress<T>(title: string, task: (report: (m: string) => void, signal: AbortSignal) => Promise<T>) {
    this.progressTitles.push(title);
    return task(() => undefined, new AbortController().signal);
  }
  info(m: string) {
    this.infos.push(m);
  }
  error(m: string) {
    this.errors.push(m);
  }
  logged: string[] = [];
  log(m: string) {
    this.logged.push(m);
  }
}

function ops(calls: string[], fail: Record<string, string> = {}, pendingAfterGuard: Record<string, number> = {}): MigrationOperations {
  const run = (verb: string) => async (m: DatabaseMigrationJson) => {
    calls.push(`${verb} ${m.name}`);
    if (fail[m.name!]) throw Object.assign(new Error(fail[m.name!]), { code: 'MigrationNotReadyForCutoverError', statusCode: 400 });
  };
  return {
    availability: { available: true },
    guardCutover: async (m) => {
      calls.push(`guard ${m.name}`);
      if (m.name === 'Blocked') throw new ActionableError('a log backup is still uploading', 'wait');
      if (m.name === 'Early') return { migration: m, notReadyOnly: 'the service does not say ReadyForCutover yet (InProgress), but every backup is restored and none is pending' };
      const p = pendingAfterGuard[m.name!];
      return { migration: p === undefined ? m : { ...m, properties: { ...m.properties, migrationStatusDetails: { ...m.properties!.migrationStatusDetails, pendingLogBackupsCount: p } } } };
    },
    cutover: async (m, _s, options) => {
      await run('cutover')(m);
      if (options?.acceptNotReady) calls.push(`  accepted not-ready: ${options.acceptNotReady}`);
      options?.onStatus?.('Succeeded');
    },
    cancel: run('cancel'),
    delete: run('delete'),
  };
}

const signal = new AbortController().signal;
const ready = (name: string) => ({ ...readySales(), id: `/x/${name}`, name });

test('cutover from the palette: offers only ready migrations, guards, confirms with pending backups and the data-loss warning', async () => {
  const calls: string[] = [];
  const all = [ready('Sales'), ready('HR'), migration('Busy', 'InProgress'), migration('Done', 'Succeeded')];
  const ui = new ScriptedUi((items) => items.map((i) => i.migration));
  const outcomes = await runMigrationAction('cutover', undefined, async () => all, coreRules, ops(calls, {}, { HR: 2 }), ui, signal);
  assert.deepEqual(ui.picks[0]!.map((i) => i.label), ['Sales', 'HR']);
  assert.equal(ui.confirms[0]!.message, 'Complete the cutover of 2 databases?');
  assert.equal(ui.confirms[0]!.button, 'Tail-Log Backup Taken: Complete Cutover');
  assert.match(ui.confirms[0]!.detail, /Confirm only when writes to the source are stopped and the tail-log backup is in the backup location/);
  assert.match(ui.confirms[0]!.detail, /Sales \(mi-prod\): 1 log backup pending restore/);
  assert.match(ui.confirms[0]!.detail, /HR \(mi-prod\): 2 log backups pending restore/);
  assert.match(ui.confirms[0]!.detail, /may result in data loss/);
  assert.deepEqual(calls, ['guard Sales', 'guard HR', 'cutover Sales', 'cutover HR']);
  assert.deepEqual(outcomes.map((o) => o.ok), [true, true]);
  assert.match(ui.infos[0]!, /Cutover completed: Sales \(mi-prod\), HR \(mi-prod\)/);
});

test('declining the confirmation does nothing; a refused guard is left out and said why', async () => {
  const calls: string[] = [];
  const declined = new ScriptedUi(() => undefined, false);
  assert.deepEqual(await runMigrationAction('cutover', [ready('Sales')], async () => [], coreRules, ops(calls), declined, signal), []);
  assert.deepEqual(calls, ['guard Sales']);

  const ui = new ScriptedUi(() => undefined);
  const calls2: string[] = [];
  await runMigrationAction('cutover', [ready('Blocked'), ready('Sales'), migration('Busy', 'InProgress')], async () => [], coreRules, ops(calls2), ui, signal);
  assert.match(ui.confirms[0]!.detail, /Left out:\nBusy \(mi-prod\): the full backup is not restored yet\nBlocked \(mi-prod\): a log backup is still uploading/);
  assert.deepEqual(calls2, ['guard Blocked', 'guard Sales', 'cutover Sales']);
});

test('one failure does not stop the others, and the report says what failed and what to do', async () => {
  const calls: string[] = [];
  const ui = new ScriptedUi(() => undefined);
  const out = await runMigrationAction('cancel', [migration('A', 'InProgress'), migration('B', 'InProgress')], async () => [], coreRules, ops(calls, { A: 'The migration is not in a cancelable state' }), ui, signal);
  assert.deepEqual(out.map((o) => o.ok), [false, true]);
  assert.match(ui.errors[0]!, /^A \(mi-prod\): Cancel failed: The migration is not in a cancelable state \(MigrationNotReadyForCutoverError\) See the Azure SQL Migration log/);
  assert.match(ui.logged[0]!, /HTTP 400/);
  assert.match(ui.infos[0]!, /Canceled: B/);
  assert.match(ui.confirms[0]!.detail, /partly restored database is removed/);
});

test('delete is offered only for finished migrations; nothing to offer is said plainly', async () => {
  const ui = new ScriptedUi(() => undefined);
  await runMigrationAction('delete', undefined, async () => [migration('A', 'InProgress')], coreRules, ops([]), ui, signal);
  assert.match(ui.infos[0]!, /No migration can be deleted now/);
  assert.equal(ui.picks.length, 0);
});

test('operations that are not available say why before asking anything', async () => {
  const ui = new ScriptedUi(() => undefined);
  const unavailable = { ...ops([]), availability: { available: false as const, reason: 'Completing migrations is not available here.' } };
  await assert.rejects(runMigrationAction('cutover', undefined, async () => [], coreRules, unavailable, ui, signal), /not available here/);
  assert.equal(ui.picks.length + ui.confirms.length, 0);
});

test('InProgress with nothing left to restore: the confirmation explains why it is safe, and only that check is overridden', async () => {
  const calls: string[] = [];
  const ui = new ScriptedUi(() => undefined);
  const early = { ...ready('Early'), properties: { ...ready('Early').properties, migrationStatus: 'InProgress' } };
  const out = await runMigrationAction('cutover', [early], async () => [], coreRules, ops(calls), ui, signal);
  assert.deepEqual(out.map((o) => o.ok), [true]);
  assert.match(ui.confirms[0]!.detail, /Early \(mi-prod\): .*the service does not say ReadyForCutover yet \(InProgress\), but every backup is restored and none is pending/);
  assert.deepEqual(calls, ['guard Early', 'cutover Early', '  accepted not-ready: confirmed in the editor: the service does not say ReadyForCutover yet (InProgress), but every backup is restored and none is pending']);
});
