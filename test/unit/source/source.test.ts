import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createServer } from 'node:net';
import { AZURE_CHINA, AZURE_PUBLIC, AZURE_US_GOVERNMENT, sqlDatabaseResource } from '../../../src/core/azure/cloud';
import { connectError, connectSource, driverConfig, formatServerAddress, parseServerAddress, productName, queryError, SourceError, tokenAudience } from '../../../src/core/source';

/** An unsigned JWT with these claims: enough for reading its audience. */
const jwt = (claims: Record<string, unknown>) => ['{"alg":"none","typ":"JWT"}', JSON.stringify(claims), 'sig'].map((p, i) => (i < 2 ? Buffer.from(p).toString('base64url') : p)).join('.');

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

describe('Microsoft Entra tokens and the chosen cloud', () => {
  test('the audience a token was issued for', () => {
    assert.equal(tokenAudience(jwt({ aud: 'https://database.usgovcloudapi.net/' })), 'https://database.usgovcloudapi.net/');
    assert.equal(tokenAudience('not-a-jwt'), undefined);
    assert.equal(tokenAudience('a.b.c'), undefined);
    assert.equal(tokenAudience(jwt({ aud: ['x'] })), undefined);
  });

  test('per cloud: a token for another cloud\'s SQL is refused before anything is sent; the cloud\'s own is taken to the server', async () => {
    // A port that accepts connections and closes them: a token that passes the check gets as far as the network.
    const sink = createServer((s) => s.destroy());
    await new Promise<void>((ok) => sink.listen(0, '127.0.0.1', ok));
    let connections = 0;
    sink.on('connection', () => connections++);
    const port = (sink.address() as { port: number }).port;
    try {
      for (const cloud of [AZURE_PUBLIC, AZURE_US_GOVERNMENT, AZURE_CHINA]) {
        const audience = sqlDatabaseResource(cloud);
        for (const other of [AZURE_PUBLIC, AZURE_US_GOVERNMENT, AZURE_CHINA].filter((c) => c !== cloud)) {
          const token = jwt({ aud: sqlDatabaseResource(other) });
          const before = connections;
          const e = await connectSource({ server: `127.0.0.1,${port}`, auth: { kind: 'entra-token', token, audience }, connectTimeoutMs: 2000 }).catch((x) => x);
          assert.ok(e instanceof SourceError, String(e));
          assert.equal(e.kind, 'login-failed');
          assert.equal(e.message, `The Microsoft Entra access token is for ${sqlDatabaseResource(other)}, but SQL Server in the chosen cloud takes tokens for ${audience}: 127.0.0.1,${port} would refuse it. ` +
            `Get a token for ${audience} (az account get-access-token --resource ${audience}), or choose the cloud the token was issued in.`);
          assert.equal(connections, before, `${cloud.name}: nothing sent with a ${other.name} token`);
        }
        // Its own audience (with or without the trailing slash), or an application id, goes on to the server.
        for (const aud of [audience, audience.replace(/\/$/, ''), '022907d3-0f1b-48f7-badc-1ba6abab6d66']) {
          const before = connections;
          const e = await connectSource({ server: `127.0.0.1,${port}`, auth: { kind: 'entra-token', token: jwt({ aud }), audience }, connectTimeoutMs: 2000 }).catch((x) => x);
          assert.ok(e instanceof SourceError);
          assert.doesNotMatch(e.message, /is for .* but SQL Server in the chosen cloud/);
          assert.ok(connections > before, `${cloud.name}: ${aud} reached the server`);
        }
      }
    } finally {
      await new Promise((ok) => sink.close(ok));
    }
  });
});
