/**
 * Everything the editor asks of the outside world, as interfaces. The views and the wizard
 * only see these; `services/index.ts` builds the real ones on the core. A capability that
 * cannot work where the editor runs reports `available: false` with the reason, and the UI
 * says so instead of pretending.
 *
 * What the wizard shows of a service's answer (subscriptions, instances, chain checks, ...) is
 * inferred from the wizard protocol's schemas: the shape the webview validates is the shape the
 * services return, written once.
 */
import type { TokenCredential } from '@azure/core-auth';
import type * as v from 'valibot';
import type { Cloud } from '../../core/azure/cloud';
import type { DiscoveryOptions } from '../../core/discovery/discover';
import type { MigrationMode } from '../../core/migrationMode';
import type { InstanceRecommendation } from '../../core/sku/recommend';
import type {
  AssessmentSummarySchema,
  AuthenticationSchema,
  ChainCheckResultSchema,
  ChainCheckStepSchema,
  ConnectionTestSchema,
  DiscoveredServerSchema,
  LoginChoiceSchema,
  EncryptSchema,
  ManagedInstanceSchema,
  MigrationServiceSchema,
  ReadinessSchema,
  ReportFormatSchema,
  RuntimeNodeSchema,
  ServerObjectResultSchema,
  SourceConnectionSchema,
  SourceDatabaseSchema,
  SourceServerSchema,
  StartedMigrationSchema,
  StorageAccountSchema,
  SubscriptionSchema,
} from '../../protocol/wizard';
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
  /** What could not be checked from here (a network share): the confirmation says it. */
  warnings?: string[];
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

export type SubscriptionInfo = v.InferOutput<typeof SubscriptionSchema>;

export interface SubscriptionService extends Capability {
  list(account: SignedInAccount, signal: AbortSignal): Promise<SubscriptionInfo[]>;
}

export type SourceAuthentication = v.InferOutput<typeof AuthenticationSchema>;
export type EncryptOption = v.InferOutput<typeof EncryptSchema>;
export type SourceConnectionInfo = v.InferOutput<typeof SourceConnectionSchema>;
export type SourceServerInfo = v.InferOutput<typeof SourceServerSchema>;
export type SourceDatabaseInfo = v.InferOutput<typeof SourceDatabaseSchema>;
export type Readiness = v.InferOutput<typeof ReadinessSchema>;
export type AssessmentSummary = v.InferOutput<typeof AssessmentSummarySchema>;
export type ReportFormat = v.InferOutput<typeof ReportFormatSchema>;

/** A finished assessment: the summary per database, and the full report (kept in memory only). */
export interface Assessment {
  summaries: AssessmentSummary[];
  /** Server-wide findings, one line each. */
  instanceFindings: string[];
  /** The ids of the rules behind them. */
  instanceRules?: string[];
  render(format: ReportFormat): string;
}

export interface SourceService extends Capability {
  /** `secret` is the password (SQL, Windows) or nothing (Entra: the service asks for a token). */
  connect(connection: SourceConnectionInfo, secret: string | undefined, signal: AbortSignal): Promise<{ server: SourceServerInfo; databases: SourceDatabaseInfo[] }>;
  assess(
    connection: SourceConnectionInfo,
    secret: string | undefined,
    databases: string[],
    mode: MigrationMode,
    signal: AbortSignal,
    onProgress: (message: string, fraction: number) => void,
  ): Promise<Assessment>;
}

/**
 * A connection saved by another tool (the MSSQL extension), offered as the source. It carries no
 * password: the user types one, or asks the provider for it (`password`, where its API allows).
 */
export interface SavedConnection {
  /** The provider's id for it (the MSSQL extension's profile id). */
  id: string;
  /** What to show: the profile name, or server (database) - user. */
  label: string;
  /** Who saved it, to show: "MSSQL extension". */
  provider: string;
  /** As the source step takes it. */
  connection: SourceConnectionInfo;
  /** The database the profile opens, when it names one. */
  database?: string;
  /** The provider's group (folder) name. */
  group?: string;
  /** What the wizard does differently from the profile (Windows integrated sign-in becomes NTLM, ...). */
  caveat?: string;
}

/** Another extension's saved connections (the MSSQL extension's, when it is installed). */
export interface SavedConnectionService extends Capability {
  list(signal: AbortSignal): Promise<SavedConnection[]>;
  /** The list may have changed (settings edited, the extension installed or removed). Returns the unsubscribe. */
  onDidChange(listener: () => void): () => void;
  /** A server handed over from the provider's own UI (Object Explorer's "Migrate..."), taken once by the source step. */
  takeOffered(): SavedConnection | undefined;
  /** Fires when a server is handed over (the wizard may already be open). Returns the unsubscribe. */
  onDidOffer(listener: (connection: SavedConnection) => void): () => void;
  /**
   * The provider's saved password, only where its API hands it over for another extension to
   * use, after the user agrees in the provider's own prompt; undefined when it does not. The
   * caller keeps it in memory for this connection only.
   */
  password(id: string, signal: AbortSignal): Promise<string | undefined>;
}

