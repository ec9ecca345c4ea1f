/**
 * The MSSQL extension adapter against a stand-in of the editor and of the MSSQL extension's API:
 * its saved connections (mssql.connections, user and workspace) as the wizard's source, never
 * with a password; the Object Explorer hand-over; the saved password only through its
 * connection-sharing API; and nothing at all when the extension is absent.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ActionableError } from '../../../src/extension/errors';
import { MssqlConnections, type MssqlHost } from '../../../src/extension/mssql/connections';
import { parseConnectionString, passwordOf } from '../../../src/extension/mssql/profiles';

const SECRET = 'Pa55-w0rd;"}';

function standIn(options: { installed?: boolean; api?: unknown; global?: unknown[]; workspace?: unknown[]; groups?: unknown[] } = {}) {
  const settings = {
    connections: { globalValue: options.global ?? [], workspaceValue: options.workspace ?? [] },
    connectionGroups: { globalValue: options.groups ?? [] },
  } as Record<string, { globalValue?: unknown; workspaceValue?: unknown }>;
  let configListener: ((affects: (s: string) => boolean) => void) | undefined;
  let activations = 0;
  const host: MssqlHost = {
    extensionId: 'sqlmig.azure-sql-migration-vscode',
    getExtension: (id) =>
      id === 'ms-mssql.mssql' && options.installed !== false
        ? { isActive: false, exports: undefined, activate: async () => (activations++, options.api) }
        : undefined,
    inspect: (section, key) => (section === 'mssql' ? settings[key] : undefined),
    onDidChangeConfiguration: (l) => ((configListener = l), { dispose: () => (configListener = undefined) }),
    onDidChangeExtensions: () => ({ dispose() {} }),
  };
  return { host, settings, fireConfig: (changed: string) => configListener?.((s) => changed.startsWith(s)), activations: () => activations };
}

const PROFILES = [
  { id: 'p1', profileName: 'Sales prod', server: 'sql01.contoso.com', port: 14330, database: 'Sales', user: 'migrator', password: SECRET, authenticationType: 'SqlLogin', encrypt: 'Mandatory', trustServerCertificate: false, groupId: 'g1', savePassword: true },
  { id: 'p2', server: 'tcp:sql02\\HR', authenticationType: 'Integrated', encrypt: 'Optional', trustServerCertificate: true },
  { id: 'p3', server: 'sqlmi.contoso.database.windows.net', authenticationType: 'AzureMFA', email: 'dba@contoso.com', encrypt: 'Strict' },
  { id: 'p4', connectionString: `Data Source=sql04,1500;Initial Catalog=HR;User ID=app;Password="${SECRET.replace(/"/g, '""')}";Encrypt=False;TrustServerCertificate=True` },
  { id: 'p5', server: 'sql05', authenticationType: 'ActiveDirectoryServicePrincipal', encrypt: true },
  { id: 'p6', profileName: 'no server' },
];

test('the MSSQL extension absent: unavailable with why, an empty list, nothing else touched', async () => {
  const s = standIn({ installed: false, global: PROFILES });
  const svc = new MssqlConnections(s.host);
  assert.deepEqual(svc.availability, { available: false, reason: 'The MSSQL extension (ms-mssql.mssql) is not installed, so there are no saved connections to offer.' });
  assert.deepEqual(await svc.list(new AbortController().signal), []);
  assert.equal(await svc.password('p1', new AbortController().signal), undefined);
});

test('saved connections as the source step takes them: server with its port, authentication, encryption, trust; never a password', async () => {
  const s = standIn({
    global: PROFILES,
    workspace: [{ id: 'p1', server: 'shadowed' }, { id: 'w1', server: 'sqlws', user: 'u', authenticationType: 'SqlLogin' }],
    groups: [{ id: 'ROOT', name: 'ROOT' }, { id: 'g1', name: 'Production' }],
  });
  const svc = new MssqlConnections(s.host);
  assert.deepEqual(svc.availability, { available: true });
  const list = await svc.list(new AbortController().signal);
  assert.deepEqual(
    list.map((c) => [c.id, c.label, c.connection.server, c.connection.authentication, c.connection.userName, c.connection.encrypt, c.connection.trustServerCertificate, c.database, c.group]),
    [
      ['p1', 'Sales prod', 'sql01.contoso.com,14330', 'SqlAuthentication', 'migrator', 'mandatory', false, 'Sales', 'Production'],
      ['p2', 'sql02\\HR', 'sql02\\HR', 'WindowsAuthentication', '', 'optional', true, undefined, undefined],
      ['p3', 'sqlmi.contoso.database.windows.net - dba@contoso.com', 'sqlmi.contoso.database.windows.net', 'EntraToken', 'dba@contoso.com', 'strict', false, undefined, undefined],
      ['p4', 'sql04,1500 (HR) - app', 'sql04,1500', 'SqlAuthentication', 'app', 'optional', true, 'HR', undefined],
      ['p5', 'sql05', 'sql05', 'EntraToken', '', 'mandatory', false, undefined, undefined],
      ['w1', 'sqlws - u', 'sqlws', 'SqlAuthentication', 'u', 'mandatory', false, undefined, undefined],
    ],
  );
  assert.match(list[1]!.caveat!, /Windows integrated sign-in: the assessment signs in with NTLM/);
  assert.match(list[4]!.caveat!, /service principal/);
  assert.ok(!JSON.stringify(list).includes('Pa55'), 'no password, from a profile field or a connection string');
  assert.equal(s.activations(), 0, 'listing reads the setting; the MSSQL extension is not activated for it');
});

test('changes to the saved connections are announced (subscribed on first listener)', async () => {
  const s = standIn({ global: PROFILES });
  const svc = new MssqlConnections(s.host);
  let fired = 0;
  const off = svc.onDidChange(() => fired++);
  s.fireConfig('mssql.connections');
  s.fireConfig('editor.fontSize');
  assert.equal(fired, 1);
  off();
  svc.dispose();
});

test('Object Explorer: a server node is handed to the wizard once, without the password it carries', () => {
  const svc = new MssqlConnections(standIn({ global: PROFILES }).host);
  const offered: string[] = [];
  svc.onDidOffer((c) => offered.push(c.connection.server));
  const node = { nodeType: 'Server', context: { type: 'Server' }, connectionProfile: { ...PROFILES[0], password: SECRET } };
  const c = svc.offerFromObjectExplorer(node);
  assert.equal(c.connection.server, 'sql01.contoso.com,14330');
  assert.ok(!JSON.stringify(c).includes('Pa55'));
  assert.deepEqual(offered, ['sql01.contoso.com,14330']);
  assert.equal(svc.takeOffered()?.id, 'p1');
  assert.equal(svc.takeOffered(), undefined, 'taken once');
  assert.throws(() => svc.offerFromObjectExplorer({ label: 'a node without its profile' }), ActionableError);
});

test('the saved password only through connectionSharing.getConnectionString, as the extension hands it over', async () => {
  const asked: [string, string][] = [];
  const api = {
    connectionSharing: {
      getConnectionString: async (extensionId: string, connectionId: string) => {
        asked.push([extensionId, connectionId]);
        if (connectionId === 'denied') throw new Error("Permission denied for extension 'sqlmig.azure-sql-migration-vscode'.");
        return `Data Source=sql01,14330;User ID=migrator;Password="${SECRET.replace(/"/g, '""')}";Encrypt=Mandatory`;
      },
    },
  };
  const s = standIn({ global: PROFILES, api });
  const svc = new MssqlConnections(s.host);
  assert.equal(await svc.password('p1', new AbortController().signal), SECRET);
  assert.deepEqual(asked, [['sqlmig.azure-sql-migration-vscode', 'p1']]);
  await assert.rejects(svc.password('denied', new AbortController().signal), (e: Error) => e instanceof ActionableError && /did not share the saved password \(Permission denied/.test(e.message));
  // An MSSQL extension whose API no longer offers connection sharing: no password, no failure.
  assert.equal(await new MssqlConnections(standIn({ api: { promptForConnection: async () => undefined } }).host).password('p1', new AbortController().signal), undefined);
});

test('connection strings: keywords, quoting, and the password left out of the keyword map', () => {
  const k = parseConnectionString(`Server = tcp:sql,1433 ; User ID='o''brien'; Password={x;}}y}; Application Name="a ""b"""`);
  assert.deepEqual([...k], [['server', 'tcp:sql,1433'], ['user id', "o'brien"], ['application name', 'a "b"']]);
  assert.equal(passwordOf('Server=a;Password={x;}}y};Encrypt=True'), 'x;}y');
  assert.equal(passwordOf('Server=a;PWD=plain;'), 'plain');
  assert.equal(passwordOf('Server=a;Integrated Security=SSPI'), undefined);
});

test('Object Explorer: the command shows on server nodes (connected or not) of the MSSQL extension\'s view only, never in the palette', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { menus: Record<string, { command: string; when: string }[]> } };
  const entry = pkg.contributes.menus['view/item/context']!.find((m) => m.command === 'sqlMigration.migrateMssqlServer')!;
  const m = /^view == objectExplorer && viewItem =~ \/(.*)\/$/.exec(entry.when);
  assert.ok(m, entry.when);
  const re = new RegExp(m[1]!);
  // contextValue as the MSSQL extension writes it: key=value pairs, each followed by a comma.
  for (const v of ['type=Server,subType=,filterable=false,hasFilters=false,', 'type=disconnectedServer,subType=,filterable=false,hasFilters=false,', 'type=Server,subType=Database,filterable=false,hasFilters=false,']) assert.ok(re.test(v), v);
  for (const v of ['type=Database,subType=,filterable=true,hasFilters=false,', 'type=Folder,subType=Databases,', 'type=ConnectionGroup,subType=,', 'type=ServerLevelLogin,']) assert.ok(!re.test(v), v);
  assert.deepEqual(pkg.contributes.menus.commandPalette?.find((c) => c.command === 'sqlMigration.migrateMssqlServer')?.when, 'false');
});
