/**
 * The wizard's state machine: a pure reducer over the webview's intents and the results the
 * host's effects report. Every answer lives here; the webview only renders it.
 */
import type { ChainCheckResult, ConnectionTest, ManagedInstanceInfo, MigrationServiceInfo, RuntimeNode, SourceDatabaseInfo, SourceServerInfo, StartedMigration, StorageAccountInfo, SubscriptionInfo, AssessmentSummary } from '../services/types';
import { CAPABILITIES, STEPS, type CapabilityName, type DatabaseBackup, type Op, type StepId, type WebviewMessage, type WizardState } from '../../webview/wizard/protocol';
import { validateStep } from './validation';

export type Slice = 'account' | 'source' | 'target' | 'backups' | 'service' | 'start';

/** Results reported by the host's effects; never accepted from the webview. */
export type HostAction =
  | { type: 'op'; slice: Slice; op: Op }
  | { type: 'capabilities'; capabilities: WizardState['capabilities'] }
  | { type: 'account.clouds'; clouds: { name: string; displayName: string }[] }
  | { type: 'account.cloudFile'; path: string; name: string; displayName: string }
  | { type: 'account.signedIn'; label: string }
  | { type: 'account.signedOut' }
  | { type: 'source.passwordEntered'; entered: boolean }
  | { type: 'source.connected'; server: SourceServerInfo; databases: SourceDatabaseInfo[] }
  | { type: 'source.assessmentOp'; op: Op; progress?: number }
  | { type: 'source.assessed'; databases: string[]; mode: 'online' | 'offline'; results: AssessmentSummary[]; instanceFindings: string[] }
  | { type: 'target.subscriptions'; subscriptions: SubscriptionInfo[] }
  | { type: 'target.instances'; instances: ManagedInstanceInfo[] }
  | { type: 'target.existingDatabases'; names: string[] }
  | { type: 'backups.storageAccounts'; accounts: StorageAccountInfo[] }
  | { type: 'backups.containers'; containers: string[] }
  | { type: 'backups.sharePasswordEntered'; entered: boolean }
  | { type: 'backups.folderChosen'; source: string; folder: string }
  | { type: 'backups.checkOp'; source: string; op: Op }
  | { type: 'backups.checked'; source: string; result: ChainCheckResult }
  | { type: 'service.list'; services: MigrationServiceInfo[] }
  | { type: 'service.created'; service: MigrationServiceInfo }
  | { type: 'service.keysLoaded'; loaded: boolean }
  | { type: 'service.nodes'; nodes: RuntimeNode[] }
  | { type: 'service.tested'; test: ConnectionTest }
  | { type: 'start.results'; results: StartedMigration[] };

export type Action = WebviewMessage | HostAction;

const IDLE: Op = { status: 'idle' };

export const NO_ASSESSMENT: WizardState['source']['assessment'] = { op: IDLE, databases: [], results: [], instanceFindings: [], reportAvailable: false };

/** Databases the assessment found blocked: they cannot be selected. */
export function blockedDatabases(s: WizardState): Set<string> {
  return new Set(s.source.assessment.results.filter((r) => r.readiness === 'blocked').map((r) => r.database));
}

export function initialState(clouds: { name: string; displayName: string }[], cloudName: string): WizardState {
  const allAvailable = Object.fromEntries(CAPABILITIES.map((c) => [c, { available: true }])) as WizardState['capabilities'];
  return finalize({
    version: 2,
    step: 'account',
    reached: 'account',
    capabilities: allAvailable,
    issues: [],
    account: { clouds, cloudName, op: IDLE },
    source: { server: '', authentication: 'SqlAuthentication', userName: '', encrypt: 'mandatory', trustServerCertificate: false, passwordEntered: false, rememberPassword: false, databases: [], selected: [], assessment: NO_ASSESSMENT, op: IDLE },
    target: { subscriptions: [], instances: [], existingDatabases: [], op: IDLE },
    backups: { mode: 'online', location: 'local', storageAccounts: [], containers: [], shareUserName: '', sharePasswordEntered: false, databases: [], op: IDLE },
    service: { services: [], newName: '', newResourceGroup: '', newLocation: '', keysLoaded: false, nodes: [], op: IDLE },
    start: { op: IDLE, results: [] },
  });
}

const index = (step: StepId) => STEPS.indexOf(step);

/** A container name derived from a database name: lowercase letters, digits and single hyphens. */
export function suggestContainer(database: string): string {
  const base = database.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  const name = base.length >= 3 ? base : `${base || 'db'}-backups`;
  return name === 'backup' ? 'backup-files' : name;
}

function withDatabases(s: WizardState, selected: string[]): WizardState['backups']['databases'] {
  return selected.map(
    (name) => s.backups.databases.find((d) => d.source === name) ?? { source: name, target: name, folder: '', container: suggestContainer(name), lastBackupName: '', checkOp: IDLE },
  );
}

function updateDatabase(s: WizardState, source: string, f: (d: DatabaseBackup) => DatabaseBackup): WizardState {
  return { ...s, backups: { ...s.backups, databases: s.backups.databases.map((d) => (d.source === source ? f(d) : d)) } };
}

