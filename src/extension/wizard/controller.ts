/**
 * The host side of the wizard: holds the state, validates every message from the webview,
 * runs the I/O each intent asks for through `WizardServices`, and pushes the new state. It
 * knows nothing of VS Code: the panel gives it a `WizardHost` (post, dialogs, clipboard).
 * Secrets the user types stay in this object's memory and go only to the call that needs them.
 */
import * as l10n from '@vscode/l10n';
import { knownCloud, loadCloudFile, type Cloud } from '../../core/azure/cloud';
import { describeError, isCancellation } from '../errors';
import type { Redactor } from '../redact';
import type { Assessment, MigrationSecrets, ReportFormat, SignedInAccount, SourceConnectionInfo, WizardServices } from '../services/types';
import { fitHostMessage, parseWebviewMessage, type HostMessage, type Op, type StepId, type WebviewMessage, type WizardState } from '../../webview/wizard/protocol';
import { capabilityView, initialState, reduce, type Action, type Slice } from './reducer';
import { fromSaved, resume, toSaved } from './persistence';
import { buildRequest } from './request';

export interface WizardHost {
  post(message: HostMessage): void;
  pickCloudFile(): Promise<string | undefined>;
  pickFolder(title: string): Promise<string | undefined>;
  copyToClipboard(text: string): Promise<void>;
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  info(message: string): void;
  /** After a start: show the migrations view. */
  showMigrations(): void;
  /** Shows the assessment's self-contained HTML report. */
  openReport(html: string, title: string): void;
  /** Asks where to save the report and writes it; the path, or undefined when the user backed out. */
  saveReport(content: string, format: ReportFormat, suggestedName: string): Promise<string | undefined>;
}

export interface WizardStore {
  load(): unknown;
  save(state: WizardState | undefined): Promise<void>;
}

