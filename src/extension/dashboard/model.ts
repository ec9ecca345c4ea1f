/**
 * The dashboard tree as plain data, built from what the migration service reports and the
 * core's rules: status groups -> migrations (one per target database) -> backup sets -> files.
 * The tree provider only maps these nodes onto VS Code tree items, so everything shown is
 * tested here.
 */
import * as l10n from '@vscode/l10n';
import type { FileState } from '../../core/migration/backupFiles';
import { backupSetsOf, fileStatusText, type BackupFileShown, type BackupSetShown } from './backupSets';
import { targetOf, type DatabaseMigrationJson } from './dmsShape';
import { GROUP_ORDER, groupOf, isOffline, pendingLogBackups, statusOf, type MigrationRules, type StatusGroup } from './statusRules';

export interface ViewIcon {
  /** A codicon id, e.g. `pass-filled` or `sync~spin`. */
  id: string;
  /** A theme colour id, e.g. `charts.green`. */
  color?: string;
}

export type NodeKind = 'group' | 'migration' | 'backupSet' | 'file' | 'message' | 'more';

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
  /** A migration's children are built when first asked for (a view of a thousand expands a few). */
  children?: ViewNode[];
  /** `more`: the group whose next page it shows. */
  group?: string;
}

/** How the view groups the migrations: by status (the default), target instance or migration service. */
export type GroupBy = 'status' | 'instance' | 'service';

export interface ViewOptions {
  groupBy: GroupBy;
  /** Words every shown migration matches (name, instance, service, status, source); empty: all. */
  filter: string;
  /** Migrations a group shows before a "show more" row. */
  pageSize: number;
  /** Group id -> how many of its migrations are shown (pageSize until asked for more). */
  shown: ReadonlyMap<string, number>;
}

export const DEFAULT_VIEW: ViewOptions = { groupBy: 'status', filter: '', pageSize: 200, shown: new Map() };

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

// In progress does not turn: a view of hundreds of them would animate all day.
export const MIGRATION_ICON: Record<StatusGroup, ViewIcon> = {
  ready: { id: 'bell-dot', color: 'charts.green' },
  inProgress: { id: 'sync', color: 'charts.blue' },
  completing: { id: 'loading~spin', color: 'charts.blue' },
  failed: { id: 'error', color: 'errorForeground' },
  succeeded: { id: 'pass-filled', color: 'charts.green' },
  canceled: { id: 'circle-slash', color: 'disabledForeground' },
};

const FILE_ICON: Record<FileState, ViewIcon> = {
  Arrived: { id: 'circle-large-outline', color: 'descriptionForeground' },
  Uploading: { id: 'cloud-upload', color: 'charts.blue' },
  Uploaded: { id: 'cloud', color: 'charts.blue' },
  Restoring: { id: 'sync~spin', color: 'charts.yellow' },
  Restored: { id: 'pass-filled', color: 'charts.green' },
  Ignored: { id: 'circle-slash', color: 'list.warningForeground' },
  Canceled: { id: 'close', color: 'disabledForeground' },
  Unknown: { id: 'question', color: 'descriptionForeground' },
};

/** The icon and colour of a backup file's state (the core's; a status it does not know is Unknown). */
export function fileStatusIcon(state: FileState): ViewIcon {
  return FILE_ICON[state];
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

function contextValueOf(m: DatabaseMigrationJson, rules: MigrationRules): string {
  // Validate: a succeeded migration's source against its copy on the instance.
  const flags = [rules.canCutover(m).ok && 'canCutover', rules.canCancel(m).ok && 'canCancel', rules.canDelete(m).ok && 'canDelete', groupOf(statusOf(m)) === 'succeeded' && 'canValidate'].filter(Boolean);
  return ['migration', ...flags].join(';');
}

export function md(text: string): string {
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
    [l10n.t('Log backups pending restore'), pendingLogBackups(m)?.toString()],
    [l10n.t('Last restored file'), d.lastRestoredFilename],
    [l10n.t('Restoring now'), d.currentRestoringFilename],
  ];
  return rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `**${md(k)}:** ${md(v!)}`).join('  \n');
}

