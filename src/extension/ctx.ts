/**
 * One object per activation: the log, settings, secrets, the services and the current Azure
 * sign-in. Everything disposable is pushed to `subscriptions`.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { knownCloud, KNOWN_CLOUDS, loadCloudFile, type Cloud } from '../core/azure/cloud';
import { Config } from './config';
import { ActionableError } from './errors';
import { Log } from './log';
import { MssqlConnections, vscodeMssqlHost } from './mssql/connections';
import { Redactor } from './redact';
import { SecretStore } from './secrets';
import { createBackend, type BackendEnv, type FullBackend } from './services';
import { azureAccounts } from './services/accounts';
import type { UploadJob } from './services/localUploads';
import type { AccountSource, ServiceRegistry, SignedInAccount } from './services/types';

const SERVICES_KEY = 'sqlMigration.migrationServices';
const UPLOADS_KEY = 'sqlMigration.uploadJobs';
/** Managed instances (ids, per cloud) whose Log Replay Service restores the Migrations view lists. */
const INSTANCES_KEY = 'sqlMigration.restoreInstances';
/** publisher.name in package.json (VS Code gives it as context.extension.id). */
const EXTENSION_ID = 'sqlmig.azure-sql-migration-vscode';

export class Ctx implements AccountSource {
  readonly redactor = new Redactor();
  readonly log: Log;
  readonly config: Config;
  readonly secrets: SecretStore;
  readonly backend: FullBackend;
  /** The MSSQL extension's saved connections and Object Explorer hand-over (nothing when it is absent). */
  readonly mssql: MssqlConnections;
  readonly subscriptions: vscode.Disposable[];
  /** Managed instances whose Log Replay Service restores the Migrations view lists (beside the migrations' targets). */
  readonly instances: ServiceRegistry;
  /** The Azure sign-in the views use: "Sign in to Azure", the wizard's, or a silent one. */
  account: SignedInAccount | undefined;
  private readonly signedIn = new vscode.EventEmitter<void>();
  /** Fires when someone signs in (the Migrations view refreshes). */
  readonly onDidSignIn = this.signedIn.event;

  /** `backend` replaces the services (tests); the real ones are built on the core. */
  constructor(
    readonly context: vscode.ExtensionContext,
    backend: (env: BackendEnv) => FullBackend = createBackend,
  ) {
    this.subscriptions = context.subscriptions;
    this.log = new Log(this.redactor);
    this.config = new Config();
    this.secrets = new SecretStore(context.secrets, this.redactor);
    this.mssql = new MssqlConnections(vscodeMssqlHost(vscode, context.extension?.id ?? EXTENSION_ID));
    const state = context.globalState;
    const registry: ServiceRegistry = {
      list: (cloud) => (state.get<Record<string, string[]>>(SERVICES_KEY) ?? {})[cloud.armEndpoint] ?? [],
      add: async (cloud, id) => {
        const all = state.get<Record<string, string[]>>(SERVICES_KEY) ?? {};
        const ids = all[cloud.armEndpoint] ?? [];
        if (!ids.some((x) => x.toLowerCase() === id.toLowerCase())) await state.update(SERVICES_KEY, { ...all, [cloud.armEndpoint]: [...ids, id] });
      },
    };
    /** Instances added in the view or restored to by the wizard, kept per cloud (ids only). */
    this.instances = {
      list: (cloud) => (state.get<Record<string, string[]>>(INSTANCES_KEY) ?? {})[cloud.armEndpoint] ?? [],
      add: async (cloud, id) => {
        const all = state.get<Record<string, string[]>>(INSTANCES_KEY) ?? {};
        const ids = all[cloud.armEndpoint] ?? [];
        if (!ids.some((x) => x.toLowerCase() === id.toLowerCase())) await state.update(INSTANCES_KEY, { ...all, [cloud.armEndpoint]: [...ids, id] });
      },
    };
    this.backend = backend({
      redactor: this.redactor,
      log: this.log,
      accounts: this,
      registry,
      uploadJobs: { load: () => state.get<UploadJob[]>(UPLOADS_KEY) ?? [], save: (jobs) => Promise.resolve(state.update(UPLOADS_KEY, jobs)) },
      uploadConcurrency: () => this.config.settings.uploadConcurrency,
      signIn: azureAccounts(this.redactor),
      savedConnections: this.mssql,
      instances: this.instances,
    });
    this.subscriptions.push(this.log, this.config, this.signedIn, this.mssql, { dispose: () => this.backend.uploads.dispose() });
  }

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /** Someone signed in (the command, or the wizard): the views use this account from now on. */
  setAccount(account: SignedInAccount | undefined): void {
    this.account = account;
    void vscode.commands.executeCommand('setContext', 'sqlMigration.signedIn', Boolean(account));
    if (account) this.signedIn.fire();
  }

  /** The account for the views: the current one, or a silent sign-in to the configured cloud. */
  async current(signal: AbortSignal): Promise<SignedInAccount> {
    const cloud = await this.currentCloud();
    if (this.account && this.account.cloud.armEndpoint === cloud.armEndpoint) return this.account;
    const account = await this.backend.wizard.accounts.signIn(cloud, signal, { silent: true });
    this.account = account;
    return account;
  }

  /** The cloud the settings name; a custom one is read (and checked) from its file each time. */
  async currentCloud(): Promise<Cloud> {
    const { cloud, customCloudFile } = this.config.settings;
    if (cloud === 'custom') {
      if (!customCloudFile) throw new ActionableError(l10n.t('The cloud is set to custom but no cloud file is set.'), l10n.t('Run "Select Cloud..." and choose the cloud file.'));
      const c = await loadCloudFile(customCloudFile);
      this.redactor.add(c.accessToken);
      return c;
    }
    return knownCloud(cloud) ?? KNOWN_CLOUDS[0]!;
  }
}
