/**
 * The Migrations view: the tree, the status bar item and the notifications when a migration
 * becomes ready for cutover or fails, all following the migration feed (the core's monitor:
 * its refreshes while the view is visible, and the changes it detects). What it shows is what
 * the last refresh read; failures to read become an error node, not a toast.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { COMMANDS, VIEW_MIGRATIONS } from '../commands/ids';
import type { Ctx } from '../ctx';
import { describeError } from '../errors';
import type { FeedUpdate, LiveMigrationFeed, MigrationChange } from '../services/migrationFeed';
import type { DatabaseMigrationJson } from './dmsShape';
import { targetOf } from './dmsShape';
import { buildDashboard, type ViewNode } from './model';
import { ObservationLog } from './observations';
import { statusBarContent, statusCounts } from './statusBar';
class MigrationsTree implements vscode.TreeDataProvider<ViewNode> {
  private readonly emitter = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  roots: ViewNode[] = [];

  update(roots: ViewNode[]): void {
    this.roots = roots;
    this.emitter.fire(undefined);
  }

  getChildren(node?: ViewNode): ViewNode[] {
    return node ? node.children ?? [] : this.roots;
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    const state = !node.children?.length
      ? vscode.TreeItemCollapsibleState.None
      : node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description) item.description = node.description;
    if (node.tooltip) item.tooltip = new vscode.MarkdownString(node.tooltip);
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    if (node.contextValue) item.contextValue = node.contextValue;
    if (node.kind === 'migration') item.command = { command: COMMANDS.showMigrationDetails, title: l10n.t('Show Details'), arguments: [node] };
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
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every refresh that read the migrations (the details views follow it). */
  readonly onDidChange = this.changed.event;
  readonly observations = new ObservationLog();

  constructor(private readonly ctx: Ctx) {
    this.feed = ctx.backend.feed;
    this.view = vscode.window.createTreeView(VIEW_MIGRATIONS, { treeDataProvider: this.tree, canSelectMany: true, showCollapseAll: true });
    this.status = vscode.window.createStatusBarItem('sqlMigration.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = l10n.t('Azure SQL Migration');
    this.feed.setIntervalMs(ctx.config.settings.refreshIntervalSeconds * 1000);
    const offUpdates = this.feed.onUpdate((u) => this.show(u));
    const offChanges = this.feed.onChange((c) => this.announce(c));
    this.disposables.push(
      this.view,
      this.status,
      this.tree,
      this.changed,
      { dispose: offUpdates },
      { dispose: offChanges },
      this.view.onDidChangeVisibility(() => this.followVisibility()),
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
    return this.migrations.find((m) => m.id === id);
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

  /** Polling only while the view is visible. */
  private followVisibility(): void {
    this.feed.setActive(this.view.visible && this.feed.availability.available);
  }

  private show(update: FeedUpdate): void {
    if (update.kind === 'failed') {
      this.showFailure(update.error);
      return;
    }
    this.migrations = update.migrations;
    this.observations.record(this.migrations, new Date());
    this.tree.update(buildDashboard(this.migrations, this.ctx.backend.rules));
    this.updateStatus();
    this.changed.fire();
  }

  private showFailure(e: unknown): void {
    if ((e as Error).name === 'NotSignedInError') {
      // Not an error: the view says how to sign in, and refreshes after a sign-in.
      this.migrations = [];
      this.tree.update([{ id: 'error/signIn', kind: 'message', label: l10n.t('Sign in to Azure to list your migrations'), icon: { id: 'sign-in' } }]);
      this.updateStatus();
      return;
    }
    const report = describeError(e, l10n.t('Listing migrations'));
    this.ctx.log.error(report.detail);
    this.tree.update([
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
    const content = statusBarContent(statusCounts(this.migrations));
    if (!content) {
      this.status.hide();
      return;
    }
    this.status.text = content.text;
    this.status.tooltip = content.tooltip;
    this.status.command = content.opensCutover ? COMMANDS.completeCutover : 'workbench.view.extension.sqlMigration';
    this.status.backgroundColor = content.failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.status.show();
  }

  /** The monitor's news: a migration ready for cutover, or failed. */
  private announce(change: MigrationChange): void {
    const name = targetOf(change.migration).database;
    if (change.type === 'ReadyForCutover') {
      const act = l10n.t('Complete Cutover...');
      void vscode.window
        .showInformationMessage(l10n.t('{0} is ready for cutover.', name), act)
        .then((pick) => pick === act && vscode.commands.executeCommand(COMMANDS.completeCutover, change.migration));
    } else if (change.type === 'Failed') {
      const show = l10n.t('Show Details');
      const why = change.migration.properties?.migrationFailureError?.message;
      void vscode.window
        .showErrorMessage(why ? l10n.t('The migration of {0} failed: {1}', name, why) : l10n.t('The migration of {0} failed.', name), show)
        .then((pick) => pick === show && vscode.commands.executeCommand(COMMANDS.showMigrationDetails, change.migration));
    }
  }

  dispose(): void {
    this.feed.setActive(false);
    for (const d of this.disposables) d.dispose();
  }
}