export interface WizardLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Where a password the user asked to remember is kept (VS Code's SecretStorage). */
export interface WizardSecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export function sourcePasswordKey(server: string, userName: string): string {
  return `sqlMigration.source/${server.trim().toLowerCase()}/${userName.trim().toLowerCase()}`;
}

export interface WizardDeps {
  services: WizardServices;
  host: WizardHost;
  store: WizardStore;
  secretStore: WizardSecretStore;
  log: WizardLog;
  redactor: Redactor;
  /** The clouds offered (known ones plus a custom file), and the configured one. */
  clouds: Cloud[];
  defaultCloud: string;
  /** The custom cloud the settings name, already read from its file. */
  customCloud?: { path: string; cloud: Cloud };
  /** The string bundle for the webview (undefined in English). */
  l10nBundle?: Record<string, string>;
  /** A Microsoft Entra token for SQL Server (the source's "Entra" option). */
  entraToken?: (signal: AbortSignal) => Promise<string>;
  /** Someone signed in here: the rest of the editor may use the account too. */
  onSignedIn?: (account: SignedInAccount) => void;
}

const busy = (message?: string): Op => (message ? { status: 'busy', message } : { status: 'busy' });

export class WizardController {
  private state: WizardState;
  private account: SignedInAccount | undefined;
  private customCloud: Cloud | undefined;
  private readonly secrets: MigrationSecrets = {};
  private readonly abort = new AbortController();
  /** The last assessment's full report (memory only), and the way to stop one that runs. */
  private assessment: Assessment | undefined;
  private assessing: AbortController | undefined;
  private sentL10n = false;
  /** Every effect in flight, so tests (and dispose) can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: WizardDeps) {
    let fresh = initialState(this.cloudChoices(), deps.defaultCloud === 'custom' && !deps.customCloud ? deps.clouds[0]?.name ?? 'AzureCloud' : deps.defaultCloud);
    if (deps.customCloud) {
      this.customCloud = deps.customCloud.cloud;
      deps.redactor.add(deps.customCloud.cloud.accessToken);
      fresh = reduce(fresh, { type: 'account.cloudFile', path: deps.customCloud.path, name: deps.customCloud.cloud.name, displayName: deps.customCloud.cloud.displayName });
    }
    const saved = fromSaved(deps.store.load());
    this.state = reduce(saved ?? fresh, { type: 'capabilities', capabilities: this.capabilities() });
    if (saved) this.track(this.resume());
  }

  get current(): WizardState {
    return this.state;
  }

  /** Resolves when every effect started so far has finished. */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  dispose(): void {
    this.abort.abort();
  }

  private connection(): SourceConnectionInfo {
    const s = this.state.source;
    return { server: s.server, authentication: s.authentication, userName: s.userName, encrypt: s.encrypt, trustServerCertificate: s.trustServerCertificate };
  }

  /** The password, or for Microsoft Entra a fresh token (never kept). */
  private async sourceSecret(signal: AbortSignal): Promise<string | undefined> {
    if (this.state.source.authentication !== 'EntraToken') return this.secrets.sqlPassword;
    if (!this.deps.entraToken) throw new Error(l10n.t('Microsoft Entra sign-in is not available here; use a SQL or Windows login.'));
    const token = await this.deps.entraToken(signal);
    this.deps.redactor.add(token);
    return token;
  }

  /** A message from the webview: validated, then reduced, then its effect run. */
  receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      // Never echo the message itself: it may carry a password.
      this.deps.log.warn(`wizard: ignored an invalid message from the webview (${parsed.error})`);
      return;
    }
    const message = parsed.value;
    if (message.type === 'source.password' || message.type === 'backups.sharePassword') this.deps.redactor.add(message.value);
    const before = this.state.step;
    if (message.type === 'ready') this.sentL10n = false; // a new webview document: send the strings again
    // Starting over forgets every answer: only after the user confirms (in the effect).
    if (message.type !== 'startOver') this.dispatch(message);
    this.track(this.effect(message, before));
  }

  private cloudChoices(): { name: string; displayName: string }[] {
    const list = this.deps.clouds.map((c) => ({ name: c.name, displayName: c.displayName }));
    return this.customCloud ? [...list, { name: 'custom', displayName: this.customCloud.displayName }] : list;
  }

  private capabilities(): WizardState['capabilities'] {
    const s = this.deps.services;
    return {
      accounts: capabilityView(s.accounts.availability),
      subscriptions: capabilityView(s.subscriptions.availability),
      source: capabilityView(s.source.availability),
      targets: capabilityView(s.targets.availability),
      storage: capabilityView(s.storage.availability),
      backupCheck: capabilityView(s.backupCheck.availability),
      migrationServices: capabilityView(s.migrationServices.availability),
      starter: capabilityView(s.starter.availability),
    };
  }

  private dispatch(action: Action): void {
    const next = action.type === 'startOver' ? initialState(this.cloudChoices(), this.deps.defaultCloud) : reduce(this.state, action);
    if (action.type === 'startOver') {
      this.account = undefined;
      delete this.secrets.sqlPassword;
      delete this.secrets.sharePassword;
      this.state = reduce(next, { type: 'capabilities', capabilities: this.capabilities() });
    } else if (next !== this.state) {
      this.state = next;
    } else if (action.type !== 'ready') {
      return;
    }
    this.publish();
  }

  private publish(): void {
    const message: HostMessage = { type: 'state', state: this.state };
    if (!this.sentL10n && this.deps.l10nBundle) message.l10n = this.deps.l10nBundle;
    this.sentL10n = true;
    // Validated here as the webview will: a state it refused would leave the wizard stuck.
    const fitted = fitHostMessage(message);
    if (fitted.clipped.length) this.deps.log.warn(`wizard: shortened to fit the webview's message limits: ${fitted.clipped.join(', ')}`);
    this.deps.host.post(fitted.message);
    this.deps.store.save(toSaved(this.state)).catch((e) => this.deps.log.warn(`wizard: could not save its state: ${(e as Error).message}`));
  }

  private track(p: Promise<void>): void {
    const tracked = p.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Runs `work` with the slice's op shown busy, then done or with the error the user reads. */
  private async run(slice: Slice, doing: string, work: () => Promise<void>, busyMessage?: string): Promise<void> {
    this.dispatch({ type: 'op', slice, op: busy(busyMessage) });
    try {
      await work();
      this.dispatch({ type: 'op', slice, op: { status: 'idle' } });
    } catch (e) {
      if (this.abort.signal.aborted) return;
      if (isCancellation(e)) {
        this.dispatch({ type: 'op', slice, op: { status: 'idle' } });
        return;
      }
      const report = describeError(e, doing);
      this.deps.log.error(this.deps.redactor.redact(report.detail));
      this.dispatch({ type: 'op', slice, op: { status: 'error', message: this.deps.redactor.redact(`${report.message} ${report.next}`) } });
    }
  }

  private cloudFor(name: string): Cloud | undefined {
    if (name === 'custom') return this.customCloud;
    return this.deps.clouds.find((c) => c.name === name) ?? knownCloud(name);
  }

  private async resume(): Promise<void> {
    const a = this.state.account;
    if (a.cloudName === 'custom' && a.customCloudFile) {
      try {
        this.customCloud = await loadCloudFile(a.customCloudFile);
        this.deps.redactor.add(this.customCloud.accessToken);
      } catch (e) {
        this.deps.log.warn(`wizard: the saved cloud file can no longer be read: ${(e as Error).message}`);
      }
    }
    const cloud = this.cloudFor(a.cloudName);
    if (a.signedIn && cloud && this.deps.services.accounts.availability.available) {
      try {
        this.account = await this.deps.services.accounts.signIn(cloud, this.abort.signal);
      } catch {
        this.account = undefined;
      }
    }
    if (!this.account && a.signedIn) this.state = reduce(this.state, { type: 'account.signedOut' });
    await this.recallPassword();
    this.state = resume(this.state);
    this.publish();
    await this.enter(this.state.step);
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Loads what a step lists when it opens (and only what is not loaded yet). */
  private async enter(step: StepId): Promise<void> {
    const s = this.state;
    const sv = this.deps.services;
    const acct = this.account;
    if (!acct) return;
    if (step === 'target' && sv.subscriptions.availability.available && s.target.subscriptions.length === 0) {
      await this.run('target', l10n.t('Listing subscriptions'), async () => {
        const subscriptions = await sv.subscriptions.list(acct, this.signal);
        this.dispatch({ type: 'target.subscriptions', subscriptions });
        // One subscription: nothing to choose.
        if (subscriptions.length === 1 && !this.state.target.subscriptionId) this.dispatch({ type: 'target.selectSubscription', id: subscriptions[0]!.id });
      });
    }
    const sub = this.state.target.subscriptionId;
    if (step === 'target' && sub && this.state.target.instances.length === 0) await this.loadInstances(sub);
    if (step === 'backups' && sub && sv.storage.availability.available && s.backups.storageAccounts.length === 0) {
      await this.run('backups', l10n.t('Listing storage accounts'), async () => {
        this.dispatch({ type: 'backups.storageAccounts', accounts: await sv.storage.listAccounts(acct, sub, this.signal) });
      });
    }
    if (step === 'service' && sub && sv.migrationServices.availability.available && s.service.services.length === 0) {
      await this.run('service', l10n.t('Listing Database Migration Services'), async () => {
        this.dispatch({ type: 'service.list', services: await sv.migrationServices.list(acct, sub, this.signal) });
      });
    }
  }

  private async loadInstances(subscriptionId: string): Promise<void> {
    const acct = this.account;
    const sv = this.deps.services;
    if (!acct || !sv.targets.availability.available) return;
    await this.run('target', l10n.t('Listing managed instances'), async () => {
      this.dispatch({ type: 'target.instances', instances: await sv.targets.listManagedInstances(acct, subscriptionId, this.signal) });
    });
  }

  private requireAccount(): SignedInAccount {
    if (!this.account) throw new Error(l10n.t('You are not signed in. Go back to the first step and sign in.'));
    return this.account;
  }

  private async effect(m: WebviewMessage, stepBefore: StepId): Promise<void> {
    const sv = this.deps.services;
    const host = this.deps.host;
    switch (m.type) {
      case 'ready':
        return;
      case 'next':
      case 'back':
      case 'goto':
        if (this.state.step !== stepBefore) await this.enter(this.state.step);
        return;

      case 'account.chooseCloudFile':
        return this.run('account', l10n.t('Loading the cloud file'), async () => {
          const path = await host.pickCloudFile();
          if (!path) return;
          const cloud = await loadCloudFile(path);
          this.deps.redactor.add(cloud.accessToken);
          this.customCloud = cloud;
          this.account = undefined;
          this.dispatch({ type: 'account.cloudFile', path, name: cloud.name, displayName: cloud.displayName });
        });
      case 'account.selectCloud':
        // Another cloud (the reducer cleared the sign-in): the old credential must not be used.
        if (!this.state.account.signedIn) this.account = undefined;
        return;
      case 'account.signIn':
        return this.run('account', l10n.t('Signing in'), async () => {
          const cloud = this.cloudFor(this.state.account.cloudName);
          if (!cloud) throw new Error(l10n.t('Choose a cloud first.'));
          this.account = await sv.accounts.signIn(cloud, this.signal);
          this.dispatch({ type: 'account.signedIn', label: this.account.label });
          this.deps.onSignedIn?.(this.account);
        }, l10n.t('Signing in...'));

      case 'source.password': {
        this.secrets.sqlPassword = m.value || undefined;
        this.dispatch({ type: 'source.passwordEntered', entered: m.value !== '' });
        const s = this.state.source;
        if (s.rememberPassword && s.server && s.userName) {
          const key = sourcePasswordKey(s.server, s.userName);
          await (m.value ? this.deps.secretStore.store(key, m.value) : this.deps.secretStore.delete(key));
        }
        return;
      }
      case 'source.update': {
        const s = this.state.source;
        if (!s.passwordEntered) delete this.secrets.sqlPassword;
        if (s.server && s.userName && m.patch.rememberPassword !== undefined) {
          const key = sourcePasswordKey(s.server, s.userName);
          if (!m.patch.rememberPassword) await this.deps.secretStore.delete(key);
          else if (this.secrets.sqlPassword) await this.deps.secretStore.store(key, this.secrets.sqlPassword);
        }
        if (!s.passwordEntered) await this.recallPassword();
        return;
      }
      case 'source.connect':
        this.assessing?.abort();
        this.assessment = undefined;
        return this.run('source', l10n.t('Connecting to {0}', this.state.source.server), async () => {
          const result = await sv.source.connect(this.connection(), await this.sourceSecret(this.signal), this.signal);
          this.dispatch({ type: 'source.connected', server: result.server, databases: result.databases });
        }, l10n.t('Connecting...'));
      case 'source.assess':
        return this.assess();
      case 'source.cancelAssessment':
        this.assessing?.abort();
        return;
      case 'source.openReport':
        if (this.assessment) host.openReport(this.assessment.render('html'), l10n.t('Assessment: {0}', this.state.source.connected?.serverName ?? this.state.source.server));
        return;
      case 'source.saveReport':
        return this.run('source', l10n.t('Saving the assessment report'), async () => {
          if (!this.assessment) throw new Error(l10n.t('Run the assessment again: its report is kept only while the wizard is open.'));
          const name = `assessment-${(this.state.source.connected?.serverName ?? 'server').replace(/[^\w.-]+/g, '_')}.${m.format}`;
          const path = await host.saveReport(this.assessment.render(m.format), m.format, name);
          if (path) host.info(l10n.t('The assessment report was saved to {0}.', path));
        });

      case 'target.selectSubscription':
        if (this.state.target.subscriptionId === m.id) await this.loadInstances(m.id);
        return;
      case 'target.selectInstance': {
        const acct = this.account;
        if (!acct || this.state.target.instanceId !== m.id) return;
        return this.run('target', l10n.t('Listing the databases on the managed instance'), async () => {
          this.dispatch({ type: 'target.existingDatabases', names: await sv.targets.listDatabases(acct, m.id, this.signal) });
        });
      }

      case 'backups.update': {
        const id = m.patch.storageAccountId;
        if (id === undefined || this.state.backups.storageAccountId !== id) return;
        return this.run('backups', l10n.t('Listing blob containers'), async () => {
          this.dispatch({ type: 'backups.containers', containers: await sv.storage.listContainers(this.requireAccount(), id, this.signal) });
        });
      }
      case 'backups.sharePassword':
        this.secrets.sharePassword = m.value || undefined;
        this.dispatch({ type: 'backups.sharePasswordEntered', entered: m.value !== '' });
        return;
      case 'backups.browse': {
        const folder = await host.pickFolder(l10n.t('Folder with the backups of {0}', m.source));
        if (!folder) return;
        this.dispatch({ type: 'backups.folderChosen', source: m.source, folder });
        return this.check(m.source);
      }
      case 'backups.database':
        return;
      case 'backups.check':
        return this.check(m.source);

      case 'service.select':
        return this.refreshNodes();
      case 'service.update':
        return;
      case 'service.create':
        return this.run('service', l10n.t('Creating the Database Migration Service'), async () => {
          const s = this.state;
          const name = s.service.newName.trim();
          if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{1,61}[A-Za-z0-9_]$/.test(name)) throw new Error(l10n.t('Name the service with 3 to 63 letters, digits, periods, hyphens or underscores.'));
          if (!s.service.newResourceGroup.trim() || !s.service.newLocation.trim()) throw new Error(l10n.t('Choose the resource group and region of the new service.'));
          const created = await sv.migrationServices.create(this.requireAccount(), s.target.subscriptionId!, s.service.newResourceGroup.trim(), name, s.service.newLocation.trim(), this.signal);
          this.dispatch({ type: 'service.created', service: created });
          await this.refreshNodes();
        }, l10n.t('Creating the service (this takes a few minutes)...'));
      case 'service.copyKey':
        return this.run('service', l10n.t('Copying the authentication key'), async () => {
          const keys = await sv.migrationServices.authKeys(this.requireAccount(), this.state.service.serviceId!, this.signal);
          this.deps.redactor.add(keys.authKey1);
          this.deps.redactor.add(keys.authKey2);
          await host.copyToClipboard(keys[m.key]);
          this.dispatch({ type: 'service.keysLoaded', loaded: true });
          host.info(m.key === 'authKey1' ? l10n.t('Authentication key 1 copied to the clipboard.') : l10n.t('Authentication key 2 copied to the clipboard.'));
        });
      case 'service.regenerateKey': {
        const ok = await host.confirm(
          l10n.t('Regenerate {0}?', m.key === 'authKey1' ? l10n.t('authentication key 1') : l10n.t('authentication key 2')),
          l10n.t('Integration runtime nodes registered with the old key stay registered, but new nodes need the new key.'),
          l10n.t('Regenerate'),
        );
        if (!ok) return;
        return this.run('service', l10n.t('Regenerating the authentication key'), async () => {
          const keys = await sv.migrationServices.regenerateKey(this.requireAccount(), this.state.service.serviceId!, m.key, this.signal);
          this.deps.redactor.add(keys.authKey1);
          this.deps.redactor.add(keys.authKey2);
          host.info(l10n.t('The authentication key was regenerated. Copy it to register new runtime nodes.'));
        });
      }
      case 'service.refreshNodes':
        return this.refreshNodes();
      case 'service.test':
        return this.run('service', l10n.t('Testing the connections'), async () => {
          const test = await sv.migrationServices.testConnection(this.requireAccount(), buildRequest(this.state), { ...this.secrets }, this.signal);
          this.dispatch({ type: 'service.tested', test });
        }, l10n.t('Testing...'));

      case 'start':
        return this.run('start', l10n.t('Starting the migrations'), async () => {
          const request = buildRequest(this.state);
          const results = await sv.starter.start(this.requireAccount(), request, { ...this.secrets }, this.signal, (message) =>
            this.dispatch({ type: 'op', slice: 'start', op: busy(message) }));
          this.dispatch({ type: 'start.results', results });
          const ok = results.filter((r) => !r.error).length;
          this.deps.log.info(`wizard: started ${ok} of ${results.length} migrations`);
          if (ok > 0) host.showMigrations();
        }, l10n.t('Starting...'));
      case 'startOver':
        if (await host.confirm(l10n.t('Start over?'), l10n.t('Every answer in the wizard is forgotten, and passwords it holds in memory too.'), l10n.t('Start Over'))) this.dispatch(m);
        return;
    }
  }

  /** Assesses the selected databases, with progress; a new run (or Cancel) stops the one running. */
  private async assess(): Promise<void> {
    this.assessing?.abort();
    const abort = new AbortController();
    this.assessing = abort;
    const stop = () => abort.abort();
    this.signal.addEventListener('abort', stop, { once: true });
    const databases = [...this.state.source.selected];
    const mode = this.state.backups.mode;
    const started = Date.now();
    this.dispatch({ type: 'source.assessmentOp', op: busy(l10n.t('Assessing {0} databases...', databases.length)), progress: 0 });
    try {
      const result = await this.deps.services.source.assess(this.connection(), await this.sourceSecret(abort.signal), databases, mode, abort.signal, (message, fraction) => {
        if (this.assessing === abort) this.dispatch({ type: 'source.assessmentOp', op: busy(message), progress: fraction });
      });
      if (this.assessing !== abort) return;
      this.assessment = result;
      this.dispatch({ type: 'source.assessed', databases, mode, results: result.summaries, instanceFindings: result.instanceFindings });
      const blocked = result.summaries.filter((r) => r.readiness === 'blocked').length;
      this.dispatch({ type: 'source.assessmentOp', op: { status: 'done', message: l10n.t('Assessed {0} databases in {1} s: {2} blocked.', databases.length, ((Date.now() - started) / 1000).toFixed(1), blocked) } });
    } catch (e) {
      if (this.assessing !== abort || this.signal.aborted) return;
      if (abort.signal.aborted || isCancellation(e) || (e as { kind?: string }).kind === 'cancelled') {
        this.dispatch({ type: 'source.assessmentOp', op: { status: 'done', message: l10n.t('The assessment was cancelled.') } });
        return;
      }
      const report = describeError(e, l10n.t('Assessing the databases'));
      this.deps.log.error(this.deps.redactor.redact(report.detail));
      this.dispatch({ type: 'source.assessmentOp', op: { status: 'error', message: this.deps.redactor.redact(`${report.message} ${report.next}`) } });
    } finally {
      this.signal.removeEventListener('abort', stop);
      if (this.assessing === abort) this.assessing = undefined;
    }
  }

  /** A password the user asked to remember, for the current server and login. */
  private async recallPassword(): Promise<void> {
    const s = this.state.source;
    if (s.authentication !== 'SqlAuthentication' || !s.server || !s.userName) return;
    try {
      const value = await this.deps.secretStore.get(sourcePasswordKey(s.server, s.userName));
      if (!value) return;
      this.deps.redactor.add(value);
      this.secrets.sqlPassword = value;
      this.state = reduce(this.state, { type: 'source.update', patch: { rememberPassword: true } });
      this.dispatch({ type: 'source.passwordEntered', entered: true });
    } catch (e) {
      this.deps.log.warn(`wizard: could not read the secret storage: ${(e as Error).message}`);
    }
  }

  private async refreshNodes(): Promise<void> {
    const id = this.state.service.serviceId;
    const acct = this.account;
    if (!id || !acct || !this.deps.services.migrationServices.availability.available) return;
    await this.run('service', l10n.t('Reading the integration runtime nodes'), async () => {
      this.dispatch({ type: 'service.nodes', nodes: await this.deps.services.migrationServices.nodes(acct, id, this.signal) });
    });
  }

  private async check(source: string): Promise<void> {
    const db = this.state.backups.databases.find((d) => d.source === source);
    if (!db || !db.folder) return;
    const folder = db.folder;
    this.dispatch({ type: 'backups.checkOp', source, op: busy(l10n.t('Reading backup headers...')) });
    try {
      const result = await this.deps.services.backupCheck.checkFolder(folder, source, this.state.backups.mode, this.signal);
      this.dispatch({ type: 'backups.checked', source, result });
      this.dispatch({ type: 'backups.checkOp', source, op: { status: 'done' } });
    } catch (e) {
      if (this.signal.aborted) return;
      const report = describeError(e, l10n.t('Checking the backups of {0}', source));
      this.deps.log.error(this.deps.redactor.redact(report.detail));
      this.dispatch({ type: 'backups.checkOp', source, op: { status: 'error', message: `${report.message} ${report.next}` } });
    }
  }
}
