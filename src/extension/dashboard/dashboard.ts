/**
 * The Migrations view: the tree, the status bar item and the notifications when migrations
 * become ready for cutover or fail, all following the migration feed (the core's monitor: its
 * refreshes while the view is visible, and the changes it detects). What it shows is what the
 * last refresh read; failures to read become an error node, not a toast.
 *
 * At a thousand migrations: the tree groups by status, target instance or migration service,
 * filters, and shows a page of each group; a migration's backup files are read when it is
 * expanded (or open in a details panel), and only the rows that changed are redrawn. The
 * notifications of one refresh come as one ("30 migrations are ready for cutover").
 *
 * Log Replay Service restores of the instances the user works with are rows beside the
 * migrations (lrsRows.ts), under the same headings, with their own Complete and Stop commands.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { COMMANDS, INTERNAL_COMMANDS, VIEW_MIGRATIONS } from '../commands/ids';
import type { Ctx } from '../ctx';
import { describeError } from '../errors';
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import type { FeedUpdate, LiveMigrationFeed, MigrationChange, RestoreChange } from '../services/migrationFeed';
import { isRestoreId, restoreRow } from './lrsRows';
import type { DatabaseMigrationJson } from './dmsShape';
import { targetOf } from './dmsShape';
import { dashboardOf, DEFAULT_VIEW, MigrationRows, rowMatches, type GroupBy, type Row, type ViewNode, type ViewOptions } from './model';
import { ObservationLog } from './observations';
import { countStatuses, statusBarContent } from './statusBar';

const VIEW_STATE = 'sqlMigration.view';
/** From this many migrations the view offers its grouping and filter row. */
const OPTIONS_FROM = 10;

/** What a tree row shows: when it is the same, the row is not redrawn. */
function itemKey(n: ViewNode): string {
  return JSON.stringify([n.label, n.description, n.tooltip, n.icon, n.contextValue, n.kind === 'group' ? n.expanded : undefined]);
}

class MigrationsTree implements vscode.TreeDataProvider<ViewNode> {
  private readonly emitter = new vscode.EventEmitter<ViewNode | ViewNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  roots: ViewNode[] = [];
  /** Id -> the node shown: the same object across refreshes, so VS Code can redraw just it. */
  private readonly nodes = new Map<string, ViewNode>();
  private readonly keys = new Map<string, string>();
  /** Id -> the model's node its content was last taken from: given the same object again (a row the model kept), nothing changed. */
  private readonly takenFrom = new Map<string, ViewNode>();
  private structure = '';
  /** A migration whose children are asked for: the view opened it. */
  onOpen: ((node: ViewNode) => void) | undefined;

  /** Takes the new tree: redraws what changed (rows, or a group whose rows changed), or everything when the groups did. */
  update(roots: ViewNode[], detailsChanged: ReadonlySet<string> = new Set()): void {
    const changed: ViewNode[] = [];
    const seen = new Set<string>();
    const adopt = (n: ViewNode): ViewNode => {
      seen.add(n.id);
      const old = this.nodes.get(n.id);
      // A migration's row as the model kept it (it did not change): nothing to compare or copy.
      if (old && n.kind === 'migration' && old.kind === 'migration' && this.takenFrom.get(n.id) === n) {
        if (detailsChanged.has(n.id)) changed.push(old);
        return old;
      }
      this.takenFrom.set(n.id, n);
      const key = itemKey(n);
      if (!old || old.kind !== n.kind) {
        this.nodes.set(n.id, n);
        this.keys.set(n.id, key);
        // A new group's rows are known from now on too: the next refresh updates those objects (VS Code holds them).
        if (n.kind !== 'migration' && n.children) n.children = n.children.map(adopt);
        return n;
      }
      const children = n.kind === 'migration' ? undefined : n.children?.map(adopt);
      const differs = this.keys.get(n.id) !== key || (n.kind === 'migration' && detailsChanged.has(n.id));
      // The same object, new content: VS Code knows it by identity. (A migration's children stay unbuilt until asked for.)
      const record = old as unknown as Record<string, unknown>;
      for (const k of Object.keys(old)) if (k !== 'children') delete record[k];
      for (const k of Object.keys(n)) if (k !== 'children') record[k] = (n as unknown as Record<string, unknown>)[k];
      const descriptor = n.kind === 'migration' ? Object.getOwnPropertyDescriptor(n, 'children') : { value: children, writable: true, enumerable: true };
      Object.defineProperty(old, 'children', { ...(descriptor ?? { value: undefined, writable: true, enumerable: true }), configurable: true });
      this.keys.set(n.id, key);
      if (differs) changed.push(old);
      return old;
    };
    const adopted = roots.map(adopt);
    for (const id of [...this.nodes.keys()]) {
      if (seen.has(id)) continue;
      this.nodes.delete(id);
      this.keys.delete(id);
      this.takenFrom.delete(id);
    }
    // Which rows are where: when that changes, the groups are redrawn.
    const structure = JSON.stringify(adopted.map((r) => [r.id, r.children?.map((c) => c.id)]));
    const wholeTree = structure !== this.structure || adopted.length !== this.roots.length;
    this.structure = structure;
    this.roots = adopted;
    if (wholeTree) this.emitter.fire(undefined);
    else if (changed.length) this.emitter.fire(changed);
  }

