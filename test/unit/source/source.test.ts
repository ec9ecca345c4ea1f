import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectError, driverConfig, formatServerAddress, parseServerAddress, productName, queryError } from '../../../src/core/source';

describe('server addresses', () => {
  test('HOST, HOST,PORT, HOST\\INSTANCE, tcp:, IPv6, (local)', () => {
    assert.deepEqual(parseServerAddress('sql01'), { host: 'sql01' });
    assert.deepEqual(parseServerAddress('tcp:sql01.contoso.com, 1533'), { host: 'sql01.contoso.com', port: 1533 });
    assert.deepEqual(parseServerAddress('sql01\\PROD'), { host: 'sql01', instance: 'PROD' });
    assert.deepEqual(parseServerAddress('[::1],1433'), { host: '::1', port: 1433 });
    assert.deepEqual(parseServerAddress('(local)'), { host: 'localhost' });
    assert.equal(formatServerAddress({ host: '::1', port: 1433 }), '[::1],1433');
    assert.throws(() => parseServerAddress(' '), /empty/);
    assert.throws(() => parseServerAddress('sql01,port'), /must be a number/);
    assert.throws(() => parseServerAddress('sql01\\'), /instance name after the backslash is empty/);
  });

  test('product names from versions', () => {
    assert.equal(productName('10.50.6000.34'), 'SQL Server 2008 R2');
    assert.equal(productName('16.0.4135.4'), 'SQL Server 2022');
    assert.equal(productName('99.0.1'), 'SQL Server (version 99.0.1)');
  });
});

describe('driver configuration', () => {
  test('encryption modes and authentication kinds map onto tedious options', () => {
    const sql = driverConfig({ server: 'h,1444', auth: { kind: 'sql', user: 'u', password: 'p' } });
    assert.equal(sql.port, 1444);
    assert.equal(sql.options!.encrypt, true);
    assert.equal(sql.options!.trustServerCertificate, false);
    const strict = driverConfig({ server: 'h', auth: { kind: 'sql', user: 'u', password: 'p' }, encrypt: 'strict', trustServerCertificate: true });
    assert.equal(strict.options!.encrypt, 'strict');
    assert.equal(strict.options!.trustServerCertificate, false, 'strict always validates');
    const ntlm = driverConfig({ server: 'h\\I', auth: { kind: 'windows', user: 'CONTOSO\\dba', password: 'p' } });
    assert.deepEqual(ntlm.authentication, { type: 'ntlm', options: { userName: 'dba', password: 'p', domain: 'CONTOSO' } });
    assert.equal(ntlm.options!.instanceName, 'I');
    const entra = driverConfig({ server: 'h', auth: { kind: 'entra-token', token: 't' }, encrypt: 'optional' });
    assert.equal(entra.authentication!.type, 'azure-active-directory-access-token');
    assert.equal(entra.options!.encrypt, false);
  });
});

describe('error classes', () => {
  const ctx = { server: 'sql01', user: 'migrator' };
  test('from the shapes mssql and tedious produce', () => {
    assert.equal(connectError({ code: 'ESOCKET', originalError: { code: 'ESOCKET', cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND sql01' } } }, ctx).kind, 'unreachable');
    assert.match(connectError({ code: 'ETIMEOUT', message: 'Failed to connect to sql01:1433 in 15000ms' }, { ...ctx, connectTimeoutMs: 15000 }).message, /no answer within 15 s/);
    assert.equal(connectError({ code: 'ELOGIN', message: "Login failed for user 'migrator'." }, ctx).kind, 'login-failed');
    assert.equal(connectError({ code: 'ESOCKET', originalError: { cause: { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' } } }, ctx).kind, 'tls');
    assert.equal(connectError({ code: 'EINSTLOOKUP', message: 'Port for PROD not found in ServerName;sql01' }, ctx).kind, 'unreachable');
    assert.equal(queryError({ code: 'EREQUEST', number: 300, message: 'VIEW SERVER STATE permission was denied' }, ctx).kind, 'permission');
    assert.equal(queryError({ code: 'ECANCEL', message: 'Canceled.' }, ctx).kind, 'cancelled');
    assert.equal(queryError({ code: 'ETIMEOUT', message: 'Timeout' }, { ...ctx, queryTimeoutMs: 2000 }).kind, 'timeout');
    assert.equal(queryError({ code: 'EREQUEST', number: 102, message: "Incorrect syntax near 'x'." }, ctx).kind, 'sql');
  });
});
