/** Typed access to the extension's settings; changes are announced once per affected key. */
import * as vscode from 'vscode';
import { normaliseSettings, SECTION, type Settings } from './settings';

export class Config implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<(keyof Settings)[]>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      const keys = (['refreshIntervalSeconds', 'cloud', 'customCloudFile', 'uploadConcurrency'] as const).filter((k) => e.affectsConfiguration(`${SECTION}.${k}`));
      if (keys.length) this.emitter.fire(keys);
    });
  }

  get settings(): Settings {
    const c = vscode.workspace.getConfiguration(SECTION);
    return normaliseSettings({
      refreshIntervalSeconds: c.get('refreshIntervalSeconds'),
      cloud: c.get('cloud'),
      customCloudFile: c.get('customCloudFile'),
      uploadConcurrency: c.get('uploadConcurrency'),
    });
  }

  async setCloud(cloud: string, customCloudFile?: string): Promise<void> {
    const c = vscode.workspace.getConfiguration(SECTION);
    await c.update('cloud', cloud, vscode.ConfigurationTarget.Global);
    if (customCloudFile !== undefined) await c.update('customCloudFile', customCloudFile, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
