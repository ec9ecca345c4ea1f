/**
 * The Migrations view: the tree, its polling while visible, the status bar item and the
 * notifications when a migration becomes ready for cutover or fails. What it shows is what
 * the feed returned last; failures to read become an error node, not a toast.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { COMMANDS, VIEW_MIGRATIONS } from '../commands/ids';
import type { Ctx } from '../ctx';
import { describeError } from '../errors';
import { counts, ObservationLog, snapshot, transitions } from './changes';
import type { DatabaseMigrationJson } from './dmsShape';
import { targetOf } from './dmsShape';
import { buildDashboard, type ViewNode } from './model';
import { Poller } from './poller';
import type { StatusGroup } from './statusRules';

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
  private readonly poller: Poller;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private previous: Map<string, StatusGroup> | undefined;
  private migrations: DatabaseMigrationJson[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every successful poll (the details views follow it). */
  readonly onDidChange = this.changed.event;
  readonly observations = new ObservationLog();

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView(VIEW_MIGRATIONS, { treeDataProvider: this.tree, canSelectMany: true, showCollapseAll: true });
    this.status = vscode.window.createStatusBarItem('sqlMigration.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = l10n.t('Azure SQL Migration');
    this.poller = new Poller((signal) => this.poll(signal), () => this.ctx.config.settings.refreshIntervalSeconds * 1000);
    const feed = ctx.backend.feed.availability;
    this.disposables.push(
      this.view,
      this.status,
      this.tree,
      this.changed,
      this.view.onDidChangeVisibility((e) => this.poller.setActive(e.visible && ctx.backend.feed.availability.available)),
      ctx.config.onDidChange((keys) => {
        if (keys.includes('refreshIntervalSeconds')) this.poller.reschedule();
        if (keys.includes('cloud') || keys.includes('customCloudFile')) void this.refresh();
      }),
      ctx.onDidSignIn(() => void this.refresh()),
    );
    this.poller.setActive(this.view.visible && feed.available);
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

  async list(signal: AbortSignal): Promise<DatabaseMigrationJson[]> {
    await this.refresh();
    if (signal.aborted) throw new DOMException('aborted', 'AbortError');
    return this.migrations;
  }

  refresh(): Promise<void> {
    if (!this.ctx.backend.feed.availability.available) return Promise.resolve();
    return this.poller.refreshNow();
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const feed = this.ctx.backend.feed;
    try {
      this.migrations = await feed.list(signal);
    } catch (e) {
      if ((e as Error).name === 'NotSignedInError') {
        // Not an error: the view says how to sign in, and polls again after a sign-in.
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
      throw e;
    }
    this.observations.record(this.migrations, new Date());
    this.tree.update(buildDashboard(this.migrations, this.ctx.backend.rules));
    this.updateStatus();
    this.notify();
    this.changed.fire();
  }

  private updateStatus(): void {
    const c = counts(this.migrations);
    if (c.ready + c.running + c.failed === 0) {
      this.status.hide();
      return;
    }
    const parts = [
      c.running ? `$(sync~spin) ${c.running}` : '',
      c.ready ? `$(bell-dot) ${c.ready}` : '',
      c.failed ? `$(error) ${c.failed}` : '',
    ].filter(Boolean);
    this.status.text = parts.join('  ');
    this.status.tooltip = [
      l10n.t('Azure SQL Migration'),
      c.running ? l10n.t('{0} in progress', c.running) : '',
      c.ready ? l10n.t('{0} ready for cutover', c.ready) : '',
      c.failed ? l10n.t('{0} failed', c.failed) : '',
    ].filter(Boolean).join('\n');
    this.status.command = c.ready ? COMMANDS.completeCutover : 'workbench.view.extension.sqlMigration';
    this.status.backgroundColor = c.failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.status.show();
  }

  private notify(): void {
    for (const t of transitions(this.previous, this.migrations)) {
      const name = targetOf(t.migration).database;
      if (t.to === 'ready') {
        const act = l10n.t('Complete Cutover...');
        void vscode.window
          .showInformationMessage(l10n.t('{0} is ready for cutover.', name), act)
          .then((pick) => pick === act && vscode.commands.executeCommand(COMMANDS.completeCutover, t.migration));
      } else if (t.to === 'failed') {
        const show = l10n.t('Show Details');
        const why = t.migration.properties?.migrationFailureError?.message;
        void vscode.window
          .showErrorMessage(why ? l10n.t('The migration of {0} failed: {1}', name, why) : l10n.t('The migration of {0} failed.', name), show)
          .then((pick) => pick === show && vscode.commands.executeCommand(COMMANDS.showMigrationDetails, t.migration));
      }
    }
    this.previous = snapshot(this.migrations);
  }

  dispose(): void {
    this.poller.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
