/**
 * What the host sends after the first state: the changes (diffState), which the webview applies
 * and validates (applyPatch) to the very state the host has.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialState, reduce } from '../../../src/extension/wizard/reducer';
import { applyPatch, diffState, fitHostMessage, schemaAt, type WizardState } from '../../../src/protocol/wizard';

function bigState(count: number): WizardState {
  let s = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud');
  s = reduce(s, { type: 'account.signedIn', label: 'dba' });
  s = reduce(s, { type: 'next' });
  s = reduce(s, { type: 'source.connected', server: { serverName: 'BIG', version: '16' }, databases: Array.from({ length: count }, (_, i) => ({ name: `Db${i}`, sizeMb: i, state: 'ONLINE' })) });
  return s;
}

const roundTrip = (a: WizardState, b: WizardState) => {
  const ops = diffState(a, b);
  const applied = applyPatch(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(ops)));
  assert.ok(applied.ok, applied.ok ? '' : applied.error);
  assert.deepEqual(applied.value, JSON.parse(JSON.stringify(b)));
  return ops;
};

test('a change in one place is one small operation, and the webview ends with the host\'s state', () => {
  const a = bigState(2000);
  const b = reduce(a, { type: 'source.selectAll', which: 'all' });
  const ops = roundTrip(a, b);
  assert.ok(ops.length <= 6, JSON.stringify(ops.map((o) => [o.op, o.path.join('.')])));
  // One row: a splice of one name and one database, whatever the list's length.
  const c = reduce(b, { type: 'source.toggle', names: ['Db1000'], selected: false });
  const one = roundTrip(b, c);
  assert.ok(JSON.stringify(one).length < 2000, `${JSON.stringify(one).length} bytes for one row`);
  // On the source step the backups list does not follow yet (it does once the step is left).
  assert.deepEqual(one.filter((o) => o.op === 'splice').map((o) => [o.path.join('.'), o.op === 'splice' && o.start, o.op === 'splice' && o.deleteCount]), [
    ['source.selected', 1000, 1],
  ]);
  assert.deepEqual(c.backups.databases, []);
  // Past the source step, one row is one splice in the backups list too.
  const onTarget = { ...c, step: 'target' as const };
  const listed = reduce(onTarget, { type: 'source.toggle', names: ['Db1000'], selected: true });
  assert.equal(listed.backups.databases.length, 2000);
  const again = reduce(listed, { type: 'source.toggle', names: ['Db1001'], selected: false });
  assert.deepEqual(roundTrip(listed, again).filter((o) => o.op === 'splice').map((o) => [o.path.join('.'), o.op === 'splice' && o.start, o.op === 'splice' && o.deleteCount]), [
    ['source.selected', 1001, 1],
    ['backups.databases', 1001, 1],
  ]);
  // An operation's progress: the op, and what it changes of "to continue" (wait for the assessment).
  const d = reduce(c, { type: 'source.assessmentOp', op: { status: 'busy', message: 'Reading the linked servers' }, progress: 0.5 });
  const paths = roundTrip(c, d).map((o) => o.path.join('.'));
  assert.deepEqual(paths.filter((p) => p.startsWith('source')), ['source.assessment.op', 'source.assessment.progress']);
  assert.ok(paths.every((p) => p.startsWith('source.assessment') || p.startsWith('issues.')), paths.join());
  const d2 = reduce(d, { type: 'source.assessmentOp', op: { status: 'busy', message: 'Reading the logins' }, progress: 0.6 });
  assert.deepEqual(roundTrip(d, d2).map((o) => o.path.join('.')), ['source.assessment.op', 'source.assessment.progress']);
  // Something removed (an optional field): deleted, not sent as undefined (JSON would drop it).
  const e = reduce(d, { type: 'source.assessmentOp', op: { status: 'idle' } });
  assert.ok(roundTrip(d, e).some((o) => o.op === 'delete' && o.path.join('.') === 'source.assessment.progress'));
  assert.deepEqual(diffState(e, e), []);
});

test('a patch that does not fit the schema, or names no place in the state, is refused whole', () => {
  const s = bigState(3);
  assert.equal(schemaAt(['source', 'databases', 0, 'name']) !== undefined, true);
  assert.equal(schemaAt(['source', 'nowhere']), undefined);
  const refuse = (ops: unknown) => applyPatch(s, ops as never);
  assert.equal(refuse([{ op: 'set', path: ['step'], value: 'nowhere' }]).ok, false);
  assert.equal(refuse([{ op: 'set', path: ['source', 'nowhere'], value: 1 }]).ok, false);
  assert.equal(refuse([{ op: 'splice', path: ['source', 'selected'], start: 5, deleteCount: 1, items: [] }]).ok, false, 'out of the list');
  assert.equal(refuse([{ op: 'splice', path: ['source', 'selected'], start: 0, deleteCount: 0, items: [42] }]).ok, false, 'a name must be text');
  assert.equal(refuse([{ op: 'set', path: ['source', 'databases', 7, 'name'], value: 'x' }]).ok, false, 'no such row');
  const ok = refuse([{ op: 'set', path: ['source', 'server'], value: 'sql02' }]);
  assert.ok(ok.ok && ok.value.source.server === 'sql02' && ok.value.source.databases === s.source.databases, 'the rest is shared, not copied');
});

test('a patch is fitted to the schema like a whole state: a value too long is cut, and says where', () => {
  const s = bigState(1);
  const long = reduce(s, { type: 'op', slice: 'start', op: { status: 'error', message: 'x'.repeat(10_000) } });
  const fitted = fitHostMessage({ type: 'patch', ops: diffState(s, long) });
  assert.deepEqual(fitted.clipped, ['start.op.message']);
  const applied = applyPatch(s, (fitted.message as unknown as { ops: never }).ops);
  assert.ok(applied.ok);
  assert.equal((applied.value.start.op as { message: string }).message.length, 8192);
});