export type DiscoveredServerInfo = v.InferOutput<typeof DiscoveredServerSchema>;

/** What a discovery found, as the wizard shows it. */
export interface DiscoveryResult {
  servers: DiscoveredServerInfo[];
  /** Hosts probed, and those where nothing answered. */
  hosts: number;
  silent: number;
  /** One line per host whose answer could not be read. */
  problems: string[];
  durationMs: number;
}

/** Finds SQL Server instances on the hosts and ranges the user names (the core's discovery). */
export interface ServerDiscoveryService extends Capability {
  discover(targets: string[], options: Pick<DiscoveryOptions, 'ports' | 'ssrpPort' | 'broadcast' | 'confirmed' | 'timeoutMs'>, signal: AbortSignal, onProgress?: (message: string, fraction: number) => void): Promise<DiscoveryResult>;
}

export type ManagedInstanceInfo = v.InferOutput<typeof ManagedInstanceSchema>;

export interface TargetService extends Capability {
  listManagedInstances(account: SignedInAccount, subscriptionId: string, signal: AbortSignal): Promise<ManagedInstanceInfo[]>;
  listDatabases(account: SignedInAccount, instanceId: string, signal: AbortSignal): Promise<string[]>;
}

/** A size recommendation from a folder of performance data (the core's sizing), for the selected databases. */
export interface SizingService extends Capability {
  recommend(folder: string, databases: string[], signal: AbortSignal): Promise<InstanceRecommendation>;
}

export type StorageAccountInfo = v.InferOutput<typeof StorageAccountSchema>;

export interface StorageService extends Capability {
  listAccounts(account: SignedInAccount, subscriptionId: string, signal: AbortSignal): Promise<StorageAccountInfo[]>;
  listContainers(account: SignedInAccount, storageAccountId: string, signal: AbortSignal): Promise<string[]>;
}

export type ChainCheckStep = v.InferOutput<typeof ChainCheckStepSchema>;
export type ChainCheckResult = v.InferOutput<typeof ChainCheckResultSchema>;

/** Reads the backup headers in a local folder and plans the restore chain (real: the backup engine). */
export interface BackupCheckService extends Capability {
  checkFolder(folder: string, database: string, mode: MigrationMode, signal: AbortSignal): Promise<ChainCheckResult>;
}

export type MigrationServiceInfo = v.InferOutput<typeof MigrationServiceSchema>;
export type RuntimeNode = v.InferOutput<typeof RuntimeNodeSchema>;

export interface AuthKeys {
  authKey1: string;
  authKey2: string;
}

export type ConnectionTest = v.InferOutput<typeof ConnectionTestSchema>;

export interface MigrationServiceResources extends Capability {
  list(account: SignedInAccount, subscriptionId: string, signal: AbortSignal): Promise<MigrationServiceInfo[]>;
  create(account: SignedInAccount, subscriptionId: string, resourceGroup: string, name: string, location: string, signal: AbortSignal): Promise<MigrationServiceInfo>;
  authKeys(account: SignedInAccount, serviceId: string, signal: AbortSignal): Promise<AuthKeys>;
  regenerateKey(account: SignedInAccount, serviceId: string, key: 'authKey1' | 'authKey2', signal: AbortSignal): Promise<AuthKeys>;
  nodes(account: SignedInAccount, serviceId: string, signal: AbortSignal): Promise<RuntimeNode[]>;
  testConnection(account: SignedInAccount, request: MigrationRequest, secrets: MigrationSecrets, signal: AbortSignal): Promise<ConnectionTest>;
}

export type BackupLocation =
  | { kind: 'blob'; storageAccountId: string; container: string }
  | { kind: 'upload'; folder: string; storageAccountId: string; container: string }
  | { kind: 'share'; path: string; userName: string; storageAccountId: string };

export interface DatabaseRequest {
  sourceDatabase: string;
  targetDatabase: string;
  /** The managed instance it goes to, when not the request's (a run spread over several instances). */
  targetInstanceId?: string;
  location: BackupLocation;
  /** Offline only: the last backup to restore. */
  lastBackupName?: string;
}

