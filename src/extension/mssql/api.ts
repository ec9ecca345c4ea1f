/**
 * The parts of the MSSQL extension (ms-mssql.mssql) this extension reads, declared here as the
 * extension's own typings (typings/vscode-mssql.d.ts in microsoft/vscode-mssql) describe them,
 * all optional: another version may lack any of them, and each use checks first.
 *
 * - Saved connections are the `mssql.connections` setting (user and workspace values), each a
 *   profile with an `id`, and `mssql.connectionGroups`. The exported API has no "list
 *   connections" call; reading that setting is what the MSSQL extension's own connection-sharing
 *   sample does. Its saved passwords live in its credential store, never in the setting (a
 *   `password` a user typed into settings.json is ignored here all the same).
 * - `connectionSharing.getConnectionString(extensionId, connectionId)` hands over a connection
 *   string with its password, for another extension to use the connection, after the user
 *   approves that extension in the MSSQL extension's own prompt. Since August 2026 (1.46) every
 *   connection-sharing call also shows the MSSQL extension's notice that the capability is being
 *   retired, so this extension calls it only when the user asks for the saved password.
 * - Object Explorer server nodes (`view == objectExplorer`, contextValue `type=Server,...` or
 *   `type=disconnectedServer,...`) are passed to a contributed command as the tree node, whose
 *   `connectionProfile` is a copy of the node's profile (marked for retirement too).
 */

export const MSSQL_EXTENSION_ID = 'ms-mssql.mssql';

/** IConnectionInfo, the fields read (passwords are never read from it). */
export interface MssqlConnectionInfo {
  server?: string;
  database?: string;
  user?: string;
  port?: number;
  /** Integrated, SqlLogin, AzureMFA, ActiveDirectoryDefault, ActiveDirectoryServicePrincipal */
  authenticationType?: string;
  /** Mandatory, Optional, Strict; older profiles: true / false. */
  encrypt?: string | boolean;
  trustServerCertificate?: boolean;
  hostNameInCertificate?: string;
  email?: string;
  /** A profile saved as a connection string (its password, if any, is never read). */
  connectionString?: string;
}

/** IConnectionProfile: a saved connection. */
export interface MssqlConnectionProfile extends MssqlConnectionInfo {
  id?: string;
  profileName?: string;
  groupId?: string;
}

export interface MssqlConnectionGroup {
  id?: string;
  name?: string;
  parentId?: string;
}

/** ITreeNodeInfo as a contributed Object Explorer command receives it. */
export interface MssqlTreeNode {
  connectionProfile?: MssqlConnectionProfile;
  nodeType?: string;
  context?: { type?: string; subType?: string };
  label?: unknown;
}

/** IExtension, the members used. */
export interface MssqlExtensionApi {
  promptForConnection?(ignoreFocusOut?: boolean): Promise<MssqlConnectionInfo | undefined>;
  connectionSharing?: {
    getConnectionString?(extensionId: string, connectionId: string): Promise<string | undefined>;
  };
}
