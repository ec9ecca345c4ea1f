/** Helpers over the wizard state that more than one step uses: one step's answer changes another's slice. */
import * as l10n from '@vscode/l10n';
import type { Availability } from '../services/types';
import type { Issue } from './context';
import { placeDatabases, type InstanceCapacity } from '../../core/naming';
import { tierOfInstance } from '../../core/sku/miLimits';
import type { CapabilityName, DatabaseBackup, Op, WizardState } from '../../protocol/wizard';

export const IDLE: Op = { status: 'idle' };

/** An op in progress, with what it is doing when that is worth saying. */
export const busyOp = (message?: string): Op => (message ? { status: 'busy', message } : { status: 'busy' });

export const NO_ASSESSMENT: WizardState['source']['assessment'] = { op: IDLE, databases: [], results: [], instanceFindings: [], reportAvailable: false };

/** Databases the assessment found blocked: they cannot be selected. */
export function blockedDatabases(s: WizardState): Set<string> {
  return new Set(s.source.assessment.results.filter((r) => r.readiness === 'blocked').map((r) => r.database));
}

/**
 * `names` as the selection: in the order of the server's list, only databases it lists, never a
 * blocked one. Says how many blocked ones were left out (where the user acted, the UI says it).
 */
export function selectionOf(s: WizardState, names: Iterable<string>): { selected: string[]; note?: string } {
  const wanted = new Set(names);
  const blocked = blockedDatabases(s);
  const selected: string[] = [];
  let refused = 0;
  for (const d of s.source.databases) {
    if (!wanted.has(d.name)) continue;
    if (blocked.has(d.name)) refused++;
    else selected.push(d.name);
  }
  if (!refused) return { selected };
  return {
    selected,
    note:
      refused === 1
        ? l10n.t('1 blocked database was left out: it cannot migrate as it is. Fix what the assessment reports, then assess again.')
        : l10n.t('{0} blocked databases were left out: they cannot migrate as they are. Fix what the assessment reports, then assess again.', refused),
  };
}

/** The state with `selected` as the source's selection (the backups list follows it once the step is left: withBackupsFollowing). */
export function withSelection(s: WizardState, selected: string[], note?: string): WizardState {
  const same = selected.length === s.source.selected.length && selected.every((n, i) => n === s.source.selected[i]);
  if (same && note === s.source.selectionNote) return s;
  const { selectionNote: _old, ...source } = s.source;
  return { ...s, source: { ...source, selected: same ? s.source.selected : selected, ...(note !== undefined && { selectionNote: note }) } };
}

/**
 * The backups step's list follows the source's selection from the moment the source step is
 * left: while the user is still choosing, a select-all of a thousand databases builds (and
 * sends the webview) no thousand entries that no view on that step shows. The same state when
 * the list already follows.
 */
export function withBackupsFollowing(s: WizardState): WizardState {
  if (s.step === 'account' || s.step === 'source') return s;
  const selected = s.source.selected;
  const listed = s.backups.databases;
  if (selected.length === listed.length && selected.every((n, i) => n === listed[i]!.source)) return s;
  return { ...s, backups: { ...s.backups, databases: backupsFor(s, selected) } };
}

/** A container name derived from a database name: lowercase letters, digits and single hyphens. */
export function suggestContainer(database: string): string {
  const base = database.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  const name = base.length >= 3 ? base : `${base || 'db'}-backups`;
  return name === 'backup' ? 'backup-files' : name;
}

/** The backups step's list follows the source's selection; a database keeps its answers while it stays selected. */
export function backupsFor(s: WizardState, selected: string[]): DatabaseBackup[] {
  const had = new Map(s.backups.databases.map((d) => [d.source, d]));
  return selected.map((name) => had.get(name) ?? { source: name, target: name, folder: '', container: suggestContainer(name), lastBackupName: '', checkOp: IDLE });
}

/** The chosen instances in order, with their tier and the databases on them (0 until listed). */
export function chosenInstances(s: WizardState): (InstanceCapacity & { name: string; listed: boolean; state: string })[] {
  const existing = new Map(s.target.existing.map((e) => [e.instanceId, e.names.length]));
  return s.target.instanceIds.map((id) => {
    const mi = s.target.instances.find((i) => i.id === id);
    const tier = tierOfInstance(mi?.tier);
    return { id, name: mi?.name ?? id.slice(id.lastIndexOf('/') + 1), state: mi?.state ?? 'Unknown', listed: existing.has(id), existing: existing.get(id) ?? 0, ...(tier && { tier }) };
  });
}

/**
 * Which instance each database of the backups list goes to: the core's rule (the chosen
 * instances in order, each up to its tier's limit counting what is on it). The same state when
 * nothing moved.
 */
export function withPlacement(s: WizardState): WizardState {
  const { placed } = placeDatabases(s.backups.databases.map((d) => d.source), chosenInstances(s));
  let changed = false;
  const databases = s.backups.databases.map((d) => {
    const id = placed.get(d.source);
    if (id === d.instanceId) return d;
    changed = true;
    const { instanceId: _old, ...rest } = d;
    return id ? { ...rest, instanceId: id } : rest;
  });
  return changed ? { ...s, backups: { ...s.backups, databases } } : s;
}

/** What the account and subscription determine: another sign-in, cloud or subscription invalidates everything Azure. */
export function clearAzure(s: WizardState): WizardState {
  return {
    ...s,
    target: { ...s.target, subscriptions: [], subscriptionId: undefined, instances: [], instanceIds: [], existing: [] },
    backups: { ...s.backups, storageAccounts: [], storageAccountId: undefined, containers: [] },
    service: { ...s.service, services: [], serviceId: undefined, keysLoaded: false, nodes: [], test: undefined },
  };
}

/** Why the named capabilities cannot work in this build (empty when they all can). */
export function unavailable(s: WizardState, ...names: CapabilityName[]): Issue[] {
  return names.flatMap((n) => {
    const c = s.capabilities[n];
    return c.available ? [] : [{ kind: `unavailable.${n}`, text: c.reason ?? l10n.t('Not available.') }];
  });
}

export function capabilityView(availability: Availability): WizardState['capabilities'][CapabilityName] {
  return availability.available ? { available: true } : { available: false, reason: availability.reason };
}

/** Runs `work` on each item, `limit` at a time, until done or aborted. */
export async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
