/**
 * The dashboard tree as plain data, built from what the migration service reports: status
 * groups -> migrations (one per target database) -> backup sets -> files. The tree provider
 * only maps these nodes onto VS Code tree items, so everything shown is tested here.
 */
import * as l10n from '@vscode/l10n';
import { targetOf, type DatabaseMigrationJson, type SqlBackupFileInfoJson, type SqlBackupSetInfoJson } from './dmsShape';
import { pendingLogBackups as corePendingLogBackups } from '../../core/migration/backupFiles';
import { asCore, GROUP_ORDER, groupOf, isOffline, statusOf, type MigrationRules, type StatusGroup } from './statusRules';

export interface ViewIcon {
  /** A codicon id, e.g. `pass-filled` or `sync~spin`. */
  id: string;
  /** A theme colour id, e.g. `charts.green`. */
  color?: string;
}

export type NodeKind = 'group' | 'migration' | 'backupSet' | 'file' | 'message';

export interface ViewNode {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  kind: NodeKind;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  icon?: ViewIcon;
  contextValue?: string;
  expanded?: boolean;
  /** The ARM id of the migration this node belongs to. */
  migrationId?: string;
  children?: ViewNode[];
}

export function groupLabel(g: StatusGroup): string {
  switch (g) {
    case 'ready': return l10n.t('Ready for cutover');
    case 'inProgress': return l10n.t('In progress');
    case 'completing': return l10n.t('Completing');
    case 'failed': return l10n.t('Failed');
    case 'succeeded': return l10n.t('Succeeded');
    case 'canceled': return l10n.t('Canceled');
  }
}

const GROUP_ICON: Record<StatusGroup, ViewIcon> = {
  ready: { id: 'bell', color: 'charts.green' },
  inProgress: { id: 'sync', color: 'charts.blue' },
  completing: { id: 'loading~spin', color: 'charts.blue' },
  failed: { id: 'error', color: 'errorForeground' },
  succeeded: { id: 'pass', color: 'charts.green' },
  canceled: { id: 'circle-slash', color: 'disabledForeground' },
};

const MIGRATION_ICON: Record<StatusGroup, ViewIcon> = {
  ready: { id: 'bell-dot', color: 'charts.green' },
  inProgress: { id: 'sync~spin', color: 'charts.blue' },
  completing: { id: 'loading~spin', color: 'charts.blue' },
  failed: { id: 'error', color: 'errorForeground' },
  succeeded: { id: 'pass-filled', color: 'charts.green' },
  canceled: { id: 'circle-slash', color: 'disabledForeground' },
};

/** The icon and colour of a backup file status; unknown statuses still get a neutral icon. */
export function fileStatusIcon(status: string | undefined): ViewIcon {
  switch ((status ?? '').toLowerCase()) {
    case 'arrived':
    case 'queued':
    case 'initial':
      return { id: 'circle-large-outline', color: 'descriptionForeground' };
    case 'uploading': return { id: 'cloud-upload', color: 'charts.blue' };
    case 'uploaded': return { id: 'cloud', color: 'charts.blue' };
    case 'restoring': return { id: 'sync~spin', color: 'charts.yellow' };
    case 'restored': return { id: 'pass-filled', color: 'charts.green' };
    case 'ignored':
    case 'skipped':
      return { id: 'circle-slash', color: 'list.warningForeground' };
    case 'canceled':
    case 'cancelled':
      return { id: 'close', color: 'disabledForeground' };
    default: return { id: 'question', color: 'descriptionForeground' };
  }
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n < 0) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function backupTypeLabel(type: string | undefined): string {
  switch (type) {
    case 'Database': return l10n.t('Full backup');
    case 'DifferentialDatabase': return l10n.t('Differential backup');
    case 'TransactionLog': return l10n.t('Log backup');
    case undefined: return l10n.t('Backup');
    default: return type;
  }
}

/** LSNs are decimal strings that exceed 2^53: compare them as bigints. */
function lsnKey(text: string | undefined): bigint {
  return text && /^\d+$/.test(text) ? BigInt(text) : -1n;
}

function byFirstLsn(a: SqlBackupSetInfoJson, b: SqlBackupSetInfoJson): number {
  const x = lsnKey(a.firstLSN);
  const y = lsnKey(b.firstLSN);
  return x === y ? (a.backupStartDate ?? '').localeCompare(b.backupStartDate ?? '') : x < y ? -1 : 1;
}

/** Every backup set the service mentions, once, in LSN order. */
export function backupSetsOf(m: DatabaseMigrationJson): SqlBackupSetInfoJson[] {
  const d = m.properties?.migrationStatusDetails;
  const all = [d?.fullBackupSetInfo, d?.lastRestoredBackupSetInfo, ...(d?.activeBackupSets ?? [])].filter((s): s is SqlBackupSetInfoJson => !!s);
  const seen = new Map<string, SqlBackupSetInfoJson>();
  for (const s of all) {
    const key = s.backupSetId ?? `${s.firstLSN}-${s.lastLSN}-${s.backupType}`;
    // activeBackupSets come last and carry the freshest file statuses.
    seen.set(key, { ...seen.get(key), ...s });
  }
  return [...seen.values()].sort(byFirstLsn);
}

