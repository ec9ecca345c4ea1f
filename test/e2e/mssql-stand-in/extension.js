// A stand-in for the MSSQL extension (ms-mssql.mssql) in the editor tests. It has what Azure SQL
// Migration reads of the real one: the mssql.connections / mssql.connectionGroups settings, an
// Object Explorer view ("objectExplorer") whose server nodes carry contextValue
// "type=disconnectedServer,..." and a `connectionProfile`, and the exported API members
// promptForConnection and connectionSharing.getConnectionString (which asks the user to approve
// the calling extension, as the real one does, and hands over the saved password).
'use strict';
const vscode = require('vscode');

function profiles() {
  const i = vscode.workspace.getConfiguration('mssql').inspect('connections') || {};
  return [...(i.globalValue || []), ...(i.workspaceValue || [])];
}

function savedPassword(id) {
  const all = vscode.workspace.getConfiguration('mssqlStandIn').get('savedPasswords') || {};
  return all[id];
}

class ServerNode {
  constructor(profile) {
    this.connectionProfile = Object.assign({}, profile);
    this.nodeType = 'Server';
    this.context = { type: 'disconnectedServer', subType: '', filterable: false, hasFilters: false };
  }
}

class Connections {
  constructor() {
    this.changed = new vscode.EventEmitter();
    this.onDidChangeTreeData = this.changed.event;
  }
  getChildren(node) {
    return node ? [] : profiles().map((p) => new ServerNode(p));
  }
  getTreeItem(node) {
    const p = node.connectionProfile;
    const item = new vscode.TreeItem(p.profileName || p.server, vscode.TreeItemCollapsibleState.None);
    item.contextValue = 'type=disconnectedServer,subType=,filterable=false,hasFilters=false,';
    item.description = p.user || '';
    item.iconPath = new vscode.ThemeIcon('server');
    return item;
  }
}

const approved = new Map();

function activate(context) {
  const tree = new Connections();
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('objectExplorer', tree),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mssql.connections') && tree.changed.fire()),
  );
  const api = {
    sqlToolsServicePath: '',
    promptForConnection: async () => {
      const pick = await vscode.window.showQuickPick(profiles().map((p) => ({ label: p.profileName || p.server, profile: p })));
      return pick ? Object.assign({}, pick.profile) : undefined;
    },
    connectionSharing: {
      getConnectionString: async (extensionId, connectionId) => {
        if (!approved.has(extensionId)) {
          const choice = await vscode.window.showInformationMessage(
            `The extension '${extensionId}' is requesting access to your SQL Server connections. This will allow it to execute queries and access your database.`,
            'Approve',
            'Deny',
          );
          approved.set(extensionId, choice === 'Approve');
        }
        if (!approved.get(extensionId)) throw new Error(`Permission denied for extension '${extensionId}'.`);
        const p = profiles().find((x) => x.id === connectionId);
        if (!p) throw new Error(`Connection with ID "${connectionId}" not found.`);
        const password = savedPassword(connectionId);
        return `Data Source=${p.server}${p.port ? `,${p.port}` : ''};User ID=${p.user || ''};${password ? `Password=${password};` : ''}Encrypt=${p.encrypt || 'Mandatory'}`;
      },
    },
  };
  return api;
}

module.exports = { activate, deactivate() {} };
