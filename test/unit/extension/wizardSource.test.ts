/**
 * The source step's saved connections and "Discover servers": the MSSQL extension's profiles
 * (through the real adapter over a stand-in of the editor and of the extension's API) fill the
 * fields without a password, its saved password comes only when asked for, an Object Explorer
 * hand-over prefills the wizard (closed or open), nothing changes when the extension is absent;
 * discovery reports progress, asks before a large range, can be cancelled and fills the server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KNOWN_CLOUDS } from '../../../src/core/azure/cloud';
import { MssqlConnections, type MssqlHost } from '../../../src/extension/mssql/connections';
import { Redactor } from '../../../src/extension/redact';
import type { DiscoveryResult, ServerDiscoveryService, WizardServices } from '../../../src/extension/services/types';
import { WizardController } from '../../../src/extension/wizard/controller';
import { MemoryLog, MemorySecrets, MemoryStore, TestHost, workingServices } from './wizardServices';

const SECRET = 'Saved-Pa55;"word';
const PROFILES = [
  { id: 'p1', profileName: 'Sales prod', server: 'sql01.contoso.com', port: 14330, user: 'migrator', password: SECRET, authenticationType: 'SqlLogin', encrypt: 'Mandatory', trustServerCertificate: true },
  { id: 'p2', server: 'sql02\\HR', authenticationType: 'Integrated', encrypt: 'Optional' },
];

/** The editor and the MSSQL extension as the adapter sees them; `installed: false` is the extension absent. */
function mssql(options: { installed?: boolean; approve?: boolean } = {}) {
  const asked: string[] = [];
  let configListener: ((affects: (s: string) => boolean) => void) | undefined;
  const settings = { connections: { globalValue: [...PROFILES] as unknown[] }, connectionGroups: { globalValue: [] } } as Record<string, { globalValue?: unknown }>;
  const api = {
    connectionSharing: {
      getConnectionString: async (_ext: string, id: string) => {
        asked.push(id);
        if (options.approve === false) throw new Error('Permission denied for extension.');
        return `Data Source=sql01,14330;User ID=migrator;Password="${SECRET.replace(/"/g, '""')}"`;
      },
    },
  };
  const host: MssqlHost = {
    extensionId: 'sqlmig.azure-sql-migration-vscode',
    getExtension: (id) => (id === 'ms-mssql.mssql' && options.installed !== false ? { isActive: true, exports: api, activate: async () => api } : undefined),
    inspect: (section, key) => (section === 'mssql' ? settings[key] : undefined),
    onDidChangeConfiguration: (l) => ((configListener = l), { dispose: () => (configListener = undefined) }),
    onDidChangeExtensions: () => ({ dispose() {} }),
  };
  const svc = new MssqlConnections(host);
  return { svc, asked, settings, changed: () => configListener?.((s) => 'mssql.connections'.startsWith(s)) };
}

function setup(services: WizardServices, store = new MemoryStore()) {
  const host = new TestHost();
  const log = new MemoryLog();
  const redactor = new Redactor();
  const c = new WizardController({ services, host, store, secretStore: new MemorySecrets(), log, redactor, clouds: [...KNOWN_CLOUDS], defaultCloud: 'AzureCloud' });
  const send = async (m: unknown) => {
    c.receive(m);
    await c.settled();
  };
  const toSource = async () => {
    await send({ type: 'account.signIn' });
    await send({ type: 'next' });
    assert.equal(c.current.step, 'source');
  };
  return { c, host, log, send, toSource };
}

const everything = (h: TestHost, log: MemoryLog) => JSON.stringify(h.posted) + log.lines.join('\n');

test('saved connections: listed when the source step opens, a pick fills the fields without a password, the saved password only on request', async () => {
  const m = mssql();
  const rec = { passwordsSeen: [], started: [] };
  const { c, host, log, send, toSource } = setup({ ...workingServices(rec), savedConnections: m.svc });
  const before = c.current.source.saved;
  assert.equal(before, undefined, 'nothing read before the source step');
  await toSource();
  const saved = c.current.source.saved!;
  assert.equal(saved.available, true);
  assert.deepEqual(saved.connections.map((x) => [x.id, x.label, x.connection.server]), [['p1', 'Sales prod', 'sql01.contoso.com,14330'], ['p2', 'sql02\\HR', 'sql02\\HR']]);

  await send({ type: 'source.useSaved', id: 'p1' });
  const s = c.current.source;
  assert.deepEqual([s.server, s.authentication, s.userName, s.encrypt, s.trustServerCertificate, s.passwordEntered, s.saved?.chosen], ['sql01.contoso.com,14330', 'SqlAuthentication', 'migrator', 'mandatory', true, false, 'p1']);
  assert.deepEqual(m.asked, [], 'choosing asks the MSSQL extension for nothing');
  assert.match(c.current.issues.map((i) => i.label).join(' '), /Enter the password/);

  await send({ type: 'source.savedPassword' });
  assert.deepEqual(m.asked, ['p1']);
  assert.equal(c.current.source.passwordEntered, true);
  assert.match(c.current.source.op.status === 'done' ? c.current.source.op.message ?? '' : '', /handed over the saved password/);
  await send({ type: 'source.connect' });
  assert.deepEqual(rec.passwordsSeen, [SECRET], 'the connection uses it');
  assert.ok(!everything(host, log).includes('Pa55'), 'never in the webview\'s state or the log');

  // A Windows profile: its caveat is shown; typing another server forgets which connection it was.
  await send({ type: 'source.useSaved', id: 'p2' });
  assert.equal(c.current.source.authentication, 'WindowsAuthentication');
  assert.equal(c.current.source.passwordEntered, false, 'another connection: the password went with the old one');
  await send({ type: 'source.update', patch: { server: 'elsewhere' } });
  assert.equal(c.current.source.saved?.chosen, undefined);
  await send({ type: 'source.useSaved', id: 'no-such-profile' });
  assert.equal(c.current.source.server, 'elsewhere', 'an unknown id changes nothing');

  // The settings change: the list follows.
  m.settings.connections!.globalValue = [PROFILES[1]];
  m.changed();
  await c.settled();
  assert.deepEqual(c.current.source.saved!.connections.map((x) => x.id), ['p2']);
  c.dispose();
});

