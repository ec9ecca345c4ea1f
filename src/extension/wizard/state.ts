/** Helpers over the wizard state that more than one step uses: one step's answer changes another's slice. */
import * as l10n from '@vscode/l10n';
import type { Availability } from '../services/types';
import type { CapabilityName, DatabaseBackup, Op, WizardState } from '../../protocol/wizard';

export const IDLE: Op = { status: 'idle' };

/** An op in progress, with what it is doing when that is worth saying. */
export const busyOp = (message?: string): Op => (message ? { status: 'busy', message } : { status: 'busy' });

export const NO_ASSESSMENT: WizardState['source']['assessment'] = { op: IDLE, databases: [], results: [], instanceFindings: [], reportAvailable: false };

/** Databases the assessment found blocked: they cannot be selected. */
export function blockedDatabases(s: WizardState): Set<string> {
  return new Set(s.source.assessment.results.filter((r) => r.readiness === 'blocked').map((r) => r.database));
}

/** A container name derived from a database name: lowercase letters, digits and single hyphens. */
export function suggestContainer(database: string): string {
  const base = database.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  const name = base.length >= 3 ? base : `${base || 'db'}-backups`;
  return name === 'backup' ? 'backup-files' : name;
}

/** The backups step's list follows the source's selection; a database keeps its answers while it stays selected. */
export function backupsFor(s: WizardState, selected: string[]): DatabaseBackup[] {
  return selected.map(
    (name) => s.backups.databases.find((d) => d.source === name) ?? { source: name, target: name, folder: '', container: suggestContainer(name), lastBackupName: '', checkOp: IDLE },
  );
}

/** What the account and subscription determine: another sign-in, cloud or subscription invalidates everything Azure. */
export function clearAzure(s: WizardState): WizardState {
  return {
    ...s,
    target: { ...s.target, subscriptions: [], subscriptionId: undefined, instances: [], instanceId: undefined, existingDatabases: [] },
    backups: { ...s.backups, storageAccounts: [], storageAccountId: undefined, containers: [] },
    service: { ...s.service, services: [], serviceId: undefined, keysLoaded: false, nodes: [], test: undefined },
  };
}

/** Why the named capabilities cannot work in this build (empty when they all can). */
export function unavailable(s: WizardState, ...names: CapabilityName[]): string[] {
  return names.flatMap((n) => {
    const c = s.capabilities[n];
    return c.available ? [] : [c.reason ?? l10n.t('Not available.')];
  });
}

export function capabilityView(availability: Availability): WizardState['capabilities'][CapabilityName] {
  return availability.available ? { available: true } : { available: false, reason: availability.reason };
}
