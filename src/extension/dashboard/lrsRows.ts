/**
 * Log Replay Service restores as rows of the Migrations view, beside the migration service's:
 * the same headings (the core's status words), the same file states and icons (lrsStatus.ts maps
 * the service's words), one backup set per backup LRS reports (it gives no LSNs). What a restore
 * allows (complete, stop) is the core's rule, in its `contextValue` for the menus.
 */
import * as l10n from '@vscode/l10n';
import { checkCutoverOf } from '../../core/migration/cutover';
import { lrsCutoverSubject, stopRefusal, type LrsRestoreView } from '../../core/migration/lrsStatus';
import type { BackupSetShown } from './backupSets';
import { md, message, MIGRATION_ICON, setNode, type Row, type ViewNode } from './model';
import { groupOf, type Allowed } from './statusRules';

/** The "migration service" a restore is grouped under. */
export const lrsServiceLabel = () => l10n.t('Log Replay Service');

/** Managed database ids (…/managedInstances/MI/databases/DB) are restores; migration ids are not. */
export function isRestoreId(id: string): boolean {
  return /\/providers\/Microsoft\.Sql\/managedInstances\/[^/]+\/databases\/[^/]+\/?$/i.test(id);
}

/**
 * Whether completing is offered. Before the details are read a restore the list calls restoring
 * is not offered; once read, the guard's rule (the command reads it fresh and checks again).
 */
export function canComplete(v: LrsRestoreView): Allowed {
  if (v.status !== 'ReadyForCutover') return { ok: false, reason: v.mode === 'autocomplete' ? lrsCutoverSubject(v).endsByItself : l10n.t('the restore is {0}, not ready to complete', v.status) };
  const check = checkCutoverOf(lrsCutoverSubject(v));
  return check.allowed ? { ok: true } : { ok: false, reason: check.blockers[0] ?? v.status };
}

export function canStop(v: LrsRestoreView): Allowed {
  const why = stopRefusal(v);
  return why ? { ok: false, reason: why } : { ok: true };
}

function contextValueOf(v: LrsRestoreView): string {
  return ['lrsRestore', canComplete(v).ok && 'canComplete', canStop(v).ok && 'canStop', v.status === 'Succeeded' && 'canValidate'].filter(Boolean).join(';');
}

function tooltipOf(v: LrsRestoreView): string {
  const rows: [string, string | undefined][] = [
    [l10n.t('Status'), `${v.status} (${l10n.t('database {0}', v.databaseStatus)}${v.restoreStatus ? `, ${l10n.t('restore {0}', v.restoreStatus)}` : ''})`],
    [l10n.t('Migrated with'), lrsServiceLabel()],
    [l10n.t('Source'), v.sourceDatabase],
    [l10n.t('Target'), `${v.ref.managedInstance} / ${v.ref.targetDatabase}`],
    [l10n.t('Mode'), v.mode === 'autocomplete' ? l10n.t('Autocomplete (ends by itself after {0})', v.lastBackupName ?? '?') : v.mode === 'continuous' ? l10n.t('Continuous (complete it to cut over)') : undefined],
    [l10n.t('Backup location'), v.folder],
    [l10n.t('Started'), v.startedOn],
    [l10n.t('Last restored file'), v.lastRestoredFile],
    [l10n.t('Restoring now'), v.currentRestoringFile],
    [l10n.t('Restore must complete by'), v.deadline && !['Succeeded', 'Failed'].includes(v.status) ? v.deadline : undefined],
  ];
  return rows.filter(([, x]) => x !== undefined && x !== '').map(([k, x]) => `**${md(k)}:** ${md(x!)}`).join('  \n');
}

/** One set per backup the service reports, in its order (full, differential, logs). */
export function restoreBackupSets(v: LrsRestoreView): BackupSetShown[] {
  return v.files.map((f, i) => ({
    key: `${i}|${f.fileName}`,
    ...(f.backupType && { backupType: f.backupType }),
    ...(f.backupFinishDate && { backupFinishDate: f.backupFinishDate }),
    ...(f.state === 'Restored' && { state: 'Restored' as const }),
    ...(f.state === 'Ignored' && { state: 'Ignored' as const, ...(f.reason && { reason: f.reason }) }),
    familyCount: 1,
    files: [f],
  }));
}

/** A restore's problems and backups; while its details are not read, a row that says they are being read. */
export function restoreChildren(v: LrsRestoreView): ViewNode[] {
  const warning = { id: 'warning', color: 'list.warningForeground' };
  const error = { id: 'error', color: 'errorForeground' };
  const problems = v.problems.map((p, i) => message(`${v.id}/problem/${i}`, p, v.status === 'Failed' ? error : warning, p));
  if (!v.detailed && v.status !== 'Succeeded') return [...problems, message(`${v.id}/reading`, l10n.t('Reading the backup files...'), { id: 'loading~spin' })];
  const sets = restoreBackupSets(v).map((s) => setNode(v.id, s));
  const children = [...problems, ...sets];
  return children.length ? children : [message(`${v.id}/none`, l10n.t('No backup files reported yet'), { id: 'info' })];
}

export function restoreNode(v: LrsRestoreView): ViewNode {
  const pending = v.pendingReported;
  const description = [
    v.status,
    l10n.t('Log Replay'),
    pending !== undefined && v.status !== 'Succeeded' && pending > 0 ? (pending === 1 ? l10n.t('1 backup pending') : l10n.t('{0} backups pending', pending)) : undefined,
    v.ref.managedInstance,
  ].filter(Boolean).join(' · ');
  const node: ViewNode = {
    id: v.id,
    kind: 'migration',
    label: v.ref.targetDatabase,
    description,
    tooltip: tooltipOf(v),
    icon: MIGRATION_ICON[groupOf(v.status)],
    contextValue: contextValueOf(v),
    migrationId: v.id,
    expanded: false,
  };
  let children: ViewNode[] | undefined;
  Object.defineProperty(node, 'children', { enumerable: true, configurable: true, get: () => (children ??= restoreChildren(v)) });
  return node;
}

export function restoreRow(v: LrsRestoreView): Row {
  const service = lrsServiceLabel();
  const words = [v.ref.targetDatabase, v.ref.managedInstance, v.ref.resourceGroup, service, 'lrs', v.status, v.sourceDatabase].filter(Boolean).join(' ').toLowerCase();
  return { id: v.id, name: v.ref.targetDatabase, status: v.status, instance: v.ref.managedInstance, service, words, node: () => restoreNode(v) };
}