/** Log backups seen but not restored (the core's count: the service's, or the files listed); unknown without details. */
export function pendingLogBackups(m: DatabaseMigrationJson): number | undefined {
  return m.properties?.migrationStatusDetails ? corePendingLogBackups(asCore(m)) : undefined;
}

function contextValueOf(m: DatabaseMigrationJson, rules: MigrationRules): string {
  const flags = [rules.canCutover(m).ok && 'canCutover', rules.canCancel(m).ok && 'canCancel', rules.canDelete(m).ok && 'canDelete'].filter(Boolean);
  return ['migration', ...flags].join(';');
}

function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function migrationTooltip(m: DatabaseMigrationJson): string {
  const p = m.properties ?? {};
  const d = p.migrationStatusDetails ?? {};
  const t = targetOf(m);
  const rows: [string, string | undefined][] = [
    [l10n.t('Status'), statusOf(m) + (d.migrationState ? ` (${d.migrationState})` : '')],
    [l10n.t('Source'), p.sourceServerName && p.sourceDatabaseName ? `${p.sourceServerName} / ${p.sourceDatabaseName}` : p.sourceDatabaseName],
    [l10n.t('Target'), t.managedInstance ? `${t.managedInstance} / ${t.database}` : t.database],
    [l10n.t('Mode'), isOffline(m) ? l10n.t('Offline') : l10n.t('Online')],
    [l10n.t('Started'), p.startedOn],
    [l10n.t('Log backups pending restore'), d.pendingLogBackupsCount?.toString()],
    [l10n.t('Last restored file'), d.lastRestoredFilename],
    [l10n.t('Restoring now'), d.currentRestoringFilename],
  ];
  return rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `**${md(k)}:** ${md(v!)}`).join('  \n');
}

function message(id: string, label: string, icon: ViewIcon, tooltip?: string): ViewNode {
  return { id, kind: 'message', label, icon, ...(tooltip && { tooltip: md(tooltip) }) };
}

function problemsOf(m: DatabaseMigrationJson): ViewNode[] {
  const p = m.properties ?? {};
  const d = p.migrationStatusDetails ?? {};
  const out: ViewNode[] = [];
  const error = { id: 'error', color: 'errorForeground' };
  const warning = { id: 'warning', color: 'list.warningForeground' };
  if (p.migrationFailureError?.message) {
    const text = p.migrationFailureError.code ? `${p.migrationFailureError.message} (${p.migrationFailureError.code})` : p.migrationFailureError.message;
    out.push(message(`${m.id}/failure`, text, error, text));
  }
  if (p.provisioningError) out.push(message(`${m.id}/provisioning`, p.provisioningError, error, p.provisioningError));
  if (d.restoreBlockingReason) out.push(message(`${m.id}/blocking`, l10n.t('Restore blocked: {0}', d.restoreBlockingReason), warning, d.restoreBlockingReason));
  if (d.completeRestoreErrorMessage) out.push(message(`${m.id}/complete`, d.completeRestoreErrorMessage, error, d.completeRestoreErrorMessage));
  (d.fileUploadBlockingErrors ?? []).forEach((e, i) => out.push(message(`${m.id}/upload/${i}`, e, warning, e)));
  if (d.invalidFiles?.length) {
    out.push({
      id: `${m.id}/invalid`,
      kind: 'message',
      label: l10n.t('Not backup files ({0})', d.invalidFiles.length),
      icon: { id: 'circle-slash', color: 'list.warningForeground' },
      tooltip: md(l10n.t('The service found these files in the backup location and cannot use them.')),
      children: d.invalidFiles.map((f) => message(`${m.id}/invalid/${f}`, f, { id: 'file', color: 'list.warningForeground' })),
    });
  }
  return out;
}

