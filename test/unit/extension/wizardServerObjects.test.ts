/**
 * The wizard's Server objects step, on its reducer and check: the assessment's findings
 * preselect the choices once, a login on the instance is needed for anything chosen, Windows
 * logins need a domain mapping in the core's form, excluded logins cannot be chosen, "skip"
 * chooses nothing and moves on, and what is saved holds no password and no result.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromSaved, toSaved } from '../../../src/extension/wizard/persistence';
import { initialState, reduce, type Action } from '../../../src/extension/wizard/reducer';
import { NO_SERVER_OBJECTS, suggestions, targetLoginOf } from '../../../src/extension/wizard/steps/serverObjects';
import { validateStep } from '../../../src/extension/wizard/validation';
import type { WizardState } from '../../../src/protocol/wizard';

function atStep(): WizardState {
  const s = initialState([{ name: 'AzureCloud', displayName: 'Azure' }], 'AzureCloud');
  return {
    ...s,
    step: 'serverObjects',
    reached: 'serverObjects',
    source: {
      ...s.source,
      server: 'sql01',
      userName: 'migrator',
      databases: [{ name: 'Payroll' }, { name: 'Sales' }],
      selected: ['Payroll'],
      assessment: {
        ...s.source.assessment,
        databases: ['Payroll', 'Sales'],
        results: [
          { database: 'Payroll', readiness: 'issues', blockers: [], issues: [], warnings: ['TDE-encrypted database: The database is encrypted with TDE; its certificate must reach the target first.'], rules: ['TransparentDataEncryption'] },
          { database: 'Sales', readiness: 'ready', blockers: [], issues: [], warnings: [], rules: [] },
        ],
        instanceFindings: ['Windows logins and users: 2 Windows logins on the server.', 'Operating system (CmdExec) job steps: 1 CmdExec job step in 1 job.'],
        instanceRules: ['WindowsAuthentication', 'CmdExecJob'],
      },
    },
  };
}

const run = (s: WizardState, ...actions: Action[]) => actions.reduce(reduce, s);
const kinds = (s: WizardState) => validateStep(s, 'serverObjects').map((i) => i.kind);
const LOGINS = [
  { name: 'app_reader', kind: 'sql' },
  { name: 'CONTOSO\\ann.lee', kind: 'windows-user' },
  { name: 'sa', kind: 'sql', excluded: 'the sa login: the managed instance has its own administrator' },
];

test('the assessment preselects: TDE of a selected database, Windows logins, Agent job steps; once only', () => {
  const s = run(atStep(), { type: 'serverObjects.suggest' });
  assert.deepEqual([s.serverObjects.tde, s.serverObjects.logins, s.serverObjects.objects], [true, true, true]);
  const off = run(s, { type: 'serverObjects.update', patch: { tde: false } }, { type: 'serverObjects.suggest' });
  assert.equal(off.serverObjects.tde, false, 'the user\'s choice stands');

  // TDE only counts for a selected database.
  const other = atStep();
  const sales = { ...other, source: { ...other.source, selected: ['Sales'] } };
  assert.equal(suggestions(sales).tde, false);
  const none = { ...other, source: { ...other.source, assessment: { ...other.source.assessment, results: [], instanceFindings: [], instanceRules: [] } } };
  assert.deepEqual(suggestions(none), { tde: false, logins: false, objects: false });
  // By rule id, not by the findings' words (translated, reworded): words alone preselect nothing.
  const wordsOnly = { ...other, source: { ...other.source, assessment: { ...other.source.assessment, results: other.source.assessment.results.map(({ rules: _r, ...r }) => r), instanceRules: [] } } };
  assert.deepEqual(suggestions(wordsOnly), { tde: false, logins: false, objects: false });
  const linked = { ...none, source: { ...none.source, assessment: { ...none.source.assessment, instanceRules: ['LinkedServerWithNonSQLProvider'] } } };
  assert.deepEqual(suggestions(linked), { tde: false, logins: false, objects: true });
});

test('nothing chosen: nothing asked; anything chosen: a login on the instance and its password', () => {
  const s = atStep();
  assert.deepEqual(kinds(s), []);
  const tde = run(s, { type: 'serverObjects.update', patch: { tde: true } });
  assert.deepEqual(kinds(tde), ['soUser']);
  const user = run(tde, { type: 'serverObjects.update', patch: { user: 'sqladmin' } });
  assert.deepEqual(kinds(user), ['soPassword']);
  assert.equal(targetLoginOf(user), undefined, 'no login for the TDE check without its password');
  const ready = run(user, { type: 'serverObjects.passwordEntered', entered: true });
  assert.deepEqual(kinds(ready), []);
  assert.deepEqual(targetLoginOf(ready), { user: 'sqladmin' });
  assert.equal(JSON.stringify(ready).includes('password"'), false, 'the state has no password field, only whether one was entered');
});

test('logins: listed before choosing, excluded ones never chosen, Windows logins need a domain mapping in the core\'s form', () => {
  const base = run(atStep(), { type: 'serverObjects.update', patch: { logins: true, user: 'sqladmin' } }, { type: 'serverObjects.passwordEntered', entered: true });
  assert.deepEqual(kinds(base), ['soList']);
  const listed = run(base, { type: 'serverObjects.logins', logins: LOGINS });
  assert.deepEqual(listed.serverObjects.loginNames, ['app_reader', 'CONTOSO\\ann.lee'], 'every login that can move, first');
  assert.deepEqual(kinds(listed), ['soMapping'], 'a Windows login is chosen');
  const sqlOnly = run(listed, { type: 'serverObjects.selectLogins', names: ['app_reader', 'sa', 'nobody'] });
  assert.deepEqual(sqlOnly.serverObjects.loginNames, ['app_reader'], 'sa is excluded and nobody is not on the source');
  assert.deepEqual(kinds(sqlOnly), []);
  const wrong = run(listed, { type: 'serverObjects.update', patch: { mapping: 'CONTOSO' } });
  assert.deepEqual(kinds(wrong), ['soMapping']);
  assert.match(validateStep(wrong, 'serverObjects')[0]!.text, /"CONTOSO" is not a domain mapping/);
  assert.deepEqual(kinds(run(listed, { type: 'serverObjects.update', patch: { mapping: 'CONTOSO=contoso.com' } })), []);
  assert.deepEqual(kinds(run(listed, { type: 'serverObjects.selectLogins', names: [] })), ['soLogins']);
  // Listed again: the choice is kept.
  const again = run(sqlOnly, { type: 'serverObjects.logins', logins: LOGINS });
  assert.deepEqual(again.serverObjects.loginNames, ['app_reader']);
});

test('skip: nothing besides the databases, on to the backups', () => {
  const s = run(atStep(), { type: 'serverObjects.suggest' }, { type: 'serverObjects.skip' });
  assert.equal(s.step, 'backups');
  assert.deepEqual([s.serverObjects.tde, s.serverObjects.logins, s.serverObjects.objects], [false, false, false]);
  assert.equal(run(s, { type: 'serverObjects.suggest' }).serverObjects.tde, false, 'not preselected again');
});

test('saved without the password or results; a state saved before the step resumes with nothing chosen', () => {
  const s = run(atStep(), { type: 'serverObjects.update', patch: { tde: true, user: 'sqladmin' } }, { type: 'serverObjects.passwordEntered', entered: true },
    { type: 'serverObjects.results', results: [{ part: 'tde', name: 'TDECert_Payroll', status: 'uploaded' }] });
  const saved = toSaved(s);
  assert.equal(saved.serverObjects.passwordEntered, false);
  assert.deepEqual(saved.serverObjects.results, []);
  assert.equal(saved.serverObjects.user, 'sqladmin');

  const { serverObjects: _none, ...older } = toSaved(atStep()) as WizardState & { serverObjects?: unknown };
  const capabilities = { ...older.capabilities } as Record<string, unknown>;
  delete capabilities.serverObjects;
  const resumed = fromSaved({ ...older, capabilities });
  assert.ok(resumed, 'an older saved state still loads');
  assert.deepEqual(resumed.serverObjects, NO_SERVER_OBJECTS);
});