/** Everything the wizard collected, without secrets: what starting the migrations needs. */
export interface MigrationRequest {
  subscriptionId: string;
  /** Where the databases go unless one names its own instance. */
  targetInstanceId: string;
  migrationServiceId: string;
  mode: MigrationMode;
  source: SourceConnectionInfo;
  databases: DatabaseRequest[];
  /** A SQL login on the target instances (its password is `MigrationSecrets.targetPassword`): the TDE check reads their certificates with it. */
  targetLogin?: { user: string };
  /** A blob container (not a share) is read with the target instance's managed identity instead of the storage account's key. */
  blobAuth?: 'ManagedIdentity';
}

/** Held in memory or SecretStorage only, and handed to the call that needs them. */
export interface MigrationSecrets {
  sqlPassword?: string;
  sharePassword?: string;
  /** The password of the request's `targetLogin`. */
  targetPassword?: string;
}

export type StartedMigration = v.InferOutput<typeof StartedMigrationSchema>;

export interface MigrationStarter extends Capability {
  /** `progress` reports the local upload (and each start) as it goes. */
  start(account: SignedInAccount, request: MigrationRequest, secrets: MigrationSecrets, signal: AbortSignal, progress?: (message: string) => void): Promise<StartedMigration[]>;
}

/** The same answers for the Log Replay Service: no migration service; how the instance reads the container instead. */
export interface LogReplayRequest extends Omit<MigrationRequest, 'migrationServiceId' | 'databases' | 'blobAuth'> {
  /** SAS: a token with Read and List only, made at Start from the account key (never kept); or the instance's managed identity. */
  access: 'sas' | 'managedIdentity';
  /** Blob storage only (a network share is the migration service's). */
  databases: (DatabaseRequest & { location: Exclude<BackupLocation, { kind: 'share' }> })[];
}

/** Restores through the managed instance's Log Replay Service, on the core's LRS run (its checks refuse before anything starts). */
export interface LogReplayStarter extends Capability {
  start(account: SignedInAccount, request: LogReplayRequest, secrets: MigrationSecrets, signal: AbortSignal, progress?: (message: string) => void): Promise<StartedMigration[]>;
}

export type LoginChoice = v.InferOutput<typeof LoginChoiceSchema>;
export type ServerObjectResult = v.InferOutput<typeof ServerObjectResultSchema>;

/** The source and a target instance, with a SQL login on it (its password for the call only). */
export interface ServerPairInfo {
  account: SignedInAccount;
  instanceId: string;
  source: SourceConnectionInfo;
  sourceSecret: string | undefined;
  instanceLogin?: { user: string; password: string };
}

/** What one part of the Server objects step did: per item, and the same as text for the log. */
export interface ServerObjectsOutcome {
  items: ServerObjectResult[];
  text: string;
}

/** The wizard's Server objects step on the core (logins, TDE certificates, Agent jobs and other server objects). */
export interface ServerObjectsService extends Capability {
  listLogins(source: SourceConnectionInfo, secret: string | undefined, signal: AbortSignal): Promise<LoginChoice[]>;
  /** Uploads the certificates of these (source) databases' TDE keys; nothing for databases without TDE. */
  uploadTde(pair: ServerPairInfo, databases: readonly string[], signal: AbortSignal): Promise<ServerObjectsOutcome>;
  /** Creates the named logins (what exists is skipped) with the domain mapping entries. */
  createLogins(pair: ServerPairInfo, options: { names: readonly string[]; mapping: readonly string[] }, signal: AbortSignal): Promise<ServerObjectsOutcome>;
  /** Scripts the source's server objects and applies them object by object (one with a secret to fill in is refused, with why). */
  applyServerObjects(pair: ServerPairInfo, signal: AbortSignal): Promise<ServerObjectsOutcome>;
}

export interface WizardServices {
  accounts: AccountService;
  subscriptions: SubscriptionService;
  source: SourceService;
  targets: TargetService;
  storage: StorageService;
  backupCheck: BackupCheckService;
  migrationServices: MigrationServiceResources;
  starter: MigrationStarter;
  /** Sizing from performance data on the target step (absent: the step says how to get a recommendation with sqlmig). */
  sizing?: SizingService;
  /** The Log Replay Service engine (absent: the wizard offers it as unavailable). */
  logReplay?: LogReplayStarter;
  /** The MSSQL extension's saved connections for the source step (absent in tests that do not need it). */
  savedConnections?: SavedConnectionService;
  /** "Find servers" for the source step. */
  discovery?: ServerDiscoveryService;
  /** The Server objects step (absent: the step says it is not available in this build). */
  serverObjects?: ServerObjectsService;
}

export interface Backend {
  feed: MigrationFeed;
  operations: MigrationOperations;
  rules: MigrationRules;
  wizard: WizardServices;
}
