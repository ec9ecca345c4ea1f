/**
 * The "Migrate to Azure SQL" panel: one at a time, showing the webview app from dist/webview
 * (the only folder it may load from) and wiring it to the WizardController. After a window
 * reload VS Code hands the panel back (the serializer registered at activation) and the
 * controller resumes from the state it saved, which holds no secret.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { KNOWN_CLOUDS, type Cloud } from '../../core/azure/cloud';
import { REPORT_PANEL, WIZARD_PANEL } from '../commands/ids';
import type { Ctx } from '../ctx';
import { entraSqlToken } from '../services/accounts';
import { newNonce, webviewShell } from '../webviewHtml';
import { WizardController } from './controller';
import type { WizardHost, WizardStore } from './deps';

/** Where versions before the state file kept the saved state (read once, then removed). */
const STATE_KEY = 'sqlMigration.wizardState';
const STATE_FILE = 'wizard-state.json';

/**
 * The saved state, in a file of the extension's global storage rather than in globalState:
 * globalState goes through the editor's window, whose main thread serialises each write (in the
 * browser, 100 ms and more for the 400 KB of a thousand databases and their verdicts), so the wizard
 * froze for a moment after each pause. The file is written by the extension host alone, one
 * write at a time, through a temporary file (a reader never sees half a state).
 */
async function stateFile(ctx: Ctx): Promise<WizardStore> {
  const dir = ctx.context.globalStorageUri;
  const file = vscode.Uri.joinPath(dir, STATE_FILE);
  let saved: unknown;
  try {
    saved = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
  } catch {
    saved = ctx.context.globalState.get(STATE_KEY);
  }
  let writing: Promise<void> = Promise.resolve();
  const write = async (state: unknown, json?: string) => {
    if (state === undefined) await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    else {
      await vscode.workspace.fs.createDirectory(dir);
      const partial = vscode.Uri.joinPath(dir, `${STATE_FILE}.partial`);
      await vscode.workspace.fs.writeFile(partial, new TextEncoder().encode(json ?? JSON.stringify(state)));
      await vscode.workspace.fs.rename(partial, file, { overwrite: true });
    }
    if (ctx.context.globalState.get(STATE_KEY) !== undefined) await ctx.context.globalState.update(STATE_KEY, undefined);
  };
  return {
    load: () => saved,
    save: (state, json) => (writing = writing.catch(() => undefined).then(() => write(state, json))),
  };
}

const REPORT_FILTERS = { json: 'JSON', html: 'HTML', csv: 'CSV' } as const;

export class WizardPanel {
  private static current: WizardPanel | undefined;
  private readonly controller: WizardController;

  static async show(ctx: Ctx, onStarted: () => void): Promise<void> {
    if (WizardPanel.current) {
      WizardPanel.current.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(WIZARD_PANEL, l10n.t('Migrate to Azure SQL'), vscode.ViewColumn.Active, WizardPanel.options(ctx));
    await WizardPanel.attach(ctx, panel, onStarted);
  }

  /** The panel VS Code restored after a reload. */
  static async revive(ctx: Ctx, panel: vscode.WebviewPanel, onStarted: () => void): Promise<void> {
    WizardPanel.current?.panel.dispose();
    panel.webview.options = WizardPanel.options(ctx);
    await WizardPanel.attach(ctx, panel, onStarted);
  }

  private static options(ctx: Ctx): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview')] };
  }

  private static async attach(ctx: Ctx, panel: vscode.WebviewPanel, onStarted: () => void): Promise<void> {
    let customCloud: { path: string; cloud: Cloud } | undefined;
    const settings = ctx.config.settings;
    if (settings.cloud === 'custom' && settings.customCloudFile) {
      try {
        customCloud = { path: settings.customCloudFile, cloud: await ctx.currentCloud() };
      } catch (e) {
        ctx.log.warn(`wizard: the configured cloud file cannot be used: ${(e as Error).message}`);
      }
    }
    WizardPanel.current = new WizardPanel(ctx, panel, onStarted, customCloud, await stateFile(ctx));
  }

  private constructor(ctx: Ctx, private readonly panel: vscode.WebviewPanel, onStarted: () => void, customCloud: { path: string; cloud: Cloud } | undefined, store: WizardStore) {
    const root = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview');
    panel.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.svg');
    const webview = panel.webview;
    const host: WizardHost = {
      // As JSON text: one string crosses the editor's two frames as one copy, where the
      // thousands of objects of a large patch would be cloned at each (main.ts parses it).
      post: (message) => void webview.postMessage(JSON.stringify(message)),
      pickCloudFile: async () =>
        (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [l10n.t('Cloud file')]: ['json'] }, title: l10n.t('Choose a cloud file') }))?.[0]?.fsPath,
      pickFolder: async (title) => (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title, openLabel: l10n.t('Use Folder') }))?.[0]?.fsPath,
      copyToClipboard: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      confirm: async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
      info: (message) => void vscode.window.showInformationMessage(message),
      showMigrations: onStarted,
      openReport: (html, title) => {
        // The report is self-contained (its own strict CSP, no script): shown as it is.
        const report = vscode.window.createWebviewPanel(REPORT_PANEL, title, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
        report.webview.html = html;
      },
      saveReport: async (content, format, suggestedName) => {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({
          ...(folder && { defaultUri: vscode.Uri.joinPath(folder, suggestedName) }),
          filters: { [REPORT_FILTERS[format]]: [format] },
          title: l10n.t('Save the assessment report'),
        });
        if (!target) return undefined;
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(content));
        return target.fsPath;
      },
    };
    this.controller = new WizardController({
      services: ctx.backend.wizard,
      host,
      store,
      secretStore: ctx.secrets,
      log: ctx.log,
      redactor: ctx.redactor,
      clouds: [...KNOWN_CLOUDS],
      defaultCloud: customCloud ? 'custom' : ctx.config.settings.cloud,
      ...(customCloud && { customCloud }),
      ...(vscode.l10n.bundle && { l10nBundle: vscode.l10n.bundle }),
      entraToken: (_signal, cloud) => entraSqlToken(ctx.redactor, cloud),
      onSignedIn: (account) => ctx.setAccount(account),
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
      if (WizardPanel.current === this) WizardPanel.current = undefined;
    });
  }
}
