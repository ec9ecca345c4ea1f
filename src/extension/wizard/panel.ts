/**
 * The "Migrate to Azure SQL" panel: one at a time, showing the webview app from dist/webview
 * (the only folder it may load from) and wiring it to the WizardController.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { KNOWN_CLOUDS } from '../../core/azure/cloud';
import { WIZARD_PANEL } from '../commands/ids';
import type { Ctx } from '../ctx';
import { newNonce, webviewShell } from '../webviewHtml';
import { WizardController, type WizardHost } from './controller';

const STATE_KEY = 'sqlMigration.wizardState';

export class WizardPanel {
  private static current: WizardPanel | undefined;
  private readonly controller: WizardController;

  static async show(ctx: Ctx, onStarted: () => void): Promise<void> {
    if (WizardPanel.current) {
      WizardPanel.current.panel.reveal();
      return;
    }
    const root = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(WIZARD_PANEL, l10n.t('Migrate to Azure SQL'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [root],
    });
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.svg');
    let customCloud: { path: string; cloud: import('../../core/azure/cloud').Cloud } | undefined;
    const settings = ctx.config.settings;
    if (settings.cloud === 'custom' && settings.customCloudFile) {
      try {
        customCloud = { path: settings.customCloudFile, cloud: await ctx.currentCloud() };
      } catch (e) {
        ctx.log.warn(`wizard: the configured cloud file cannot be used: ${(e as Error).message}`);
      }
    }
    WizardPanel.current = new WizardPanel(ctx, panel, root, onStarted, customCloud);
  }

  private constructor(
    ctx: Ctx,
    private readonly panel: vscode.WebviewPanel,
    root: vscode.Uri,
    onStarted: () => void,
    customCloud: { path: string; cloud: import('../../core/azure/cloud').Cloud } | undefined,
  ) {
    const webview = panel.webview;
    const host: WizardHost = {
      post: (message) => void webview.postMessage(message),
      pickCloudFile: async () =>
        (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [l10n.t('Cloud file')]: ['json'] }, title: l10n.t('Choose a cloud file') }))?.[0]?.fsPath,
      pickFolder: async (title) => (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title, openLabel: l10n.t('Use Folder') }))?.[0]?.fsPath,
      copyToClipboard: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      confirm: async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
      info: (message) => void vscode.window.showInformationMessage(message),
      showMigrations: onStarted,
    };
    this.controller = new WizardController({
      services: ctx.backend.wizard,
      host,
      store: {
        load: () => ctx.context.globalState.get(STATE_KEY),
        save: (state) => Promise.resolve(ctx.context.globalState.update(STATE_KEY, state)),
      },
      secretStore: ctx.secrets,
      log: ctx.log,
      redactor: ctx.redactor,
      clouds: [...KNOWN_CLOUDS],
      defaultCloud: customCloud ? 'custom' : ctx.config.settings.cloud,
      ...(customCloud && { customCloud }),
      ...(vscode.l10n.bundle && { l10nBundle: vscode.l10n.bundle }),
    });
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
    webview.html = webviewShell({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      title: l10n.t('Migrate to Azure SQL'),
      lang: vscode.env.language,
      styles: [{ href: asset('codicon.css'), id: 'vscode-codicon-stylesheet' }, { href: asset('wizard.css') }],
      scripts: [asset('wizard.js')],
      body: '<main id="app"></main>',
    });
    const subscriptions = [webview.onDidReceiveMessage((m) => this.controller.receive(m))];
    panel.onDidDispose(() => {
      this.controller.dispose();
      for (const s of subscriptions) s.dispose();
      WizardPanel.current = undefined;
    });
  }
}