test('the saved password refused in the MSSQL extension\'s prompt: said on the step, the password still to type', async () => {
  const m = mssql({ approve: false });
  const { c, send, toSource } = setup({ ...workingServices({ passwordsSeen: [], started: [] }), savedConnections: m.svc });
  await toSource();
  await send({ type: 'source.useSaved', id: 'p1' });
  await send({ type: 'source.savedPassword' });
  const op = c.current.source.op;
  assert.equal(op.status, 'error');
  assert.match(op.status === 'error' ? op.message : '', /did not share the saved password \(Permission denied/);
  assert.equal(c.current.source.passwordEntered, false);
  c.dispose();
});

test('the MSSQL extension absent: the step says so, and typing a server works as before', async () => {
  const m = mssql({ installed: false });
  const rec = { passwordsSeen: [] as (string | undefined)[], started: [] };
  const { c, send, toSource } = setup({ ...workingServices(rec), savedConnections: m.svc });
  await toSource();
  assert.deepEqual(c.current.source.saved, { available: false, reason: 'The MSSQL extension (ms-mssql.mssql) is not installed, so there are no saved connections to offer.', connections: [] });
  await send({ type: 'source.savedPassword' });
  assert.equal(c.current.source.op.status, 'error', 'no saved connection chosen');
  await send({ type: 'source.update', patch: { server: 'sql01', userName: 'migrator' } });
  await send({ type: 'source.password', value: 'typed' });
  await send({ type: 'source.connect' });
  assert.equal(c.current.source.connected?.serverName, 'SQL01');
  c.dispose();
});

test('Object Explorer: a server handed over before the wizard opens, or while it is open, fills the source fields', async () => {
  const m = mssql();
  m.svc.offerFromObjectExplorer({ nodeType: 'Server', connectionProfile: { ...PROFILES[0] } });
  const { c, host, log, send, toSource } = setup({ ...workingServices({ passwordsSeen: [], started: [] }), savedConnections: m.svc });
  assert.equal(c.current.source.server, 'sql01.contoso.com,14330', 'prefilled as the wizard opens');
  assert.equal(c.current.source.saved?.offered, true);
  assert.equal(m.svc.takeOffered(), undefined, 'taken by the wizard');
  await toSource();
  assert.equal(c.current.source.saved?.chosen, 'p1', 'still the chosen one once the list is read');
  // The wizard is open: another server from Object Explorer replaces it.
  m.svc.offerFromObjectExplorer({ nodeType: 'Server', connectionProfile: { id: 'oe-only', server: 'sql09', user: 'sa', authenticationType: 'SqlLogin' } });
  await c.settled();
  assert.deepEqual([c.current.source.server, c.current.source.userName, c.current.source.saved?.chosen], ['sql09', 'sa', 'oe-only']);
  assert.ok(c.current.source.saved!.connections.some((x) => x.id === 'oe-only'), 'listed although not saved');
  assert.ok(!everything(host, log).includes('Pa55'));
  await send({ type: 'source.refreshSaved' });
  assert.equal(c.current.source.saved?.chosen, 'oe-only', 'a refresh keeps the handed-over server');
  c.dispose();
  // A closed wizard follows no hand-over.
  m.svc.offerFromObjectExplorer({ nodeType: 'Server', connectionProfile: { id: 'later', server: 'sql10' } });
  assert.equal(c.current.source.server, 'sql09');
});

/** A discovery service that answers from the test's script. */
function scriptedDiscovery(script: { hold?: boolean; tooMany?: number } = {}) {
  const calls: { targets: string[]; options: unknown }[] = [];
  const service: ServerDiscoveryService = {
    availability: { available: true },
    discover: async (targets, options, signal, onProgress) => {
      calls.push({ targets, options });
      if (script.tooMany && !options.confirmed) throw Object.assign(new Error(`the targets stand for ${script.tooMany} hosts`), { name: 'TooManyTargetsError', count: script.tooMany, cap: 256, hard: false });
      onProgress?.('10.0.4.1', 0.5);
      // Longer than the controller batches messages: the progress is posted on its own.
      await new Promise((r) => setTimeout(r, 150));
      if (script.hold) {
        await new Promise((_r, reject) => {
          const fail = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          if (signal.aborted) fail();
          else signal.addEventListener('abort', fail, { once: true });
        });
      }
      const result: DiscoveryResult = {
        servers: [
          { address: '10.0.4.1,50123', host: '10.0.4.1', serverName: 'SQL01', instance: 'SALES', port: 50123, version: '15.0.4298.1', productName: 'SQL Server 2019', clustered: false, tds: true },
          { address: '10.0.4.2', host: '10.0.4.2', port: 1433, version: '16.0.1000', tds: true },
        ],
        hosts: targets.length,
        silent: 1,
        problems: ['10.0.4.9: malformed SQL Server Browser reply'],
        durationMs: 1234,
      };
      return result;
    },
  };
  return { service, calls };
}

test('Discover servers: progress, what answered, a pick fills the server field', async () => {
  const d = scriptedDiscovery();
  const { c, host, send, toSource } = setup({ ...workingServices({ passwordsSeen: [], started: [] }), discovery: d.service });
  await toSource();
  assert.equal(c.current.source.discovery?.available, true);
  await send({ type: 'source.discover', targets: 'sql01, 10.0.4.0/30', ports: '1433 14330', browserPort: 11434 });
  assert.deepEqual(d.calls[0]!.targets, ['sql01', '10.0.4.0/30']);
  assert.deepEqual(d.calls[0]!.options, { timeoutMs: 2000, confirmed: false, ports: [1433, 14330], ssrpPort: 11434 });
  const view = c.current.source.discovery!;
  assert.deepEqual(view.servers.map((x) => x.address), ['10.0.4.1,50123', '10.0.4.2']);
  assert.equal(view.silent, 1);
  assert.deepEqual(view.problems, ['10.0.4.9: malformed SQL Server Browser reply']);
  assert.equal(view.op.status === 'done' && view.op.message, 'Found 2 SQL Server instances in 1.2 s. 1 of 2 hosts did not answer.');
  assert.ok(host.views.some((v) => v.source.discovery?.op.status === 'busy' && v.source.discovery.progress === 0.5), 'progress reached the webview');
  await send({ type: 'source.update', patch: { server: view.servers[0]!.address } });
  assert.equal(c.current.source.server, '10.0.4.1,50123');

  await send({ type: 'source.discover', targets: 'sql01', ports: '1433 99999' });
  assert.equal(d.calls.length, 1, 'a port that is not one: nothing sent');
  assert.match(c.current.source.discovery!.op.status === 'error' ? c.current.source.discovery!.op.message : '', /99999 is not a TCP port/);
  await send({ type: 'source.discover', targets: '  ' });
  assert.equal(d.calls.length, 1, 'no target: nothing sent');
  c.dispose();
});

test('Discover servers: a large range is probed only once confirmed; a running discovery can be cancelled', async () => {
  const big = scriptedDiscovery({ tooMany: 4094 });
  let w = setup({ ...workingServices({ passwordsSeen: [], started: [] }), discovery: big.service });
  await w.toSource();
  await w.send({ type: 'source.discover', targets: '10.0.0.0/20' });
  assert.equal(w.c.current.source.discovery?.confirm, 4094);
  assert.equal(w.c.current.source.discovery?.servers.length, 0);
  await w.send({ type: 'source.discover', targets: '10.0.0.0/20', confirmed: true });
  assert.equal((big.calls[1]!.options as { confirmed: boolean }).confirmed, true);
  assert.equal(w.c.current.source.discovery?.confirm, undefined);
  assert.equal(w.c.current.source.discovery?.servers.length, 2);
  w.c.dispose();

  const held = scriptedDiscovery({ hold: true });
  w = setup({ ...workingServices({ passwordsSeen: [], started: [] }), discovery: held.service });
  await w.toSource();
  w.c.receive({ type: 'source.discover', targets: '10.0.4.0/24' });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(w.c.current.source.discovery?.op.status, 'busy');
  await w.send({ type: 'source.cancelDiscovery' });
  assert.deepEqual(w.c.current.source.discovery?.op, { status: 'done', message: 'Discovery was cancelled.' });
  w.c.dispose();
});

test('without the discovery and saved-connection services the source step is as it was', async () => {
  const { c, toSource } = setup(workingServices({ passwordsSeen: [], started: [] }));
  await toSource();
  assert.equal(c.current.source.saved, undefined);
  assert.equal(c.current.source.discovery, undefined);
  c.dispose();
});