export function message(id: string, label: string, icon: ViewIcon, tooltip?: string): ViewNode {
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

function fileNode(ownerId: string, set: BackupSetShown, setId: string, f: BackupFileShown, index: number): ViewNode {
  const status = fileStatusText(f);
  const progress = f.state === 'Uploading' && f.totalSize ? ` ${Math.floor(((f.dataWritten ?? 0) / f.totalSize) * 100)}%` : '';
  const parts = [status + progress, formatBytes(f.totalSize), f.reason].filter(Boolean);
  const tooltip = [
    `**${md(f.fileName)}**`,
    `${md(l10n.t('Status'))}: ${md(status)}`,
    f.totalSize !== undefined && `${md(l10n.t('Size'))}: ${md(formatBytes(f.totalSize))}`,
    f.dataWritten !== undefined && f.totalSize !== undefined && `${md(l10n.t('Uploaded'))}: ${md(formatBytes(f.dataWritten))} / ${md(formatBytes(f.totalSize))}`,
    f.copyThroughput !== undefined && `${md(l10n.t('Throughput'))}: ${md((f.copyThroughput / 1024).toFixed(1))} MB/s`,
    f.firstLsn && `${md(l10n.t('LSN range'))}: ${f.firstLsn} – ${f.lastLsn ?? ''}`,
    set.familyCount > 1 && `${md(l10n.t('Stripe {0} of {1}', f.familySequenceNumber ?? index + 1, set.familyCount))}`,
    f.reason && `${md(l10n.t('Ignored because'))}: ${md(f.reason)}`,
  ].filter(Boolean).join('  \n');
  return {
    id: `${setId}/${f.fileName}`,
    kind: 'file',
    label: f.fileName,
    description: parts.join(' · '),
    tooltip,
    icon: fileStatusIcon(f.state),
    contextValue: `backupFile;${status.toLowerCase()}`,
    migrationId: ownerId,
  };
}

/** A backup set and its files, under the migration (or restore) `ownerId`. */
export function setNode(ownerId: string, set: BackupSetShown): ViewNode {
  const id = `${ownerId}/set/${set.key}`;
  const state = set.state === 'Restored' ? l10n.t('Restored') : set.state === 'Ignored' ? l10n.t('Ignored') : undefined;
  const lsns = set.firstLsn ? `${set.firstLsn} – ${set.lastLsn ?? '?'}` : undefined;
  const size = set.files.reduce((sum, f) => sum + (f.totalSize ?? 0), 0);
  return {
    id,
    kind: 'backupSet',
    label: backupTypeLabel(set.backupType),
    description: [state, lsns, set.files.length > 1 ? l10n.t('{0} stripes', set.files.length) : undefined, size ? formatBytes(size) : undefined].filter(Boolean).join(' · '),
    tooltip: [
      `**${md(backupTypeLabel(set.backupType))}**`,
      lsns && `${md(l10n.t('LSN range'))}: ${lsns}`,
      set.backupFinishDate && `${md(l10n.t('Backup finished'))}: ${md(set.backupFinishDate)}`,
      set.hasBackupChecksums === false && md(l10n.t('Written without checksums')),
      set.reason && `${md(l10n.t('Ignored because'))}: ${md(set.reason)}`,
    ].filter(Boolean).join('  \n'),
    icon: set.state === 'Restored' ? { id: 'pass-filled', color: 'charts.green' } : set.state === 'Ignored' ? { id: 'circle-slash', color: 'list.warningForeground' } : { id: 'archive' },
    contextValue: 'backupSet',
    migrationId: ownerId,
    expanded: set.state !== 'Restored',
    children: set.files.map((f, i) => fileNode(ownerId, set, id, f, i)),
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
  const node: ViewNode = {
    id: m.id,
    kind: 'migration',
    label: t.database,
    description,
    tooltip: migrationTooltip(m),
    icon: MIGRATION_ICON[group],
    contextValue: contextValueOf(m, rules),
    migrationId: m.id,
    expanded: false,
  };
  // Built the first time the view (or a test) asks: most of a thousand migrations are never opened.
  let children: ViewNode[] | undefined;
  Object.defineProperty(node, 'children', { enumerable: true, configurable: true, get: () => (children ??= migrationChildren(m)) });
  return node;
}

/** A migration's problems and backup sets; while its details are not read, a row that says they are being read. */
export function migrationChildren(m: DatabaseMigrationJson): ViewNode[] {
  if (!m.properties?.migrationStatusDetails) {
    return [...problemsOf(m), message(`${m.id}/reading`, l10n.t('Reading the backup files...'), { id: 'loading~spin' })];
  }
  const children = [...problemsOf(m), ...backupSetsOf(m).map((s) => setNode(m.id, s))];
  return children.length ? children : [message(`${m.id}/none`, l10n.t('No backup files reported yet'), { id: 'info' })];
}

/** The migration service a migration runs in (its name), from its properties. */
export function serviceOf(m: DatabaseMigrationJson): string | undefined {
  const id = m.properties?.migrationService;
  return id ? id.slice(id.lastIndexOf('/') + 1) : undefined;
}

/**
 * One row of a group as grouping and filtering see it: a migration of a migration service, or a
 * Log Replay Service restore (lrsRows.ts), side by side under the same headings.
 */
export interface Row {
  id: string;
  /** The target database. */
  name: string;
  status: string;
  instance?: string;
  service?: string;
  /** What the filter matches (lower case). */
  words: string;
  node(): ViewNode;
}

function migrationRow(m: DatabaseMigrationJson, rules: MigrationRules): Row {
  const t = targetOf(m);
  const words = [t.database, t.managedInstance, t.resourceGroup, serviceOf(m), statusOf(m), m.properties?.sourceDatabaseName, m.properties?.sourceServerName].filter(Boolean).join(' ').toLowerCase();
  return { id: m.id, name: t.database, status: statusOf(m), ...(t.managedInstance && { instance: t.managedInstance }), ...(serviceOf(m) && { service: serviceOf(m)! }), words, node: () => migrationNode(m, rules) };
}

/**
 * The rows of the migrations, kept per migration object, each building its node once: the
 * monitor hands over the same object while a migration does not change, so a refresh of a
 * thousand steady ones builds nothing again and the tree sees the very nodes it shows.
 */
export class MigrationRows {
  private readonly rows = new WeakMap<DatabaseMigrationJson, Row>();

  constructor(private readonly rules: MigrationRules) {}

  of(m: DatabaseMigrationJson): Row {
    let row = this.rows.get(m);
    if (!row) {
      const built = migrationRow(m, this.rules);
      let node: ViewNode | undefined;
      row = { ...built, node: () => (node ??= built.node()) };
      this.rows.set(m, row);
    }
    return row;
  }
}

/** Whether a row matches every word of a filter. */
export function rowMatches(r: Pick<Row, 'words'>, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((w) => r.words.includes(w));
}

interface Grouping {
  id: string;
  label: string;
  icon: ViewIcon;
  contextValue: string;
  expanded: boolean;
  list: Row[];
}

// Collators made once: localeCompare with options makes one per call (a sort of 1,000 rows took ~100 ms).
const byNumber = new Intl.Collator(undefined, { numeric: true }).compare;
const byText = new Intl.Collator().compare;
const rowByName = (a: Row, b: Row) => byNumber(a.name, b.name) || byText(a.id, b.id);

function groupsOf(rows: readonly Row[], by: GroupBy): Grouping[] {
  if (by === 'status') {
    const groups = new Map<StatusGroup, Row[]>();
    for (const r of rows) {
      const g = groupOf(r.status);
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push(r);
    }
    return GROUP_ORDER.filter((g) => groups.has(g)).map((g) => ({
      id: `group/${g}`,
      label: groupLabel(g),
      icon: GROUP_ICON[g],
      contextValue: `group;${g}`,
      expanded: g !== 'succeeded' && g !== 'canceled',
      list: groups.get(g)!.sort(rowByName),
    }));
  }
  const keyOf = (r: Row) => (by === 'instance' ? r.instance : r.service) ?? l10n.t('(unknown)');
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = keyOf(r);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(r);
  }
  // In a group of an instance or service: what needs the user first (ready, failed), then by name.
  const order = (r: Row) => GROUP_ORDER.indexOf(groupOf(r.status));
  return [...groups.keys()].sort(byText).map((k) => ({
    id: `${by}/${k}`,
    label: k,
    icon: by === 'instance' ? { id: 'database' } : { id: 'server-process' },
    contextValue: `group;${by}`,
    expanded: true,
    list: groups.get(k)!.sort((a, b) => order(a) - order(b) || rowByName(a, b)),
  }));
}

/**
 * The tree's groups: by status in a fixed order (or by instance, or by service, by name), empty
 * groups left out, the filter applied; a group shows its first page of migrations (by name) and
 * a row that shows the next.
 */
export function buildDashboard(migrations: readonly DatabaseMigrationJson[], rules: MigrationRules, options: Partial<ViewOptions> = {}, others: readonly Row[] = []): ViewNode[] {
  return dashboardOf([...migrations.map((m) => migrationRow(m, rules)), ...others], options);
}

/** The tree's groups of these rows (buildDashboard's, from rows already made). */
export function dashboardOf(rows: readonly Row[], options: Partial<ViewOptions> = {}): ViewNode[] {
  const o = { ...DEFAULT_VIEW, ...options };
  const shownRows = o.filter.trim() ? rows.filter((r) => rowMatches(r, o.filter)) : rows;
  return groupsOf(shownRows, o.groupBy).map((g) => {
    const limit = o.shown.get(g.id) ?? o.pageSize;
    const page = g.list.slice(0, limit);
    const rest = g.list.length - page.length;
    const children = page.map((r) => r.node());
    if (rest > 0) {
      children.push({
        id: `${g.id}/more`,
        kind: 'more',
        label: l10n.t('Show {0} more', Math.min(rest, o.pageSize)),
        description: l10n.t('{0} not shown', rest.toLocaleString()),
        icon: { id: 'ellipsis' },
        group: g.id,
      });
    }
    return {
      id: g.id,
      kind: 'group' as const,
      label: g.label,
      description: String(g.list.length),
      icon: g.icon,
      contextValue: g.contextValue,
      expanded: g.expanded,
      children,
    };
  });
}
