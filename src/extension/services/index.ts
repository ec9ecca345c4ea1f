/**
 * The services behind the views and the wizard, built on the core. Signing in (VS Code's
 * accounts) comes from the caller; everything here is plain code the tests run against the
 * sandbox, without VS Code.
 * Nothing here loads the Azure SDK: each service loads the core on its first call.
 */
import { coreRules } from '../dashboard/statusRules';
import type { Redactor } from '../redact';
import { storageService, subscriptionService, targetService } from './azureResources';
import { localBackupCheck } from './backupCheck';
import { serverDiscovery } from './discovery';
import { LocalUploads, type UploadJobStore } from './localUploads';
import { MigrationFeedService, migrationOperations, type LiveMigrationFeed } from './migrationFeed';
import { migrationServiceResources } from './migrationServices';
import { sourceService } from './sourceService';
import { migrationStarter } from './starter';
import type { AccountService, AccountSource, Backend, SavedConnectionService, ServiceRegistry } from './types';

export interface BackendEnv {
  redactor: Redactor;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** The account the views use (the last sign-in, or a silent one). */
  accounts: AccountSource;
  registry: ServiceRegistry;
  uploadJobs: UploadJobStore;
  uploadConcurrency: () => number;
  /** How often a local backup folder is looked at for new log backups (default 5 s). */
  uploadWatchIntervalMs?: number;
  /** Signing in (VS Code's accounts, or a cloud file's token). */
  signIn: AccountService;
  /** The MSSQL extension's saved connections (the editor's adapter; absent in tests). */
  savedConnections?: SavedConnectionService;
}

export interface FullBackend extends Backend {
  /** The Migrations view follows it (the core's monitor behind it). */
  feed: LiveMigrationFeed;
  uploads: LocalUploads;
}

export function createBackend(env: BackendEnv): FullBackend {
  const secret = (v: string) => env.redactor.add(v);
  const uploads = new LocalUploads(env.uploadJobs, env.log, env.uploadConcurrency, secret, env.uploadWatchIntervalMs);
  const feedDeps = { accounts: env.accounts, registry: env.registry, uploads, log: env.log };
  return {
    feed: new MigrationFeedService(feedDeps),
    operations: migrationOperations(feedDeps),
    rules: coreRules,
    uploads,
    wizard: {
      accounts: env.signIn,
      subscriptions: subscriptionService((m) => env.log.warn(m)),
      source: sourceService,
      targets: targetService,
      storage: storageService,
      backupCheck: localBackupCheck,
      migrationServices: migrationServiceResources,
      starter: migrationStarter({ uploads, services: env.registry, secret, log: env.log }),
      ...(env.savedConnections && { savedConnections: env.savedConnections }),
      discovery: serverDiscovery,
    },
  };
}