  /** A tree of messages (an error, "sign in"): replaces everything. */
  replace(roots: ViewNode[]): void {
    this.nodes.clear();
    this.keys.clear();
    this.takenFrom.clear();
    this.structure = '';
    this.roots = roots;
    this.emitter.fire(undefined);
  }

  node(id: string): ViewNode | undefined {
    return this.nodes.get(id);
  }

  getChildren(node?: ViewNode): ViewNode[] {
    if (!node) return this.roots;
    if (node.kind === 'migration') this.onOpen?.(node);
    return node.children ?? [];
  }

  getParent(node: ViewNode): ViewNode | undefined {
    return node.kind === 'migration' || node.kind === 'more' ? this.roots.find((r) => r.children?.includes(node)) : undefined;
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    // A migration always has children (its files, or a row saying they are being read): asking for them opens it.
    const collapsible = node.kind === 'migration' || (node.kind !== 'more' && Boolean(node.children?.length));
    const state = !collapsible ? vscode.TreeItemCollapsibleState.None : node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description) item.description = node.description;
    if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.contextValue) item.contextValue = node.contextValue;
    // A restore has no details panel: its files are its children.
    if (node.kind === 'migration' && !isRestoreId(node.id)) item.command = { command: COMMANDS.showMigrationDetails, title: l10n.t('Show Details'), arguments: [node] };
    if (node.kind === 'more') item.command = { command: INTERNAL_COMMANDS.showMore, title: l10n.t('Show More'), arguments: [node.group] };
    if (node.id === 'options') item.command = { command: INTERNAL_COMMANDS.viewOptions, title: l10n.t('Filter and Group...') };
    if (node.id === 'error/retry') item.command = { command: COMMANDS.refresh, title: l10n.t('Retry') };
    if (node.id === 'error/signIn') item.command = { command: COMMANDS.signIn, title: l10n.t('Sign in to Azure') };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export class Dashboard implements vscode.Disposable {
  private readonly tree = new MigrationsTree();
  private readonly view: vscode.TreeView<ViewNode>;
  private readonly feed: LiveMigrationFeed;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private migrations: DatabaseMigrationJson[] = [];
  private byId = new Map<string, DatabaseMigrationJson>();
  /** Log Replay Service restores of the instances the user works with, listed beside the migrations. */
  private restores: LrsRestoreView[] = [];
  private restoresById = new Map<string, LrsRestoreView>();
  private options: ViewOptions;
  /** The migrations' rows and nodes, built once per migration object (the monitor's, the same while unchanged). */
  private readonly rows: MigrationRows;
  /** What the tree was last built from (a refresh that changed nothing leaves it). */
  private rendered: { rows: readonly Row[]; options: ViewOptions } | undefined;
  /** What the status bar item shows now: set again only when it changes. */
  private statusShown = '';
  /** Migrations expanded in the tree, and open in a details panel: their files are read every refresh. */
  private readonly expanded = new Set<string>();
  private readonly detailsOpen = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every refresh that read the migrations (the details views follow it). */
  readonly onDidChange = this.changed.event;
  readonly observations = new ObservationLog();

  constructor(private readonly ctx: Ctx) {
    this.feed = ctx.backend.feed;
    this.rows = new MigrationRows(ctx.backend.rules);
    const saved = ctx.context.workspaceState.get<{ groupBy?: GroupBy; filter?: string }>(VIEW_STATE) ?? {};
    this.options = { ...DEFAULT_VIEW, shown: new Map(), ...(saved.groupBy && { groupBy: saved.groupBy }), ...(saved.filter && { filter: saved.filter }) };
    this.view = vscode.window.createTreeView(VIEW_MIGRATIONS, { treeDataProvider: this.tree, canSelectMany: true, showCollapseAll: true });
    this.status = vscode.window.createStatusBarItem('sqlMigration.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = l10n.t('Azure SQL Migration');
    this.feed.setIntervalMs(ctx.config.settings.refreshIntervalSeconds * 1000);
    this.tree.onOpen = (node) => this.opened(node);
    const offUpdates = this.feed.onUpdate((u) => this.show(u));
    const offChanges = this.feed.onChanges((c, r) => this.announce(c, r));
    this.disposables.push(
      this.view,
      this.status,
      this.tree,
      this.changed,
      { dispose: offUpdates },
      { dispose: offChanges },
      this.view.onDidChangeVisibility(() => this.followVisibility()),
      this.view.onDidExpandElement((e) => this.toggled(e.element, true)),
      this.view.onDidCollapseElement((e) => this.toggled(e.element, false)),
      vscode.commands.registerCommand(INTERNAL_COMMANDS.viewOptions, () => this.pickViewOptions()),
      vscode.commands.registerCommand(INTERNAL_COMMANDS.showMore, (group: unknown) => typeof group === 'string' && this.showMore(group)),
      ctx.config.onDidChange((keys) => {
        if (keys.includes('refreshIntervalSeconds')) this.feed.setIntervalMs(ctx.config.settings.refreshIntervalSeconds * 1000);
        if (keys.includes('cloud') || keys.includes('customCloudFile')) void this.refresh();
      }),
      ctx.onDidSignIn(() => void this.refresh()),
    );
    this.followVisibility();
  }

  get current(): readonly DatabaseMigrationJson[] {
    return this.migrations;
  }

  find(id: string): DatabaseMigrationJson | undefined {
    return this.byId.get(id);
  }

  /** The restores as the last refresh read them. */
  get currentRestores(): readonly LrsRestoreView[] {
    return this.restores;
  }

  findRestore(id: string): LrsRestoreView | undefined {
    return this.restoresById.get(id.toLowerCase());
  }


  /** The migrations selected in the tree (for commands run from the palette with a selection). */
  selected(): DatabaseMigrationJson[] {
    return this.view.selection.map((n) => (n.migrationId ? this.find(n.migrationId) : undefined)).filter((m): m is DatabaseMigrationJson => !!m);
  }

  /** Refreshes, then the migrations as read (rejects when they could not be read). */
  list(signal: AbortSignal): Promise<DatabaseMigrationJson[]> {
    return this.feed.list(signal);
  }

  refresh(): Promise<void> {
    if (!this.feed.availability.available) return Promise.resolve();
    return this.feed.refresh();
  }

  /** A details panel shows the migration (open: its files are read every refresh) or closed. */
  setDetailsOpen(id: string, open: boolean): void {
    const n = (this.detailsOpen.get(id) ?? 0) + (open ? 1 : -1);
    if (n > 0) this.detailsOpen.set(id, n);
    else this.detailsOpen.delete(id);
    this.feed.setWatched('details', [...this.detailsOpen.keys()]);
    if (open && !this.find(id)?.properties?.migrationStatusDetails) void this.feed.readDetails([id]);
  }

  /** Polling only while the view is visible. */
  private followVisibility(): void {
    this.feed.setActive(this.view.visible && this.feed.availability.available);
  }

  private toggled(node: ViewNode, open: boolean): void {
    if (node.kind === 'group') {
      node.expanded = open;
      return;
    }
    if (node.kind !== 'migration' || !node.migrationId) return;
    if (open) this.expanded.add(node.migrationId);
    else this.expanded.delete(node.migrationId);
    this.feed.setWatched('expanded', [...this.expanded]);
  }

  /** VS Code asked for a migration's children: read its files now if they were never read. */
  private opened(node: ViewNode): void {
    const id = node.migrationId;
    if (!id || this.find(id)?.properties?.migrationStatusDetails || this.findRestore(id)?.detailed) return;
    if (isRestoreId(id) && this.findRestore(id)?.status === 'Succeeded') return;
    void this.feed.readDetails([id]);
  }

  private show(update: FeedUpdate): void {
    if (update.kind === 'failed') {
      this.showFailure(update.error);
      return;
    }
    const before = this.byId;
    this.migrations = update.migrations;
    this.byId = new Map(this.migrations.map((m) => [m.id, m]));
    // Files read anew (or for the first time): those rows' children are redrawn.
    const detailsChanged = new Set<string>();
    for (const m of this.migrations) if (m.properties?.migrationStatusDetails !== before.get(m.id)?.properties?.migrationStatusDetails) detailsChanged.add(m.id);
    // A restore is read anew each refresh: its rows are redrawn when its files or problems differ.
    const filesOf = (v: LrsRestoreView | undefined) => JSON.stringify(v && [v.detailed, v.files, v.problems]);
    const restoresBefore = this.restoresById;
    this.restores = update.restores ?? [];
    this.restoresById = new Map(this.restores.map((v) => [v.id.toLowerCase(), v]));
    for (const v of this.restores) if (filesOf(v) !== filesOf(restoresBefore.get(v.id.toLowerCase()))) detailsChanged.add(v.id);
    this.observations.record(this.migrations.filter((m) => detailsChanged.has(m.id)), new Date());
    this.render(detailsChanged);
    this.updateStatus();
    this.changed.fire();
  }

  private render(detailsChanged?: ReadonlySet<string>): void {
    const rows = [...this.migrations.map((m) => this.rows.of(m)), ...this.restores.map(restoreRow)];
    // The same rows (none changed, none came or went) in the same view, no files read anew: the tree stands.
    const last = this.rendered;
    this.rendered = { rows, options: this.options };
    if (last && last.options === this.options && !detailsChanged?.size && rows.length === last.rows.length && rows.every((r, i) => r === last.rows[i])) return;
    const roots = dashboardOf(rows, this.options);
    const filtering = this.options.filter.trim() !== '';
    const total = rows.length;
    if (total >= OPTIONS_FROM || filtering || this.options.groupBy !== 'status') roots.unshift(this.optionsNode());
    this.tree.update(roots, detailsChanged);
    const shown = filtering ? rows.filter((r) => rowMatches(r, this.options.filter)).length : total;
    // Each assignment is a message to the window: only when it says something else.
    const description = filtering ? l10n.t('{0} of {1}', shown.toLocaleString(), total.toLocaleString()) : undefined;
    const message = filtering && !shown ? l10n.t('No migration matches "{0}".', this.options.filter) : undefined;
    if (this.view.description !== description) this.view.description = description;
    if (this.view.message !== message) this.view.message = message;
  }

  private optionsNode(): ViewNode {
    const by = { status: l10n.t('status'), instance: l10n.t('target instance'), service: l10n.t('migration service') }[this.options.groupBy];
    const filter = this.options.filter.trim();
    return {
      id: 'options',
      kind: 'message',
      label: filter ? l10n.t('Filter: {0}', filter) : l10n.t('Filter and group'),
      description: l10n.t('grouped by {0}', by),
      tooltip: l10n.t('Click to filter the migrations or group them by status, target instance or migration service.'),
      icon: { id: filter ? 'filter-filled' : 'filter' },
    };
  }

  private async pickViewOptions(): Promise<void> {
    type Choice = vscode.QuickPickItem & { run: () => Promise<void> | void };
    const by = (groupBy: GroupBy, label: string, icon: string): Choice => ({
      label: `$(${icon}) ${label}`,
      description: this.options.groupBy === groupBy ? l10n.t('(current)') : '',
      run: () => this.setOptions({ groupBy }),
    });
    const choices: Choice[] = [
      {
        label: `$(filter) ${l10n.t('Filter...')}`,
        description: this.options.filter ? l10n.t('now: {0}', this.options.filter) : '',
        run: async () => {
          const value = await vscode.window.showInputBox({
            title: l10n.t('Filter the migrations'),
            prompt: l10n.t('Words every migration shown matches: its database, instance, migration service or status (e.g. "ready sqlmi-east").'),
            value: this.options.filter,
          });
          if (value !== undefined) this.setOptions({ filter: value.trim() });
        },
      },
      ...(this.options.filter ? [{ label: `$(clear-all) ${l10n.t('Clear the Filter')}`, run: () => this.setOptions({ filter: '' }) }] : []),
      by('status', l10n.t('Group by Status'), 'list-tree'),
      by('instance', l10n.t('Group by Target Instance'), 'database'),
      by('service', l10n.t('Group by Migration Service'), 'server-process'),
    ];
    const picked = await vscode.window.showQuickPick(choices, { title: l10n.t('Migrations view') });
    await picked?.run();
  }

  private setOptions(change: Partial<Pick<ViewOptions, 'groupBy' | 'filter'>>): void {
    this.options = { ...this.options, ...change, shown: new Map() };
    void this.ctx.context.workspaceState.update(VIEW_STATE, { groupBy: this.options.groupBy, filter: this.options.filter });
    this.render();
  }

  private showMore(group: string): void {
    const shown = new Map(this.options.shown);
    shown.set(group, (shown.get(group) ?? this.options.pageSize) + this.options.pageSize);
    this.options = { ...this.options, shown };
    this.render();
  }

  private showFailure(e: unknown): void {
    // The tree is replaced by a message: the next migrations read are drawn anew.
    this.rendered = undefined;
    if ((e as Error).name === 'NotSignedInError') {
      // Not an error: the view says how to sign in, and refreshes after a sign-in.
      this.migrations = [];
      this.byId = new Map();
      this.restores = [];
      this.restoresById = new Map();
      this.tree.replace([{ id: 'error/signIn', kind: 'message', label: l10n.t('Sign in to Azure to list your migrations'), icon: { id: 'sign-in' } }]);
      this.updateStatus();
      return;
    }
    const report = describeError(e, l10n.t('Listing migrations'));
    this.ctx.log.error(report.detail);
    this.tree.replace([
      {
        id: 'error/retry',
        kind: 'message',
        label: this.ctx.redactor.redact(report.message),
        description: l10n.t('Click to retry'),
        tooltip: this.ctx.redactor.redact(`${report.message}\n\n${report.next}`),
        icon: { id: 'error', color: 'errorForeground' },
      },
    ]);
  }

  private updateStatus(): void {
    const statuses = this.migrations.map((m) => this.rows.of(m).status);
    const content = statusBarContent(countStatuses([...statuses, ...this.restores.map((r) => r.status)]));
    // A click completes what is ready: the migrations' cutover, or (only restores ready) a restore's.
    const command = !content?.opensCutover ? 'workbench.view.extension.sqlMigration' : countStatuses(statuses).ready > 0 ? COMMANDS.completeCutover : COMMANDS.completeRestore;
    // Each change of the item is a message to the window: none when it says the same.
    const shown = content ? JSON.stringify([content, command]) : 'hidden';
    if (shown === this.statusShown) return;
    this.statusShown = shown;
    if (!content) {
      this.status.hide();
      return;
    }
    this.status.text = content.text;
    this.status.tooltip = content.tooltip;
    this.status.command = command;
    this.status.backgroundColor = content.failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.status.show();
  }

  /** Shows one status group with nothing filtered away (the migrations a notification was about). */
  private async showGroup(group: 'ready' | 'failed'): Promise<void> {
    this.setOptions({ groupBy: 'status', filter: '' });
    await vscode.commands.executeCommand('workbench.view.extension.sqlMigration');
    const node = this.tree.node(`group/${group}`);
    if (node) await this.view.reveal(node, { expand: true, focus: true, select: false });
  }

  /**
   * The news of one refresh: migrations and restores ready for cutover, and failed; many of a
   * kind are one notification ("30 migrations are ready for cutover"), whose action shows them.
   */
  private announce(changes: MigrationChange[], restores: RestoreChange[] = []): void {
    interface News { name: string; complete: string; arg: unknown; why?: string | undefined; details?: unknown }
    const ofMigration = (c: MigrationChange): News => ({
      name: targetOf(c.migration).database,
      complete: COMMANDS.completeCutover,
      arg: c.migration,
      why: c.migration.properties?.migrationFailureError?.message,
      details: c.migration,
    });
    const ofRestore = (c: RestoreChange): News => ({ name: c.restore.ref.targetDatabase, complete: COMMANDS.completeRestore, arg: c.restore, why: c.restore.problems[0] });
    const ready = [...changes.filter((c) => c.type === 'ReadyForCutover').map(ofMigration), ...restores.filter((c) => c.type === 'ReadyForCutover').map(ofRestore)];
    const failed = [...changes.filter((c) => c.type === 'Failed').map(ofMigration), ...restores.filter((c) => c.type === 'Failed').map(ofRestore)];
    const names = (list: News[]) => {
      const shown = list.slice(0, 3).map((n) => n.name).join(', ');
      return list.length > 3 ? l10n.t('{0} and {1} more', shown, list.length - 3) : shown;
    };
    if (ready.length === 1) {
      const act = l10n.t('Complete Cutover...');
      void vscode.window
        .showInformationMessage(l10n.t('{0} is ready for cutover.', ready[0]!.name), act)
        .then((pick) => pick === act && vscode.commands.executeCommand(ready[0]!.complete, ready[0]!.arg));
    } else if (ready.length > 1) {
      const show = l10n.t('Show Them');
      // Completing many at once is one command only when they are all of one kind.
      const kinds = new Set(ready.map((n) => n.complete));
      const act = kinds.size === 1 ? l10n.t('Complete Cutover...') : undefined;
      void vscode.window
        .showInformationMessage(l10n.t('{0} migrations are ready for cutover: {1}.', ready.length, names(ready)), ...(act ? [act, show] : [show]))
        .then((pick) => (act && pick === act ? vscode.commands.executeCommand([...kinds][0]!) : pick === show ? this.showGroup('ready') : undefined));
    }
    if (failed.length === 1) {
      const f = failed[0]!;
      const show = l10n.t('Show Details');
      const text = f.why ? l10n.t('The migration of {0} failed: {1}', f.name, f.why) : l10n.t('The migration of {0} failed.', f.name);
      if (f.details) void vscode.window.showErrorMessage(text, show).then((pick) => (pick === show ? vscode.commands.executeCommand(COMMANDS.showMigrationDetails, f.details) : undefined));
      else {
        const reveal = l10n.t('Show It');
        void vscode.window.showErrorMessage(text, reveal).then((pick) => (pick === reveal ? this.showGroup('failed') : undefined));
      }
    } else if (failed.length > 1) {
      const show = l10n.t('Show Them');
      void vscode.window
        .showErrorMessage(l10n.t('{0} migrations failed: {1}.', failed.length, names(failed)), show)
        .then((pick) => (pick === show ? this.showGroup('failed') : undefined));
    }
  }

  dispose(): void {
    this.feed.setActive(false);
    for (const d of this.disposables) d.dispose();
  }
}
