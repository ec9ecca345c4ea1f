/**
 * A TDE database's way to the managed instance: its certificate read from the source over TDS
 * (CERTENCODED, CERTPRIVATEKEY with a one-time password), the PFX built in memory and uploaded
 * with the real @azure/arm-sql client to a loopback Resource Manager stand-in that serves the
 * emulator's tdeCertificates operation (sandbox/arm/tdeCertificates.ts, until it is wired into
 * the sandbox) as a long-running operation. Before the upload the plan check refuses the
 * migration and the migration service's rule fails the restore of the database's real
 * synthetic backup with SQL Server's error; after it, both let it through, and the sandbox
 * instance lists the certificate in master.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { startTdeCertificateUpload, TdeCertificateStore } from '../../../sandbox/arm/tdeCertificates';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { TdeBackupRegistry, tdeRestoreFailure } from '../../../sandbox/dms/tdeRestoreCheck';
import { readBackup, FileSource } from '../../../src/core/backup';
import { credentialForCloud } from '../../../src/core/azure/credentials';
import { parseCloud } from '../../../src/core/azure/cloud';
import { tdeProblems } from '../../../src/core/migration/tdeCheck';
import { readTargetCertificates } from '../../../src/core/serverObjects';
import { applyTdePlan, planTdeCertificates, readTdeDatabases } from '../../../src/core/tde';
import { tempDir } from '../../support/tmp';
import { startPair, type Pair } from './support';

const SUB = '5a1db0c5-0000-4000-8000-00000000b0c5';
const MI_ID = `/subscriptions/${SUB}/resourceGroups/rg-sqlmig-sandbox/providers/Microsoft.Sql/managedInstances/sqlmi-sandbox`;
const token = randomBytes(16).toString('hex');
const store = new TdeCertificateStore();
const seen: { method: string; url: string; apiVersion: string | null; body?: string }[] = [];
let pair: Pair;
let arm: Server;
let armUrl = '';

before(async () => {
  // The sandbox instance lists, in master, what the emulator's store holds.
  pair = await startPair(undefined, { certificates: () => store.list(MI_ID) });
  const ops = new Map<string, { status: string; error?: { code: string; message: string } }>();
  arm = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      seen.push({ method: req.method!, url: url.pathname, apiVersion: url.searchParams.get('api-version'), ...(data && { body: data }) });
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: { code: 'AuthenticationFailed', message: 'no token' } });
      if (req.method === 'POST' && url.pathname.toLowerCase() === `${MI_ID}/tdeCertificates`.toLowerCase()) {
        const started = startTdeCertificateUpload(store, MI_ID, JSON.parse(data));
        if (!started.accepted) return send(started.error.status, { error: { code: started.error.code, message: started.error.message } });
        const id = randomUUID();
        ops.set(id, { status: 'InProgress' });
        setTimeout(() => {
          const failure = started.complete();
          ops.set(id, failure ? { status: 'Failed', error: failure } : { status: 'Succeeded' });
        }, 50);
        return send(202, undefined, { 'azure-asyncoperation': `${armUrl}/subscriptions/${SUB}/providers/Microsoft.Sql/locations/eastus/tdeCertAzureAsyncOperation/${id}?api-version=2020-11-01-preview`, 'retry-after': '0' });
      }
      const op = /tdeCertAzureAsyncOperation\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && op && ops.has(op[1]!)) return send(200, { name: op[1], ...ops.get(op[1]!) });
      return send(404, { error: { code: 'ResourceNotFound', message: url.pathname } });
    });
  });
  await new Promise<void>((r) => arm.listen(0, '127.0.0.1', r));
  armUrl = `http://127.0.0.1:${(arm.address() as { port: number }).port}`;
});
after(async () => {
  await pair?.stop();
  await new Promise((r) => arm?.close(r));
});

test('a TDE database: refused before its certificate is on the instance, restored after it; the key never leaves memory', async () => {
  const cloud = parseCloud({ name: 'loopback', armEndpoint: armUrl, accessToken: token, subscriptionId: SUB });
  const ctx = { cloud, credential: credentialForCloud(cloud), retry: { maxRetries: 0 } };
  const source = await pair.connectSource();
  const target = await pair.connectTarget();
  try {
    const tde = await readTdeDatabases(source, 15);
    assert.deepEqual(tde.map((d) => [d.database, d.certificateName, d.privateKeyEncryption]), [['Payroll', 'TDECert_Payroll', 'MK']]);
    const thumbprint = tde[0]!.thumbprint;

    // The database's backups, as the sandbox writes them; the sandbox's side table says they are TDE-encrypted.
    const folder = tempDir('sqlmig-tde-');
    const chain = sampleChain({ databaseName: 'Payroll', logs: 1 });
    const [fullPath] = await writeChain(folder, chain);
    const full = await readBackup(await FileSource.open(fullPath!));
    const registry = new TdeBackupRegistry();
    registry.markDatabase('Payroll', thumbprint);
    const holds = (t: string) => store.holds(MI_ID, t);

    // Before: the plan refuses to start, and the restore would fail with SQL Server's error.
    let onTarget = new Set((await readTargetCertificates(target)).keys());
    assert.deepEqual(tdeProblems(['Payroll', 'Sales'], tde, onTarget).map((p) => p.code), ['tde-certificate-missing']);
    assert.match(tdeRestoreFailure(full, registry, holds)!.message, /Cannot find server certificate with thumbprint/);

    const plan = planTdeCertificates(tde, onTarget, ['Payroll', 'Sales']);
    assert.deepEqual(plan.items.map((i) => i.action), ['upload']);
    assert.deepEqual(plan.notEncrypted, ['Sales']);
    const results = await applyTdePlan(source, ctx, { subscriptionId: SUB, resourceGroup: 'rg-sqlmig-sandbox', managedInstance: 'sqlmi-sandbox' }, plan, { pollIntervalMs: 10 });
    assert.deepEqual(results.map((r) => [r.status, r.message]), [['uploaded', undefined]]);

    // After: the instance holds it, the check passes and the restore goes through.
    onTarget = new Set((await readTargetCertificates(target)).keys());
    assert.ok(onTarget.has(thumbprint));
    assert.deepEqual(tdeProblems(['Payroll'], tde, onTarget), []);
    assert.equal(tdeRestoreFailure(full, registry, holds), undefined);

    // The real client's request: the operation's path and api-version, the body's two properties; the export query never carried the password in its text.
    const post = seen.find((s) => s.method === 'POST')!;
    assert.equal(post.apiVersion, '2020-11-01-preview');
    assert.deepEqual(Object.keys(JSON.parse(post.body!).properties).sort(), ['certPassword', 'privateBlob']);
    const exportQuery = pair.source.stats.queryIds.filter((id) => id === 'tde.export');
    assert.equal(exportQuery.length, 1);

    // Once more: the instance answers CertificateAlreadyExists, reported as already there.
    const again = await applyTdePlan(source, ctx, { subscriptionId: SUB, resourceGroup: 'rg-sqlmig-sandbox', managedInstance: 'sqlmi-sandbox' }, planTdeCertificates(tde, undefined), { pollIntervalMs: 10 });
    assert.deepEqual(again.map((r) => [r.status, r.message]), [['already-there', undefined]]);
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
});

test('certificates that cannot move are named with the reason', () => {
  const base = { encryptionState: 3, thumbprint: '0x01', certificateId: 1, certificateName: 'c', expiry: null } as const;
  const plan = planTdeCertificates([
    { ...base, database: 'A', encryptorType: 'ASYMMETRIC KEY', privateKeyEncryption: null },
    { ...base, database: 'B', thumbprint: '0x02', encryptorType: 'CERTIFICATE', privateKeyEncryption: 'PW' },
    { ...base, database: 'C', thumbprint: '0x03', encryptorType: 'CERTIFICATE', privateKeyEncryption: 'NA' },
    { ...base, database: 'D', thumbprint: '0x04', encryptorType: 'CERTIFICATE', certificateId: null, certificateName: null, privateKeyEncryption: null },
  ], new Set());
  assert.deepEqual(plan.items.map((i) => [i.databases[0], i.action, /EKM|password|no private key|no certificate/.exec(i.reason ?? '')?.[0]]),
    [['A', 'cannot', 'EKM'], ['B', 'cannot', 'password'], ['C', 'cannot', 'no private key'], ['D', 'cannot', 'no certificate']]);
});
