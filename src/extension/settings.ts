/** The extension's settings, normalised. No `vscode` import: the config facade reads raw values into this. */

export const SECTION = 'sqlMigration';

export interface Settings {
  /** 0 turns automatic refresh off. */
  refreshIntervalSeconds: number;
  /** AzureCloud, AzureUSGovernment, AzureChinaCloud or custom. */
  cloud: string;
  /** The cloud file used when `cloud` is custom. */
  customCloudFile: string;
  uploadConcurrency: number;
}

export const DEFAULTS: Settings = { refreshIntervalSeconds: 30, cloud: 'AzureCloud', customCloudFile: '', uploadConcurrency: 4 };

/** Anything below 10 s (but not 0) becomes 10 s: the service is not meant to be polled harder. */
export function normaliseSettings(raw: Partial<Record<keyof Settings, unknown>>): Settings {
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const refresh = Math.round(num(raw.refreshIntervalSeconds, DEFAULTS.refreshIntervalSeconds));
  return {
    refreshIntervalSeconds: refresh <= 0 ? 0 : Math.min(Math.max(refresh, 10), 3600),
    cloud: typeof raw.cloud === 'string' && raw.cloud ? raw.cloud : DEFAULTS.cloud,
    customCloudFile: typeof raw.customCloudFile === 'string' ? raw.customCloudFile : '',
    uploadConcurrency: Math.min(Math.max(Math.round(num(raw.uploadConcurrency, DEFAULTS.uploadConcurrency)), 1), 32),
  };
}
