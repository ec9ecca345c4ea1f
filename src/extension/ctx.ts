/**
 * One object per activation: the log, settings, secrets, the services and the current Azure
 * sign-in. Everything disposable is pushed to `subscriptions`.
 */
import * as vscode from 'vscode';
import { knownCloud, KNOWN_CLOUDS, loadCloudFile, type Cloud } from '../core/azure/cloud';
import { Config } from './config';
import { ActionableError } from './errors';
import { Log } from './log';
import { Redactor } from './redact';
import { SecretStore } from './secrets';
import { createBackend } from './services';
import type { SignedInWithCredential } from './services/accounts';
import type { Backend } from './services/types';
import * as l10n from '@vscode/l10n';

export class Ctx {
  readonly redactor = new Redactor();
  readonly log: Log;
  readonly config: Config;
  readonly secrets: SecretStore;
  readonly backend: Backend;
  readonly subscriptions: vscode.Disposable[];
  /** The Azure sign-in made with "Sign in to Azure" (the wizard keeps its own). */
  account: SignedInWithCredential | undefined;

  /** `backend` replaces the services this build wires (tests; the Azure core plugs in through createBackend). */
  constructor(
    readonly context: vscode.ExtensionContext,
    backend: (redactor: Redactor) => Backend = createBackend,
  ) {
    this.subscriptions = context.subscriptions;
    this.log = new Log(this.redactor);
    this.config = new Config();
    this.secrets = new SecretStore(context.secrets, this.redactor);
    this.backend = backend(this.redactor);
    this.subscriptions.push(this.log, this.config);
  }

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
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
