/** The editor services' own rules: how a wizard connection becomes the core's, container/folder, refusal reasons, upload progress. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coreRules } from '../../../src/extension/dashboard/statusRules';
import { describeUploadEvent } from '../../../src/extension/services/localUploads';
import { sourceOptions } from '../../../src/extension/services/sourceService';
import { splitContainer } from '../../../src/extension/services/starter';
import type { SourceConnectionInfo } from '../../../src/extension/services/types';
import { migration, readySales } from './fixtures';

const conn = (patch: Partial<SourceConnectionInfo> = {}): SourceConnectionInfo => ({ server: 'sql01,1433', authentication: 'SqlAuthentication', userName: 'migrator', encrypt: 'mandatory', trustServerCertificate: false, ...patch });

test('a wizard connection becomes the core connection options; a missing secret or a bad Windows user says what to do', () => {
  const sql = sourceOptions(conn(), 'pw-1234');
  assert.deepEqual(sql.auth, { kind: 'sql', user: 'migrator', password: 'pw-1234' });
  assert.equal(sql.encrypt, 'mandatory');
  const win = sourceOptions(conn({ authentication: 'WindowsAuthentication', userName: 'CONTOSO\\dba', encrypt: 'strict' }), 'pw-1234');
  assert.deepEqual(win.auth, { kind: 'windows', user: 'CONTOSO\\dba', password: 'pw-1234' });
  assert.equal(win.encrypt, 'strict');
  assert.deepEqual(sourceOptions(conn({ authentication: 'EntraToken' }), 'eyJtoken').auth, { kind: 'entra-token', token: 'eyJtoken' });
  assert.throws(() => sourceOptions(conn(), undefined), (e: Error & { next?: string }) => /Enter the password of migrator/.test(e.message) && /never saved/.test(e.next!));
  assert.throws(() => sourceOptions(conn({ authentication: 'WindowsAuthentication', userName: 'dba' }), 'pw'), /DOMAIN\\user/);
  assert.throws(() => sourceOptions(conn({ authentication: 'EntraToken' }), undefined), /Entra token/);
});

test('container or container/folder: each database gets its own folder, by default its name', () => {
  assert.deepEqual(splitContainer('migrations', 'Sales'), { container: 'migrations', folder: 'Sales' });
  assert.deepEqual(splitContainer('migrations/sales-2026', 'Sales'), { container: 'migrations', folder: 'sales-2026' });
  assert.deepEqual(splitContainer('migrations/', 'Sales'), { container: 'migrations', folder: 'Sales' });
});

test("the view's actions follow the core's predicates, and a refusal says why", () => {
  assert.deepEqual(coreRules.canCutover(readySales()), { ok: true });
  const notRestored = migration('HR', 'InProgress', { isFullBackupRestored: false });
  assert.match((coreRules.canCutover(notRestored) as { reason: string }).reason, /full backup is not restored/);
  const offline = migration('HR', 'InProgress', { isFullBackupRestored: true }, { offlineConfiguration: { offline: true } });
  assert.match((coreRules.canCutover(offline) as { reason: string }).reason, /offline migration/);
  assert.deepEqual(coreRules.canCancel(migration('HR', 'InProgress')), { ok: true });
  assert.equal(coreRules.canCancel(migration('HR', 'Succeeded')).ok, false);
  assert.equal(coreRules.canDelete(migration('HR', 'InProgress')).ok, false);
  assert.deepEqual(coreRules.canDelete(migration('HR', 'Failed')), { ok: true });
  // A status the service may add later: nothing is allowed until it is understood.
  const unknown = migration('HR', 'Hibernating', { isFullBackupRestored: true });
  assert.equal(coreRules.canCutover(unknown).ok, false);
  assert.equal(coreRules.canCancel(unknown).ok, false);
});

test('upload progress reads as a line a user understands', () => {
  assert.equal(describeUploadEvent('Sales', { type: 'progress', path: '/b/Sales_FULL.bak', blobName: 'Sales/Sales_FULL.bak', bytesDone: 50, bytesTotal: 200, blocksSent: 1, blocksReused: 0 }), 'Sales: uploading Sales_FULL.bak (25%)');
  assert.equal(describeUploadEvent('Sales', { type: 'waiting', reason: 'no full backup yet' }), 'Sales: waiting: no full backup yet');
  assert.equal(describeUploadEvent('Sales', { type: 'idle', uploaded: 0 }), undefined);
});
