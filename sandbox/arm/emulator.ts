/**
 * The emulator every ARM operation runs against (the world, the clock, long-running
 * operations, injected faults, the migrations), and the lookups the provider modules share:
 * a request's subscription, resource group, instance, account or service, or the ARM 404.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { SimClock } from '../clock';
import type { LogReplay } from '../dms/logReplay';
import type { Migration } from '../dms/migration';
import type { MigrationHost, MigrationTimings, RestoreFailure } from '../dms/types';
import type { Faults } from './faults';
import { ArmError, notFound, type ArmRequest } from './http';
import type { LongRunningOperation, LongRunningOperations } from './longRunning';
import type { Operation } from './router';
import type { TdeCertificateStore } from './tdeCertificates';
import { rgKey, type NameMap, type ManagedInstanceRec, type ResourceGroupRec, type ServiceRec, type StorageAccountRec, type World } from './world';

/** Simulated durations, in simulated seconds: the migration engine's and these. */
export interface Timings extends MigrationTimings {
  /** Creating or updating a migration service. */
  serviceProvisionSeconds: number;
  /** Deleting a service, a migration, a database or a resource group. */
  deleteSeconds: number;
}

export const DEFAULT_TIMINGS: Timings = {
  serviceProvisionSeconds: 20,
  deleteSeconds: 10,
  migrationProvisionSeconds: 15,
  scanIntervalSeconds: 30,
  restoreBaseSeconds: 20,
  restoreMBps: 200,
  cutoverSeconds: 60,
  cancelSeconds: 20,
};

export interface Emulator extends MigrationHost {
  world: World;
  clock: SimClock;
  longRunning: LongRunningOperations;
  faults: Faults;
  timings: Timings;
  /** Lists page at this size. */
  pageSize: number;
  /** How long a runtime node stays online without a heartbeat, in real milliseconds. */
  runtimeHeartbeatMs: number;
  /** http://127.0.0.1:port, known once the server listens. */
  baseUrl: string;
  /** Blob service of a sandbox storage account, with its key. */
  blobService(account: StorageAccountRec): BlobServiceClient;
  /** Stopped with the sandbox: sleeps of background work listen to it. */
  signal: AbortSignal;
  /** Database migrations by `resourceGroup/managedInstance/database`. */
  migrations: NameMap<Migration>;
  /** Log Replay Service restores by `resourceGroup/managedInstance/database`. */
  restores: NameMap<LogReplay>;
  /** Injected restore failures (fault injection); emptied in place when faults are cleared. */
  restoreFailures: RestoreFailure[];
  /** TDE certificates uploaded to each instance (by its resource id), through tdeCertificates. */
  tdeCertificates: TdeCertificateStore;
  /**
   * The local folder standing in for a network share path, after checking the credentials;
   * or why the runtime cannot read it.
   */
  resolveShare(path: string, username?: string, password?: string): { folder: string } | { error: string };
}

/** An ARM operation of the emulator (see router.ts). */
export type ArmOperation = Operation<Emulator>;

const blobClients = new WeakMap<StorageAccountRec, BlobServiceClient>();

/** One client per account: building an SDK pipeline per call would cost more than the call. */
export function blobServiceFor(account: StorageAccountRec): BlobServiceClient {
  let client = blobClients.get(account);
  if (!client) {
    client = new BlobServiceClient(account.blobEndpoint.replace(/\/$/, ''), new StorageSharedKeyCredential(account.name, account.key1));
    blobClients.set(account, client);
  }
  return client;
}

export function requireSubscription(emu: Emulator, req: ArmRequest): void {
  const sub = req.params.subscriptionId!;
  if (sub.toLowerCase() !== emu.world.subscriptionId.toLowerCase()) {
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  }
}

export function requireResourceGroup(emu: Emulator, req: ArmRequest): ResourceGroupRec {
  requireSubscription(emu, req);
  const name = req.params.resourceGroupName!;
  const rg = emu.world.resourceGroups.get(name);
  if (!rg) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
  return rg;
}

export function requireManagedInstance(emu: Emulator, req: ArmRequest): ManagedInstanceRec {
  const rg = requireResourceGroup(emu, req);
  const name = req.params.managedInstanceName!;
  const mi = emu.world.managedInstances.get(rgKey(rg.name, name));
  if (!mi) throw notFound('Microsoft.Sql/managedInstances', name, rg.name);
  return mi;
}

export function requireStorageAccount(emu: Emulator, req: ArmRequest): StorageAccountRec {
  const rg = requireResourceGroup(emu, req);
  const name = req.params.accountName!;
  const sa = emu.world.storageAccounts.get(rgKey(rg.name, name));
  if (!sa) throw notFound('Microsoft.Storage/storageAccounts', name, rg.name);
  return sa;
}

export function requireService(emu: Emulator, req: ArmRequest): ServiceRec {
  const rg = requireResourceGroup(emu, req);
  const name = req.params.sqlMigrationServiceName!;
  const s = emu.world.services.get(rgKey(rg.name, name));
  if (!s) throw notFound('Microsoft.DataMigration/sqlMigrationServices', name, rg.name);
  return s;
}

/** The 201/202 headers of a long-running operation. */
export function asyncHeaders(emu: Emulator, op: LongRunningOperation): Record<string, string> {
  return { 'azure-asyncoperation': emu.longRunning.url(op, emu.baseUrl) };
}

/** Finishes `op` after `seconds` of simulated time plus any injected slowness; never throws. */
export function finishLater(emu: Emulator, op: LongRunningOperation, seconds: number, work: () => void | { code: string; message: string }): void {
  emu.clock
    .sleep(seconds * 1000 + emu.faults.slowOperationsMs, emu.signal)
    .then(() => {
      const failure = work();
      if (failure) emu.longRunning.fail(op, failure.code, failure.message);
      else emu.longRunning.succeed(op);
    })
    .catch(() => undefined);
}