/** What the account determines: signing in again (or another cloud) invalidates everything Azure. */
function clearAzure(s: WizardState): WizardState {
  return {
    ...s,
    target: { ...s.target, subscriptions: [], subscriptionId: undefined, instances: [], instanceId: undefined, existingDatabases: [] },
    backups: { ...s.backups, storageAccounts: [], storageAccountId: undefined, containers: [] },
    service: { ...s.service, services: [], serviceId: undefined, keysLoaded: false, nodes: [], test: undefined },
  };
}

function step(s: WizardState, a: Action): WizardState {
  switch (a.type) {
    case 'ready':
    case 'startOver':
    case 'account.chooseCloudFile':
    case 'account.signIn':
    case 'source.connect':
    case 'source.assess':
    case 'source.cancelAssessment':
    case 'source.openReport':
    case 'source.saveReport':
    case 'backups.browse':
    case 'backups.check':
    case 'service.create':
    case 'service.copyKey':
    case 'service.regenerateKey':
    case 'service.refreshNodes':
    case 'service.test':
    case 'start':
      return s; // effects only
    case 'next': {
      if (validateStep(s, s.step).length) return s;
      const next = STEPS[Math.min(index(s.step) + 1, STEPS.length - 1)]!;
      return { ...s, step: next, reached: index(next) > index(s.reached) ? next : s.reached };
    }
    case 'back':
      return { ...s, step: STEPS[Math.max(index(s.step) - 1, 0)]! };
    case 'goto':
      return index(a.step) <= index(s.reached) ? { ...s, step: a.step } : s;

    case 'op':
      return { ...s, [a.slice]: { ...s[a.slice], op: a.op } };
    case 'capabilities':
      return { ...s, capabilities: a.capabilities };

    case 'account.clouds':
      return { ...s, account: { ...s.account, clouds: a.clouds } };
    case 'account.selectCloud':
      if (a.name === s.account.cloudName) return s;
      if (a.name !== 'custom' && !s.account.clouds.some((c) => c.name === a.name)) return s;
      return clearAzure({ ...s, account: { ...s.account, cloudName: a.name, signedIn: undefined, op: IDLE } });
    case 'account.cloudFile': {
      const clouds = [...s.account.clouds.filter((c) => c.name !== 'custom'), { name: 'custom', displayName: a.displayName }];
      return clearAzure({ ...s, account: { ...s.account, clouds, cloudName: 'custom', customCloudFile: a.path, signedIn: undefined } });
    }
    case 'account.signedIn':
      return { ...s, account: { ...s.account, signedIn: a.label } };
    case 'account.signedOut':
      return clearAzure({ ...s, account: { ...s.account, signedIn: undefined } });

    case 'source.update': {
      const p = a.patch;
      const identityChanged = (p.server !== undefined && p.server !== s.source.server) ||
        (p.userName !== undefined && p.userName !== s.source.userName) ||
        (p.authentication !== undefined && p.authentication !== s.source.authentication);
      const source = { ...s.source, ...p };
      // Another server or login: the list of databases (and the password) belong to the old one.
      return identityChanged ? { ...s, source: { ...source, connected: undefined, databases: [], selected: [], assessment: NO_ASSESSMENT, passwordEntered: false } } : { ...s, source };
    }
    case 'source.password':
      return s; // the controller keeps the value; see source.passwordEntered
    case 'source.passwordEntered':
      return { ...s, source: { ...s.source, passwordEntered: a.entered } };
    case 'source.connected': {
      const names = new Set(a.databases.map((d) => d.name));
      const selected = s.source.selected.filter((n) => names.has(n));
      const next = { ...s, source: { ...s.source, connected: a.server, databases: a.databases, selected, assessment: NO_ASSESSMENT } };
      return { ...next, backups: { ...next.backups, databases: withDatabases(next, selected) } };
    }
    case 'source.assessmentOp': {
      const { progress: _old, ...rest } = s.source.assessment;
      return { ...s, source: { ...s.source, assessment: { ...rest, op: a.op, ...(a.progress !== undefined && { progress: a.progress }) } } };
    }
    case 'source.assessed': {
      const assessment = { ...s.source.assessment, databases: a.databases, mode: a.mode, results: a.results, instanceFindings: a.instanceFindings, reportAvailable: true };
      // Blocked databases cannot be migrated as they are: they leave the selection.
      const blocked = new Set(a.results.filter((r) => r.readiness === 'blocked').map((r) => r.database));
      const selected = s.source.selected.filter((n) => !blocked.has(n));
      const next = { ...s, source: { ...s.source, assessment, selected } };
      return { ...next, backups: { ...next.backups, databases: withDatabases(next, selected) } };
    }
    case 'source.select': {
      const known = new Set(s.source.databases.map((d) => d.name));
      const blocked = blockedDatabases(s);
      const selected = [...new Set(a.names)].filter((n) => known.has(n) && !blocked.has(n));
      return { ...s, source: { ...s.source, selected }, backups: { ...s.backups, databases: withDatabases(s, selected) } };
    }

    case 'target.subscriptions':
      return { ...s, target: { ...s.target, subscriptions: a.subscriptions } };
    case 'target.selectSubscription': {
      if (a.id === s.target.subscriptionId || !s.target.subscriptions.some((x) => x.id === a.id)) return s;
      // Instances, storage accounts and migration services all belong to the subscription.
      const cleared = clearAzure(s);
      return { ...cleared, target: { ...s.target, subscriptionId: a.id, instances: [], instanceId: undefined, existingDatabases: [] } };
    }
    case 'target.instances':
      return { ...s, target: { ...s.target, instances: a.instances } };
    case 'target.selectInstance':
      if (!s.target.instances.some((x) => x.id === a.id)) return s;
      return { ...s, target: { ...s.target, instanceId: a.id, existingDatabases: a.id === s.target.instanceId ? s.target.existingDatabases : [] } };
    case 'target.existingDatabases':
      return { ...s, target: { ...s.target, existingDatabases: a.names } };

    case 'backups.update': {
      const p = a.patch;
      if (p.storageAccountId !== undefined && !s.backups.storageAccounts.some((x) => x.id === p.storageAccountId)) return s;
      const backups = { ...s.backups, ...p };
      if (p.storageAccountId !== undefined && p.storageAccountId !== s.backups.storageAccountId) backups.containers = [];
      if (p.location !== undefined && p.location !== s.backups.location) {
        // A local folder is not a share path and vice versa; a last backup named for one is not the other's.
        backups.databases = backups.databases.map((d) => ({ ...d, folder: '', lastBackupName: '', check: undefined, checkOp: IDLE }));
      }
      // Another mode plans another chain: the last backup must be checked again.
      if (p.mode !== undefined && p.mode !== s.backups.mode) backups.databases = backups.databases.map((d) => ({ ...d, lastBackupName: '', check: undefined, checkOp: IDLE }));
      return { ...s, backups };
    }
    case 'backups.storageAccounts':
      return { ...s, backups: { ...s.backups, storageAccounts: a.accounts } };
    case 'backups.containers':
      return { ...s, backups: { ...s.backups, containers: a.containers } };
    case 'backups.sharePassword':
      return s;
    case 'backups.sharePasswordEntered':
      return { ...s, backups: { ...s.backups, sharePasswordEntered: a.entered } };
    case 'backups.database':
      return updateDatabase(s, a.source, (d) => {
        const next = { ...d, ...a.patch };
        // A new folder holds another chain: what was checked, and the last backup taken from it, no longer hold.
        return a.patch.folder !== undefined && a.patch.folder !== d.folder ? { ...next, lastBackupName: a.patch.lastBackupName ?? '', check: undefined, checkOp: IDLE } : next;
      });
    case 'backups.folderChosen':
      return updateDatabase(s, a.source, (d) => (d.folder === a.folder ? d : { ...d, folder: a.folder, lastBackupName: '', check: undefined, checkOp: IDLE }));
    case 'backups.checkOp':
      return updateDatabase(s, a.source, (d) => ({ ...d, checkOp: a.op }));
    case 'backups.checked':
      return updateDatabase(s, a.source, (d) =>
        d.folder !== a.result.folder
          ? d // the folder changed while the check ran
          : // A checked local chain names its own last file (taken again at Start from the chain uploaded then).
            { ...d, check: a.result, lastBackupName: s.backups.location === 'local' ? (a.result.lastBackupName ?? '') : d.lastBackupName },
      );

    case 'service.list':
      return { ...s, service: { ...s.service, services: a.services } };
    case 'service.select':
      if (!s.service.services.some((x) => x.id === a.id)) return s;
      return { ...s, service: { ...s.service, serviceId: a.id, keysLoaded: a.id === s.service.serviceId && s.service.keysLoaded, nodes: a.id === s.service.serviceId ? s.service.nodes : [], test: undefined } };
    case 'service.update':
      return { ...s, service: { ...s.service, ...a.patch } };
    case 'service.created':
      return { ...s, service: { ...s.service, services: [...s.service.services.filter((x) => x.id !== a.service.id), a.service], serviceId: a.service.id, keysLoaded: false, nodes: [], test: undefined } };
    case 'service.keysLoaded':
      return { ...s, service: { ...s.service, keysLoaded: a.loaded } };
    case 'service.nodes':
      return { ...s, service: { ...s.service, nodes: a.nodes } };
    case 'service.tested':
      return { ...s, service: { ...s.service, test: a.test } };

    case 'start.results':
      return { ...s, start: { ...s.start, results: a.results } };
  }
}

/** Recomputes what keeps the current step from proceeding. */
export function finalize(s: WizardState): WizardState {
  return { ...s, issues: validateStep(s, s.step) };
}

export function reduce(s: WizardState, a: Action): WizardState {
  const next = step(s, a);
  return next === s ? s : finalize(next);
}

export function capabilityView(availability: { available: true } | { available: false; reason: string }): WizardState['capabilities'][CapabilityName] {
  return availability.available ? { available: true } : { available: false, reason: availability.reason };
}