function fileNode(m: DatabaseMigrationJson, set: SqlBackupSetInfoJson, setId: string, f: SqlBackupFileInfoJson, index: number): ViewNode {
  const status = f.status ?? (set.isBackupRestored ? 'Restored' : 'Arrived');
  const ignored = /^(ignored|skipped)$/i.test(status);
  const reason = ignored && set.ignoreReasons?.length ? set.ignoreReasons.join('; ') : undefined;
  const progress = /^uploading$/i.test(status) && f.totalSize ? ` ${Math.floor(((f.dataWritten ?? 0) / f.totalSize) * 100)}%` : '';
  const parts = [status + progress, formatBytes(f.totalSize), reason].filter(Boolean);
  const tooltip = [
    `**${md(f.fileName ?? '')}**`,
    `${md(l10n.t('Status'))}: ${md(status)}`,
    f.totalSize !== undefined && `${md(l10n.t('Size'))}: ${md(formatBytes(f.totalSize))}`,
    f.dataWritten !== undefined && f.totalSize !== undefined && `${md(l10n.t('Uploaded'))}: ${md(formatBytes(f.dataWritten))} / ${md(formatBytes(f.totalSize))}`,
    f.copyThroughput !== undefined && `${md(l10n.t('Throughput'))}: ${md((f.copyThroughput / 1024).toFixed(1))} MB/s`,
    set.firstLSN && `${md(l10n.t('LSN range'))}: ${set.firstLSN} – ${set.lastLSN ?? ''}`,
    (set.familyCount ?? 1) > 1 && `${md(l10n.t('Stripe {0} of {1}', f.familySequenceNumber ?? index + 1, set.familyCount ?? 1))}`,
    reason && `${md(l10n.t('Ignored because'))}: ${md(reason)}`,
  ].filter(Boolean).join('  \n');
  return {
    id: `${setId}/${f.fileName ?? index}`,
    kind: 'file',
    label: f.fileName ?? l10n.t('(unnamed file)'),
    description: parts.join(' · '),
    tooltip,
    icon: fileStatusIcon(status),
    contextValue: `backupFile;${status.toLowerCase()}`,
    migrationId: m.id,
  };
}

function setNode(m: DatabaseMigrationJson, set: SqlBackupSetInfoJson, index: number): ViewNode {
  const id = `${m.id}/set/${set.backupSetId ?? index}`;
  const files = set.listOfBackupFiles ?? [];
  const ignored = (set.ignoreReasons?.length ?? 0) > 0;
  const state = set.isBackupRestored ? l10n.t('Restored') : ignored ? l10n.t('Ignored') : undefined;
  const lsns = set.firstLSN ? `${set.firstLSN} – ${set.lastLSN ?? '?'}` : undefined;
  const size = files.reduce((sum, f) => sum + (f.totalSize ?? 0), 0);
  return {
    id,
    kind: 'backupSet',
    label: backupTypeLabel(set.backupType),
    description: [state, lsns, files.length > 1 ? l10n.t('{0} stripes', files.length) : undefined, size ? formatBytes(size) : undefined].filter(Boolean).join(' · '),
    tooltip: [
      `**${md(backupTypeLabel(set.backupType))}**`,
      lsns && `${md(l10n.t('LSN range'))}: ${lsns}`,
      set.backupFinishDate && `${md(l10n.t('Backup finished'))}: ${md(set.backupFinishDate)}`,
      set.hasBackupChecksums === false && md(l10n.t('Written without checksums')),
      ignored && `${md(l10n.t('Ignored because'))}: ${md(set.ignoreReasons!.join('; '))}`,
    ].filter(Boolean).join('  \n'),
    icon: set.isBackupRestored ? { id: 'pass-filled', color: 'charts.green' } : ignored ? { id: 'circle-slash', color: 'list.warningForeground' } : { id: 'archive' },
    contextValue: 'backupSet',
    migrationId: m.id,
    expanded: !set.isBackupRestored,
    children: files.map((f, i) => fileNode(m, set, id, f, i)),
  };
}

export function migrationNode(m: DatabaseMigrationJson, rules: MigrationRules): ViewNode {
  const status = statusOf(m);
  const group = groupOf(status);
  const pending = pendingLogBackups(m);
  const t = targetOf(m);
  const description = [
    status,
    pending !== undefined && !isOffline(m) && group !== 'succeeded' && group !== 'canceled' ? (pending === 1 ? l10n.t('1 log backup pending') : l10n.t('{0} log backups pending', pending)) : undefined,
    t.managedInstance,
  ].filter(Boolean).join(' · ');
  const children = [...problemsOf(m), ...backupSetsOf(m).map((s, i) => setNode(m, s, i))];
  return {
    id: m.id,
    kind: 'migration',
    label: t.database,
    description,
    tooltip: migrationTooltip(m),
    icon: MIGRATION_ICON[group],
    contextValue: contextValueOf(m, rules),
    migrationId: m.id,
    expanded: false,
    children: children.length ? children : [message(`${m.id}/none`, l10n.t('No backup files reported yet'), { id: 'info' })],
  };
}

/** Groups in a fixed order, empty groups left out; migrations by target database name. */
export function buildDashboard(migrations: readonly DatabaseMigrationJson[], rules: MigrationRules): ViewNode[] {
  const groups = new Map<StatusGroup, DatabaseMigrationJson[]>();
  for (const m of migrations) {
    const g = groupOf(statusOf(m));
    groups.set(g, [...(groups.get(g) ?? []), m]);
  }
  return GROUP_ORDER.filter((g) => groups.has(g)).map((g) => {
    const list = groups.get(g)!.sort((a, b) => targetOf(a).database.localeCompare(targetOf(b).database) || a.id.localeCompare(b.id));
    return {
      id: `group/${g}`,
      kind: 'group' as const,
      label: groupLabel(g),
      description: String(list.length),
      icon: GROUP_ICON[g],
      contextValue: `group;${g}`,
      expanded: g !== 'succeeded' && g !== 'canceled',
      children: list.map((m) => migrationNode(m, rules)),
    };
  });
}
