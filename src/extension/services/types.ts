/**
 * Everything the editor asks of the outside world, as interfaces. The views and the wizard
 * only see these; `services/index.ts` builds the real ones on the core. A capability that
 * cannot work where the editor runs reports `available: false` with the reason, and the UI
 * says so instead of pretending.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Cloud } from '../../core/azure/cloud';
import type { ManagedInstanceInfo as CoreManagedInstanceInfo } from '../../core/azure/managedInstances';
import type { DatabaseMigrationJson } from '../dashboard/dmsShape';
import type { MigrationRules } from '../dashboard/statusRules';

export type Availability = { available: true } | { available: false; reason: string };

export interface Capability {
  readonly availability: Availability;
}

// ---- Dashboard ----------------------------------------------------------------------------

/** The migrations to show, read fresh from the service on every call (the monitor feeds this). */
export interface MigrationFeed extends Capability {
  list(signal: AbortSignal): Promise<DatabaseMigrationJson[]>;
}

export interface CutoverGuard {
  /** The fresh state, whose backups the confirmation shows. */
  migration: DatabaseMigrationJson;
  /**
   * Set when the only thing in the way is that the service does not say ReadyForCutover yet,
   * although every backup is restored and none is pending (it accepts a cutover then): why.
   */
  notReadyOnly?: string;
}

/** Cutover, cancel and delete, each preceded by the core's guard. */
export interface MigrationOperations extends Capability {
  /**
   * Reads the migration and its backup location again and refuses (throws an ActionableError
   * naming what is not restored) when a cutover is not safe now.
   */
  guardCutover(m: DatabaseMigrationJson, signal: AbortSignal): Promise<CutoverGuard>;
  /** Cuts over and resolves once the service says Succeeded (rejects when it fails). */
  cutover(m: DatabaseMigrationJson, signal: AbortSignal, options?: { acceptNotReady?: string; onStatus?: (status: string) => void }): Promise<void>;
  cancel(m: DatabaseMigrationJson, signal: AbortSignal): Promise<void>;
  delete(m: DatabaseMigrationJson, signal: AbortSignal): Promise<void>;
}

// ---- Wizard -------------------------------------------------------------------------------

export interface SignedInAccount {
  /** What to show: an account name, or "token from <file>" for a custom cloud. */
  label: string;
  cloud: Cloud;
  /** Signs the Azure calls (tokens stay in memory). */
  credential?: TokenCredential;
  /** The same account's credential for another tenant (one subscription list per tenant). */
  credentialFor?(tenantId: string): TokenCredential;
}

export interface AccountService extends Capability {
  /** `silent`: never prompt; rejects with NotSignedInError when a prompt would be needed. */
  signIn(cloud: Cloud, signal: AbortSignal, options?: { silent?: boolean }): Promise<SignedInAccount>;
}

/** The account the views use: the last sign-in, or one made silently when that needs no prompt. */
export interface AccountSource {
  current(signal: AbortSignal): Promise<SignedInAccount>;
}

/** Migration services whose migrations the dashboard lists (ids), kept per cloud without secrets. */
export interface ServiceRegistry {
  list(cloud: Cloud): string[];
  add(cloud: Cloud, serviceId: string): Promise<void>;
}

export interface SubscriptionInfo {
  id: string;
  name: string;
}

export interface SubscriptionService extends Capability {
  list(account: SignedInAccount, signal: AbortSignal): Promise<SubscriptionInfo[]>;
}

export type SourceAuthentication = 'SqlAuthentication' | 'WindowsAuthentication' | 'EntraToken';
export type EncryptOption = 'mandatory' | 'optional' | 'strict';

export interface SourceConnectionInfo {
  server: string;
  authentication: SourceAuthentication;
  userName: string;
  encrypt: EncryptOption;
  trustServerCertificate: boolean;
}

export interface SourceServerInfo {
  serverName: string;
  version: string;
  edition?: string;
}

export interface SourceDatabaseInfo {
  name: string;
  sizeMb?: number;
  recoveryModel?: string;
  state?: string;
}

export type Readiness = 'ready' | 'issues' | 'blocked';

export interface AssessmentSummary {
  database: string;
  /** ready: nothing to fix; issues: migrates, but something needs work; blocked: cannot migrate as it is. */
  readiness: Readiness;
  blockers: string[];
  issues: string[];
  warnings: string[];
}

export type ReportFormat = 'json' | 'html' | 'csv';

/** A finished assessment: the summary per database, and the full report (kept in memory only). */
export interface Assessment {
  summaries: AssessmentSummary[];
  /** Server-wide findings, one line each. */
  instanceFindings: string[];
  render(format: ReportFormat): string;
}

export interface SourceService extends Capability {
  /** `secret` is the password (SQL, Windows) or nothing (Entra: the service asks for a token). */
  connect(connection: SourceConnectionInfo, secret: string | undefined, signal: AbortSignal): Promise<{ server: SourceServerInfo; databases: SourceDatabaseInfo[] }>;
  assess(
    connection: SourceConnectionInfo,
    secret: string | undefined,
    databases: string[],
    mode: 'online' | 'offline',
    signal: AbortSignal,
    onProgress: (message: string, fraction: number) => void,
  ): Promise<Assessment>;
}

