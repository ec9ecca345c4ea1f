import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { bundledProfile, startTdsServer, type RunningTdsServer } from '../../../sandbox/tds';
import { connectSource, readInventory, SourceError, sourceQuery, type SourceConnectionOptions } from '../../../src/core/source';

const password = randomBytes(12).toString('base64url');
const token = randomBytes(24).toString('base64url');
let server: RunningTdsServer;
let slow: RunningTdsServer;
let forced: RunningTdsServer;

const opts = (s: RunningTdsServer, extra: Partial<SourceConnectionOptions> = {}): SourceConnectionOptions => ({
  server: `127.0.0.1,${s.port}`,
  auth: { kind: 'sql', user: 'migrator', password },
  trustServerCertificate: true,
  connectTimeoutMs: 5000,
  ...extra,
});

async function failure(o: SourceConnectionOptions): Promise<SourceError> {
  try {
    const c = await connectSource(o);
    await c.close();
  } catch (e) {
    assert.ok(e instanceof SourceError, `expected a SourceError, got ${String(e)}`);
    return e;
  }
  assert.fail('the connection should have failed');
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  const profile = bundledProfile('default');
  const logins = [{ user: 'migrator', password }];
  server = await startTdsServer({ profile, logins, accessTokens: [token] });
  slow = await startTdsServer({ profile, logins, latencyMs: 3000 });
  forced = await startTdsServer({ profile, logins, tls: 'required' });
});
after(async () => {
  await Promise.all([server.stop(), slow.stop(), forced.stop()]);
});

describe('connecting to the source SQL Server', () => {
  test('SQL authentication over TLS (mandatory, trusting the sandbox certificate)', async () => {
    const c = await connectSource(opts(server));
    const [row] = await c.query<{ server_name: string }>(sourceQuery('server.properties', 'SELECT 1'));
    assert.equal(row!.server_name, 'SQLSRC01');
    assert.equal(c.roundTrips, 1);
    await c.close();
  });

  test('TDS 8.0 strict encryption with the server certificate as a trusted one', async () => {
    const c = await connectSource(opts(server, { encrypt: 'strict', trustServerCertificate: false, trustedCertificates: server.certificate!, hostNameInCertificate: 'localhost' }));
    const inv = await readInventory(c);
    assert.equal(inv.properties.productName, 'SQL Server 2019');
    await c.close();
  });

  test('encryption optional: a plain connection', async () => {
    const c = await connectSource(opts(server, { encrypt: 'optional', trustServerCertificate: false }));
    assert.equal((await readInventory(c)).databases.length, 8);
    await c.close();
  });

  test('Microsoft Entra access token: accepted, and a wrong one refused', async () => {
    const c = await connectSource(opts(server, { auth: { kind: 'entra-token', token } }));
    await c.close();
    const e = await failure(opts(server, { auth: { kind: 'entra-token', token: `${token}x` } }));
    assert.equal(e.kind, 'login-failed');
    assert.ok(!e.message.includes(token), 'the token never appears in the message');
  });

  test('unreachable: nothing listens on the port', async () => {
    const e = await failure(opts(server, { server: `127.0.0.1,${await freePort()}` }));
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /Cannot reach 127\.0\.0\.1,\d+: nothing accepts connections on that port\. Check the host name and port/);
  });

  test('login failed: wrong password gives error 18456 and advice, never the password', async () => {
    const wrong = `${password}-wrong`;
    const e = await failure(opts(server, { auth: { kind: 'sql', user: 'migrator', password: wrong } }));
    assert.equal(e.kind, 'login-failed');
    assert.equal(e.number, 18456);
    assert.match(e.message, /Login to 127\.0\.0\.1,\d+ as migrator failed \(SQL Server error 18456\)\. Check the user name and password/);
    assert.ok(!e.message.includes(wrong) && !e.message.includes(password));
  });

  test('login failed: Windows authentication to a server that trusts no domain', async () => {
    const e = await failure(opts(server, { auth: { kind: 'windows', user: 'CONTOSO\\dba', password } }));
    assert.equal(e.kind, 'login-failed');
    assert.equal(e.number, 18452);
    assert.match(e.message, /Windows authentication .* refused .* 18452/);
  });

  test('TLS: an untrusted self-signed certificate', async () => {
    const e = await failure(opts(server, { trustServerCertificate: false }));
    assert.equal(e.kind, 'tls');
    assert.match(e.message, /not signed by an authority this machine trusts/);
  });

  test('TLS: strict mode validates the certificate even when trustServerCertificate is set', async () => {
    const e = await failure(opts(server, { encrypt: 'strict', trustServerCertificate: true }));
    assert.equal(e.kind, 'tls');
  });

  test('TLS: a server that requires encryption refuses a plain connection', async () => {
    const e = await failure(opts(forced, { encrypt: 'optional' }));
    assert.equal(e.kind, 'tls');
    assert.match(e.message, /requires an encrypted connection/);
  });

  test('permission: a query the login may not run', async () => {
    const denied = await startTdsServer({ profile: bundledProfile('default'), logins: [{ user: 'migrator', password, deny: ['server.jobSteps'] }] });
    try {
      const c = await connectSource(opts(denied));
      await assert.rejects(c.query(sourceQuery('server.jobSteps', 'SELECT 1')), (e: SourceError) => {
        assert.equal(e.kind, 'permission');
        assert.equal(e.number, 229);
        assert.match(e.message, /may not run query server\.jobSteps .* SELECT permission was denied .* sysadmin covers all of them/);
        return true;
      });
      await c.close();
    } finally {
      await denied.stop();
    }
  });

  test('a query outside the product gets a proper SQL error', async () => {
    const c = await connectSource(opts(server));
    await assert.rejects(c.query({ id: 'adhoc', text: 'SELECT name FROM sys.tables' }), (e: SourceError) => {
      assert.equal(e.kind, 'sql');
      assert.equal(e.number, 50000);
      assert.match(e.message, /answers only sqlmig's catalog queries/);
      return true;
    });
    // The connection is still usable afterwards.
    assert.equal((await c.query(sourceQuery('server.properties', 'SELECT 1'))).length, 1);
    await c.close();
  });

  test('cancel: aborting a running query sends an attention and returns at once', async () => {
    const c = await connectSource(opts(slow));
    const before = slow.stats.attentions;
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(c.query(sourceQuery('server.properties', 'SELECT 1'), { signal: controller.signal }), (e: SourceError) => e.kind === 'cancelled');
    assert.ok(performance.now() - started < 1500, `took ${performance.now() - started} ms`);
    // The server saw the attention, and the connection still answers.
    for (let i = 0; i < 50 && slow.stats.attentions === before; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(slow.stats.attentions, before + 1);
    await c.close();
  });

  test('timeout: a query slower than the query timeout', async () => {
    const c = await connectSource(opts(slow, { queryTimeoutMs: 300 }));
    await assert.rejects(c.query(sourceQuery('server.properties', 'SELECT 1')), (e: SourceError) => {
      assert.equal(e.kind, 'timeout');
      assert.match(e.message, /did not finish within 0 s|did not finish within/);
      return true;
    });
    await c.close();
  });
});
