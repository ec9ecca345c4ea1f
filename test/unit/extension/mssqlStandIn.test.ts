/**
 * The e2e's MSSQL extension stand-in (test/e2e/mssql-stand-in) against the adapter, in process:
 * its settings listed as saved connections, one of its Object Explorer server nodes handed to
 * the wizard, and its connection-sharing API asked for a password (after its approval prompt).
 * The same surface the editor test drives in a real editor.
 */
import assert from 'node:assert/strict';
import Module from 'node:module';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { MssqlConnections, type MssqlHost } from '../../../src/extension/mssql/connections';

const settings: Record<string, Record<string, unknown>> = {
  mssql: {
    connections: [
      { id: 'standin-1', profileName: 'Sandbox SALES', server: '127.0.0.1', port: 41433, user: 'sqlmig', authenticationType: 'SqlLogin', encrypt: 'Mandatory', trustServerCertificate: true },
      { id: 'standin-2', server: 'sql02\\HR', authenticationType: 'Integrated' },
    ],
    connectionGroups: [],
  },
  mssqlStandIn: { savedPasswords: { 'standin-1': 'sandbox-secret' } },
};
const prompts: string[] = [];
let tree: { getChildren(n?: unknown): unknown[]; getTreeItem(n: unknown): { contextValue?: string; label?: string } } | undefined;

class EventEmitter {
  event = () => ({ dispose() {} });
  fire() {}
}
const fakeVscode = {
  EventEmitter,
  TreeItem: class {
    contextValue?: string;
    constructor(readonly label: string) {}
  },
  ThemeIcon: class {
    constructor(readonly id: string) {}
  },
  TreeItemCollapsibleState: { None: 0 },
  window: {
    registerTreeDataProvider: (_id: string, p: typeof tree) => ((tree = p), { dispose() {} }),
    showInformationMessage: async (text: string, ...items: string[]) => (prompts.push(text), items[0]),
    showQuickPick: async (items: unknown[]) => items[0],
  },
  workspace: {
    getConfiguration: (section: string) => ({
      get: (key: string) => settings[section]?.[key],
      inspect: (key: string) => ({ globalValue: settings[section]?.[key] }),
    }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
};

function loadStandIn(): { activate(context: unknown): unknown } {
  const M = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = M._load;
  M._load = function (request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? fakeVscode : original.call(this, request, parent, isMain);
  };
  try {
    return require(resolve('test/e2e/mssql-stand-in/extension.js')) as { activate(context: unknown): unknown };
  } finally {
    M._load = original;
  }
}

test('the stand-in through the adapter: saved connections, an Object Explorer node, a shared password', async () => {
  const standIn = loadStandIn();
  let exports: unknown;
  let active = false;
  const host: MssqlHost = {
    extensionId: 'sqlmig.azure-sql-migration-vscode',
    getExtension: (id) =>
      id === 'ms-mssql.mssql'
        ? { get isActive() { return active; }, get exports() { return exports; }, activate: async () => ((exports ??= standIn.activate({ subscriptions: [] })), (active = true), exports) }
        : undefined,
    inspect: (section, key) => fakeVscode.workspace.getConfiguration(section).inspect(key),
    onDidChangeConfiguration: () => ({ dispose() {} }),
    onDidChangeExtensions: () => ({ dispose() {} }),
  };
  const svc = new MssqlConnections(host);
  const list = await svc.list(new AbortController().signal);
  assert.deepEqual(list.map((c) => [c.label, c.connection.server, c.connection.authentication, c.connection.trustServerCertificate]), [
    ['Sandbox SALES', '127.0.0.1,41433', 'SqlAuthentication', true],
    ['sql02\\HR', 'sql02\\HR', 'WindowsAuthentication', false],
  ]);

  assert.equal(await svc.password('standin-1', new AbortController().signal), 'sandbox-secret');
  assert.deepEqual(prompts, ["The extension 'sqlmig.azure-sql-migration-vscode' is requesting access to your SQL Server connections. This will allow it to execute queries and access your database."]);

  const [node] = tree!.getChildren() as unknown[];
  assert.equal(tree!.getTreeItem(node).contextValue, 'type=disconnectedServer,subType=,filterable=false,hasFilters=false,');
  assert.equal(svc.offerFromObjectExplorer(node).connection.server, '127.0.0.1,41433');
  assert.equal(svc.takeOffered()?.id, 'standin-1');
});