/** What the target picker shows of a managed instance (`state` is `Ready` when it can take migrations). */
export type ManagedInstanceInfo = Pick<CoreManagedInstanceInfo, 'id' | 'name' | 'resourceGroup' | 'location' | 'state' | 'vCores'> &
  Partial<Pick<CoreManagedInstanceInfo, 'tier'>>;

export interface TargetService extends Capability {
  listManagedInstances(account: SignedInAccount, subscriptionId: string, signal: AbortSignal): Promise<ManagedInstanceInfo[]>;
  listDatabases(account: SignedInAccount, instanceId: string, signal: AbortSignal): Promise<string[]>;
}

export interface StorageAccountInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
}

export interface StorageService extends Capability {
  listAccounts(account: SignedInAccount, subscriptionId: string, signal: AbortSignal): Promise<StorageAccountInfo[]>;
  listContainers(account: SignedInAccount, storageAccountId: string, signal: AbortSignal): Promise<string[]>;
}

export interface ChainCheckStep {
  backupType: string;
  firstLsn: string;
  lastLsn: string;
  finished?: string;
  files: string[];
}

export interface ChainCheckResult {
  database: string;
  folder: string;
  ready: boolean;
  steps: ChainCheckStep[];
  problems: string[];
  warnings: string[];
  /** Files left out of the plan, with the reason. */
  ignored: { file: string; reason: string }[];
  /** The file an offline migration names as its last backup. */
  lastBackupName?: string;
}

/** Reads the backup headers in a local folder and plans the restore chain (real: the backup engine). */
export interface BackupCheckService extends Capability {
  checkFolder(folder: string, database: string, mode: 'online' | 'offline', signal: AbortSignal): Promise<ChainCheckResult>;
}

export interface MigrationServiceInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  provisioningState?: string;
  integrationRuntimeState?: string;
}

export interface RuntimeNode {
  nodeName: string;
  cpuUtilization?: number;
  availableMemoryInMB?: number;
  concurrentJobsRunning?: number;
  maxConcurrentJobs?: number;
}

export interface AuthKeys {
  authKey1: string;
  authKey2: string;
}

export interface ConnectionTest {
  ok: boolean;
  /** One line per check the runtime made (source, share, storage). */
  checks: { name: string; ok: boolean; message?: string }[];
}

export interface MigrationServiceService extends Capability {
  list(account: SignedInAccount, subscriptionId: string, signal: AbortSignal): Promise<MigrationServiceInfo[]>;
  create(account: SignedInAccount, subscriptionId: string, resourceGroup: string, name: string, location: string, signal: AbortSignal): Promise<MigrationServiceInfo>;
  authKeys(account: SignedInAccount, serviceId: string, signal: AbortSignal): Promise<AuthKeys>;
  regenerateKey(account: SignedInAccount, serviceId: string, key: 'authKey1' | 'authKey2', signal: AbortSignal): Promise<AuthKeys>;
  nodes(account: SignedInAccount, serviceId: string, signal: AbortSignal): Promise<RuntimeNode[]>;
  testConnection(account: SignedInAccount, request: MigrationRequest, secrets: MigrationSecrets, signal: AbortSignal): Promise<ConnectionTest>;
}

export type BackupLocation =
  | { kind: 'blob'; storageAccountId: string; container: string }
  | { kind: 'local'; folder: string; storageAccountId: string; container: string }
  | { kind: 'share'; path: string; userName: string; storageAccountId: string };

export interface DatabaseRequest {
  sourceDatabase: string;
  targetDatabase: string;
  location: BackupLocation;
  /** Offline only: the last backup to restore. */
  lastBackupName?: string;
}

/** Everything the wizard collected, without secrets: what starting the migrations needs. */
export interface MigrationRequest {
  subscriptionId: string;
  targetInstanceId: string;
  migrationServiceId: string;
  mode: 'online' | 'offline';
  source: SourceConnectionInfo;
  databases: DatabaseRequest[];
}

/** Held in memory or SecretStorage only, and handed to the call that needs them. */
export interface MigrationSecrets {
  sqlPassword?: string;
  sharePassword?: string;
}

export interface StartedMigration {
  sourceDatabase: string;
  targetDatabase: string;
  /** The databaseMigrations resource id, when the service accepted it. */
  id?: string;
  error?: string;
}

export interface MigrationStarter extends Capability {
  /** `progress` reports the local upload (and each start) as it goes. */
  start(account: SignedInAccount, request: MigrationRequest, secrets: MigrationSecrets, signal: AbortSignal, progress?: (message: string) => void): Promise<StartedMigration[]>;
}

export interface WizardServices {
  accounts: AccountService;
  subscriptions: SubscriptionService;
  source: SourceService;
  targets: TargetService;
  storage: StorageService;
  backupCheck: BackupCheckService;
  migrationServices: MigrationServiceService;
  starter: MigrationStarter;
}

export interface Backend {
  feed: MigrationFeed;
  operations: MigrationOperations;
  rules: MigrationRules;
  wizard: WizardServices;
}
