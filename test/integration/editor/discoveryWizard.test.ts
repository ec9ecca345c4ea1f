/**
 * "Discover servers" from the wizard's source step against the sandbox's SQL Servers (its fleet:
 * a SQL Server Browser on a UDP port of the test's own, named instances behind TDS servers): the
 * editor's real services (createBackend) under the wizard's controller, nothing of ours stubbed.
 * The instances found fill the server field and the real source service connects to the one
 * picked; a host where nothing answers is counted; Cancel stops a discovery that waits on it.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { KNOWN_CLOUDS } from '../../../src/core/azure/cloud';
import { Redactor } from '../../../src/extension/redact';
import { createBackend, type FullBackend } from '../../../src/extension/services';
import type { SignedInAccount } from '../../../src/extension/services/types';
import { WizardController } from '../../../src/extension/wizard/controller';
import { MemoryLog, MemorySecrets, MemoryStore, TestHost } from '../../unit/extension/wizardServices';

let sb: Sandbox;
let backend: FullBackend;
const redactor = new Redactor();
const log = new MemoryLog();

before(async () => {
  sb = await startSandbox({ sourceServer: false, fleet: true });
  const account: SignedInAccount = { cloud: KNOWN_CLOUDS[0]!, label: 'sandbox' };
  backend = createBackend({
    redactor,
    log,
    accounts: { current: async () => account },
    registry: { list: () => [], add: async () => undefined },
    uploadJobs: { load: () => [], save: async () => undefined },
    uploadConcurrency: () => 1,
    signIn: { availability: { available: true }, signIn: async () => account },
  });
});
after(async () => {
  backend?.uploads.dispose();
  await sb?.stop();
});

function wizard() {
  const host = new TestHost();
  const c = new WizardController({ services: backend.wizard, host, store: new MemoryStore(), secretStore: new MemorySecrets(), log, redactor, clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  return { c, host, send };
}

test('the sandbox starts its SQL Servers to discover when asked: the info names the Browser port and each instance', () => {
  const fleet = sb.info.fleet!;
  assert.ok(fleet.ssrpPort > 0);
  assert.deepEqual(fleet.instances.map((i) => i.name).sort(), ['HR', 'LEGACY', 'MSSQLSERVER', 'SALES']);
  assert.ok(fleet.instances.every((i) => i.host === '127.0.0.1' && i.address.startsWith('127.0.0.1,')));
});

test('Discover servers on the source step: the named instances with versions; a pick fills the server and the real source service connects to it', async () => {
  const fleet = sb.info.fleet!;
  const { c, host, send } = wizard();
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  assert.equal(c.current.source.discovery?.available, true);
  await send({ type: 'source.discover', targets: '127.0.0.1', browserPort: fleet.ssrpPort });
  const d = c.current.source.discovery!;
  assert.equal(d.op.status, 'done', JSON.stringify(d.op));
  const byInstance = new Map(fleet.instances.map((i) => [i.name, i.address]));
  assert.deepEqual(
    d.servers.map((s) => [s.instance, s.address, s.productName, s.clustered, s.tds]),
    [
      ['HR', byInstance.get('HR'), 'SQL Server 2016', false, true],
      ['LEGACY', byInstance.get('LEGACY'), 'SQL Server 2012', true, true],
      ['MSSQLSERVER', byInstance.get('MSSQLSERVER'), 'SQL Server 2022', false, true],
      ['SALES', byInstance.get('SALES'), 'SQL Server 2019', false, true],
    ],
  );
  assert.ok(host.views.some((v) => v.source.discovery?.op.status === 'busy'), 'the webview saw it running');

  const sales = d.servers.find((s) => s.instance === 'SALES')!;
  await send({ type: 'source.update', patch: { server: sales.address, userName: fleet.user, trustServerCertificate: true } });
  await send({ type: 'source.password', value: fleet.password });
  await send({ type: 'source.connect' });
  assert.equal(c.current.source.op.status, 'idle', JSON.stringify(c.current.source.op));
  assert.equal(c.current.source.connected?.serverName, 'SQLSANDBOX\\SALES');
  assert.ok(c.current.source.databases.length > 0);
  assert.ok(!JSON.stringify(host.posted).includes(fleet.password));
  c.dispose();
});

test('a host where nothing answers is counted, not an error; Cancel stops a discovery under way', async () => {
  const fleet = sb.info.fleet!;
  const { c, send } = wizard();
  await send({ type: 'account.signIn' });
  await send({ type: 'next' });
  // Nothing of the sandbox listens on this Browser port: the host is silent (TCP 1433 refused too).
  await send({ type: 'source.discover', targets: '127.0.0.1', browserPort: fleet.ssrpPort === 65000 ? 65001 : 65000 });
  const d = c.current.source.discovery!;
  assert.deepEqual([d.servers.length, d.silent], [0, 1], JSON.stringify(d));
  assert.match(d.op.status === 'done' ? d.op.message ?? '' : '', /^Found 0 SQL Server instances in [\d.]+ s\. 1 of 1 hosts did not answer\.$/);

  // A Browser port that reads the question and never answers: the discovery waits (2 s a request) until Cancel.
  const mute = createSocket('udp4');
  await new Promise<void>((r) => mute.bind(0, '127.0.0.1', () => r()));
  try {
    const t0 = Date.now();
    c.receive({ type: 'source.discover', targets: '127.0.0.1', browserPort: mute.address().port });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.current.source.discovery?.op.status, 'busy');
    await send({ type: 'source.cancelDiscovery' });
    assert.deepEqual(c.current.source.discovery?.op, { status: 'done', message: 'Discovery was cancelled.' });
    assert.ok(Date.now() - t0 < 1500, `stopped at once, not at the timeout: ${Date.now() - t0} ms`);
  } finally {
    mute.close();
    c.dispose();
  }
});
