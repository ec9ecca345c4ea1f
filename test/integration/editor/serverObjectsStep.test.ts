/**
 * The wizard's Server objects step at Start, against the sandbox through the editor's real
 * services: its choices (the TDE certificates, two logins with a domain mapping, the server
 * objects) and the instance login reach the sandbox's managed instance: the certificate is in
 * its master, the logins exist (the Windows one as a Microsoft Entra login), the server
 * objects without a secret to fill in are created and the others refused with why; each item
 * has its result in the step's state and the log, and no password is in either.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { readTargetCertificates, readTargetPrincipals } from '../../../src/core/serverObjects';
import { Redactor } from '../../../src/extension/redact';
import type { FullBackend } from '../../../src/extension/services';
import type { SignedInAccount } from '../../../src/extension/services/types';
import { connectInstance, targetAddress } from '../../../src/extension/services/validation';
import type { Session, StepContext } from '../../../src/extension/wizard/context';
import type { WizardDeps } from '../../../src/extension/wizard/deps';
import { initialState, reduce } from '../../../src/extension/wizard/reducer';
import { runServerObjects, type ServerObjectsAction } from '../../../src/extension/wizard/steps/serverObjects';
import type { WizardState } from '../../../src/protocol/wizard';
import { FAST } from '../sandbox/support';
import { editorBackend, EditorRecord, sandboxAccount } from './support';

const THUMBPRINT = '0xFD1FBA5669CA279FE0BD19F7DF60772FCCFFA201';
let sb: Sandbox;
let account: SignedInAccount;
let backend: FullBackend;
const record = new EditorRecord();
const logLines = record.lines;
const redactor = new Redactor();

before(async () => {
  sb = await startSandbox({ clockSpeed: 30, timings: FAST, tdeBackups: 'source-profile' });
  account = await sandboxAccount(sb);
  backend = editorBackend(account, record, { redactor });
});
after(async () => {
  backend?.uploads.dispose();
  await sb?.stop();
});

/** The wizard's answers when the user reaches Start: Payroll to the sandbox's instance, and the step's choices. */
function answers(): WizardState {
  const s = initialState([{ name: 'custom', displayName: 'Sandbox' }], 'custom');
  const mi = sb.info.managedInstanceId;
  return {
    ...s,
    step: 'summary',
    reached: 'summary',
    source: { ...s.source, server: `127.0.0.1,${sb.info.sourceServer!.port}`, userName: sb.info.sourceServer!.user, trustServerCertificate: true, passwordEntered: true, databases: [{ name: 'Payroll' }], selected: ['Payroll'] },
    target: { ...s.target, subscriptionId: sb.info.subscriptionId, instanceIds: [mi] },
    backups: { ...s.backups, databases: [{ source: 'Payroll', target: 'Payroll', folder: '', container: 'payroll', lastBackupName: '', checkOp: { status: 'idle' }, instanceId: mi }] },
    serverObjects: {
      ...s.serverObjects, tde: true, logins: true, objects: true, suggested: true, user: sb.info.targetServer!.user, passwordEntered: true,
      sourceLogins: [{ name: 'app_reader', kind: 'sql' }, { name: 'CONTOSO\\ann.lee', kind: 'windows-user' }], loginNames: ['app_reader', 'CONTOSO\\ann.lee'], mapping: 'CONTOSO=contoso.com',
    },
  };
}

test('the step\'s choices at Start: the certificate before the migrations, then the logins and the server objects, on the sandbox\'s instance', async () => {
  let state = answers();
  const session: Session = { account, customCloud: undefined, secrets: { sqlPassword: sb.info.sourceServer!.password, targetPassword: sb.info.targetServer!.password }, assessment: undefined, assessing: undefined };
  redactor.add(sb.info.sourceServer!.password);
  redactor.add(sb.info.targetServer!.password);
  const log = { info: (m: string) => logLines.push(`info ${redactor.redact(m)}`), warn: (m: string) => logLines.push(`warn ${redactor.redact(m)}`), error: (m: string) => logLines.push(`error ${redactor.redact(m)}`) };
  // The wizard host's frame around the step (the controller's, without a webview): the real services behind it.
  const ctx = {
    get state() {
      return state;
    },
    session,
    deps: { services: backend.wizard, log, redactor } as unknown as WizardDeps,
    signal: new AbortController().signal,
    dispatch: (a: ServerObjectsAction) => void (state = reduce(state, a)),
  } as unknown as StepContext<ServerObjectsAction>;
  const progress: string[] = [];

  await runServerObjects(ctx, 'before', (m) => progress.push(m));
  assert.deepEqual(state.serverObjects.results.map((r) => [r.part, r.name, r.status]), [['tde', 'TDECert_Payroll', 'uploaded']]);

  await runServerObjects(ctx, 'after', (m) => progress.push(m));
  const results = state.serverObjects.results;
  assert.deepEqual(results.filter((r) => r.part === 'login').map((r) => [r.name, r.status]), [['app_reader', 'created'], ['CONTOSO\\ann.lee', 'created']]);
  const objects = results.filter((r) => r.part === 'object');
  assert.ok(objects.some((r) => r.status === 'created'), JSON.stringify(objects));
  for (const r of objects.filter((o) => o.status === 'refused')) assert.match(r.detail ?? '', /placeholder/);
  assert.equal(results[0]!.part, 'tde', 'the earlier results are kept');
  assert.deepEqual(progress.map((p) => p.replace(/ \(.*\)$/, '')), ['Uploading the TDE certificates', 'Creating the logins', 'Creating the Agent jobs and other server objects']);

  // On the instance itself.
  const signal = new AbortController().signal;
  const conn = await connectInstance({ ...(await targetAddress(account, sb.info.managedInstanceId, signal)), user: sb.info.targetServer!.user, password: sb.info.targetServer!.password }, signal);
  try {
    const principals = await readTargetPrincipals(conn);
    assert.ok(principals.logins.has('app_reader'));
    assert.ok(principals.logins.has('ann.lee@contoso.com'), [...principals.logins.keys()].join(', '));
    assert.ok((await readTargetCertificates(conn)).has(THUMBPRINT));
  } finally {
    await conn.close();
  }
  const all = JSON.stringify(state) + logLines.join('\n');
  for (const secret of [sb.info.sourceServer!.password, sb.info.targetServer!.password]) assert.ok(!all.includes(secret), 'no password in the state or the log');
  assert.match(logLines.join('\n'), /Creating the logins on sqlmi-sandbox:\n[^\n]*Login[^\n]*\n +app_reader +app_reader +CREATED/);
});
