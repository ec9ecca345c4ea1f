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
import { logReplayStarter } from './logReplayStarter';
import { sizingService } from './sizing';
import { MigrationFeedService, migrationOperations, type LiveMigrationFeed } from './migrationFeed';
import { migrationServiceResources } from './migrationServices';
import { restoreOperations, type RestoreOperations } from './restoreOperations';
import { sourceService } from './sourceService';
import { wizardServerObjects } from './serverObjects';
import { migrationStarter } from './starter';
import type { AccountService, AccountSource, Backend, LogReplayStarter, SavedConnectionService, ServiceRegistry, SignedInAccount } from './types';

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
  /** Managed instances (ids) whose Log Replay Service restores the Migrations view lists, beside the migrations' targets. */
  instances?: { list(cloud: SignedInAccount['cloud']): string[]; add?(cloud: SignedInAccount['cloud'], id: string): Promise<void> };
}

export interface FullBackend extends Backend {
  /** The Migrations view follows it (the core's monitor behind it). */
  feed: LiveMigrationFeed;
  uploads: LocalUploads;
  /** Completing and stopping Log Replay Service restores. */
  restores: RestoreOperations;
}

/** The wizard's Log Replay Service start, whose target instances the Migrations view lists from then on. */
function listingRestores(starter: LogReplayStarter, instances: BackendEnv['instances']): LogReplayStarter {
  const add = instances?.add?.bind(instances);
  if (!add) return starter;
  return {
    availability: starter.availability,
    async start(account, request, secrets, signal, progress) {
      const ids = new Set([request.targetInstanceId, ...request.databases.flatMap((d) => d.targetInstanceId ?? [])]);
      await Promise.all([...ids].map((id) => add(account.cloud, id)));
      return starter.start(account, request, secrets, signal, progress);
    },
  };
}

export function createBackend(env: BackendEnv): FullBackend {
  const secret = (v: string) => env.redactor.add(v);
  const uploads = new LocalUploads(env.uploadJobs, env.log, env.uploadConcurrency, secret, env.uploadWatchIntervalMs);
  const feedDeps = { accounts: env.accounts, registry: env.registry, uploads, log: env.log, ...(env.instances && { instances: env.instances }) };
  return {
    feed: new MigrationFeedService(feedDeps),
    operations: migrationOperations(feedDeps),
    rules: coreRules,
    uploads,
    restores: restoreOperations({ accounts: env.accounts, uploads }),
    wizard: {
      accounts: env.signIn,
      subscriptions: subscriptionService((m) => env.log.warn(m)),
      source: sourceService,
      targets: targetService,
      storage: storageService,
      backupCheck: localBackupCheck,
      migrationServices: migrationServiceResources,
      starter: migrationStarter({ uploads, services: env.registry, secret, log: env.log }),
      logReplay: listingRestores(logReplayStarter({ uploads, services: env.registry, secret, log: env.log }), env.instances),
      sizing: sizingService,
      ...(env.savedConnections && { savedConnections: env.savedConnections }),
      discovery: serverDiscovery,
      serverObjects: wizardServerObjects,
    },
  };
}
