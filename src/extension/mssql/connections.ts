/**
 * The MSSQL extension's saved connections as a service for the wizard's source step: listed from
 * its `mssql.connections` setting (no password), handed over from its Object Explorer, and the
 * saved password only through its connection-sharing API when the user asks for it. When the
 * extension is not installed the service says so (availability) and lists nothing; nothing else
 * changes. No `vscode` import: the editor's parts come in as an `MssqlHost` (tests give a stand-in).
 */
import * as l10n from '@vscode/l10n';
import { ActionableError } from '../errors';
import type { Availability, SavedConnection, SavedConnectionService } from '../services/types';
import { MSSQL_EXTENSION_ID, type MssqlExtensionApi, type MssqlTreeNode } from './api';
import { passwordOf, savedConnectionOf, savedConnections } from './profiles';

interface Disposable {
  dispose(): unknown;
}

/** What the adapter needs of the editor (vscode.extensions and vscode.workspace, or a stand-in). */
export interface MssqlHost {
  /** This extension's id (publisher.name): the MSSQL extension asks the user about it by name. */
  readonly extensionId: string;
  getExtension(id: string): { readonly isActive: boolean; readonly exports: unknown; activate(): PromiseLike<unknown> } | undefined;
  /** `inspect` of a setting: its user (global) and workspace values. */
  inspect(section: string, key: string): { globalValue?: unknown; workspaceValue?: unknown } | undefined;
  onDidChangeConfiguration(listener: (affects: (section: string) => boolean) => void): Disposable;
  onDidChangeExtensions(listener: () => void): Disposable;
}

/** The editor's own parts as an MssqlHost. `vscode` is the API namespace (passed in, so this file loads no editor). */
export function vscodeMssqlHost(vscode: typeof import('vscode'), extensionId: string): MssqlHost {
  return {
    extensionId,
    getExtension: (id) => vscode.extensions.getExtension(id),
    inspect: (section, key) => vscode.workspace.getConfiguration(section).inspect(key),
    onDidChangeConfiguration: (listener) => vscode.workspace.onDidChangeConfiguration((e) => listener((s) => e.affectsConfiguration(s))),
    onDidChangeExtensions: (listener) => vscode.extensions.onDidChange(listener),
  };
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export class MssqlConnections implements SavedConnectionService, Disposable {
  private offered: SavedConnection | undefined;
  private readonly changeListeners = new Set<() => void>();
  private readonly offerListeners = new Set<(c: SavedConnection) => void>();
  /** Subscribed to the editor's events on the first listener only (nothing at activation). */
  private watching: Disposable[] | undefined;

  constructor(private readonly host: MssqlHost) {}

  get availability(): Availability {
    return this.host.getExtension(MSSQL_EXTENSION_ID)
      ? { available: true }
      : { available: false, reason: l10n.t('The MSSQL extension (ms-mssql.mssql) is not installed, so there are no saved connections to offer.') };
  }

  async list(signal: AbortSignal): Promise<SavedConnection[]> {
    signal.throwIfAborted();
    if (!this.availability.available) return [];
    const values = (key: string) => {
      const i = this.host.inspect('mssql', key);
      return [...asArray(i?.globalValue), ...asArray(i?.workspaceValue)];
    };
    return savedConnections(values('connections'), values('connectionGroups'));
  }

  onDidChange(listener: () => void): () => void {
    this.watch();
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  takeOffered(): SavedConnection | undefined {
    const c = this.offered;
    this.offered = undefined;
    return c;
  }

  onDidOffer(listener: (c: SavedConnection) => void): () => void {
    this.offerListeners.add(listener);
    return () => this.offerListeners.delete(listener);
  }

  /** A server node of the MSSQL extension's Object Explorer, handed to the wizard (no password). */
  offerFromObjectExplorer(node: unknown): SavedConnection {
    const profile = (node as MssqlTreeNode | undefined)?.connectionProfile;
    const connection = profile && typeof profile === 'object' ? savedConnectionOf(profile) : undefined;
    if (!connection) {
      throw new ActionableError(
        l10n.t('The MSSQL extension did not pass the server\'s connection with the node.'),
        l10n.t('Run "Migrate to Azure SQL..." and choose the server on the source step.'),
      );
    }
    this.offered = connection;
    for (const l of this.offerListeners) l(connection);
    return connection;
  }

  async password(id: string, signal: AbortSignal): Promise<string | undefined> {
    const ext = this.host.getExtension(MSSQL_EXTENSION_ID);
    if (!ext) return undefined;
    const api = (ext.isActive ? ext.exports : await ext.activate()) as MssqlExtensionApi | undefined;
    signal.throwIfAborted();
    const share = api?.connectionSharing?.getConnectionString;
    if (typeof share !== 'function') return undefined;
    let text: string | undefined;
    try {
      text = await share.call(api!.connectionSharing, this.host.extensionId, id);
    } catch (e) {
      throw new ActionableError(
        // Not "password: <reason>": the redactor would take the reason for a secret.
        l10n.t('The MSSQL extension did not share the saved password ({0}).', (e as Error).message.replace(/\.$/, '')),
        l10n.t('Type the password, or allow Azure SQL Migration in the MSSQL extension\'s connection sharing permissions.'),
      );
    }
    signal.throwIfAborted();
    return text ? passwordOf(text) : undefined;
  }

  dispose(): void {
    for (const d of this.watching ?? []) d.dispose();
    this.watching = undefined;
    this.changeListeners.clear();
    this.offerListeners.clear();
  }

  private watch(): void {
    if (this.watching) return;
    const fire = () => {
      for (const l of this.changeListeners) l();
    };
    this.watching = [
      this.host.onDidChangeConfiguration((affects) => {
        if (affects('mssql.connections') || affects('mssql.connectionGroups')) fire();
      }),
      this.host.onDidChangeExtensions(fire),
    ];
  }
}
