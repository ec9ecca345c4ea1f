/**
 * What the wizard's host side is given. It knows nothing of VS Code: the panel supplies these
 * (dialogs, clipboard, globalState, SecretStorage, the log channel) and the tests supply their own.
 */
import type { Cloud } from '../../core/azure/cloud';
import type { Redactor } from '../redact';
import type { ReportFormat, SignedInAccount, WizardServices } from '../services/types';
import type { HostMessage, WizardState } from '../../protocol/wizard';

export interface WizardHost {
  post(message: HostMessage): void;
  pickCloudFile(): Promise<string | undefined>;
  pickFolder(title: string): Promise<string | undefined>;
  copyToClipboard(text: string): Promise<void>;
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  info(message: string): void;
  /** After a start: show the migrations view. */
  showMigrations(): void;
  /** Shows the assessment's self-contained HTML report. */
  openReport(html: string, title: string): void;
  /** Asks where to save the report and writes it; the path, or undefined when the user backed out. */
  saveReport(content: string, format: ReportFormat, suggestedName: string): Promise<string | undefined>;
}

export interface WizardStore {
  load(): unknown;
  /** `json`: the state as JSON text, when the caller has it already (a large state is serialised once). */
  save(state: WizardState | undefined, json?: string): Promise<void>;
}

export interface WizardLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Where a password the user asked to remember is kept (VS Code's SecretStorage). */
export interface WizardSecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface WizardDeps {
  services: WizardServices;
  host: WizardHost;
  store: WizardStore;
  secretStore: WizardSecretStore;
  log: WizardLog;
  redactor: Redactor;
  /** The clouds offered (known ones plus a custom file), and the configured one. */
  clouds: Cloud[];
  defaultCloud: string;
  /** The custom cloud the settings name, already read from its file. */
  customCloud?: { path: string; cloud: Cloud };
  /** The string bundle for the webview (undefined in English). */
  l10nBundle?: Record<string, string>;
  /** A Microsoft Entra token for SQL Server (the source's "Entra" option). */
  /** A Microsoft Entra token for the source SQL Server, from the chosen cloud's account and for its database audience. */
  entraToken?: (signal: AbortSignal, cloud?: Cloud) => Promise<string>;
  /** Someone signed in here: the rest of the editor may use the account too. */
  onSignedIn?: (account: SignedInAccount) => void;
}
