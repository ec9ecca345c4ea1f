/** The ARM emulator's tdeCertificates operation and the migration service's TDE restore rule, as functions (the sandbox wires them: managedInstanceTdeCertificates.ts, restoreEngine.ts). */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import forge from 'node-forge';
import { checkTdeCertificateBody, startTdeCertificateUpload, TdeCertificateStore } from '../../../sandbox/arm/tdeCertificates';
import { TdeBackupRegistry, tdeRestoreFailure } from '../../../sandbox/dms/tdeRestoreCheck';
import { bundledProfile } from '../../../sandbox/tds';
import { pvkOf } from '../../../sandbox/tds/pvkWriter';
import type { BackupReading } from '../../../src/core/backup';
import { buildPfx, certificateThumbprint, oneTimePassword, readPvk } from '../../../src/core/tde';

const cert = bundledProfile('default').certificates![0]!;
const der = new X509Certificate(cert.certificate).raw;
const thumbprint = certificateThumbprint(der);
const key = readPvk(pvkOf(cert.privateKey!, 'Abc12345'), 'Abc12345');
const MI = '/subscriptions/s/resourcegroups/rg/providers/microsoft.sql/managedinstances/mi';
const body = (pfx: Buffer, password: string) => ({ properties: { privateBlob: pfx.toString('base64'), certPassword: password } });

describe('POST .../managedInstances/{mi}/tdeCertificates in the emulator', () => {
  test('a good PFX is accepted; the operation stores it; a second upload fails with CertificateAlreadyExists', () => {
    const store = new TdeCertificateStore();
    const password = oneTimePassword();
    const pfx = buildPfx({ certificate: der, privateKey: key, password });
    const first = startTdeCertificateUpload(store, MI, body(pfx, password));
    assert.ok(first.accepted);
    assert.equal(first.thumbprint, thumbprint);
    assert.equal(store.holds(MI, thumbprint), false, 'held only once the operation ends');
    assert.equal(first.complete(), undefined);
    assert.ok(store.holds(MI, thumbprint.toLowerCase()));
    assert.equal(store.list(MI)[0]!.name, 'TDECert_Payroll');
    const again = startTdeCertificateUpload(store, MI, body(pfx, password));
    assert.ok(again.accepted);
    assert.equal(again.complete()?.code, 'CertificateAlreadyExists');
  });

  test('the service\'s 400s: missing blob, wrong password, no private key, not an object', () => {
    const password = oneTimePassword();
    const pfx = buildPfx({ certificate: der, privateKey: key, password });
    const code = (b: unknown) => {
      const r = checkTdeCertificateBody(b);
      return r.ok ? 'ok' : r.error.code;
    };
    assert.equal(code({ properties: {} }), 'MissingPrivateBlob');
    assert.equal(code(body(pfx, 'wrong')), 'InvalidPrivateBlobOrPassword');
    assert.equal(code({ properties: { privateBlob: 'bm90IGEgcGZ4', certPassword: 'x' } }), 'InvalidPrivateBlobOrPassword');
    assert.equal(code([]), 'InvalidResourceRequestBody');
    // A PFX with the certificate only (node-forge, which builds the product's, writes this one for the test).
    const c = forge.pki.certificateFromPem(cert.certificate);
    const certOnly = Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(null, [c], 'pw', { algorithm: '3des' })).getBytes(), 'binary');
    assert.equal(code(body(certOnly, 'pw')), 'PrivateBlobWithoutPrivateKey');
  });
});

describe('the migration service restores a TDE backup only with its certificate on the instance', () => {
  const reading = { verdict: 'backup', path: 'migrations/Payroll/Payroll_FULL.bak', header: { databaseName: 'Payroll', familyGuid: 'ABC' } } as unknown as BackupReading;
  test('fails with SQL Server\'s error 33111 naming the thumbprint; restores once the instance holds it', () => {
    const registry = new TdeBackupRegistry();
    registry.markFamily('abc', thumbprint);
    const store = new TdeCertificateStore();
    const failure = tdeRestoreFailure(reading, registry, (t) => store.holds(MI, t));
    assert.equal(failure?.code, 'RestoreFailed');
    assert.match(failure!.message, new RegExp(`Payroll_FULL\\.bak.*33111.*Cannot find server certificate with thumbprint '${thumbprint}'`));
    store.add(MI, { thumbprint, name: 'TDECert_Payroll', uploadedAt: '' });
    assert.equal(tdeRestoreFailure(reading, registry, (t) => store.holds(MI, t)), undefined);
  });
  test('backups the sandbox knows no TDE for restore as before; by name works too', () => {
    const registry = new TdeBackupRegistry();
    assert.equal(tdeRestoreFailure(reading, registry, () => false), undefined);
    registry.markDatabase('PAYROLL', thumbprint);
    assert.ok(tdeRestoreFailure(reading, registry, () => false));
  });
});
